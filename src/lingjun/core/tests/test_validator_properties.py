"""Property tests of the field validators against arbitrary input (what regions paste from Word, WPS and phones).

Whatever text arrives, a validator either accepts it and returns the canonical ASCII form (the form that is
stored, hashed for look-ups and printed on certificates), or refuses it with its own Chinese message; it never
raises anything else (which would be a 500 for a whole import). The valid-number properties (every single typo
detected) are in registrations/tests/test_validation.py; the quota arithmetic in
programmes/tests/test_api_propose.py.
"""

from __future__ import annotations

import datetime
import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from lingjun.core.errors import FieldIssue
from lingjun.core.validators import check_email, check_mobile, check_phone
from lingjun.registrations import fakes
from lingjun.registrations.identity import IdentityError, check_credit_code, check_id_number

TODAY = datetime.date(2030, 6, 1)
CJK = re.compile(r"[\u4e00-\u9fff]")
# Digits of other scripts that str.isdigit() and re's \d accept: a validator must not take them for 0-9.
FOREIGN_DIGITS = "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९²³¹"
PASTED = st.text(
    alphabet=st.sampled_from(
        "0123456789Xx -－（）()+０１２３４５６７８９ABCDEFGHJKLMNPQRTUWY" + FOREIGN_DIGITS
    ),
    max_size=24,
)
ANY_TEXT = st.one_of(st.text(max_size=40), PASTED)
PROPS = settings(max_examples=300, deadline=None)


def _refused_properly(exc: IdentityError) -> None:
    assert exc.code in ("required", "invalid_id_number", "invalid_credit_code")
    assert CJK.search(exc.message)


@PROPS
@given(ANY_TEXT)
def test_id_numbers_are_canonical_ascii_or_refused_in_chinese(value):
    try:
        number, birth, gender = check_id_number(value, today=TODAY)
    except IdentityError as exc:
        _refused_properly(exc)
        return
    assert re.fullmatch(r"[0-9]{17}[0-9X]", number), number
    assert birth < TODAY and gender in ("M", "F")


@PROPS
@given(ANY_TEXT)
def test_credit_codes_are_canonical_ascii_or_refused_in_chinese(value):
    try:
        number = check_credit_code(value)
    except IdentityError as exc:
        _refused_properly(exc)
        return
    assert re.fullmatch(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}", number), number


@PROPS
@given(seed=st.integers(0, 10**6), position=st.integers(0, 17), digit=st.sampled_from(FOREIGN_DIGITS))
def test_a_foreign_script_digit_in_a_valid_number_is_refused(seed, position, digit):
    rng = random.Random(seed)
    code = fakes.credit_code(rng)
    number = fakes.id_number(rng, "330000", birth=datetime.date(1980, 5, 17))
    for check, valid in ((check_credit_code, code), (lambda v: check_id_number(v, today=TODAY), number)):
        typo = valid[:position] + digit + valid[position + 1 :]
        try:
            check(typo)
        except IdentityError as exc:
            _refused_properly(exc)
        else:
            raise AssertionError(f"accepted {typo!r}")


def _issues(check, value) -> tuple[str, list[FieldIssue]]:
    errors: list[FieldIssue] = []
    return check(errors, "f", value), errors


@PROPS
@given(ANY_TEXT)
def test_mobiles_are_eleven_ascii_digits_or_refused(value):
    out, errors = _issues(check_mobile, value)
    if errors:
        assert [e.code for e in errors] == ["invalid_mobile"] and CJK.search(errors[0].message)
    else:
        assert re.fullmatch(r"1[3-9][0-9]{9}", out), out


@PROPS
@given(ANY_TEXT)
def test_office_phones_have_ascii_digits_or_are_refused(value):
    out, errors = _issues(check_phone, value)
    if errors:
        assert [e.code for e in errors] == ["invalid_phone"] and CJK.search(errors[0].message)
    else:
        assert re.search(r"[0-9]{7}", out) and not any(c.isdigit() and not c.isascii() for c in out), out


@PROPS
@given(st.one_of(st.text(max_size=300), st.emails()))
def test_emails_never_raise_and_never_exceed_the_column(value):
    out, errors = _issues(check_email, value)
    assert all(e.code in ("invalid_email", "too_long", "required") for e in errors)
    if not errors:
        assert "@" in out and len(out) <= 254


@given(st.sampled_from(["١٣٨٠٠١٣٨٠٠٠", "13٨00138000", "1380013800٠"]))
def test_a_mobile_in_arabic_indic_digits_is_refused(value):
    _out, errors = _issues(check_mobile, value)
    assert [e.code for e in errors] == ["invalid_mobile"]
