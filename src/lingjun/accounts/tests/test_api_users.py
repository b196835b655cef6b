"""POST /api/v1/users, GET /api/v1/regions and the `create_user` management command (issue #2)."""

import io

import pytest
from django.core.management import CommandError, call_command

from lingjun.accounts.models import User
from lingjun.conftest import PASSWORD, ApiClient
from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import ROLES, assert_error

NEW_PASSWORD = "Lingjun-Strong-2031"


def new_user(username="new.officer", role="trainee", **extra):
    return {"username": username, "password": NEW_PASSWORD, "role": role, **extra}


# --- who may create users ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["bureau", "centre", "region", "assessor", "trainee"])
def test_bureau_creates_users_of_every_role_and_they_can_sign_in(api_as, role):
    bureau = api_as("bureau")
    extra = {"region": "440300"} if role == "region" else {}
    r = bureau.post("users", new_user(f"new-{role}", role, display_name="张三", **extra))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["id"] and body["username"] == f"new-{role}" and body["role"] == role
    assert body["region"] == extra.get("region") and body["display_name"] == "张三"
    assert "password" not in body
    login = ApiClient().post("auth/token", {"username": f"new-{role}", "password": NEW_PASSWORD})
    assert login.status_code == 200 and login.json()["role"] == role
    entry = AuditEntry.objects.get(action="user.create", object_id=str(body["id"]))
    assert entry.actor == bureau.user and entry.after["role"] == role


def test_centre_creates_region_and_institution_users(api_as, institution):
    centre = api_as("centre")
    r = centre.post("users", new_user("zj.officer", "region", region="330000"))
    assert r.status_code == 201 and r.json()["region"] == "330000"
    r = centre.post("users", new_user("uni.staff", "institution", institution=institution.pk))
    assert r.status_code == 201 and r.json()["institution"] == institution.pk
    assert User.objects.get(username="uni.staff").institution == institution


def test_centre_cannot_create_a_bureau_account(api_as):
    r = api_as("centre").post("users", new_user("fake.minister", "bureau"))
    assert_error(r, 403, "forbidden")
    assert not User.objects.filter(username="fake.minister").exists()


@pytest.mark.parametrize("role", ["region", "institution", "assessor", "trainee"])
def test_other_roles_may_not_create_users(api_as, role):
    r = api_as(role).post("users", new_user("sneaky", "trainee"))
    assert_error(r, 403, "forbidden")
    assert not User.objects.filter(username="sneaky").exists()


def test_anonymous_may_not_create_users(db, anon):
    assert_error(anon.post("users", new_user("sneaky")), 401, "not_authenticated")
    assert not User.objects.filter(username="sneaky").exists()


# --- refusals -----------------------------------------------------------------------------------------


def test_username_taken_is_409_and_the_first_account_is_untouched(api_as, make_user):
    existing = make_user("trainee", username="taken")
    old_hash = existing.password
    r = api_as("bureau").post("users", new_user("taken", "centre"))
    assert_error(r, 409, "username_taken", {"username": "username_taken"})
    existing.refresh_from_db()
    assert existing.role == "trainee" and existing.password == old_hash
    assert User.objects.filter(username="taken").count() == 1


@pytest.mark.parametrize("region", [None, "", "999999", "北京"])
def test_region_role_needs_a_known_region(api_as, region):
    payload = new_user("no.region", "region")
    if region is not None:
        payload["region"] = region
    r = api_as("bureau").post("users", payload)
    assert_error(r, 422, "unknown_region", {"region": "unknown_region"})
    assert not User.objects.filter(username="no.region").exists()


def test_region_on_a_non_region_account_is_refused(api_as):
    r = api_as("bureau").post("users", new_user("centre.two", "centre", region="110000"))
    assert_error(r, 422, "region_not_allowed", {"region": "region_not_allowed"})


def test_institution_role_needs_a_known_institution(api_as):
    r = api_as("centre").post("users", new_user("uni.x", "institution", institution=987654))
    assert_error(r, 422, "unknown_institution", {"institution": "unknown_institution"})
    r = api_as("centre").post("users", new_user("uni.y", "institution"))
    assert_error(r, 422, "unknown_institution")


@pytest.mark.parametrize("password", ["12345678", "password", "short1!", "new.officer1"])
def test_weak_password_is_422_weak_password(api_as, password):
    r = api_as("bureau").post("users", {**new_user(), "password": password})
    assert_error(r, 422, "weak_password", {"password": "weak_password"})
    assert not User.objects.filter(username="new.officer").exists()


def test_unknown_role_and_bad_username_are_reported_together(api_as):
    r = api_as("bureau").post("users", new_user("has space", "minister"))
    body = assert_error(r, 422, "invalid_username", {"username": "invalid_username", "role": "invalid_role"})
    assert len(body["errors"]) == 2


def test_overlong_display_name_is_422_not_a_database_error(api_as):
    r = api_as("bureau").post("users", new_user("long.name", display_name="张" * 101))
    assert_error(r, 422, "too_long", {"display_name": "too_long"})
    assert not User.objects.filter(username="long.name").exists()
    r = api_as("bureau").post("users", new_user("ok.name", display_name="张" * 100))
    assert r.status_code == 201


def test_a_boolean_is_not_an_institution_id(api_as, institution):
    r = api_as("centre").post("users", new_user("uni.bool", "institution", institution=True))
    assert_error(r, 422, "invalid_integer", {"institution": "invalid_integer"})
    assert not User.objects.filter(username="uni.bool").exists()


def test_missing_fields_are_422_required(api_as):
    r = api_as("bureau").post("users", {"role": "trainee"})
    assert_error(r, 422, "required", {"username": "required", "password": "required"})


# --- regions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_37_regions(api_as, role):
    r = api_as(role).get("regions")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 37 and len(body["items"]) == 37
    assert all({"code", "name", "kind"} <= set(item) for item in body["items"])
    by_code = {x["code"]: x for x in body["items"]}
    assert by_code["110000"]["name"] == "北京市" and by_code["110000"]["kind"] == "municipality"
    assert by_code["440300"]["kind"] == "separately_listed_city"
    assert [x["code"] for x in body["items"]] == sorted(by_code)


def test_regions_need_a_signed_in_user(db, anon):
    assert_error(anon.get("regions"), 401, "not_authenticated")


def test_session_login_works_for_the_api_too(page_client):
    r = page_client("region").get("/api/v1/regions")
    assert r.status_code == 200 and r.json()["count"] == 37


# --- management command -------------------------------------------------------------------------------


def run_create_user(*args):
    out = io.StringIO()
    call_command("create_user", *args, stdout=out)
    return out.getvalue()


def test_create_user_command_creates_a_usable_account(db):
    out = run_create_user(
        "--username",
        "zj.admin",
        "--password",
        NEW_PASSWORD,
        "--role",
        "region",
        "--region",
        "330000",
        "--display-name",
        "浙江省经信厅",
    )
    assert "zj.admin" in out and "已创建" in out
    user = User.objects.get(username="zj.admin")
    assert user.role == "region" and user.region_id == "330000" and user.display_name == "浙江省经信厅"
    assert (
        ApiClient().post("auth/token", {"username": "zj.admin", "password": NEW_PASSWORD}).status_code == 200
    )
    assert AuditEntry.objects.filter(action="user.create", actor__isnull=True, actor_label="system").exists()


def test_create_user_command_creates_institution_staff(db, institution):
    run_create_user(
        "--username",
        "uni.cmd",
        "--password",
        NEW_PASSWORD,
        "--role",
        "institution",
        "--institution",
        str(institution.pk),
    )
    assert User.objects.get(username="uni.cmd").institution == institution


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "region"], "unknown_region"),
        (["--role", "region", "--region", "999999"], "unknown_region"),
        (["--role", "institution", "--institution", "abc"], "unknown_institution"),
        (["--role", "minister"], "invalid choice"),
    ],
)
def test_create_user_command_refuses_bad_input(db, args, message):
    with pytest.raises(CommandError) as exc:
        run_create_user("--username", "cmd.bad", "--password", NEW_PASSWORD, *args)
    assert message in str(exc.value)
    assert not User.objects.filter(username="cmd.bad").exists()


def test_create_user_command_refuses_weak_password_and_taken_username(make_user):
    with pytest.raises(CommandError) as exc:
        run_create_user("--username", "cmd.weak", "--password", "12345678", "--role", "centre")
    assert "weak_password" in str(exc.value) and "密码" in str(exc.value)
    make_user("centre", username="cmd.taken")
    with pytest.raises(CommandError) as exc:
        run_create_user("--username", "cmd.taken", "--password", NEW_PASSWORD, "--role", "centre")
    assert "已被使用" in str(exc.value)
    assert User.objects.filter(username="cmd.taken").count() == 1
    assert not User.objects.filter(username="cmd.weak").exists()


def test_python_dash_m_lingjun_knows_the_create_user_command():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    r = subprocess.run(
        [sys.executable, "-m", "lingjun", "create_user", "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert "--username" in r.stdout and "--role" in r.stdout


def test_password_of_the_test_fixture_is_accepted_by_the_validators(api_as):
    # The fixtures' password must itself pass the platform's policy, or many tests would test nothing.
    r = api_as("bureau").post("users", {**new_user("fixture.like"), "password": PASSWORD})
    assert r.status_code == 201
