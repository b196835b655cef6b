from ninja import Router, Schema

from lingjun.core import permissions
from lingjun.core.schemas import ERRORS

from . import services
from .models import Qualification, Topic

router = Router(tags=["参考数据"])


class QualificationOut(Schema):
    code: str
    name: str
    sort: int
    active: bool


class QualificationIn(Schema):
    code: str
    name: str
    sort: int | None = None
    active: bool | None = None


class QualificationPatch(Schema):
    name: str | None = None
    sort: int | None = None
    active: bool | None = None


class QualificationPage(Schema):
    items: list[QualificationOut]
    count: int


@router.get("/qualifications", response={200: QualificationPage, **ERRORS}, summary="企业资质（参考数据）")
def list_(request, active: bool | None = None):
    permissions.check(request.auth, "region.view")
    qs = Qualification.objects.all()
    if active is not None:
        qs = qs.filter(active=active)
    items = list(qs)
    return {"items": items, "count": len(items)}


@router.post(
    "/qualifications", response={201: QualificationOut, **ERRORS}, summary="新增企业资质（中小企业局）"
)
def create(request, payload: QualificationIn):
    return 201, services.create_qualification(request.auth, payload.code, payload.dict(exclude={"code"}))


@router.patch(
    "/qualifications/{code}",
    response={200: QualificationOut, **ERRORS},
    summary="更名、排序或停用企业资质（中小企业局）",
)
def update(request, code: str, payload: QualificationPatch):
    return services.update_qualification(request.auth, code, payload.dict(exclude_unset=True))


class TopicOut(Schema):
    code: str
    name: str
    name_en: str


class TopicPage(Schema):
    items: list[TopicOut]
    count: int


@router.get("/topics", response={200: TopicPage, **ERRORS}, summary="十个培训专题")
def topics(request):
    permissions.check(request.auth, "region.view")
    items = list(Topic.objects.all())
    return {"items": items, "count": len(items)}
