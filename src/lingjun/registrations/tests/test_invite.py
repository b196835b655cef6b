"""The invitation link: the trainee confirms participation personally (SPEC §3.2 R6, voluntary)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from lingjun.conftest import ApiClient
from lingjun.core.models import AuditEntry
from lingjun.registrations.models import Invitation, Registration

from .conftest import assert_error, created, payload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seats_match_quota")]

PASSWORD = "Lingjun-Trainee-2030"


@pytest.fixture
def registration(region_api, quota10):
    body = payload()
    out = created(region_api, quota10, body)
    out["full_id"] = body["trainee"]["id_number"]
    out["mobile"] = body["trainee"]["mobile"]
    return out


@pytest.fixture
def invite(region_api, registration):
    r = region_api.post(f"registrations/{registration['id']}/invite")
    assert r.status_code == 200, r.content
    return r.json()["token"]


def accept(anon, token, last6, password=PASSWORD):
    return anon.post(f"invites/{token}/accept", {"password": password, "id_number_last6": last6})


def wrong_last6(full_id):
    right = full_id[-6:]
    return "000000" if right != "000000" else "111111"


def test_invite_answers_a_link_to_forward(region_api, registration):
    r = region_api.post(f"registrations/{registration['id']}/invite")
    body = r.json()
    assert r.status_code == 200 and body["token"] and body["token"] in body["url"]
    assert body["url"].startswith("http") and "/invite/" in body["url"]
    inv = Invitation.objects.get(registration_id=registration["id"])
    assert body["token"] not in inv.token_hash  # only a hash is stored
    assert AuditEntry.objects.filter(action="registration.invite", object_id=str(registration["id"])).exists()


def test_right_last6_confirms_and_gives_a_trainee_token(
    anon, invite, registration, api_as, region_api, quota10
):
    r = accept(anon, invite, registration["full_id"][-6:])
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["username"] == registration["mobile"] and body["registration"] == registration["id"]
    reg = Registration.objects.get(pk=registration["id"])
    assert reg.confirmed_at is not None and reg.trainee.user.role == "trainee"
    assert reg.trainee.user.check_password(PASSWORD)
    entry = AuditEntry.objects.get(action="registration.confirm", object_id=str(registration["id"]))
    assert entry.actor == reg.trainee.user

    trainee = ApiClient(body["token"])
    own = trainee.get(f"registrations/{registration['id']}")
    assert (
        own.status_code == 200 and own.json()["id"] == registration["id"] and own.json()["confirmed"] is True
    )
    assert registration["full_id"] not in own.content.decode()
    other = created(region_api, quota10)["id"]
    assert_error(trainee.get(f"registrations/{other}"), 404, "not_found")
    listing = trainee.get(f"programmes/{quota10.pk}/registrations").json()
    assert [i["id"] for i in listing["items"]] == [registration["id"]] and listing["count"] == 1

    # now the centre may approve (R6)
    assert api_as("centre").post(f"registrations/{registration['id']}/approve").status_code == 200


def test_wrong_last6_is_refused(anon, invite, registration):
    body = assert_error(
        accept(anon, invite, wrong_last6(registration["full_id"])),
        422,
        "id_number_mismatch",
        {"id_number_last6": "id_number_mismatch"},
    )
    assert "后六位" in body["detail"]
    assert Registration.objects.get(pk=registration["id"]).confirmed_at is None
    assert Invitation.objects.get(registration_id=registration["id"]).failed_attempts == 1


def test_five_wrong_attempts_lock_the_link(anon, invite, registration):
    for _ in range(5):
        assert_error(accept(anon, invite, wrong_last6(registration["full_id"])), 422, "id_number_mismatch")
    r = accept(anon, invite, registration["full_id"][-6:])
    body = assert_error(r, 429, "too_many_attempts")
    assert "锁定" in body["detail"]
    assert Registration.objects.get(pk=registration["id"]).confirmed_at is None


def test_a_used_link_cannot_be_used_again(anon, invite, registration):
    assert accept(anon, invite, registration["full_id"][-6:]).status_code == 200
    body = assert_error(accept(anon, invite, registration["full_id"][-6:]), 409, "invite_used")
    assert "已使用" in body["detail"]


def test_an_expired_link_is_refused(anon, invite, registration):
    Invitation.objects.filter(registration_id=registration["id"]).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    body = assert_error(accept(anon, invite, registration["full_id"][-6:]), 409, "invite_expired")
    assert "过期" in body["detail"]
    assert Registration.objects.get(pk=registration["id"]).confirmed_at is None


def test_an_unknown_link_is_not_found(anon):
    assert_error(accept(anon, "no-such-token", "123456"), 404, "invite_not_found")


def test_a_weak_password_is_refused_without_confirming(anon, invite, registration):
    assert_error(accept(anon, invite, registration["full_id"][-6:], password="123"), 422, "weak_password")
    assert Registration.objects.get(pk=registration["id"]).confirmed_at is None
    assert accept(anon, invite, registration["full_id"][-6:]).status_code == 200


def test_lowercase_x_in_the_last_six(anon, region_api, quota10):
    from stdnum.cn import ric

    for seq in range(100, 999):
        body17 = f"11010119850615{seq}"
        if ric.calc_check_digit(body17 + "0") == "X":
            break
    rid = created(region_api, quota10, payload(trainee={"id_number": body17 + "X"}))["id"]
    token = region_api.post(f"registrations/{rid}/invite").json()["token"]
    assert accept(anon, token, (body17 + "x")[-6:]).status_code == 200


def test_no_new_invite_once_confirmed(region_api, anon, invite, registration):
    accept(anon, invite, registration["full_id"][-6:])
    assert_error(region_api.post(f"registrations/{registration['id']}/invite"), 409, "already_confirmed")


def test_invites_are_for_region_and_centre_only(api_as, registration):
    assert api_as("centre").post(f"registrations/{registration['id']}/invite").status_code == 200
    for role in ("bureau", "institution", "assessor"):
        assert_error(api_as(role).post(f"registrations/{registration['id']}/invite"), 403, "forbidden")
    assert_error(
        api_as("region", region="330000").post(f"registrations/{registration['id']}/invite"), 404, "not_found"
    )
