"""API.md rows: alumni archive, enterprise follow-up, programme statistics, re-training, my data."""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from lingjun.core.exports import XLSX_MIME
from lingjun.core.schemas import ERRORS

from . import archive as archive_q
from . import exports, services, stats

router = Router(tags=["信息档案、跟踪服务与统计"])


# --- statistics --------------------------------------------------------------------------------------


class RegionRowOut(Schema):
    region: str
    region_name: str
    quota: int
    submitted: int
    approved: int
    enrolled: int
    completed: int
    quota_used_share: float | None


class StatsOut(Schema):
    programme: int
    year: int
    title: str
    target: int
    target_share: float | None
    totals: dict[str, int]
    manufacturing: int
    manufacturing_share: float | None
    min_manufacturing_share: float | None
    manufacturing_below_minimum: bool
    by_region: list[RegionRowOut]
    mix: dict[str, list[dict[str, Any]]]
    classes: list[dict[str, Any]]
    class_fill: dict[str, Any]
    attendance: dict[str, Any]
    completion: dict[str, Any]
    satisfaction: dict[str, Any] | None
    generated_at: datetime.datetime


@router.get(
    "/programmes/{programme_id}/stats",
    response={200: StatsOut, **ERRORS},
    summary="年度计划统计：各地区名额与报名、审核、编班、结业（累计口径），制造业占比，结构，班级、出勤、结业",
)
def programme_stats(request, programme_id: int):
    return stats.programme_stats(request.auth, programme_id)


@router.get(
    "/programmes/{programme_id}/stats.xlsx",
    response={200: None, **ERRORS},
    summary="统计表导出（xlsx）：table = regions | mix | classes | all",
)
def programme_stats_xlsx(request, programme_id: int, table: str = "all"):
    data = stats.programme_stats(request.auth, programme_id)
    return exports.stats_response(data, table)


# --- archive -----------------------------------------------------------------------------------------


class ArchiveFilter(Schema):
    region: str | None = None
    q: str | None = None
    qualification: str | None = None
    industry: str | None = None
    year: int | None = None
    limit: int = 50
    offset: int = 0


class ArchiveRowOut(Schema):
    registration: int
    year: int
    programme: int
    region: str
    region_name: str
    person: dict[str, Any]
    enterprise: dict[str, Any]
    classes: list[dict[str, Any]]
    outcome: str
    outcome_label: str
    is_retraining: bool
    certificate_number: str | None


class ArchivePage(Schema):
    items: list[ArchiveRowOut]
    count: int


@router.get(
    "/alumni",
    response={200: ArchivePage, **ERRORS},
    summary="信息档案：参训学员（本人、企业、班级、结业情况、证书编号），地区只见本地区",
)
def alumni(request, filters: Query[ArchiveFilter]):
    qs = archive_q.archive(
        request.auth,
        region=filters.region,
        q=filters.q,
        qualification=filters.qualification,
        industry=filters.industry,
        year=filters.year,
    )
    limit = max(1, min(filters.limit, 200))
    offset = max(0, filters.offset)
    return {"items": [archive_q.row(r) for r in qs[offset : offset + limit]], "count": qs.count()}


# --- enterprise follow-up ----------------------------------------------------------------------------


class ReportIn(Schema):
    period: Any = None
    revenue: Any = None
    employees: Any = None
    rnd_spend: Any = None
    patents: Any = None
    export_revenue: Any = None
    financing: Any = None
    note: str | None = None


class ReportOut(Schema):
    id: int
    period: str
    revenue: Decimal
    employees: int
    rnd_spend: Decimal
    patents: int
    export_revenue: Decimal | None
    financing: Decimal | None
    note: str
    region: str

    @staticmethod
    def resolve_region(obj):
        return obj.region_id


class ReportList(Schema):
    enterprise: dict[str, str]
    items: list[ReportOut]
    count: int


def _enterprise(e) -> dict:
    return {"credit_code": e.credit_code, "name": e.name}


@router.post(
    "/enterprises/{credit_code}/reports",
    response={201: ReportOut, **ERRORS},
    summary="填报企业经营情况（本地区参训企业）；同一报告期重复 → 409 duplicate_period",
)
def add_report(request, credit_code: str, payload: ReportIn):
    return 201, services.add_report(request.auth, credit_code, payload.dict())


class ImportOut(Schema):
    created: int
    periods: list[str]


@router.post(
    "/enterprises/{credit_code}/reports/import",
    response={201: ImportOut, **ERRORS},
    summary="上传企业经营情况表（xlsx，表头：报告期、营业收入（万元）……）；整表校验，任一行有误则不导入",
)
def import_reports(request, credit_code: str, file: UploadedFile = File(...)):  # noqa: B008 - ninja idiom
    reports = services.import_reports(request.auth, credit_code, file.read())
    return 201, {"created": len(reports), "periods": [r.period for r in reports]}


@router.get(
    "/enterprises/{credit_code}/reports/template.xlsx",
    response={200: None, **ERRORS},
    summary="企业经营情况上传模板",
)
def report_template(request, credit_code: str):
    services.get_enterprise(request.auth, credit_code, "followup.edit")
    return xlsx_bytes_response("企业经营情况模板.xlsx", services.report_template())


@router.get(
    "/enterprises/{credit_code}/reports",
    response={200: ReportList, **ERRORS},
    summary="企业经营情况（按报告期）",
)
def list_reports(request, credit_code: str):
    enterprise, rows = services.reports(request.auth, credit_code)
    return {"enterprise": _enterprise(enterprise), "items": rows, "count": len(rows)}


class ServiceIn(Schema):
    date: str | None = None
    kind: str | None = None
    description: str | None = None
    outcome: str | None = None


class ServiceOut(Schema):
    id: int
    date: datetime.date
    kind: str
    kind_label: str
    description: str
    outcome: str
    region: str

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_region(obj):
        return obj.region_id


class ServiceList(Schema):
    enterprise: dict[str, str]
    items: list[ServiceOut]
    count: int


@router.post(
    "/enterprises/{credit_code}/services",
    response={201: ServiceOut, **ERRORS},
    summary="登记助企服务（本地区参训企业）",
)
def add_service(request, credit_code: str, payload: ServiceIn):
    return 201, services.add_service(request.auth, credit_code, payload.dict())


@router.get(
    "/enterprises/{credit_code}/services", response={200: ServiceList, **ERRORS}, summary="助企服务记录"
)
def list_services(request, credit_code: str):
    enterprise, rows = services.services_of(request.auth, credit_code)
    return {"enterprise": _enterprise(enterprise), "items": rows, "count": len(rows)}


# --- re-training -------------------------------------------------------------------------------------


class RetrainIn(Schema):
    programme: int
    declarations: dict[str, bool] | None = None
    submit: bool = False
    late_reason: str = ""


class RetrainOut(Schema):
    id: int
    programme: int
    status: str
    region: str
    is_retraining: bool
    warnings: list[dict[str, str]] = []

    @staticmethod
    def resolve_programme(obj):
        return obj.programme_id

    @staticmethod
    def resolve_region(obj):
        return obj.region_id


@router.post(
    "/alumni/{registration_id}/retrain",
    response={201: RetrainOut, **ERRORS},
    summary="邀请往期学员参加复训：为同一人、同一企业在更晚年度新建报名（一企一人一年规则照常适用）",
)
def retrain(request, registration_id: int, payload: RetrainIn):
    reg = services.invite_to_retraining(
        request.auth,
        registration_id,
        payload.programme,
        declarations=payload.declarations,
        submit=payload.submit,
        late_reason=payload.late_reason,
    )
    return 201, reg


# --- my data -----------------------------------------------------------------------------------------


@router.get(
    "/me/personal-data",
    response={200: dict[str, Any], **ERRORS},
    summary="本人个人信息副本（个人信息保护法：查阅、复制权），身份证号脱敏；每次下载均记入审计",
)
def my_personal_data(request):
    return services.personal_data(request.auth)


def personal_data_download(data: dict) -> HttpResponse:
    import json

    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-personal-data.json"'
    response["Cache-Control"] = "no-store"
    return response


def xlsx_bytes_response(filename: str, content: bytes) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
