"""Display helpers shared by the page templates."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def programme_name(programme) -> str:
    """“2024年中小企业经营管理领军人才培训”: the title, with the year in front only if the title lacks it
    (titles copied from the notice usually start with the year already)."""
    title = (programme.title or "").strip()
    year = str(programme.year)
    return title if year in title else f"{year}年 {title}".strip()


@register.filter
def percent(share) -> str:
    """0.3 → “30%”, 0.333 → “33.3%”; empty for no value."""
    if share in (None, ""):
        return ""
    value = (Decimal(str(share)) * 100).quantize(Decimal("0.1"))
    text = f"{value:f}".rstrip("0").rstrip(".")
    return f"{text}%"


@register.filter
def error_summary(field) -> str:
    """A bound field's first error as a line of the form's error summary, named after the field unless the
    message already names it (“联系人手机须为11位…” stays; “这个字段是必填项。” becomes “名称：这个字段是必填项。”)."""
    if not field.errors:
        return ""
    message = str(field.errors[0])
    label = str(field.label or "")
    return message if not label or label in message else f"{label}：{message}"


@register.filter
def fields_with_errors(form) -> list:
    return [field for field in form if field.errors]
