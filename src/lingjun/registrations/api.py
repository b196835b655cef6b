import datetime
from typing import Any

from django.http import HttpResponse
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from lingjun.core import permissions
from lingjun.core.schemas import ERRORS, WarningOut

from . import exports, importer, services
from .models import Registration

router = Router(tags=["报名与审核（附件4）"])


class TraineeIn(Schema):
    name: Any = None
    gender: Any = None
    ethnicity: Any = None
    id_number: Any = None
    political_status: Any = None
    education: Any = None
    position: Any = None
    is_principal: Any = True
    principal_justification: Any = None
    mobile: Any = None
    email: Any = None


class EnterpriseIn(Schema):
    name: Any = None
    credit_code: Any = None
    industry_division: Any = None
    employees: Any = None
    revenue: Any = None
    total_assets: Any = None
    qualifications: Any = None
    address: Any = None


class DeclarationsIn(Schema):
    voluntary: Any = False
    no_bad_record: Any = False
    fit_to_attend: Any = False


class RegistrationIn(Schema):
    trainee: TraineeIn
    enterprise: EnterpriseIn
    declarations: DeclarationsIn = DeclarationsIn()
    preferred_classes: Any = None
    submit: bool = True
    region: str | None = None
    late_reason: str | None = None
    is_retraining: bool = False


class TraineeOut(Schema):
    name: str
    gender: str
    ethnicity: str
    id_number: str
    birth_date: datetime.date
    political_status: str
    education: str
    position: str
    is_principal: bool
    principal_justification: str
    mobile: str
    email: str


class EnterpriseOut(Schema):
    name: str
    credit_code: str
    industry_division: str
    employees: int
    revenue: float
    total_assets: float
    qualifications: list[str]
    address: str
    size_class: str
    is_manufacturing: bool


class RegistrationOut(Schema):
    id: int
    programme: int
    status: str
    region: str
    trainee: TraineeOut
    enterprise: EnterpriseOut
    declarations: dict[str, bool]
    preferred_classes: list[int]
    confirmed: bool
    is_retraining: bool
    review_note: str
    warnings: list[WarningOut]
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None


def out(reg: Registration) -> dict:
    t, e = reg.trainee, reg.enterprise
    return {
        "id": reg.pk,
        "programme": reg.programme_id,
        "status": reg.status,
        "region": reg.region_id,
        "trainee": {
            "name": t.name,
            "gender": t.gender,
            "ethnicity": t.ethnicity,
            "id_number": t.id_number_masked,
            "birth_date": t.birth_date,
            "political_status": t.political_status,
            "education": t.education,
            "position": t.position,
            "is_principal": reg.is_principal,
            "principal_justification": reg.principal_justification,
            "mobile": t.mobile,
            "email": t.email,
        },
        "enterprise": {
            "name": e.name,
            "credit_code": e.credit_code,
            "industry_division": e.industry_division,
            "employees": e.employees,
            "revenue": float(e.revenue),
            "total_assets": float(e.total_assets),
            "qualifications": sorted(q.code for q in e.qualifications.all()),
            "address": e.address,
            "size_class": e.size_class,
            "is_manufacturing": e.is_manufacturing,
        },
        "declarations": {
            "voluntary": reg.declared_voluntary,
            "no_bad_record": reg.declared_no_bad_record,
            "fit_to_attend": reg.declared_fit,
        },
        "preferred_classes": reg.preferred_classes,
        "confirmed": reg.confirmed,
        "is_retraining": reg.is_retraining,
        "review_note": reg.review_note,
        "warnings": reg.warnings or [],
        "created_at": reg.created_at,
        "submitted_at": reg.submitted_at,
    }


def _input(payload) -> dict:
    return payload.dict(include={"trainee", "enterprise", "declarations", "preferred_classes"})


@router.post(
    "/programmes/{programme_id}/registrations",
    response={201: RegistrationOut, **ERRORS},
    summary="报名一名学员（地方主管部门为本地区；人才交流中心须指定 region）",
)
def create(request, programme_id: int, payload: RegistrationIn):
    reg = services.create_registration(
        request.auth,
        programme_id,
        _input(payload),
        submit=payload.submit,
        region_code=payload.region,
        late_reason=payload.late_reason or "",
        is_retraining=payload.is_retraining,
        source="api",
    )
    reg.warnings = reg.warnings + services.programme_warnings(reg.programme)
    return 201, out(reg)


class RegistrationPage(Schema):
    items: list[RegistrationOut]
    count: int


class ListFilter(Schema):
    status: str | None = None
    region: str | None = None
    q: str | None = None
    qualification: str | None = None
    manufacturing: bool | None = None
    confirmed: bool | None = None
    limit: int = 50
    offset: int = 0


def filtered(programme_id: int, f) -> Any:
    qs = (
        Registration.objects.filter(programme_id=programme_id)
        .select_related("trainee", "enterprise")
        .prefetch_related("enterprise__qualifications")
    )
    if f.status:
        qs = qs.filter(status__in=f.status.split(","))
    if f.region:
        qs = qs.filter(region_id=f.region)
    if f.qualification:
        qs = qs.filter(enterprise__qualifications__code=f.qualification)
    if f.manufacturing is not None:
        qs = qs.filter(enterprise__is_manufacturing=f.manufacturing)
    if f.confirmed is not None:
        qs = qs.filter(confirmed_at__isnull=not f.confirmed)
    if f.q:
        from django.db.models import Q

        qs = qs.filter(
            Q(trainee__name__icontains=f.q)
            | Q(enterprise__name__icontains=f.q)
            | Q(enterprise__credit_code=f.q.upper())
        )
    return qs.order_by("region_id", "id")


@router.get(
    "/programmes/{programme_id}/registrations",
    response={200: RegistrationPage, **ERRORS},
    summary="报名列表（按角色限定范围）",
)
def list_(request, programme_id: int, filters: Query[ListFilter]):
    permissions.check(request.auth, "registration.view")
    services._programme(programme_id)
    qs = filtered(programme_id, filters)
    limit, offset = max(1, min(filters.limit, 500)), max(0, filters.offset)
    return {"items": [out(r) for r in qs[offset : offset + limit]], "count": qs.count()}


@router.get("/registrations/{registration_id}", response={200: RegistrationOut, **ERRORS}, summary="报名详情")
def detail(request, registration_id: int):
    permissions.check(request.auth, "registration.view")
    return out(services.get_registration(request.auth, registration_id))


class RegistrationEdit(Schema):
    trainee: TraineeIn
    enterprise: EnterpriseIn
    declarations: DeclarationsIn = DeclarationsIn()
    preferred_classes: Any = None


@router.put(
    "/registrations/{registration_id}",
    response={200: RegistrationOut, **ERRORS},
    summary="修改草稿或退回的报名",
)
def edit(request, registration_id: int, payload: RegistrationEdit):
    return out(services.update_registration(request.auth, registration_id, _input(payload)))


class LateIn(Schema):
    late_reason: str | None = None


@router.post(
    "/registrations/{registration_id}/submit",
    response={200: RegistrationOut, **ERRORS},
    summary="提交（检查名额与截止日期）",
)
def submit(request, registration_id: int, payload: LateIn | None = None):
    return out(
        services.submit_registration(
            request.auth, registration_id, (payload.late_reason if payload else "") or ""
        )
    )


class InviteOut(Schema):
    token: str
    url: str
    expires_at: datetime.datetime


@router.post(
    "/registrations/{registration_id}/invite",
    response={200: InviteOut, **ERRORS},
    summary="生成学员本人确认参训的邀请链接",
)
def invite(request, registration_id: int):
    inv, token = services.create_invitation(request.auth, registration_id)
    return {
        "token": token,
        "url": request.build_absolute_uri(services.invite_url(token)),
        "expires_at": inv.expires_at,
    }


class AcceptIn(Schema):
    password: str
    id_number_last6: str


class AcceptOut(Schema):
    token: str
    username: str
    registration: int


@router.post(
    "/invites/{token}/accept",
    auth=None,
    response={200: AcceptOut, **ERRORS},
    summary="学员接受邀请：核验身份证后六位、设置密码、确认参训",
)
def accept(request, token: str, payload: AcceptIn):
    from lingjun.accounts.services import issue_token
    from lingjun.core.middleware import client_ip

    user, reg = services.accept_invitation(
        token, payload.password, payload.id_number_last6, client_ip(request)
    )
    return {"token": issue_token(user, client_ip(request)), "username": user.username, "registration": reg.pk}


class ReasonIn(Schema):
    reason: str | None = None


class CommentIn(Schema):
    comment: str | None = None


@router.post(
    "/registrations/{registration_id}/approve", response={200: RegistrationOut, **ERRORS}, summary="审核通过"
)
def approve(request, registration_id: int):
    return out(services.approve(request.auth, registration_id))


@router.post(
    "/registrations/{registration_id}/reject", response={200: RegistrationOut, **ERRORS}, summary="不予通过"
)
def reject(request, registration_id: int, payload: ReasonIn):
    return out(services.reject(request.auth, registration_id, payload.reason or ""))


@router.post(
    "/registrations/{registration_id}/return", response={200: RegistrationOut, **ERRORS}, summary="退回修改"
)
def return_(request, registration_id: int, payload: CommentIn):
    return out(services.return_for_correction(request.auth, registration_id, payload.comment or ""))


@router.post(
    "/registrations/{registration_id}/withdraw",
    response={200: RegistrationOut, **ERRORS},
    summary="撤回（释放名额与企业）",
)
def withdraw(request, registration_id: int, payload: ReasonIn | None = None):
    return out(services.withdraw(request.auth, registration_id, (payload.reason if payload else "") or ""))


class BulkApproveIn(Schema):
    ids: list[int]


@router.post(
    "/programmes/{programme_id}/registrations/approve", response={200: dict, **ERRORS}, summary="批量审核通过"
)
def bulk_approve(request, programme_id: int, payload: BulkApproveIn):
    permissions.check(request.auth, "registration.review")
    services._programme(programme_id)
    return services.approve_many(request.auth, payload.ids, programme_id=programme_id)


@router.get(
    "/programmes/{programme_id}/registrations/template.xlsx",
    response={200: None, **ERRORS},
    summary="下载附件4模板",
)
def template(request, programme_id: int):
    permissions.check(request.auth, "registration.import")
    return exports.template_response(services._programme(programme_id))


@router.get(
    "/programmes/{programme_id}/registrations.xlsx",
    response={200: None, **ERRORS},
    summary="导出报名表（附件4格式，身份证号脱敏）",
)
def export(request, programme_id: int, filters: Query[ListFilter]):
    permissions.check(request.auth, "registration.export")
    programme = services._programme(programme_id)
    return exports.registrations_response(
        request.auth, programme, filtered(programme_id, filters), unmasked=False
    )


@router.get(
    "/programmes/{programme_id}/registrations-with-ids.xlsx",
    response={200: None, **ERRORS},
    summary="导出含完整身份证号的报名表（仅人才交流中心，留痕）",
)
def export_ids(request, programme_id: int, filters: Query[ListFilter]):
    permissions.check(request.auth, "registration.export_ids")
    programme = services._programme(programme_id)
    return exports.registrations_response(
        request.auth, programme, filtered(programme_id, filters), unmasked=True
    )


class ImportErrorOut(Schema):
    row: int
    column: str
    code: str
    message: str


class ImportOut(Schema):
    created: int
    unchanged: int
    errors: list[ImportErrorOut]
    rows: int
    stored: bool
    batch: int | None


@router.post(
    "/programmes/{programme_id}/registrations/import",
    response={200: ImportOut, **ERRORS},
    summary="上传附件4工作簿批量报名（partial 或 all_or_nothing）",
)
def import_(
    request,
    programme_id: int,
    file: UploadedFile = File(...),  # noqa: B008 - ninja's idiom for an upload
    mode: str = Form("partial"),
    region: str | None = Form(None),
):
    return importer.import_workbook(request.auth, programme_id, file, mode=mode, region_code=region)


@router.get("/imports/{batch_id}/errors.xlsx", response={200: None, **ERRORS}, summary="下载标注错误的工作簿")
def import_errors(request, batch_id: int) -> HttpResponse:
    return importer.error_workbook_response(request.auth, batch_id)
