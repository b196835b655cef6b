"""Alumni follow-up, re-training and the trainee's own data (SPEC §3.7; PIPL right of access).

Every public function that changes state checks its rule, writes and audits in one transaction.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models import Q as models_q
from django.utils import timezone

from lingjun.core import audit, permissions
from lingjun.core.errors import FieldIssue, NotFound, RuleViolation, ValidationFailed
from lingjun.core.scoping import scopes_disabled
from lingjun.registrations import services as registration_services
from lingjun.registrations.models import Enterprise, Registration

from .archive import ARCHIVE_STATUSES
from .models import PERIOD_PATTERN, OperationReport, ServiceKind, ServiceRecord

_NOT_FOUND = "企业不存在或不在您的管辖范围内。"


# --- which enterprises an officer follows up ---------------------------------------------------------


def followed_enterprises():
    """Enterprises with a trainee in the (scoped) archive: a region officer's own region's alumni only."""
    trained = Registration.objects.filter(enterprise=OuterRef("pk"), status__in=ARCHIVE_STATUSES)
    return Enterprise.objects.filter(Exists(trained))


def followed_list(actor, *, q: str = "", without_reports: bool = False):
    """企业跟踪 list: the trained enterprises the actor follows (a region: its own trainees' enterprises),
    newest first, each with its latest report period and number of service records (computed for the page
    shown only, as correlated subqueries on indexed columns)."""
    from django.db.models import Count, IntegerField, Subquery

    permissions.check(actor, "followup.view")
    with scopes_disabled():
        latest = (
            OperationReport.objects.filter(enterprise=OuterRef("pk")).order_by("-period").values("period")[:1]
        )
        served = (
            ServiceRecord.objects.filter(enterprise=OuterRef("pk"))
            .order_by()
            .values("enterprise")
            .annotate(n=Count("id"))
            .values("n")
        )
        has_report = OperationReport.objects.filter(enterprise=OuterRef("pk"))
    # Drive from the (scoped) registrations in the archive — a region's few thousand, via the region index —
    # instead of testing every enterprise of the nation with EXISTS.
    trained = Registration.objects.filter(status__in=ARCHIVE_STATUSES).values("enterprise_id")
    qs = (
        Enterprise.objects.filter(id__in=trained)
        .select_related("region")
        .annotate(last_period=Subquery(latest), service_count=Subquery(served, output_field=IntegerField()))
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(models_q(name__contains=q) | models_q(credit_code=q.upper()))
    if without_reports:
        qs = qs.filter(~Exists(has_report))
    return qs.order_by("-id")


def get_enterprise(actor, credit_code, action: str = "followup.view") -> Enterprise:
    """A trained enterprise the actor may follow up. For a region officer that means one of its region's
    trainees took part for this enterprise; anything else is 404 (its existence is not revealed)."""
    permissions.check(actor, action)
    code = str(credit_code or "").strip().upper()
    enterprise = followed_enterprises().filter(credit_code=code).first() if code else None
    if enterprise is None:
        raise NotFound("not_found", _NOT_FOUND)
    return enterprise


def _follow_region(actor, enterprise: Enterprise) -> str:
    """The region recorded on a report or service: the officer's own."""
    return actor.region_id


# --- operation reports -------------------------------------------------------------------------------

REPORT_LABELS = {
    "period": "报告期",
    "revenue": "营业收入",
    "employees": "从业人员",
    "rnd_spend": "研发投入",
    "patents": "专利数",
    "export_revenue": "出口额",
    "financing": "融资额",
    "note": "备注",
}
MONEY_LIMIT = Decimal("999999999999.99")


def _money(data, name, errors, required=True):
    value = data.get(name)
    label = REPORT_LABELS[name]
    if value in (None, ""):
        if required:
            errors.append(FieldIssue(name, "required", f"请填写{label}（万元）。"))
        return None
    if isinstance(value, bool):
        errors.append(FieldIssue(name, "invalid_number", f"{label}须为数字（万元）。"))
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors.append(FieldIssue(name, "invalid_number", f"{label}须为数字（万元）。"))
        return None
    if not amount.is_finite() or amount < 0:
        errors.append(FieldIssue(name, "negative_amount", f"{label}不能为负数。"))
        return None
    if amount > MONEY_LIMIT:
        errors.append(FieldIssue(name, "too_large", f"{label}数值过大，请以万元为单位填写。"))
        return None
    return amount.quantize(Decimal("0.01"))


def _count(data, name, errors):
    value = data.get(name)
    label = REPORT_LABELS[name]
    if value in (None, ""):
        errors.append(FieldIssue(name, "required", f"请填写{label}。"))
        return None
    if isinstance(value, bool):
        errors.append(FieldIssue(name, "invalid_integer", f"{label}须为非负整数。"))
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value() or number < 0:
        errors.append(FieldIssue(name, "invalid_integer", f"{label}须为非负整数。"))
        return None
    if number > 2_000_000_000:
        errors.append(FieldIssue(name, "too_large", f"{label}数值过大。"))
        return None
    return int(number)


def clean_report(data: dict) -> dict:
    """Validate one report (API body, form or sheet row); every problem names its field (422)."""
    errors: list[FieldIssue] = []
    period = str(data.get("period") or "").strip().upper()
    if not period:
        errors.append(FieldIssue("period", "required", "请填写报告期，如 2025 或 2025-Q2。"))
    elif not re.match(PERIOD_PATTERN, period):
        errors.append(
            FieldIssue("period", "invalid_period", "报告期格式应为 2025、2025-H1、2025-Q2 或 2025-07。")
        )
    elif int(period[:4]) > timezone.localdate().year:
        errors.append(FieldIssue("period", "future_period", "报告期不能晚于本年度。"))
    clean = {
        "period": period,
        "revenue": _money(data, "revenue", errors),
        "employees": _count(data, "employees", errors),
        "rnd_spend": _money(data, "rnd_spend", errors),
        "patents": _count(data, "patents", errors),
        "export_revenue": _money(data, "export_revenue", errors, required=False),
        "financing": _money(data, "financing", errors, required=False),
        "note": str(data.get("note") or "").strip()[:300],
    }
    if errors:
        raise ValidationFailed(errors)
    return clean


@transaction.atomic
def add_report(actor, credit_code, data: dict) -> OperationReport:
    """Record one period of a trained enterprise's operation. Only the region whose trainee it is may write
    (others: 404); one report per enterprise and period (duplicate → 409 `duplicate_period`)."""
    enterprise = get_enterprise(actor, credit_code, "followup.edit")
    clean = clean_report(data)
    report = OperationReport(
        enterprise=enterprise, region_id=_follow_region(actor, enterprise), created_by=actor, **clean
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise RuleViolation(
            "duplicate_period",
            f"该企业{clean['period']}的经营情况已填报，不能重复填报。",
            [FieldIssue("period", "duplicate_period", f"报告期 {clean['period']} 已有记录。")],
        ) from None
    audit.record(actor, "followup.report", report, after=clean, label=f"{enterprise.name} {clean['period']}")
    return report


def reports(actor, credit_code):
    enterprise = get_enterprise(actor, credit_code)
    # Every region's reports on an enterprise the actor may see: the enterprise check above is the scope.
    with scopes_disabled():
        rows = list(OperationReport.objects.filter(enterprise=enterprise).order_by("period"))
    return enterprise, rows


# --- service records (助企服务) -------------------------------------------------------------------------


def clean_service(data: dict) -> dict:
    errors: list[FieldIssue] = []
    raw_date = data.get("date")
    date = None
    if raw_date in (None, ""):
        errors.append(FieldIssue("date", "required", "请填写服务日期。"))
    else:
        try:
            date = (
                raw_date
                if isinstance(raw_date, datetime.date)
                else datetime.date.fromisoformat(str(raw_date))
            )
        except ValueError:
            errors.append(FieldIssue("date", "invalid_date", "服务日期格式应为 YYYY-MM-DD。"))
        else:
            if date > timezone.localdate():
                errors.append(FieldIssue("date", "future_date", "服务日期不能晚于今天。"))
    kind = str(data.get("kind") or "").strip()
    kinds = dict(ServiceKind.choices)
    reverse = {label: code for code, label in kinds.items()}
    kind = reverse.get(kind, kind)
    if kind not in kinds:
        errors.append(FieldIssue("kind", "invalid_kind", "服务类别须为：" + "、".join(kinds.values()) + "。"))
    description = str(data.get("description") or "").strip()
    if not description:
        errors.append(FieldIssue("description", "required", "请填写服务内容。"))
    elif len(description) > 2000:
        errors.append(FieldIssue("description", "too_long", "服务内容不能超过 2000 字。"))
    outcome = str(data.get("outcome") or "").strip()[:2000]
    if errors:
        raise ValidationFailed(errors)
    return {"date": date, "kind": kind, "description": description, "outcome": outcome}


@transaction.atomic
def add_service(actor, credit_code, data: dict) -> ServiceRecord:
    enterprise = get_enterprise(actor, credit_code, "followup.edit")
    clean = clean_service(data)
    record = ServiceRecord.objects.create(
        enterprise=enterprise, region_id=_follow_region(actor, enterprise), created_by=actor, **clean
    )
    audit.record(actor, "followup.service", record, after=clean, label=f"{enterprise.name} {record}")
    return record


def services_of(actor, credit_code):
    enterprise = get_enterprise(actor, credit_code)
    with scopes_disabled():
        rows = list(ServiceRecord.objects.filter(enterprise=enterprise).order_by("-date", "-id"))
    return enterprise, rows


def enterprise_page(actor, credit_code) -> dict:
    """Everything the enterprise page shows: the enterprise, its trainees' participations (scoped), reports
    and services."""
    enterprise, report_rows = reports(actor, credit_code)
    with scopes_disabled():
        service_rows = list(
            ServiceRecord.objects.filter(enterprise=enterprise).order_by("-date", "-id")[:200]
        )
    participations = list(
        Registration.objects.filter(enterprise=enterprise, status__in=ARCHIVE_STATUSES)
        .select_related("trainee", "programme", "training_class", "region")
        .order_by("-programme__year")
    )
    return {
        "enterprise": enterprise,
        "reports": report_rows,
        "services": service_rows,
        "participations": participations,
    }


# --- re-training (复训) ---------------------------------------------------------------------------------


def _payload_from(earlier: Registration, declarations: dict | None) -> dict:
    """An API body for the same person and enterprise as the earlier participation, so registration
    validation (R4, R5) and every registration rule run exactly as for a new registration."""
    from lingjun.registrations import identity

    t, e = earlier.trainee, earlier.enterprise
    with scopes_disabled():
        qualifications = list(e.qualifications.values_list("code", flat=True))
    return {
        "trainee": {
            "name": t.name,
            "gender": t.gender,
            "ethnicity": t.ethnicity,
            "id_number": identity.decrypt_id(t.id_number_encrypted),
            "political_status": t.political_status,
            "education": t.education,
            "position": t.position,
            "is_principal": earlier.is_principal,
            "principal_justification": earlier.principal_justification or None,
            "mobile": t.mobile,
            "email": t.email,
        },
        "enterprise": {
            "name": e.name,
            "credit_code": e.credit_code,
            "industry_division": e.industry_division,
            "employees": e.employees,
            "revenue": e.revenue,
            "total_assets": e.total_assets,
            "qualifications": qualifications,
            "address": e.address,
        },
        "declarations": declarations or {"voluntary": False, "no_bad_record": False, "fit_to_attend": False},
        "preferred_classes": [],
    }


@transaction.atomic
def invite_to_retraining(
    actor,
    registration_id,
    programme_id,
    *,
    declarations: dict | None = None,
    submit: bool = False,
    late_reason: str = "",
) -> Registration:
    """复训: invite an alumnus of an earlier programme into a later one (2021 notice: the centre organises
    re-training). A new registration is created for the same person and enterprise through
    registrations.services.create_registration, so R1 (one enterprise, one person a year), R2 (quota), R3
    (deadline) and R5 hold as for anyone; only R8 (earlier training) is waived, as SPEC §3.2 says. The
    earlier participation is left untouched: the archive keeps both."""
    permissions.check(actor, "retraining.invite")
    earlier = (
        Registration.objects.select_related("trainee", "enterprise", "programme")
        .filter(pk=registration_id, status__in=ARCHIVE_STATUSES)
        .first()
        if str(registration_id).isdigit()
        else None
    )
    if earlier is None:
        raise NotFound("not_found", "往期学员记录不存在或不在您的管辖范围内。")
    target = registration_services._programme(programme_id)
    if target.year <= earlier.programme.year:
        raise RuleViolation(
            "not_a_later_programme",
            f"复训须邀请到晚于{earlier.programme.year}年度的培训计划。",
            [FieldIssue("programme", "not_a_later_programme", "请选择更晚年度的培训计划。")],
        )
    reg = registration_services.create_registration(
        actor,
        target.pk,
        _payload_from(earlier, declarations),
        submit=submit,
        region_code=earlier.region_id,
        late_reason=late_reason,
        is_retraining=True,
        source="retrain",
    )
    audit.record(
        actor,
        "registration.retraining_invite",
        reg,
        reason=f"复训：往期报名 #{earlier.pk}（{earlier.programme.year}年）",
    )
    return reg


# --- the trainee's own data (PIPL right of access) ------------------------------------------------------


def personal_data(actor) -> dict:
    """All personal data the platform holds about the signed-in trainee, as one JSON document (《个人信息
    保护法》第四十五条: the right to access and copy). The resident ID number stays masked, as on every
    screen (SPEC §5: unmasked output is a centre-only action). The export itself is audited."""
    permissions.check(actor, "personal_data.export_own")
    from lingjun.attendance.models import AttendanceRecord, LeaveRequest
    from lingjun.certificates.models import Certificate
    from lingjun.core.models import AuditEntry

    trainee = getattr(actor, "trainee", None)
    with scopes_disabled():
        regs = list(
            Registration.objects.filter(trainee__user=actor)
            .select_related("programme", "enterprise", "region", "training_class")
            .order_by("programme__year", "id")
        )
        attendance = list(
            AttendanceRecord.objects.filter(registration__in=regs)
            .select_related("session")
            .order_by("session__date", "session__start")
        )
        leave = list(
            LeaveRequest.objects.filter(registration__in=regs)
            .prefetch_related("sessions")
            .order_by("created_at")
        )
        certs = list(Certificate.objects.filter(registration__in=regs).order_by("issued_at"))
        actions = list(AuditEntry.objects.filter(actor=actor).order_by("at")[:1000])
    data = {
        "generated_at": timezone.now().isoformat(),
        "account": {
            "username": actor.username,
            "display_name": getattr(actor, "display_name", ""),
            "email": actor.email,
            "role": actor.role,
            "date_joined": actor.date_joined.isoformat() if actor.date_joined else None,
            "last_login": actor.last_login.isoformat() if actor.last_login else None,
        },
        "person": None
        if trainee is None
        else {
            "name": trainee.name,
            "gender": trainee.get_gender_display(),
            "ethnicity": trainee.ethnicity,
            "birth_date": trainee.birth_date.isoformat(),
            "id_number": trainee.id_number_masked,
            "political_status": trainee.political_status,
            "education": trainee.education,
            "position": trainee.position,
            "mobile": trainee.mobile,
            "email": trainee.email,
        },
        "registrations": [
            {
                "id": r.pk,
                "programme": r.programme.title,
                "year": r.programme.year,
                "status": r.get_status_display(),
                "region": r.region.name,
                "is_retraining": r.is_retraining,
                "enterprise": {
                    "name": r.enterprise.name,
                    "credit_code": r.enterprise.credit_code,
                    "address": r.enterprise.address,
                    "industry_division": r.enterprise.industry_division,
                    "employees": r.enterprise.employees,
                    "revenue": str(r.enterprise.revenue),
                    "total_assets": str(r.enterprise.total_assets),
                },
                "is_principal": r.is_principal,
                "principal_justification": r.principal_justification,
                "declarations": {
                    "voluntary": r.declared_voluntary,
                    "no_bad_record": r.declared_no_bad_record,
                    "fit_to_attend": r.declared_fit,
                },
                "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
                "class": r.training_class.label if r.training_class else None,
                "review_note": r.review_note,
            }
            for r in regs
        ],
        "attendance": [
            {
                "registration": a.registration_id,
                "session": str(a.session),
                "status": a.get_status_display(),
                "checked_in_at": a.checked_in_at.isoformat() if a.checked_in_at else None,
                "device_id": a.device_id,
                "client_ip": a.client_ip,
            }
            for a in attendance
        ],
        "leave_requests": [
            {
                "id": lr.pk,
                "reason": lr.reason,
                "status": lr.get_status_display(),
                "sessions": [str(s) for s in lr.sessions.all()],
                "created_at": lr.created_at.isoformat(),
            }
            for lr in leave
        ],
        "certificates": [
            {
                "number": c.number,
                "issued_on": c.issued_on.isoformat(),
                "status": "有效" if c.is_valid else "已撤销",
            }
            for c in certs
        ],
        "my_actions": [
            {
                "at": e.at.isoformat(),
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "client_ip": e.client_ip,
            }
            for e in actions
        ],
    }
    audit.record(
        actor,
        "personal_data.export",
        actor,
        object_type="user",
        label=actor.username,
        reason="本人查阅、复制个人信息（个人信息保护法第四十五条）",
    )
    return data


# --- operation reports uploaded as a sheet ---------------------------------------------------------------

REPORT_COLUMNS = [
    ("period", "报告期"),
    ("revenue", "营业收入（万元）"),
    ("employees", "从业人员（人）"),
    ("rnd_spend", "研发投入（万元）"),
    ("patents", "专利数（件）"),
    ("export_revenue", "出口额（万元）"),
    ("financing", "融资额（万元）"),
    ("note", "备注"),
]
MAX_REPORT_ROWS = 500


def _sheet_value(value):
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # calamine gives 2024.0 for a cell typed as a number
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def read_report_sheet(data: bytes) -> list[tuple[int, dict]]:
    """→ [(Excel row number, {field: text})] from the 企业经营情况 sheet (header row starts with 报告期)."""
    import io

    from python_calamine import CalamineWorkbook

    from lingjun.registrations.importer import MAX_UPLOAD_BYTES

    def refuse(code, message):
        return ValidationFailed([FieldIssue("file", code, message)])

    if not data:
        raise refuse("empty_file", "上传的文件是空的。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise refuse("file_too_large", "文件过大，请拆分后上传。")
    if not data.startswith(b"PK\x03\x04"):
        raise refuse("not_xlsx", "文件不是 Excel 工作簿（.xlsx），请另存为 .xlsx 后上传。")
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # noqa: BLE001 - any parser failure means an unreadable workbook
        raise refuse("not_xlsx", "无法读取该工作簿，请确认是有效的 .xlsx 文件。") from None
    header_at = next((i for i, row in enumerate(rows[:6]) if row and _sheet_value(row[0]) == "报告期"), None)
    if header_at is None:
        raise refuse("header_not_found", "未找到表头行（第一列应为“报告期”）。请使用平台提供的模板。")
    header = [_sheet_value(c) for c in rows[header_at]]
    index = {}
    for field, label in REPORT_COLUMNS:
        if label in header:
            index[field] = header.index(label)
        elif field not in ("export_revenue", "financing", "note"):
            raise refuse("column_missing", f"缺少“{label}”列。请使用平台提供的模板。")
    out = []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        values = {f: _sheet_value(row[i]) if i < len(row) else "" for f, i in index.items()}
        if any(values.values()):
            out.append((offset, values))
    if not out:
        raise refuse("no_rows", "表中没有数据行。")
    if len(out) > MAX_REPORT_ROWS:
        raise refuse("too_many_rows", f"一次最多上传 {MAX_REPORT_ROWS} 行。")
    return out


@transaction.atomic
def import_reports(actor, credit_code, data: bytes) -> list[OperationReport]:
    """Upload several periods at once. All or nothing: every row is checked like a single report (same
    rules, same codes); if any row is wrong nothing is stored and each error names its row and column."""
    enterprise = get_enterprise(actor, credit_code, "followup.edit")
    rows = read_report_sheet(data)
    labels = dict(REPORT_COLUMNS)
    with scopes_disabled():
        taken = set(OperationReport.objects.filter(enterprise=enterprise).values_list("period", flat=True))
    errors, cleaned, seen = [], [], {}
    for number, values in rows:
        try:
            clean = clean_report(values)
        except ValidationFailed as exc:
            errors.extend(
                FieldIssue(
                    f"rows[{number}].{e.field}",
                    e.code,
                    f"第{number}行“{labels.get(e.field, e.field)}”：" + e.message,
                )
                for e in exc.errors
            )
            continue
        period = clean["period"]
        if period in taken or period in seen:
            where = f"与第{seen[period]}行重复" if period in seen else "已有记录"
            errors.append(
                FieldIssue(
                    f"rows[{number}].period", "duplicate_period", f"第{number}行“报告期”：{period} {where}。"
                )
            )
            continue
        seen[period] = number
        cleaned.append(clean)
    if errors:
        raise ValidationFailed(
            errors,
            detail=f"表中有 {len(errors)} 处错误，未导入任何数据，请修改后重新上传。"
            if len(errors) > 1
            else errors[0].message,
        )
    reports = [
        OperationReport(enterprise=enterprise, region_id=actor.region_id, created_by=actor, **c)
        for c in cleaned
    ]
    OperationReport.objects.bulk_create(reports)
    audit.record(
        actor,
        "followup.report_import",
        enterprise,
        label=enterprise.name,
        after={"periods": [c["period"] for c in cleaned]},
    )
    return reports


def report_template() -> bytes:
    from lingjun.core.exports import Sheet, build_xlsx

    return build_xlsx(
        [
            Sheet(
                name="企业经营情况",
                headers=[label for _, label in REPORT_COLUMNS],
                rows=[],
                subtitle=(
                    "每行一个报告期，写作 2025、2025-H1、2025-Q2 或 2025-07；金额单位为万元；"
                    "出口额、融资额、备注可不填。例：2024 | 8200 | 130 | 410 | 12"
                ),
                text_columns={0},
                widths=[12, 16, 14, 16, 12, 14, 14, 30],
            )
        ]
    )
