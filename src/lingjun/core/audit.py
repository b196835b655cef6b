"""Audit trail. Services call `record` inside their transaction, so a change and its entry stand or fall
together (ARCHITECTURE: one operation, one transaction, one audit entry)."""

from __future__ import annotations

import contextvars
import datetime
import decimal

from .models import AuditEntry

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("lingjun_client_ip", default=None)


def set_client_ip(ip):
    return _client_ip.set(ip)


def reset_client_ip(token):
    _client_ip.reset(token)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the fields that changed (both sides), so entries read as field-level diffs."""
    if not before or not after:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)] + [k for k in before if k not in after]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def record(
    actor,
    action: str,
    obj=None,
    *,
    object_type: str | None = None,
    object_id=None,
    label: str = "",
    before=None,
    after=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
) -> AuditEntry:
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id is None else object_id
        label = label or str(obj)[:200]
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=(user.get_username() if user else "system"),
        actor_role=(getattr(user, "role", "") if user else ""),
        action=action,
        object_type=object_type or "",
        object_id=str(object_id if object_id is not None else ""),
        object_label=label,
        from_state=from_state or "",
        to_state=to_state or "",
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason or "",
        client_ip=_client_ip.get(),
    )
