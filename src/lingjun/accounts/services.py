"""Accounts, sign-in throttling and API tokens (SPEC §1 roles; issue #2)."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lingjun.core import audit, permissions
from lingjun.core.errors import (
    DomainError,
    FieldIssue,
    NotAuthenticated,
    RuleViolation,
    TooManyAttempts,
    ValidationFailed,
)
from lingjun.institutions.models import Institution
from lingjun.reference.models import Region

from .models import ApiToken, LoginFailure, Role, User

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.+-_")


class InvalidCredentials(DomainError):
    status = 401
    code = "invalid_credentials"
    detail = "用户名或密码不正确。"


@transaction.atomic
def create_user(
    actor,
    *,
    username: str,
    password: str,
    role: str,
    region: str | None = None,
    institution: int | None = None,
    display_name: str = "",
    _system: bool = False,
) -> User:
    """Create an account. Bureau and centre may create users; only the bureau creates bureau accounts.
    `_system=True` is for management commands run by an operator on the server."""
    if not _system:
        permissions.check(actor, "user.create", role)
    errors = []
    username = (username or "").strip()
    if not username:
        errors.append(FieldIssue("username", "required", "请填写用户名。"))
    elif len(username) > 150 or not set(username) <= USERNAME_CHARS:
        errors.append(
            FieldIssue("username", "invalid_username", "用户名只能包含字母、数字和 @.+-_，最长150个字符。")
        )
    display_name = (display_name or "").strip()
    if len(display_name) > User._meta.get_field("display_name").max_length:
        errors.append(FieldIssue("display_name", "too_long", "姓名/单位不能超过100个字。"))
    if role not in Role.values:
        errors.append(
            FieldIssue(
                "role", "invalid_role", "角色须为 bureau、centre、region、institution、assessor 或 trainee。"
            )
        )
    region_obj = institution_obj = None
    if role == Role.REGION:
        region_obj = Region.objects.filter(code=str(region or "")).first()
        if region_obj is None:
            errors.append(FieldIssue("region", "unknown_region", "地方主管部门账户须指定有效的地区代码。"))
    elif region:
        errors.append(FieldIssue("region", "region_not_allowed", "只有地方主管部门账户可以绑定地区。"))
    if role == Role.INSTITUTION:
        institution_obj = (
            Institution.objects.filter(pk=institution).first() if str(institution or "").isdigit() else None
        )
        if institution_obj is None:
            errors.append(
                FieldIssue("institution", "unknown_institution", "培训机构账户须指定有效的培训机构。")
            )
    elif institution:
        errors.append(FieldIssue("institution", "institution_not_allowed", "只有培训机构账户可以绑定机构。"))
    candidate = User(username=username, role=role, display_name=display_name)
    try:
        validate_password(password or "", candidate)
    except DjangoValidationError as exc:
        errors.append(FieldIssue("password", "weak_password", "密码强度不足：" + "；".join(exc.messages)))
    if errors:
        raise ValidationFailed(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                password=password,
                role=role,
                region=region_obj,
                institution=institution_obj,
                display_name=display_name,
            )
    except IntegrityError:
        raise RuleViolation(
            "username_taken",
            f"用户名“{username}”已被使用。",
            [FieldIssue("username", "username_taken", "该用户名已被使用。")],
        ) from None
    audit.record(
        actor,
        "user.create",
        user,
        after={
            "username": username,
            "role": role,
            "region": region_obj and region_obj.code,
            "institution": institution_obj and institution_obj.pk,
        },
    )
    return user


def _window_start():
    return timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _check_throttle(username: str, client_ip: str | None) -> None:
    """Refuse while this (account, client) pair, or this account overall, has failed too often lately.
    Keyed by account *and* client: colleagues behind one office NAT are never locked out together."""
    recent = LoginFailure.objects.filter(username=username.lower(), at__gte=_window_start())
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    if (
        recent.filter(client_ip=client_ip).count() >= settings.LOGIN_FAILURES_PER_CLIENT
        or recent.count() >= settings.LOGIN_FAILURES_PER_ACCOUNT
    ):
        raise TooManyAttempts(detail=f"该账户登录失败次数过多，请 {minutes} 分钟后再试。")
    # Password spraying: one address trying one password on many accounts never trips the per-account limits.
    # The ceiling is far above what an office of colleagues mistyping their passwords reaches.
    if (
        client_ip
        and LoginFailure.objects.filter(client_ip=client_ip, at__gte=_window_start()).count()
        >= settings.LOGIN_FAILURES_PER_ADDRESS
    ):
        raise TooManyAttempts(detail=f"来自您网络地址的登录失败次数过多，请 {minutes} 分钟后再试。")


def sign_in(username: str, password: str, client_ip: str | None, request=None) -> User:
    """Check credentials with throttling. Used by the login page and the token endpoint alike."""
    username = (username or "").strip()
    _check_throttle(username, client_ip)
    user = authenticate(request, username=username, password=password or "")
    if user is None:
        LoginFailure.objects.create(username=username.lower(), client_ip=client_ip)
        raise InvalidCredentials()
    LoginFailure.objects.filter(username=username.lower(), client_ip=client_ip).delete()
    return user


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_token(user: User, client_ip: str | None = None) -> str:
    token = "lj_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=_hash(token),
        prefix=token[3:9],
        client_ip=client_ip,
        expires_at=timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        # Issuing is the token's first use: a request within the next minute need not write it again.
        last_used_at=timezone.now(),
    )
    audit.record(user, "token.issue", user, object_type="user")
    return token


def user_for_token(token: str) -> User:
    # key_hash is unique: a plain LIMIT 1, not .first()'s ORDER BY (this runs on every API request).
    row = next(iter(ApiToken.objects.select_related("user").filter(key_hash=_hash(token or ""))[:1]), None)
    now = timezone.now()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        raise NotAuthenticated("invalid_token", "访问令牌无效或已被撤销，请重新获取。")
    if row.expires_at <= now:
        raise NotAuthenticated("token_expired", "访问令牌已过期，请重新获取。")
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


@transaction.atomic
def revoke_token(token: str) -> None:
    user = user_for_token(token)
    ApiToken.objects.filter(key_hash=_hash(token), revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(user, "token.revoke", user, object_type="user")


@transaction.atomic
def revoke_all_tokens(actor, user: User) -> int:
    n = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(actor, "token.revoke_all", user, after={"revoked": n})
    return n
