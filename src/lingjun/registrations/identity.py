"""National-standard identifiers and the protection of resident ID numbers.

- GB 11643 resident ID (公民身份号码): check digit (ISO 7064 MOD 11-2, via python-stdnum), a real birth
  date in the past, an adult, a valid province prefix. Full-width digits, spaces and a lowercase x are
  normalised first (regions paste from Word/WPS).
- GB 32100 unified social credit code (统一社会信用代码): check character (python-stdnum) and the check
  character of the embedded GB 11714 organisation code (positions 9–17).
- ID numbers are encrypted at rest (Fernet, key from LINGJUN_FIELD_KEY; several comma-separated keys allow
  rotation, the first encrypts) and looked up by a keyed hash (HMAC-SHA256, LINGJUN_LOOKUP_KEY).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import logging
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from stdnum.cn import ric, uscc

from lingjun.core.validators import normalise_digits

log = logging.getLogger("lingjun.identity")

PROVINCE_PREFIXES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
}
ADULT_AGE = 18


class IdentityError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def normalise_id_number(value) -> str:
    return normalise_digits(value).replace("-", "").upper()


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_id_number(value, today: datetime.date | None = None) -> tuple[str, datetime.date, str]:
    """→ (normalised number, birth date, gender 'M'/'F'), or IdentityError(code='invalid_id_number')."""
    number = normalise_id_number(value)
    code = "invalid_id_number"
    if not number:
        raise IdentityError("required", "请填写身份证号。")
    # isascii: str.isdigit() also accepts other scripts' digits (٢, २, ²); one of those in place of a digit would
    # pass the check digit yet give another look-up hash, i.e. a second registration of the same person.
    if (
        len(number) != 18
        or not number.isascii()
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise IdentityError(code, "身份证号须为18位，前17位为数字，末位为数字或X。")
    if number[:2] not in PROVINCE_PREFIXES:
        raise IdentityError(code, "身份证号的前两位不是有效的省级行政区划代码。")
    if ric.calc_check_digit(number) != number[17]:
        raise IdentityError(code, "身份证号校验码不正确，请核对是否有录入错误。")
    try:  # positions 7–14 are the birth date (GB 11643 §5.2); stdnum's get_birth_date re-cleans the input
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentityError(code, "身份证号中的出生日期不是有效日期。") from None
    today = today or datetime.date.today()
    if birth >= today:
        raise IdentityError(code, "身份证号中的出生日期不能是今天或以后。")
    if birth.year < 1900:
        raise IdentityError(code, "身份证号中的出生年份不合理。")
    if _age(birth, today) < ADULT_AGE:
        raise IdentityError(code, "身份证号显示该学员未满18周岁，不能报名。")
    gender = "M" if int(number[16]) % 2 else "F"
    return number, birth, gender


_USCC_INDEX = {c: i for i, c in enumerate(uscc._alphabet)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc_check(number: str) -> str:
    total = sum(
        _USCC_INDEX[c] * w for c, w in zip(number, _USCC_WEIGHTS, strict=False)
    )  # 17 of 18 characters
    return uscc._alphabet[(31 - total) % 31]


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code_check_char(body: str) -> str:
    """GB 11714 check character for the 8-character body of an organisation code."""
    total = sum(_ALNUM.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else ("0" if c9 == 11 else str(c9))


def check_credit_code(value) -> str:
    """→ normalised USCC, or IdentityError(code='invalid_credit_code')."""
    number = normalise_digits(value).upper()
    code = "invalid_credit_code"
    if not number:
        raise IdentityError("required", "请填写统一社会信用代码。")
    if len(number) != 18:
        raise IdentityError(code, "统一社会信用代码须为18位。")
    if not number.isascii():  # other scripts' digits pass str.isdigit() but are not GB 32100 characters
        raise IdentityError(code, "统一社会信用代码只能包含数字和大写英文字母。")
    # GB 32100 check character, with python-stdnum's alphabet and algorithm (uscc.validate would re-clean
    # the already normalised input on every row of a 50,000-row import).
    if (
        not number[:8].isdigit()
        or any(c not in _USCC_INDEX for c in number[8:])
        or number[17] != _uscc_check(number)
    ):
        raise IdentityError(code, "统一社会信用代码格式或校验码不正确（GB 32100），请核对。")
    org = number[8:17]
    if any(c not in _ALNUM for c in org) or organisation_code_check_char(org[:8]) != org[8]:
        raise IdentityError(code, "统一社会信用代码中第9—17位的组织机构代码校验码不正确（GB 11714）。")
    return number


def mask_id_number(number: str) -> str:
    if not number:
        return ""
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else "*" * len(number)


_DEV_FIELD_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"lingjun-dev-field-key").digest()).decode()


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    raw = settings.FIELD_ENCRYPTION_KEY
    keys = [k.strip() for k in raw.split(",") if k.strip()] if raw else []
    if not keys:
        log.warning("LINGJUN_FIELD_KEY is not set: using the development key for ID numbers.")
        keys = [_DEV_FIELD_KEY]
    return MultiFernet([Fernet(k.encode()) for k in keys])


_DEV_LOOKUP_KEY = "lingjun-dev-lookup-key"


@lru_cache(maxsize=1)
def _lookup_key() -> bytes:
    # Deliberately not derived from SECRET_KEY: rotating the secret key must not lose every look-up hash.
    if not settings.LOOKUP_HASH_KEY:
        log.warning("LINGJUN_LOOKUP_KEY is not set: using the development look-up key.")
    return (settings.LOOKUP_HASH_KEY or _DEV_LOOKUP_KEY).encode()


def encrypt_id(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt_id(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def id_lookup_hash(number: str) -> str:
    return hmac.new(_lookup_key(), number.encode(), hashlib.sha256).hexdigest()
