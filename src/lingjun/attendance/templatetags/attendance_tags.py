from django import template

register = template.Library()


@register.filter
def dictget(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def pairs(spec: str):
    """ "a:甲,b:乙" → [("a", "甲"), ("b", "乙")] for small fixed option lists in templates."""
    return [tuple(item.split(":", 1)) for item in spec.split(",")]
