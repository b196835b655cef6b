"""POST/DELETE /api/v1/auth/token: sign-in, throttling, token storage, expiry and revocation (issue #2)."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from lingjun.accounts.models import ApiToken, LoginFailure
from lingjun.conftest import PASSWORD, ApiClient
from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import assert_error


def sign_in(username, password, ip="127.0.0.1"):
    return ApiClient().post("auth/token", {"username": username, "password": password}, REMOTE_ADDR=ip)


# --- good and bad credentials -------------------------------------------------------------------------


def test_good_credentials_return_token_role_region_institution(make_user):
    user = make_user("region", region="330000")
    r = sign_in(user.username, PASSWORD)
    assert r.status_code == 200
    body = r.json()
    assert body["token"] and body["role"] == "region"
    assert body["region"] == "330000" and body["institution"] is None
    me = ApiClient(body["token"]).get("users/me")
    assert me.status_code == 200 and me.json()["username"] == user.username


def test_institution_user_gets_its_institution_in_the_token_answer(make_user):
    user = make_user("institution")
    body = sign_in(user.username, PASSWORD).json()
    assert (
        body["role"] == "institution"
        and body["institution"] == user.institution_id
        and body["region"] is None
    )


@pytest.mark.parametrize("role", ["bureau", "centre", "assessor", "trainee"])
def test_every_role_can_obtain_a_token(make_user, role):
    user = make_user(role)
    r = sign_in(user.username, PASSWORD)
    assert r.status_code == 200 and r.json()["role"] == role


def test_wrong_password_is_401_invalid_credentials(make_user):
    user = make_user("centre")
    assert_error(sign_in(user.username, "wrong-password"), 401, "invalid_credentials")
    assert not ApiToken.objects.filter(user=user).exists()


def test_unknown_username_is_the_same_401_as_a_wrong_password(db):
    assert_error(sign_in("nobody-here", PASSWORD), 401, "invalid_credentials")


def test_inactive_user_cannot_sign_in(make_user):
    user = make_user("centre")
    user.is_active = False
    user.save()
    assert_error(sign_in(user.username, PASSWORD), 401, "invalid_credentials")


def test_missing_password_field_is_422(db):
    r = ApiClient().post("auth/token", {"username": "x"})
    assert_error(r, 422, "required", {"password": "required"})


# --- throttling --------------------------------------------------------------------------------------


def _fail(username, times, ip="127.0.0.1"):
    for _ in range(times):
        assert_error(sign_in(username, "wrong-password", ip), 401, "invalid_credentials")


def test_five_failures_lock_the_account_client_pair_even_for_the_right_password(make_user):
    user = make_user("region")
    _fail(user.username, 5)
    r = sign_in(user.username, PASSWORD)
    assert_error(r, 429, "too_many_attempts")
    assert r["Retry-After"]
    assert not ApiToken.objects.filter(user=user).exists()


def test_four_failures_do_not_lock_and_success_clears_the_count(make_user):
    user = make_user("region")
    _fail(user.username, 4)
    assert sign_in(user.username, PASSWORD).status_code == 200
    assert not LoginFailure.objects.filter(username=user.username.lower()).exists()
    _fail(user.username, 4)
    assert sign_in(user.username, PASSWORD).status_code == 200


def test_colleague_behind_the_same_office_address_is_not_locked_out(make_user):
    victim = make_user("region", region="110000")
    colleague = make_user("region", region="110000")
    _fail(victim.username, 5, ip="10.0.0.7")
    assert_error(sign_in(victim.username, PASSWORD, ip="10.0.0.7"), 429, "too_many_attempts")
    r = sign_in(colleague.username, PASSWORD, ip="10.0.0.7")
    assert r.status_code == 200 and r.json()["token"]


def test_same_username_from_another_address_still_gets_in(make_user):
    user = make_user("centre")
    _fail(user.username, 5, ip="10.0.0.7")
    assert_error(sign_in(user.username, PASSWORD, ip="10.0.0.7"), 429, "too_many_attempts")
    assert sign_in(user.username, PASSWORD, ip="10.9.9.9").status_code == 200


def test_throttling_ignores_username_case(make_user):
    make_user("centre", username="officer.li")
    _fail("Officer.Li", 3)
    _fail("officer.li", 2)
    assert_error(sign_in("officer.li", PASSWORD), 429, "too_many_attempts")


def test_unknown_usernames_are_throttled_too(db):
    _fail("ghost", 5)
    assert_error(sign_in("ghost", "anything"), 429, "too_many_attempts")


def test_failures_older_than_the_window_no_longer_count(make_user, settings):
    user = make_user("centre")
    _fail(user.username, 5)
    LoginFailure.objects.update(
        at=timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 5)
    )
    assert sign_in(user.username, PASSWORD).status_code == 200


def test_per_account_ceiling_holds_across_addresses(make_user, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 6
    user = make_user("centre")
    for i in range(6):
        _fail(user.username, 1, ip=f"10.0.1.{i + 1}")
    assert_error(sign_in(user.username, PASSWORD, ip="10.0.2.1"), 429, "too_many_attempts")


def test_password_spraying_from_one_address_is_stopped_without_locking_the_accounts(make_user, settings):
    """One address trying one password on many accounts: each account sees a single failure, so only the
    per-address ceiling stops it; the accounts themselves stay open from their owners' addresses."""
    settings.LOGIN_FAILURES_PER_ADDRESS = 12
    victims = [make_user("region") for _ in range(3)]
    for i in range(12):
        _fail(f"guess{i}" if i >= 3 else victims[i].username, 1, ip="203.0.113.9")
    body = assert_error(sign_in(victims[0].username, PASSWORD, ip="203.0.113.9"), 429, "too_many_attempts")
    assert "网络地址" in body["detail"]
    assert sign_in(victims[0].username, PASSWORD, ip="10.0.0.8").status_code == 200


def test_an_office_of_colleagues_mistyping_stays_under_the_address_ceiling(make_user):
    colleagues = [make_user("region", region="110000") for _ in range(20)]
    for user in colleagues:
        _fail(user.username, 2, ip="10.0.0.7")  # 40 typos in one office within the window
    assert all(sign_in(u.username, PASSWORD, ip="10.0.0.7").status_code == 200 for u in colleagues)


# --- tokens -------------------------------------------------------------------------------------------


def test_tokens_are_stored_only_as_a_hash(make_user):
    user = make_user("bureau")
    token = sign_in(user.username, PASSWORD).json()["token"]
    row = ApiToken.objects.get(user=user)
    assert row.key_hash != token
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.key_hash, row.prefix)
    assert AuditEntry.objects.filter(action="token.issue", actor=user).exists()


def test_passwords_are_stored_with_argon2(make_user, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user("trainee")
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert sign_in(user.username, PASSWORD).status_code == 200


def test_no_token_is_401_not_authenticated(db, anon):
    r = anon.get("users/me")
    assert_error(r, 401, "not_authenticated")
    assert "Bearer" in r["WWW-Authenticate"]


def test_unknown_token_is_401_invalid_token(db):
    assert_error(ApiClient("lj_not-a-real-token").get("users/me"), 401, "invalid_token")


def test_expired_token_is_401_token_expired(make_user):
    user = make_user("centre")
    token = sign_in(user.username, PASSWORD).json()["token"]
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert_error(ApiClient(token).get("regions"), 401, "token_expired")


def test_revoked_token_is_401_invalid_token_and_other_tokens_keep_working(make_user):
    user = make_user("region")
    token = sign_in(user.username, PASSWORD).json()["token"]
    other = sign_in(user.username, PASSWORD).json()["token"]
    client = ApiClient(token)
    assert client.get("regions").status_code == 200
    r = client.delete("auth/token")
    assert r.status_code == 204
    assert_error(client.get("regions"), 401, "invalid_token")
    assert ApiToken.objects.get(key_hash=hashlib.sha256(token.encode()).hexdigest()).revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoke", actor=user).exists()
    assert ApiClient(other).get("regions").status_code == 200


def test_revoking_needs_a_valid_token(db, anon):
    assert_error(anon.delete("auth/token"), 401, "not_authenticated")


def test_token_of_a_deactivated_user_stops_working(make_user):
    user = make_user("centre")
    token = sign_in(user.username, PASSWORD).json()["token"]
    user.is_active = False
    user.save()
    assert_error(ApiClient(token).get("regions"), 401, "invalid_token")
