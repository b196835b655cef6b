"""Field rules of a registration, below the API (SPEC §3.2 Trainee / Enterprise, R4, R5).

GB 11643 resident ID numbers, GB 32100 credit codes (with the embedded GB 11714 organisation code),
mobile and e-mail, and the size class from the versioned 《中小企业划型标准规定》."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from lingjun.core.errors import FieldIssue
from lingjun.core.validators import check_email, check_mobile
from lingjun.reference import sizing
from lingjun.reference.models import SizeSector, SizeStandard
from lingjun.registrations.identity import (
    PROVINCE_PREFIXES,
    IdentityError,
    check_credit_code,
    check_id_number,
    decrypt_id,
    encrypt_id,
    mask_id_number,
    organisation_code_check_char,
)
from lingjun.registrations.validation import Context, clean_enterprise, clean_registration, clean_trainee

from .conftest import credit_code, payload

TODAY = datetime.date(2026, 6, 15)
FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
HYPOTHESIS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def make_id(birth: datetime.date = datetime.date(1980, 1, 1), seq: int = 123, area: str = "110101") -> str:
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def id_ending_in_x() -> str:
    for seq in range(1000):
        number = make_id(seq=seq)
        if number.endswith("X"):
            return number
    raise AssertionError("no ID with check digit X")


def raw_id(body17: str) -> str:
    """An ID built from any 17 digits with a correct check digit (for impossible birth dates)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def id_error(value, today=TODAY) -> IdentityError:
    with pytest.raises(IdentityError) as info:
        check_id_number(value, today=today)
    return info.value


# --- GB 11643 resident ID ------------------------------------------------------------------------------


def test_a_valid_id_gives_number_birth_date_and_gender():
    number = make_id(datetime.date(1980, 5, 17), seq=123)  # 17th digit 3: odd → male
    assert check_id_number(number, today=TODAY) == (number, datetime.date(1980, 5, 17), "M")
    female = make_id(datetime.date(1975, 12, 31), seq=124)
    assert check_id_number(female, today=TODAY)[2] == "F"


def test_wrong_check_digit_is_invalid():
    number = make_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    err = id_error(wrong)
    assert err.code == "invalid_id_number" and "校验码" in err.message


def test_lowercase_x_is_normalised():
    number = id_ending_in_x()
    assert check_id_number(number[:17] + "x", today=TODAY)[0] == number


def test_full_width_digits_and_spaces_are_normalised():
    number = make_id(datetime.date(1979, 3, 8), seq=456)
    pasted = (
        " " + "".join(FULLWIDTH.get(c, c) for c in number[:6]) + "　" + number[6:14] + " " + number[14:] + " "
    )
    assert check_id_number(pasted, today=TODAY)[0] == number


@pytest.mark.parametrize("birth", ["19800230", "19810229", "19801301", "19800000", "19800431"])
def test_impossible_birth_date_is_invalid(birth):
    err = id_error(raw_id("110101" + birth + "123"))
    assert err.code == "invalid_id_number" and "出生日期" in err.message


def test_birth_date_in_the_future_is_invalid():
    err = id_error(make_id(datetime.date(2027, 1, 1)))
    assert err.code == "invalid_id_number" and "出生日期" in err.message


def test_under_18_is_invalid_and_18_today_is_valid():
    err = id_error(make_id(datetime.date(2008, 6, 16)))  # 18 tomorrow
    assert err.code == "invalid_id_number" and "未满18周岁" in err.message
    assert check_id_number(make_id(datetime.date(2008, 6, 15)), today=TODAY)[1] == datetime.date(2008, 6, 15)


@pytest.mark.parametrize(
    "value",
    [
        "11010119800101123",
        "1101011980010112377",
        "11010119800101123A",
        "X10101198001011237",
        "990101198001011231",
    ],
)
def test_malformed_ids_are_invalid(value):
    assert id_error(value).code == "invalid_id_number"


def test_missing_id_is_required():
    assert id_error("  ").code == "required"


@HYPOTHESIS
@given(
    area=st.sampled_from(sorted(PROVINCE_PREFIXES)),
    birth=st.dates(datetime.date(1920, 1, 1), datetime.date(2008, 6, 15)),
    seq=st.integers(0, 999),
    position=st.integers(0, 16),
    shift=st.integers(1, 9),
)
def test_every_single_digit_error_is_detected(area, birth, seq, position, shift):
    number = make_id(birth, seq, area + "0101")
    got, got_birth, gender = check_id_number(number, today=TODAY)
    assert (got, got_birth) == (number, birth)
    assert gender == ("M" if seq % 2 else "F")
    typo = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]
    assert id_error(typo).code == "invalid_id_number"


# --- GB 32100 credit code with embedded GB 11714 organisation code ------------------------------------


def test_a_valid_credit_code_passes_and_lowercase_is_normalised():
    code = credit_code()
    assert check_credit_code(code) == code
    assert check_credit_code(" " + code.lower() + " ") == code


def test_wrong_check_character_is_invalid():
    code = credit_code()
    wrong = code[:17] + ("1" if code[17] != "1" else "2")
    with pytest.raises(IdentityError) as info:
        check_credit_code(wrong)
    assert info.value.code == "invalid_credit_code" and "GB 32100" in info.value.message


def test_wrong_embedded_organisation_code_check_is_invalid_even_with_a_valid_gb32100_check():
    org_body = "MA01ABCD"
    right = organisation_code_check_char(org_body)
    wrong = "7" if right != "7" else "8"
    body = "91110000" + org_body + wrong
    code = body + uscc.calc_check_digit(body)
    assert uscc.is_valid(code)  # fine by GB 32100 alone
    with pytest.raises(IdentityError) as info:
        check_credit_code(code)
    assert info.value.code == "invalid_credit_code" and "GB 11714" in info.value.message
    good = "91110000" + org_body + right
    assert check_credit_code(good + uscc.calc_check_digit(good)) == good + uscc.calc_check_digit(good)


@pytest.mark.parametrize(
    "value", ["91110000MA01ABCD2", "91110000MA01ABCD2XX", "9111000OMA01ABCD2X", "@" * 18]
)
def test_malformed_credit_codes_are_invalid(value):
    with pytest.raises(IdentityError) as info:
        check_credit_code(value)
    assert info.value.code == "invalid_credit_code"


@HYPOTHESIS
@given(seed=st.integers(0, 10**9), position=st.integers(0, 17), shift=st.integers(1, 30))
def test_every_single_character_error_in_a_credit_code_is_detected(seed, position, shift):
    import random

    from lingjun.registrations import fakes

    code = fakes.credit_code(random.Random(seed))
    assert check_credit_code(code) == code
    alphabet = uscc._alphabet
    typo = code[:position] + alphabet[(alphabet.index(code[position]) + shift) % 31] + code[position + 1 :]
    with pytest.raises(IdentityError):
        check_credit_code(typo)


# --- protection of ID numbers --------------------------------------------------------------------------


def test_masking_keeps_region_and_last_four_only():
    number = make_id()
    assert mask_id_number(number) == number[:6] + "********" + number[-4:]


def test_ids_are_encrypted_reversibly_and_not_in_clear():
    number = make_id()
    token = encrypt_id(number)
    assert number not in token and decrypt_id(token) == number


# --- mobile and e-mail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+8619912345678", "19912345678"),
    ],
)
def test_valid_mobiles(value, expected):
    errors = []
    assert check_mobile(errors, "trainee.mobile", value, "手机") == expected and errors == []


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "138001380001", "010-68205300", "abc", ""])
def test_invalid_mobiles(value):
    errors = []
    check_mobile(errors, "trainee.mobile", value, "手机")
    assert [(e.field, e.code) for e in errors] == [("trainee.mobile", "invalid_mobile")]
    assert "11位" in errors[0].message


@pytest.mark.parametrize(
    "value,ok",
    [
        ("a@b.cn", True),
        ("zhang.san@example.com.cn", True),
        ("a@", False),
        ("ab.cn", False),
        ("a b@c.cn", False),
        ("", False),
    ],
)
def test_emails(value, ok):
    errors = []
    check_email(errors, "trainee.email", value, "电子邮箱")
    assert (errors == []) is ok
    if not ok:
        assert errors[0].code == "invalid_email" and "电子邮箱" in errors[0].message


# --- trainee cleaning: gender from the ID ---------------------------------------------------------------


@pytest.fixture
def ctx(db):
    return Context(today=TODAY)


def trainee_data(**kw):
    data = payload()["trainee"]
    data.update(kw)
    return data


def test_gender_is_taken_from_the_id(ctx):
    errors: list[FieldIssue] = []
    t = clean_trainee(trainee_data(id_number=make_id(seq=124), gender=None), ctx, errors)
    assert errors == [] and t.gender == "F"
    t = clean_trainee(trainee_data(id_number=make_id(seq=123), gender="男"), ctx, errors)
    assert errors == [] and t.gender == "M" and t.birth_date == datetime.date(1980, 1, 1)


def test_gender_contradicting_the_id_is_refused(ctx):
    errors: list[FieldIssue] = []
    assert clean_trainee(trainee_data(id_number=make_id(seq=123), gender="女"), ctx, errors) is None
    assert [(e.field, e.code) for e in errors] == [("trainee.gender", "gender_mismatch")]
    assert "性别与身份证号不一致" in errors[0].message


def test_registration_collects_every_field_error_with_its_path(ctx):
    data = payload(
        trainee={"id_number": "110101198001011230", "mobile": "123", "email": "x@"},
        enterprise={"credit_code": "91110000MA01ABCD2Y"},
    )
    got = {(e.field, e.code) for e in clean_registration(data, ctx, require_declarations=True).errors}
    assert got == {
        ("trainee.id_number", "invalid_id_number"),
        ("trainee.mobile", "invalid_mobile"),
        ("trainee.email", "invalid_email"),
        ("enterprise.credit_code", "invalid_credit_code"),
    }


# --- size class from the versioned standard --------------------------------------------------------------


@pytest.mark.parametrize(
    "division,employees,revenue,assets,expected",
    [
        # 工业: employees < 1000 OR revenue < 40000; medium ≥300 & ≥2000; small ≥20 & ≥300
        ("39", 299, 1999, 1000, "small"),
        ("39", 300, 2000, 1000, "medium"),
        ("39", 19, 299, 10, "micro"),
        ("39", 1000, 40000, 50000, "large"),
        ("39", 999, 40000, 50000, "medium"),  # either measure below its ceiling makes an SME
        ("39", 1000, 39999, 50000, "medium"),
        ("13", 20, 300, 0, "small"),
        # 软件和信息技术服务业: 300 / 10000; medium ≥100 & ≥1000; small ≥10 & ≥50
        ("65", 300, 10000, 0, "large"),
        ("65", 100, 1000, 0, "medium"),
        ("6511", 99, 1000, 0, "small"),
        ("65", 10, 50, 0, "small"),
        ("65", 9, 50, 0, "micro"),
        # 零售业: 300 / 20000; medium ≥50 & ≥500; small ≥10 & ≥100
        ("52", 50, 500, 0, "medium"),
        ("52", 10, 100, 0, "small"),
        ("52", 10, 99, 0, "micro"),
        ("52", 300, 20000, 0, "large"),
        # 房地产开发经营 (prefix 701: revenue and assets, employees don't count)
        ("701", 5000, 1000, 5000, "medium"),
        ("7010", 5000, 100, 2000, "small"),
        ("701", 1, 200000, 10000, "large"),
        # 物业管理 (prefix 702, the longest match beats nothing else)
        ("702", 300, 1000, 0, "medium"),
        ("702", 1000, 5000, 0, "large"),
        # 其他未列明行业 ("*": employees only)
        ("70", 5000, 1, 1, "large"),
        ("83", 299, 10**6, 10**6, "medium"),
        ("83", 10, 0, 0, "small"),
        ("83", 9, 0, 0, "micro"),
    ],
)
def test_size_class_by_sector(db, division, employees, revenue, assets, expected):
    version = sizing.latest_version()
    assert sizing.classify(version, division, employees, Decimal(revenue), Decimal(assets)) == expected


def test_longest_prefix_decides_the_sector(db):
    version = sizing.latest_version()
    assert sizing.sector_for(version, "7010").sector == "real_estate_development"
    assert sizing.sector_for(version, "7020").sector == "property_management"
    assert sizing.sector_for(version, "70").sector == "other"
    assert sizing.sector_for(version, "39").sector == "industry"


def test_a_revised_standard_is_new_data_not_code(db):
    old = sizing.latest_version()
    SizeStandard.objects.create(version="2099-test", source_file="sme_size_2099.csv")
    SizeSector.objects.create(
        standard_id="2099-test",
        sector="other",
        name="全部",
        prefixes="*",
        measure_a="employees",
        measure_b="",
        sme_a_lt=50,
        medium_a_ge=20,
        small_a_ge=5,
    )
    assert sizing.latest_version() == "2099-test"
    assert sizing.classify("2099-test", "39", 100, Decimal(300), Decimal(1)) == "large"
    assert sizing.classify(old, "39", 100, Decimal(300), Decimal(1)) == "small"
    errors = []
    ent = clean_enterprise(
        payload(enterprise={"employees": 30, "revenue": 100})["enterprise"], Context(old, today=TODAY), errors
    )
    assert errors == [] and ent.size_class == "micro"
    clean_enterprise(payload(enterprise={"employees": 100})["enterprise"], Context("2099-test"), errors)
    assert [e.code for e in errors] == ["not_sme"]


@pytest.mark.parametrize(
    "division,manufacturing",
    [
        ("13", True),
        ("39", True),
        ("3911", True),
        ("43", True),
        ("12", False),
        ("44", False),
        ("65", False),
        ("06", False),
        ("701", False),
    ],
)
def test_manufacturing_is_divisions_13_to_43(ctx, division, manufacturing):
    errors = []
    data = payload(
        enterprise={"industry_division": division, "employees": 50, "revenue": 500, "total_assets": 2500}
    )["enterprise"]
    ent = clean_enterprise(data, ctx, errors)
    assert errors == [] and ent.is_manufacturing is manufacturing


def test_not_an_sme_is_refused_by_cleaning(ctx):
    errors = []
    data = payload(enterprise={"industry_division": "39", "employees": 1000, "revenue": 40000})["enterprise"]
    assert clean_enterprise(data, ctx, errors) is None
    assert [(e.field, e.code) for e in errors] == [("enterprise.employees", "not_sme")]
    assert "中小企业" in errors[0].message


def test_unknown_industry_code_is_refused(ctx):
    errors = []
    clean_enterprise(payload(enterprise={"industry_division": "99"})["enterprise"], ctx, errors)
    assert [(e.field, e.code) for e in errors] == [("enterprise.industry_division", "invalid_industry")]
