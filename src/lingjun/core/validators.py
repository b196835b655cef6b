"""Field validators shared by services (pages, API and imports use the same ones)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from .errors import FieldIssue

# re.ASCII: \d would otherwise match other scripts' digits (١٣٨…), stored as they came.
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
# Office phones: area code and number, optional extension: 010-68205300, (0571)87001234, 68205300-801.
PHONE_RE = re.compile(
    r"^(\(?0\d{2,3}\)?[- ]?)?\d{7,8}([-转#]\d{1,6})?$|^1[3-9]\d{9}$|^400-?\d{3}-?\d{4}$", re.ASCII
)
FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"－": "-", "（": "(", "）": ")", "　": " "}
)


def normalise_digits(value) -> str:
    """Full-width digits and punctuation to ASCII; strip spaces. Regions paste from Word and WPS."""
    return str(value or "").translate(FULLWIDTH).replace(" ", "").strip()


def check_required(errors: list, field: str, value, label: str, max_length: int | None = None) -> str:
    value = str(value or "").strip()
    if not value:
        errors.append(FieldIssue(field, "required", f"请填写{label}。"))
    elif max_length and len(value) > max_length:
        errors.append(FieldIssue(field, "too_long", f"{label}不能超过{max_length}个字。"))
    return value


def check_mobile(errors: list, field: str, value, label: str = "手机号码", required: bool = True) -> str:
    value = normalise_digits(value).removeprefix("+86")
    if not value and not required:
        return ""
    if not MOBILE_RE.match(value):
        errors.append(FieldIssue(field, "invalid_mobile", f"{label}须为11位大陆手机号码，如 13800138000。"))
    return value


def check_phone(errors: list, field: str, value, label: str = "办公电话", required: bool = True) -> str:
    value = normalise_digits(value)
    if not value and not required:
        return ""
    if not PHONE_RE.match(value):
        errors.append(
            FieldIssue(field, "invalid_phone", f"{label}格式不正确，如 010-68205300 或 0571-87001234-801。")
        )
    return value


def check_email(errors: list, field: str, value, label: str = "电子邮箱", required: bool = True) -> str:
    value = str(value or "").strip()
    if not value and not required:
        return ""
    if len(value) > 254:  # an EmailField column holds 254; PostgreSQL would refuse a longer one with a 500
        errors.append(FieldIssue(field, "too_long", f"{label}不能超过254个字符。"))
        return value
    try:
        validate_email(value)
    except DjangoValidationError:
        errors.append(FieldIssue(field, "invalid_email", f"{label}格式不正确，如 name@example.cn。"))
    return value
