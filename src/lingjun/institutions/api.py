from ninja import Router, Schema

from lingjun.core import permissions
from lingjun.core.schemas import ERRORS

from . import services
from .models import Institution

router = Router(tags=["培训承担机构"])


class InstitutionIn(Schema):
    name: str
    kind: str
    tracks: list[str] | None = None


class InstitutionOut(Schema):
    id: int
    name: str
    kind: str
    tracks: list[str]


class InstitutionPage(Schema):
    items: list[InstitutionOut]
    count: int


@router.post("/institutions", response={201: InstitutionOut, **ERRORS}, summary="新增培训承担机构")
def create(request, payload: InstitutionIn):
    return 201, services.create_institution(
        request.auth, name=payload.name, kind=payload.kind, tracks=payload.tracks
    )


@router.get("/institutions", response={200: InstitutionPage, **ERRORS}, summary="培训承担机构列表")
def list_(request, kind: str | None = None, q: str | None = None, limit: int = 100, offset: int = 0):
    permissions.check(request.auth, "institution.view")
    qs = Institution.objects.order_by("name")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}
