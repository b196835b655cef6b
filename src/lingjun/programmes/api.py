import datetime
from decimal import Decimal

from ninja import Router, Schema

from lingjun.core import permissions
from lingjun.core.exports import xlsx_response
from lingjun.core.schemas import ERRORS, Int, Number, WarningOut

from . import exports, services

router = Router(tags=["年度计划、名额与工作信息"])


class ProgrammeIn(Schema):
    year: Int
    title: str
    notice_number: str | None = None
    target_trainees: Int
    min_manufacturing_share: Number | None = None
    registration_deadline: datetime.date
    planned_classes: Int
    days_per_class: Int = 4
    tracks: list[str] | None = None
    status: str | None = None


class ProgrammePatch(Schema):
    year: Int | None = None
    title: str | None = None
    notice_number: str | None = None
    target_trainees: Int | None = None
    min_manufacturing_share: Number | None = None
    registration_deadline: datetime.date | None = None
    planned_classes: Int | None = None
    days_per_class: Int | None = None
    tracks: list[str] | None = None
    status: str | None = None
    reason: str | None = None


class ProgrammeOut(Schema):
    id: int
    year: int
    title: str
    notice_number: str
    target_trainees: int
    min_manufacturing_share: float | None
    registration_deadline: datetime.date
    planned_classes: int
    days_per_class: int
    tracks: list[str]
    status: str

    @staticmethod
    def resolve_min_manufacturing_share(obj):
        v = obj.min_manufacturing_share
        return float(v) if isinstance(v, Decimal) else v


class ProgrammePage(Schema):
    items: list[ProgrammeOut]
    count: int


@router.post("/programmes", response={201: ProgrammeOut, **ERRORS}, summary="创建年度计划（中小企业局）")
def create_programme(request, payload: ProgrammeIn):
    data = payload.dict()
    if data.get("status") is None:
        data.pop("status")
    return 201, services.create_programme(request.auth, data)


@router.get("/programmes", response={200: ProgrammePage, **ERRORS}, summary="年度计划列表")
def list_programmes(request, status: str | None = None, limit: int = 50, offset: int = 0):
    permissions.check(request.auth, "programme.view")
    qs = services.visible_programmes(request.auth)
    if status:
        qs = qs.filter(status=status)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


@router.get("/programmes/{programme_id}", response={200: ProgrammeOut, **ERRORS}, summary="年度计划详情")
def get_programme(request, programme_id: int):
    permissions.check(request.auth, "programme.view")
    return services.get_visible_programme(request.auth, programme_id)


@router.patch(
    "/programmes/{programme_id}",
    response={200: ProgrammeOut, **ERRORS},
    summary="修改年度计划或变更状态（中小企业局）",
)
def patch_programme(request, programme_id: int, payload: ProgrammePatch):
    data = payload.dict(exclude_unset=True)
    reason = data.pop("reason", "") or ""
    return services.update_programme(request.auth, programme_id, data, reason=reason)


class QuotasIn(Schema):
    quotas: dict
    reason: str | None = None


class QuotasOut(Schema):
    quotas: dict[str, int]
    total: int
    target: int
    warnings: list[WarningOut] = []


@router.put(
    "/programmes/{programme_id}/quotas",
    response={200: QuotasOut, **ERRORS},
    summary="设置各地区名额（附件2，整体替换，未列出的地区为0）",
)
def put_quotas(request, programme_id: int, payload: QuotasIn):
    result = services.set_quotas(request.auth, programme_id, payload.quotas, reason=payload.reason or "")
    return {**result, "target": services.get_programme(programme_id).target_trainees}


@router.get("/programmes/{programme_id}/quotas", response={200: QuotasOut, **ERRORS}, summary="各地区名额")
def get_quotas(request, programme_id: int):
    permissions.check(request.auth, "quota.view")
    programme = services.get_programme(programme_id)
    quotas = services.quotas_dict(programme)
    total = sum(quotas.values())
    return {
        "quotas": quotas,
        "total": total,
        "target": programme.target_trainees,
        "warnings": services.quota_warnings(programme, total),
    }


class ProposeIn(Schema):
    total: Int
    weights: dict


class ProposeOut(Schema):
    quotas: dict[str, int]
    total: int


@router.post(
    "/programmes/{programme_id}/quotas/propose",
    response={200: ProposeOut, **ERRORS},
    summary="按权重以最大余额法建议名额（不保存）",
)
def propose(request, programme_id: int, payload: ProposeIn):
    permissions.check(request.auth, "quota.edit")
    services.get_programme(programme_id)
    quotas = services.propose_quotas(payload.total, payload.weights)
    return {"quotas": quotas, "total": sum(quotas.values())}


@router.get(
    "/programmes/{programme_id}/quotas.xlsx", response={200: None, **ERRORS}, summary="导出附件2名额表"
)
def quotas_xlsx(request, programme_id: int):
    permissions.check(request.auth, "quota.export")
    programme = services.get_programme(programme_id)
    return xlsx_response(f"附件2_{programme.year}年名额分配表.xlsx", [exports.quota_sheet(programme)])


class WorkInfoIn(Schema):
    department: str
    leader_name: str
    leader_position: str
    leader_phone: str
    liaison_name: str
    liaison_position: str
    liaison_phone: str
    liaison_mobile: str
    liaison_email: str


class WorkInfoOut(Schema):
    programme: int
    region: str
    submitted: bool
    department: str
    leader_name: str
    leader_position: str
    leader_phone: str
    liaison_name: str
    liaison_position: str
    liaison_phone: str
    liaison_mobile: str
    liaison_email: str
    updated_at: datetime.datetime | None


def _work_info_out(programme, region, info):
    return {
        "programme": programme.pk,
        "region": region.code,
        "submitted": info is not None,
        "updated_at": info.updated_at if info else None,
        **services.work_info_dict(info),
    }


@router.put(
    "/programmes/{programme_id}/work-info/{region}",
    response={200: WorkInfoOut, **ERRORS},
    summary="填报本地区工作信息（附件3，地方主管部门）",
)
def put_work_info(request, programme_id: int, region: str, payload: WorkInfoIn):
    info = services.save_work_info(request.auth, programme_id, region, payload.dict())
    return _work_info_out(info.programme, info.region, info)


@router.get(
    "/programmes/{programme_id}/work-info/{region}",
    response={200: WorkInfoOut, **ERRORS},
    summary="查看工作信息（附件3）",
)
def get_work_info(request, programme_id: int, region: str):
    programme, region_obj, info = services.get_work_info(request.auth, programme_id, region)
    return _work_info_out(programme, region_obj, info)


class WorkInfoStatusOut(Schema):
    region: str
    region_name: str
    submitted: bool
    updated_at: datetime.datetime | None


class WorkInfoStatusPage(Schema):
    items: list[WorkInfoStatusOut]
    count: int
    submitted: int


@router.get(
    "/programmes/{programme_id}/work-info",
    response={200: WorkInfoStatusPage, **ERRORS},
    summary="各地区工作信息填报情况（中小企业局、人才交流中心）",
)
def work_info_status(request, programme_id: int):
    permissions.check(request.auth, "workinfo.track")
    programme = services.get_programme(programme_id)
    items = [
        {
            "region": r.code,
            "region_name": r.name,
            "submitted": i is not None,
            "updated_at": i.updated_at if i else None,
        }
        for r, i in services.work_info_tracking(programme)
    ]
    return {"items": items, "count": len(items), "submitted": sum(1 for x in items if x["submitted"])}


@router.get(
    "/programmes/{programme_id}/work-info.xlsx",
    response={200: None, **ERRORS},
    summary="导出全国工作信息表（附件3）",
)
def work_info_xlsx(request, programme_id: int):
    programme, sheet = services.export_work_info(request.auth, programme_id)
    return xlsx_response(f"附件3_{programme.year}年工作信息表.xlsx", [sheet])
