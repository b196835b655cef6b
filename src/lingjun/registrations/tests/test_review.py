"""Review by the centre, withdrawal, correction after return, and the audit trail (SPEC §3.2 Review, R6)."""

from __future__ import annotations

import pytest

from lingjun.core.models import AuditEntry
from lingjun.registrations.models import Registration, Trainee

from .conftest import assert_error, confirm, created, payload, quota_used, seat_holders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seats_match_quota")]


@pytest.fixture
def submitted(region_api, quota10):
    """A submitted registration of region 110000, not yet confirmed by the trainee."""
    return created(region_api, quota10)["id"]


def state(rid) -> str:
    return Registration.objects.get(pk=rid).status


def post(client, rid, action, data=None):
    return client.post(f"registrations/{rid}/{action}", data if data is not None else {})


# --- approve (R6) -------------------------------------------------------------------------------------------


def test_approval_needs_the_trainees_own_confirmation(centre_api, submitted):
    body = assert_error(post(centre_api, submitted, "approve"), 409, "not_confirmed")
    assert "本人" in body["detail"]
    assert state(submitted) == "submitted"
    confirm(submitted)
    r = post(centre_api, submitted, "approve")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and r.json()["confirmed"] is True
    entry = AuditEntry.objects.get(action="registration.approve", object_id=str(submitted))
    assert (entry.from_state, entry.to_state, entry.actor) == ("submitted", "approved", centre_api.user)


def test_approval_keeps_the_seat(centre_api, submitted, quota10):
    confirm(submitted)
    post(centre_api, submitted, "approve")
    assert quota_used(quota10, "110000") == 1 == seat_holders(quota10, "110000")


@pytest.mark.parametrize("role", ["region", "bureau", "trainee", "institution"])
def test_only_the_centre_reviews(api_as, submitted, role):
    confirm(submitted)
    client = api_as(role, region="110000") if role == "region" else api_as(role)
    for action, data in (("approve", {}), ("reject", {"reason": "x"}), ("return", {"comment": "x"})):
        assert_error(post(client, submitted, action, data), 403, "forbidden")
    assert state(submitted) == "submitted"


# --- reject ---------------------------------------------------------------------------------------------------


def test_rejection_needs_a_reason(centre_api, submitted):
    for data in ({}, {"reason": ""}, {"reason": "   "}):
        assert_error(
            post(centre_api, submitted, "reject", data), 422, "reason_required", {"reason": "reason_required"}
        )
    assert state(submitted) == "submitted"


def test_rejection_stores_the_reason_frees_the_seat_and_is_audited(
    centre_api, region_api, submitted, quota10
):
    r = post(centre_api, submitted, "reject", {"reason": "企业不属于中小企业"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["review_note"] == "企业不属于中小企业"
    assert quota_used(quota10, "110000") == 0 == seat_holders(quota10, "110000")
    entry = AuditEntry.objects.get(action="registration.reject", object_id=str(submitted))
    assert (entry.from_state, entry.to_state, entry.reason) == ("submitted", "rejected", "企业不属于中小企业")
    # the region sees why
    assert region_api.get(f"registrations/{submitted}").json()["review_note"] == "企业不属于中小企业"


# --- return for correction -------------------------------------------------------------------------------------


def test_return_needs_a_comment(centre_api, submitted):
    for data in ({}, {"comment": " "}):
        assert_error(
            post(centre_api, submitted, "return", data),
            422,
            "comment_required",
            {"comment": "comment_required"},
        )
    assert state(submitted) == "submitted"


def test_returned_registration_is_corrected_and_resubmitted_keeping_its_seat(centre_api, region_api, quota10):
    body = payload()
    rid = created(region_api, quota10, body)["id"]
    r = post(centre_api, rid, "return", {"comment": "职务填写有误，请更正"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert quota_used(quota10, "110000") == 1 == seat_holders(quota10, "110000")

    old_name = body["enterprise"]["name"]
    body["trainee"]["position"] = "董事长兼总经理"
    body["enterprise"].update(employees=150, name="更正后的企业名称有限公司")
    r = region_api.put(f"registrations/{rid}", body)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "returned" and r.json()["trainee"]["position"] == "董事长兼总经理"
    assert r.json()["enterprise"]["employees"] == 150
    update = AuditEntry.objects.get(action="registration.update", object_id=str(rid))
    # The audit names exactly what changed: the corrected name, position and head-count, nothing else.
    assert set(update.before) == set(update.after) == {"enterprise", "position", "employees"}
    assert (
        update.before["enterprise"] == old_name and update.after["enterprise"] == "更正后的企业名称有限公司"
    )
    assert update.after["position"] == "董事长兼总经理" and update.after["employees"] == 150

    r = post(region_api, rid, "submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert quota_used(quota10, "110000") == 1 == seat_holders(quota10, "110000")


def test_a_returned_registration_keeps_its_seat_even_when_the_quota_is_full(
    centre_api, region_api, programme
):
    from .conftest import set_quota

    set_quota(programme, "110000", 1)
    rid = created(region_api, programme)["id"]
    post(centre_api, rid, "return", {"comment": "请补充企业地址"})
    assert_error(
        region_api.post(f"programmes/{programme.pk}/registrations", payload()), 409, "quota_exceeded"
    )
    assert post(region_api, rid, "submit").status_code == 200


def test_edit_is_validated_like_creation(region_api, centre_api, submitted):
    post(centre_api, submitted, "return", {"comment": "请更正"})
    body = payload(trainee={"id_number": "110101198002301231"})
    assert_error(
        region_api.put(f"registrations/{submitted}", body),
        422,
        "invalid_id_number",
        {"trainee.id_number": "invalid_id_number"},
    )


def test_only_drafts_and_returned_ones_can_be_edited(region_api, submitted):
    assert_error(region_api.put(f"registrations/{submitted}", payload()), 409, "not_editable")


def test_replacing_the_person_needs_a_new_confirmation(region_api, centre_api, submitted):
    confirm(submitted)
    post(centre_api, submitted, "return", {"comment": "换人"})
    body = payload()
    r = region_api.put(f"registrations/{submitted}", body)
    assert r.status_code == 200 and r.json()["confirmed"] is False
    post(region_api, submitted, "submit")
    assert_error(post(centre_api, submitted, "approve"), 409, "not_confirmed")


# --- withdraw --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["region", "centre"])
def test_region_and_centre_withdraw(api_as, region_api, submitted, quota10, who):
    client = region_api if who == "region" else api_as("centre")
    r = post(client, submitted, "withdraw", {"reason": "企业经营调整，无法参训"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert quota_used(quota10, "110000") == 0
    entry = AuditEntry.objects.get(action="registration.withdraw", object_id=str(submitted))
    assert (entry.from_state, entry.to_state, entry.reason) == (
        "submitted",
        "withdrawn",
        "企业经营调整，无法参训",
    )


def test_withdraw_without_a_body(region_api, submitted):
    r = region_api.post(f"registrations/{submitted}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


def test_withdraw_an_approved_or_enrolled_one(region_api, centre_api, submitted, quota10):
    confirm(submitted)
    post(centre_api, submitted, "approve")
    assert post(region_api, submitted, "withdraw", {"reason": "临时出差"}).status_code == 200
    assert quota_used(quota10, "110000") == 0


def test_the_trainee_withdraws_only_their_own(api_as, make_user, region_api, quota10):
    own = created(region_api, quota10)["id"]
    other = created(region_api, quota10)["id"]
    user = make_user("trainee")
    Trainee.objects.filter(registrations__pk=own).update(user=user)
    trainee = api_as(user)
    assert_error(post(trainee, other, "withdraw", {"reason": "x"}), 404, "not_found")
    assert state(other) == "submitted"
    r = post(trainee, own, "withdraw", {"reason": "本人工作安排冲突"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    entry = AuditEntry.objects.get(action="registration.withdraw", object_id=str(own))
    assert entry.actor == user and entry.actor_role == "trainee"


def test_nothing_is_withdrawn_after_completion(region_api, submitted):
    Registration.objects.filter(pk=submitted).update(status="completed")
    assert_error(post(region_api, submitted, "withdraw", {"reason": "x"}), 409, "invalid_transition")


# --- invalid transitions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start,action,data",
    [
        ("rejected", "approve", {}),
        ("rejected", "reject", {"reason": "再次"}),
        ("rejected", "return", {"comment": "再次"}),
        ("withdrawn", "withdraw", {"reason": "再次"}),
        ("withdrawn", "approve", {}),
        ("approved", "return", {"comment": "晚了"}),
        ("approved", "approve", {}),
        ("approved", "submit", {}),
        ("returned", "approve", {}),
        ("returned", "reject", {"reason": "请先更正"}),
        ("draft", "approve", {}),
        ("draft", "return", {"comment": "x"}),
    ],
)
def test_invalid_transitions_are_refused(centre_api, region_api, quota10, start, action, data):
    rid = created(region_api, quota10, payload(submit=start != "draft"))["id"]
    confirm(rid)
    if start == "rejected":
        post(centre_api, rid, "reject", {"reason": "不符合"})
    elif start == "withdrawn":
        post(region_api, rid, "withdraw", {"reason": "撤回"})
    elif start == "approved":
        post(centre_api, rid, "approve")
    elif start == "returned":
        post(centre_api, rid, "return", {"comment": "更正"})
    assert state(rid) == start
    used = quota_used(quota10, "110000")
    body = assert_error(post(centre_api, rid, action, data), 409, "invalid_transition")
    assert "不能变更为" in body["detail"]
    assert state(rid) == start and quota_used(quota10, "110000") == used


# --- the audit trail ------------------------------------------------------------------------------------------------


def test_every_transition_is_in_the_audit_trail(centre_api, region_api, api_as, quota10):
    rid = created(region_api, quota10, payload(submit=False))["id"]
    post(region_api, rid, "submit")
    post(centre_api, rid, "return", {"comment": "请补充说明"})
    post(region_api, rid, "submit")
    confirm(rid)
    post(centre_api, rid, "approve")
    post(region_api, rid, "withdraw", {"reason": "企业搬迁"})

    r = centre_api.get("audit", {"object": f"registration:{rid}", "limit": 50})
    assert r.status_code == 200
    items = sorted(r.json()["items"], key=lambda i: i["id"])
    steps = [(i["action"], i["from_state"], i["to_state"], i["reason"]) for i in items]
    assert steps == [
        ("registration.create", "", "draft", ""),
        ("registration.submit", "draft", "submitted", ""),
        ("registration.return", "submitted", "returned", "请补充说明"),
        ("registration.submit", "returned", "submitted", ""),
        ("registration.approve", "submitted", "approved", ""),
        ("registration.withdraw", "approved", "withdrawn", "企业搬迁"),
    ]
    assert [i["actor"] for i in items] == [region_api.user.username] * 2 + [centre_api.user.username] + [
        region_api.user.username
    ] + [centre_api.user.username, region_api.user.username]
    assert all(i["at"] and i["object"] == f"registration:{rid}" for i in items)
    assert api_as("bureau").get("audit", {"object": f"registration:{rid}"}).json()["count"] == 6
    assert_error(region_api.get("audit", {"object": f"registration:{rid}"}), 403, "forbidden")


# --- bulk approval -----------------------------------------------------------------------------------------------


def test_bulk_approval_approves_the_confirmed_and_lists_the_others(centre_api, region_api, quota10):
    a = created(region_api, quota10)["id"]
    b = created(region_api, quota10)["id"]
    c = created(region_api, quota10)["id"]
    d = created(region_api, quota10)["id"]
    for rid in (a, b, d):
        confirm(rid)
    post(centre_api, d, "reject", {"reason": "不符合"})
    r = centre_api.post(f"programmes/{quota10.pk}/registrations/approve", {"ids": [a, b, c, d, 999999]})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["approved"] == [a, b]
    refused = {x["id"]: x["code"] for x in out["refused"]}
    assert refused == {c: "not_confirmed", d: "invalid_transition", 999999: "not_found"}
    assert all(x["message"] for x in out["refused"])
    assert [state(x) for x in (a, b, c, d)] == ["approved", "approved", "submitted", "rejected"]
    assert AuditEntry.objects.filter(action="registration.approve").count() == 2


def test_bulk_approval_only_touches_the_programme_in_the_path(centre_api, region_api, quota10):
    import datetime

    from lingjun.programmes.models import Programme

    other = Programme.objects.create(
        year=2031,
        title="2031年",
        target_trainees=800,
        planned_classes=10,
        registration_deadline=datetime.date(2031, 8, 31),
        status="open",
    )
    rid = created(region_api, quota10)["id"]
    confirm(rid)
    out = centre_api.post(f"programmes/{other.pk}/registrations/approve", {"ids": [rid]}).json()
    assert out["approved"] == [] and out["refused"][0]["code"] == "not_found"
    assert state(rid) == "submitted"


def test_bulk_approval_is_for_the_centre_only(region_api, api_as, submitted, quota10):
    confirm(submitted)
    for client in (region_api, api_as("bureau")):
        assert_error(
            client.post(f"programmes/{quota10.pk}/registrations/approve", {"ids": [submitted]}),
            403,
            "forbidden",
        )
    assert state(submitted) == "submitted"
