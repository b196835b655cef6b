import datetime

from ninja import Query, Router, Schema

from . import permissions
from .errors import field_error
from .models import AuditEntry
from .schemas import ERRORS

router = Router(tags=["审计"])


class AuditOut(Schema):
    id: int
    at: datetime.datetime
    actor: str
    actor_role: str
    action: str
    object: str
    object_label: str
    from_state: str
    to_state: str
    before: dict | list | None
    after: dict | list | None
    reason: str
    client_ip: str | None

    @staticmethod
    def resolve_actor(obj):
        return obj.actor_label

    @staticmethod
    def resolve_object(obj):
        return f"{obj.object_type}:{obj.object_id}"


class AuditPage(Schema):
    items: list[AuditOut]
    count: int


class AuditFilter(Schema):
    object: str | None = None
    action: str | None = None
    limit: int = 100
    offset: int = 0


@router.get(
    "/audit", response={200: AuditPage, **ERRORS}, summary="审计记录（who, when, action, from, to, why）"
)
def audit_list(request, filters: Query[AuditFilter]):
    permissions.check(request.auth, "audit.view")
    qs = AuditEntry.objects.all()
    if filters.object:
        kind, sep, ident = filters.object.partition(":")
        if not sep or not kind:
            raise field_error("object", "invalid_object_ref", "对象须写作“类型:编号”，如 registration:12。")
        qs = qs.filter(object_type=kind, object_id=ident)
    if filters.action:
        qs = qs.filter(action=filters.action)
    limit = max(1, min(filters.limit, 500))
    offset = max(0, filters.offset)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}
