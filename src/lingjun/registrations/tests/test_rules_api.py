"""POST /api/v1/programmes/{id}/registrations and the rules R1–R8 of SPEC §3.2, as users meet them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import open_xlsx, sheet_rows
from lingjun.programmes.models import Programme
from lingjun.programmes.services import _ensure_quota_rows
from lingjun.registrations.identity import decrypt_id
from lingjun.registrations.models import Enterprise, Registration, Trainee

from .conftest import (
    assert_error,
    created,
    id_number,
    payload,
    quota_used,
    register,
    registrations_url,
    seat_holders,
    set_quota,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seats_match_quota")]


def codes(warnings):
    return [w["code"] for w in warnings]


# --- creation ------------------------------------------------------------------------------------------


def test_create_answers_201_with_masked_id_derived_size_and_no_confirmation(region_api, quota10):
    body = payload(
        enterprise={
            "industry_division": "39",
            "employees": 299,
            "revenue": 1999,
            "total_assets": 900,
            "qualifications": ["little_giant", "high_tech"],
        }
    )
    full_id = body["trainee"]["id_number"]
    r = register(region_api, quota10, body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["status"] == "submitted" and out["programme"] == quota10.pk and out["region"] == "110000"
    assert out["confirmed"] is False
    assert out["trainee"]["id_number"] == full_id[:6] + "********" + full_id[-4:]
    assert full_id not in r.content.decode()
    assert out["enterprise"]["size_class"] == "small" and out["enterprise"]["is_manufacturing"] is True
    assert out["enterprise"]["qualifications"] == ["high_tech", "little_giant"]
    assert out["trainee"]["gender"] in ("M", "F") and out["trainee"]["birth_date"] == (
        f"{full_id[6:10]}-{full_id[10:12]}-{full_id[12:14]}"
    )
    assert out["warnings"] == []
    reg = Registration.objects.get(pk=out["id"])
    assert reg.holds_seat and reg.source == "api" and reg.created_by == region_api.user
    # encrypted at rest, found again by its keyed hash only
    t = reg.trainee
    assert full_id not in t.id_number_encrypted and decrypt_id(t.id_number_encrypted) == full_id
    assert full_id not in t.id_number_hash
    for entry in AuditEntry.objects.filter(object_type="registration", object_id=str(reg.pk)):
        assert full_id not in str(entry.before) + str(entry.after) + entry.reason


def test_full_id_never_appears_in_detail_list_or_export(region_api, centre_api, quota10):
    body = payload()
    full_id = body["trainee"]["id_number"]
    rid = created(region_api, quota10, body)["id"]
    masked = full_id[:6] + "********" + full_id[-4:]
    for client in (region_api, centre_api):
        for path in (f"registrations/{rid}", registrations_url(quota10)):
            r = client.get(path)
            assert r.status_code == 200, (path, r.content[:200])
            assert full_id not in r.content.decode() and masked in r.content.decode()
        cells = [
            str(c)
            for row in sheet_rows(open_xlsx(client.get(f"programmes/{quota10.pk}/registrations.xlsx")).active)
            for c in row
        ]
        assert masked in cells and not any(full_id in c for c in cells)


def test_non_manufacturing_enterprise_is_flagged(region_api, quota10):
    out = created(
        region_api,
        quota10,
        payload(
            manufacturing=False,
            enterprise={"industry_division": "65", "employees": 100, "revenue": 1000, "total_assets": 10},
        ),
    )
    assert out["enterprise"]["is_manufacturing"] is False and out["enterprise"]["size_class"] == "medium"


def test_centre_registers_for_a_named_region(centre_api, quota10):
    out = created(centre_api, quota10, payload("330000", region="330000"))
    assert out["region"] == "330000" and quota_used(quota10, "330000") == 1
    r = register(centre_api, quota10, payload())
    assert_error(r, 422, "unknown_region", {"region": "unknown_region"})


# --- R1: one enterprise, one person per programme ---------------------------------------------------------


def test_r1_second_registration_of_the_same_enterprise_is_refused(region_api, api_as, quota10):
    first = payload()
    created(region_api, quota10, first)
    same_enterprise = payload(
        enterprise={"credit_code": first["enterprise"]["credit_code"], "name": "改名后的公司"}
    )
    body = assert_error(
        register(region_api, quota10, same_enterprise),
        409,
        "enterprise_already_registered",
        {"enterprise.credit_code": "enterprise_already_registered"},
    )
    assert "每家企业每年只能一人" in body["detail"]
    # from another region, too; and nothing of the refused request is kept
    other = api_as("region", region="330000")
    assert_error(
        register(
            other,
            quota10,
            payload(
                "330000",
                enterprise={"credit_code": first["enterprise"]["credit_code"], "name": "浙江的同一家公司"},
            ),
        ),
        409,
        "enterprise_already_registered",
    )
    ent = Enterprise.objects.get(credit_code=first["enterprise"]["credit_code"])
    assert ent.name == first["enterprise"]["name"] and ent.region_id == "110000"
    assert Registration.objects.filter(programme=quota10).count() == 1
    assert not Trainee.objects.filter(
        name=same_enterprise["trainee"]["name"], mobile=same_enterprise["trainee"]["mobile"]
    ).exists()
    assert quota_used(quota10, "110000") == 1 and quota_used(quota10, "330000") == 0


def test_r1_the_same_person_cannot_register_twice_in_one_programme(region_api, quota10):
    first = payload()
    created(region_api, quota10, first)
    again = payload(trainee={"id_number": first["trainee"]["id_number"]})
    assert_error(
        register(region_api, quota10, again),
        409,
        "trainee_already_registered",
        {"trainee.id_number": "trainee_already_registered"},
    )


def test_r1_a_draft_also_holds_the_enterprise(region_api, quota10):
    first = created(region_api, quota10, payload(submit=False))
    assert first["status"] == "draft"
    again = payload(enterprise={"credit_code": first["enterprise"]["credit_code"]})
    assert_error(register(region_api, quota10, again), 409, "enterprise_already_registered")


@pytest.mark.parametrize("release", ["reject", "withdraw"])
def test_r1_after_rejection_or_withdrawal_the_enterprise_may_register_again(
    region_api, centre_api, quota10, release
):
    first = payload()
    rid = created(region_api, quota10, first)["id"]
    if release == "reject":
        r = centre_api.post(f"registrations/{rid}/reject", {"reason": "不符合推荐条件"})
    else:
        r = region_api.post(f"registrations/{rid}/withdraw", {"reason": "企业另有安排"})
    assert r.status_code == 200, r.content
    again = created(
        region_api, quota10, payload(enterprise={"credit_code": first["enterprise"]["credit_code"]})
    )
    assert again["status"] == "submitted"
    # and the same person may be put forward again, too
    created(region_api, quota10, payload(trainee={"id_number": first["trainee"]["id_number"]}))
    assert (
        Registration.objects.filter(
            programme=quota10, enterprise__credit_code=first["enterprise"]["credit_code"], status="submitted"
        ).count()
        == 1
    )


def test_r1_the_same_enterprise_may_register_in_another_programme_year(region_api, quota10):
    first = payload()
    created(region_api, quota10, first)
    other = Programme.objects.create(
        year=2031,
        title="2031年",
        target_trainees=800,
        planned_classes=10,
        registration_deadline=datetime.date(2031, 8, 31),
        status="open",
        earlier_training_policy="allow",
    )
    _ensure_quota_rows(other)
    set_quota(other, "110000", 1)
    created(region_api, other, payload(enterprise={"credit_code": first["enterprise"]["credit_code"]}))


# --- R2: quota ---------------------------------------------------------------------------------------------


def test_r2_quota_is_never_exceeded_and_used_matches_seat_holders(region_api, programme):
    set_quota(programme, "110000", 1)
    created(region_api, programme)
    refused = payload()
    body = assert_error(
        register(region_api, programme, refused), 409, "quota_exceeded", {"region": "quota_exceeded"}
    )
    assert "名额" in body["detail"] and "北京" in body["detail"]
    assert quota_used(programme, "110000") == 1 == seat_holders(programme, "110000")
    assert Registration.objects.filter(programme=programme).count() == 1
    assert not Enterprise.objects.filter(credit_code=refused["enterprise"]["credit_code"]).exists()


def test_r2_a_region_without_quota_cannot_submit(region_api, programme):
    assert_error(register(region_api, programme), 409, "quota_exceeded")
    assert quota_used(programme, "110000") == 0


def test_r2_quotas_are_per_region(region_api, api_as, programme):
    set_quota(programme, "110000", 1)
    set_quota(programme, "330000", 1)
    created(region_api, programme)
    created(api_as("region", region="330000"), programme, payload("330000"))
    assert quota_used(programme, "110000") == 1 and quota_used(programme, "330000") == 1


@pytest.mark.parametrize("release", ["withdraw", "reject"])
def test_r2_withdrawal_and_rejection_free_the_seat(region_api, centre_api, programme, release):
    set_quota(programme, "110000", 1)
    rid = created(region_api, programme)["id"]
    if release == "withdraw":
        assert region_api.post(f"registrations/{rid}/withdraw", {"reason": "身体原因"}).status_code == 200
    else:
        assert centre_api.post(f"registrations/{rid}/reject", {"reason": "材料不实"}).status_code == 200
    assert quota_used(programme, "110000") == 0 == seat_holders(programme, "110000")
    created(region_api, programme)
    assert quota_used(programme, "110000") == 1 == seat_holders(programme, "110000")


def test_r2_a_draft_takes_no_seat_and_submit_takes_it(region_api, programme):
    set_quota(programme, "110000", 1)
    draft = created(region_api, programme, payload(submit=False))
    assert draft["status"] == "draft" and quota_used(programme, "110000") == 0
    assert not Registration.objects.get(pk=draft["id"]).holds_seat
    other_draft = created(region_api, programme, payload(submit=False))
    r = region_api.post(f"registrations/{draft['id']}/submit")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "submitted" and quota_used(programme, "110000") == 1
    assert_error(region_api.post(f"registrations/{other_draft['id']}/submit"), 409, "quota_exceeded")
    assert Registration.objects.get(pk=other_draft["id"]).status == "draft"
    assert quota_used(programme, "110000") == 1 == seat_holders(programme, "110000")


def test_r2_submitting_twice_is_an_invalid_transition_and_takes_one_seat(region_api, quota10):
    rid = created(region_api, quota10)["id"]
    assert_error(region_api.post(f"registrations/{rid}/submit"), 409, "invalid_transition")
    assert quota_used(quota10, "110000") == 1


# --- R3: deadline ------------------------------------------------------------------------------------------


@pytest.fixture
def late(quota10):
    quota10.registration_deadline = timezone.localdate() - datetime.timedelta(days=1)
    quota10.save()
    return quota10


def test_r3_region_cannot_submit_after_the_deadline(region_api, late):
    body = assert_error(register(region_api, late), 409, "deadline_passed")
    assert "截止" in body["detail"]
    assert Registration.objects.count() == 0 and quota_used(late, "110000") == 0


def test_r3_the_deadline_day_itself_is_still_open(region_api, quota10):
    quota10.registration_deadline = timezone.localdate()
    quota10.save()
    created(region_api, quota10)


def test_r3_centre_may_submit_late_with_a_logged_reason(centre_api, late):
    out = created(
        centre_api, late, payload(region="110000", late_reason="地方主管部门因系统故障延误，经领导同意补报")
    )
    entry = AuditEntry.objects.get(action="registration.submit", object_id=str(out["id"]))
    assert "地方主管部门因系统故障延误" in entry.reason and entry.actor == centre_api.user
    assert entry.from_state == "draft" and entry.to_state == "submitted"


def test_r3_centre_without_a_reason_is_refused_after_the_deadline(centre_api, late):
    assert_error(
        register(centre_api, late, payload(region="110000")),
        409,
        "deadline_passed",
        {"late_reason": "late_reason_required"},
    )
    assert_error(
        register(centre_api, late, payload(region="110000", late_reason="   ")), 409, "deadline_passed"
    )
    assert Registration.objects.count() == 0


def test_r3_a_draft_cannot_be_submitted_after_the_deadline(region_api, centre_api, quota10):
    rid = created(region_api, quota10, payload(submit=False))["id"]
    quota10.registration_deadline = timezone.localdate() - datetime.timedelta(days=1)
    quota10.save()
    assert_error(region_api.post(f"registrations/{rid}/submit"), 409, "deadline_passed")
    assert quota_used(quota10, "110000") == 0
    r = centre_api.post(f"registrations/{rid}/submit", {"late_reason": "补报"})
    assert r.status_code == 200 and r.json()["status"] == "submitted"


def test_r3_a_closed_programme_refuses_regions(region_api, quota10):
    quota10.status = "closed"
    quota10.save()
    assert_error(register(region_api, quota10), 409, "deadline_passed")


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_programme_not_open_refuses_registration(region_api, centre_api, quota10, status):
    quota10.status = status
    quota10.save()
    body = assert_error(register(region_api, quota10), 409, "programme_not_open")
    assert "不接受报名" in body["detail"]
    assert_error(register(region_api, quota10, payload(submit=False)), 409, "programme_not_open")
    assert_error(
        register(centre_api, quota10, payload(region="110000", late_reason="补报")), 409, "programme_not_open"
    )
    assert Registration.objects.count() == 0


# --- R4: SMEs only; the principal leader in principle -----------------------------------------------------


def test_r4_an_enterprise_that_is_not_an_sme_is_refused(region_api, quota10):
    body = assert_error(
        register(
            region_api,
            quota10,
            payload(
                enterprise={
                    "industry_division": "39",
                    "employees": 1000,
                    "revenue": 40000,
                    "total_assets": 50000,
                }
            ),
        ),
        422,
        "not_sme",
        {"enterprise.employees": "not_sme"},
    )
    assert "中小企业" in body["detail"]
    assert Registration.objects.count() == 0 and Enterprise.objects.count() == 0


def test_r4_non_principal_needs_a_justification(region_api, quota10):
    body = assert_error(
        register(region_api, quota10, payload(trainee={"is_principal": False, "position": "副总经理"})),
        422,
        "justification_required",
        {"trainee.principal_justification": "justification_required"},
    )
    assert "一把手" in body["detail"]
    out = created(
        region_api,
        quota10,
        payload(
            trainee={
                "is_principal": False,
                "position": "副总经理",
                "principal_justification": "董事长年逾七十，由接班人参训",
            }
        ),
    )
    assert "not_principal" in codes(out["warnings"])
    assert out["trainee"]["is_principal"] is False
    reg = Registration.objects.get(pk=out["id"])
    assert (
        reg.principal_justification == "董事长年逾七十，由接班人参训"
        and reg.warnings[0]["code"] == "not_principal"
    )


# --- R5: well-formed identifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "part,key,value,code",
    [
        ("trainee", "id_number", "110101198001011230", "invalid_id_number"),
        ("trainee", "id_number", "11010119800230" + "1236", "invalid_id_number"),
        ("trainee", "mobile", "2380013800", "invalid_mobile"),
        ("trainee", "email", "zhang@", "invalid_email"),
        ("enterprise", "credit_code", "91110000MA01ABCD2Y", "invalid_credit_code"),
    ],
)
def test_r5_each_malformed_field_is_named(region_api, quota10, part, key, value, code):
    body = payload(**{part: {key: value}})
    err = assert_error(register(region_api, quota10, body), 422, code, {f"{part}.{key}": code})
    assert err["errors"][0]["field"] == f"{part}.{key}"
    assert Registration.objects.count() == 0


def test_r5_impossible_birth_date_in_the_id(region_api, quota10):
    from stdnum.cn import ric

    body17 = "11010119800230123"
    err = assert_error(
        register(
            region_api, quota10, payload(trainee={"id_number": body17 + ric.calc_check_digit(body17 + "0")})
        ),
        422,
        "invalid_id_number",
        {"trainee.id_number": "invalid_id_number"},
    )
    assert "出生日期" in err["errors"][0]["message"]


def test_r5_under_age_trainee(region_api, quota10):
    minor = id_number(birth=timezone.localdate().replace(year=timezone.localdate().year - 17, day=1))
    err = assert_error(
        register(region_api, quota10, payload(trainee={"id_number": minor})), 422, "invalid_id_number"
    )
    assert "18" in err["errors"][0]["message"]


def test_r5_gender_contradicting_the_id(region_api, quota10):
    female_id = id_number(female=True)
    assert_error(
        register(region_api, quota10, payload(trainee={"id_number": female_id, "gender": "M"})),
        422,
        "gender_mismatch",
        {"trainee.gender": "gender_mismatch"},
    )
    out = created(region_api, quota10, payload(trainee={"id_number": female_id, "gender": "女"}))
    assert out["trainee"]["gender"] == "F"


def test_r5_pasted_id_with_full_width_digits_spaces_and_lowercase_x(region_api, quota10):
    from stdnum.cn import ric

    for seq in range(100, 999):
        body17 = f"11010119850615{seq}"
        if ric.calc_check_digit(body17 + "0") == "X":
            break
    full = body17 + "X"
    pasted = "".join(chr(0xFF10 + int(c)) for c in body17[:6]) + " " + body17[6:] + "x "
    out = created(region_api, quota10, payload(trainee={"id_number": pasted}))
    assert out["trainee"]["id_number"] == full[:6] + "********" + full[-4:]
    assert decrypt_id(Registration.objects.get(pk=out["id"]).trainee.id_number_encrypted) == full


def test_r5_all_errors_come_back_at_once(region_api, quota10):
    body = payload(trainee={"mobile": "1", "email": "x"}, enterprise={"credit_code": "1"})
    err = assert_error(register(region_api, quota10, body), 422, "invalid_mobile")
    assert {e["field"] for e in err["errors"]} == {
        "trainee.mobile",
        "trainee.email",
        "enterprise.credit_code",
    }
    assert "3 处错误" in err["detail"]


@pytest.mark.parametrize("missing", ["voluntary", "no_bad_record", "fit_to_attend"])
def test_declarations_are_required_to_submit(region_api, quota10, missing):
    err = assert_error(
        register(region_api, quota10, payload(declarations={missing: False})),
        422,
        "declaration_required",
        {f"declarations.{missing}": "declaration_required"},
    )
    assert "确认" in err["detail"]
    assert Registration.objects.count() == 0 and quota_used(quota10, "110000") == 0


def test_a_draft_without_declarations_cannot_be_submitted_later(region_api, quota10):
    body = payload(submit=False)
    del body["declarations"]
    draft = created(region_api, quota10, body)
    assert draft["status"] == "draft" and draft["declarations"] == {
        "voluntary": False,
        "no_bad_record": False,
        "fit_to_attend": False,
    }
    assert_error(region_api.post(f"registrations/{draft['id']}/submit"), 422, "declaration_required")
    assert Registration.objects.get(pk=draft["id"]).status == "draft" and quota_used(quota10, "110000") == 0


@pytest.mark.parametrize(
    "field,value,status,stored",
    [
        ("preferred_classes", 3, 201, [3]),
        ("preferred_classes", "第3期、5", 201, [3, 5]),
        ("preferred_classes", {"a": 1}, 422, "invalid_preferred_classes"),
        ("enterprise.qualifications", 5, 422, "unknown_qualification"),
        ("enterprise.qualifications", "高新技术企业、little_giant", 201, ["high_tech", "little_giant"]),
        ("trainee.is_principal", "maybe", 422, "invalid_boolean"),
        ("enterprise.employees", [1], 422, "invalid_number"),
        ("enterprise.employees", 12.5, 422, "invalid_integer"),
        ("enterprise.revenue", "NaN", 422, "invalid_number"),
        ("trainee.gender", ["男"], 422, "invalid_choice"),
    ],
)
def test_odd_json_values_get_field_errors_never_a_server_error(
    region_api, quota10, field, value, status, stored
):
    body = payload()
    if "." in field:
        part, key = field.split(".")
        body[part][key] = value
    else:
        body[field] = value
    r = register(region_api, quota10, body)
    if status == 201:
        assert r.status_code == 201, r.content
        out = r.json()
        assert (out[field] if "." not in field else out[part][key]) == stored
    else:
        assert_error(r, 422, stored)


# --- R6 is in test_review / test_invite; R7: programme figures warn, never block -------------------------


def test_r7_manufacturing_share_below_minimum_warns_but_registers(region_api, quota10):
    quota10.min_manufacturing_share = 0.9
    quota10.save()
    r = register(region_api, quota10, payload(manufacturing=False))
    assert r.status_code == 201, r.content
    warning = next(w for w in r.json()["warnings"] if w["code"] == "manufacturing_share_below_minimum")
    assert "制造业" in warning["message"] and "90%" in warning["message"]
    r = register(region_api, quota10, payload(manufacturing=True))
    assert r.status_code == 201 and "manufacturing_share_below_minimum" in codes(r.json()["warnings"])  # 50 %


def test_r7_no_warning_when_the_share_is_met(region_api, quota10):
    quota10.min_manufacturing_share = 0.3
    quota10.save()
    assert codes(created(region_api, quota10, payload(manufacturing=True))["warnings"]) == []


def test_r7_total_above_target_warns_but_registers(region_api, quota10):
    quota10.target_trainees = 1
    quota10.save()
    assert codes(created(region_api, quota10)["warnings"]) == []
    out = created(region_api, quota10)
    assert codes(out["warnings"]) == ["total_exceeds_target"]
    assert "目标" in out["warnings"][0]["message"]


# --- R8: enterprises trained in an earlier year ---------------------------------------------------------------


@pytest.fixture
def trained_before(region_api, programme):
    """An enterprise that completed the 2029 programme."""
    earlier = Programme.objects.create(
        year=2029,
        title="2029年",
        target_trainees=800,
        planned_classes=10,
        registration_deadline=datetime.date(2030, 8, 31),
        status="open",
    )
    _ensure_quota_rows(earlier)
    set_quota(earlier, "110000", 5)
    set_quota(programme, "110000", 5)
    body = payload()
    rid = created(region_api, earlier, body)["id"]
    Registration.objects.filter(pk=rid).update(status="completed")
    Programme.objects.filter(pk=earlier.pk).update(status="archived")
    return body["enterprise"]["credit_code"]


def test_r8_warn_policy_registers_with_a_warning(region_api, programme, trained_before):
    programme.earlier_training_policy = "warn"
    programme.save()
    out = created(region_api, programme, payload(enterprise={"credit_code": trained_before}))
    warning = next(w for w in out["warnings"] if w["code"] == "previously_trained")
    assert "2029年" in warning["message"]
    assert Registration.objects.get(pk=out["id"]).warnings == [warning]


def test_r8_refuse_policy_refuses(region_api, programme, trained_before):
    programme.earlier_training_policy = "refuse"
    programme.save()
    body = assert_error(
        register(region_api, programme, payload(enterprise={"credit_code": trained_before})),
        409,
        "previously_trained",
        {"enterprise.credit_code": "previously_trained"},
    )
    assert "2029年" in body["detail"]
    assert Registration.objects.filter(programme=programme).count() == 0


def test_r8_centre_may_invite_to_retraining(centre_api, region_api, programme, trained_before):
    programme.earlier_training_policy = "refuse"
    programme.save()
    assert_error(
        register(
            region_api, programme, payload(enterprise={"credit_code": trained_before}, is_retraining=True)
        ),
        403,
        "forbidden",
    )
    out = created(
        centre_api,
        programme,
        payload(enterprise={"credit_code": trained_before}, region="110000", is_retraining=True),
    )
    assert out["is_retraining"] is True and "previously_trained" not in codes(out["warnings"])


def test_r8_allow_policy_says_nothing(region_api, programme, trained_before):
    programme.earlier_training_policy = "allow"
    programme.save()
    assert (
        codes(created(region_api, programme, payload(enterprise={"credit_code": trained_before}))["warnings"])
        == []
    )


def test_r8_only_actual_training_counts(region_api, programme):
    earlier = Programme.objects.create(
        year=2029,
        title="2029年",
        target_trainees=800,
        planned_classes=10,
        registration_deadline=datetime.date(2030, 8, 31),
        status="open",
    )
    _ensure_quota_rows(earlier)
    set_quota(earlier, "110000", 5)
    set_quota(programme, "110000", 5)
    programme.earlier_training_policy = "refuse"
    programme.save()
    body = payload()
    rid = created(region_api, earlier, body)["id"]
    assert region_api.post(f"registrations/{rid}/withdraw", {"reason": "未参训"}).status_code == 200
    created(region_api, programme, payload(enterprise={"credit_code": body["enterprise"]["credit_code"]}))
