"""Programme year, quotas (附件2) and work information (附件3) — SPEC §3.1."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.db import IntegrityError, transaction
from django.db.models import Sum

from lingjun.core import audit, permissions
from lingjun.core.errors import FieldIssue, InvalidTransition, NotFound, RuleViolation, ValidationFailed
from lingjun.core.validators import check_email, check_mobile, check_phone, check_required
from lingjun.institutions.models import Track
from lingjun.reference.models import Region

from .models import STATUS_FLOW, Programme, ProgrammeStatus, Quota, WorkInfo

PROGRAMME_FIELDS = (
    "year",
    "title",
    "notice_number",
    "target_trainees",
    "min_manufacturing_share",
    "registration_deadline",
    "planned_classes",
    "days_per_class",
    "tracks",
    "status",
)
STATUS_LABELS = dict(ProgrammeStatus.choices)


def programme_snapshot(p: Programme) -> dict:
    return {f: getattr(p, f) for f in PROGRAMME_FIELDS}


def _int_in(errors, field, value, label, lo, hi):
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            value = int(str(value).strip())
        except (TypeError, ValueError):
            errors.append(FieldIssue(field, "invalid_integer", f"{label}须为整数。"))
            return None
    if not lo <= value <= hi:
        errors.append(FieldIssue(field, "out_of_range", f"{label}须在 {lo} 到 {hi} 之间。"))
    return value


def _clean_programme(data: dict, partial: bool) -> dict:
    """Validate the programme fields present in `data` (all required ones unless `partial`)."""
    errors: list[FieldIssue] = []
    out: dict = {}
    required = ("year", "title", "target_trainees", "registration_deadline", "planned_classes")
    if not partial:
        for f in required:
            if data.get(f) in (None, ""):
                label = Programme._meta.get_field(f).verbose_name
                errors.append(FieldIssue(f, "required", f"请填写{label}。"))
    if data.get("year") not in (None, ""):
        out["year"] = _int_in(errors, "year", data["year"], "年度", 2000, 2100)
    if "title" in data and data["title"] is not None:
        out["title"] = check_required(errors, "title", data["title"], "名称", 200)
    if "notice_number" in data:
        out["notice_number"] = str(data["notice_number"] or "").strip()[:60]
    if data.get("target_trainees") not in (None, ""):
        out["target_trainees"] = _int_in(
            errors, "target_trainees", data["target_trainees"], "目标培训人数", 1, 100000
        )
    if "min_manufacturing_share" in data:
        raw = data["min_manufacturing_share"]
        if raw in (None, ""):
            out["min_manufacturing_share"] = None
        else:
            try:
                share = Decimal(str(raw))
                if not share.is_finite() or not 0 <= share <= 1:
                    raise InvalidOperation
                out["min_manufacturing_share"] = share.quantize(Decimal("0.001"))
            except InvalidOperation:
                errors.append(
                    FieldIssue(
                        "min_manufacturing_share",
                        "invalid_share",
                        "制造业企业最低占比须为 0 到 1 之间的小数，如 0.3 表示 30%。",
                    )
                )
    if data.get("registration_deadline") not in (None, ""):
        d = data["registration_deadline"]
        if isinstance(d, str):
            try:
                d = datetime.date.fromisoformat(d)
            except ValueError:
                d = None
        if not isinstance(d, datetime.date):
            errors.append(
                FieldIssue(
                    "registration_deadline", "invalid_date", "报名截止日期须为有效日期，格式 YYYY-MM-DD。"
                )
            )
        out["registration_deadline"] = d
    if data.get("planned_classes") not in (None, ""):
        out["planned_classes"] = _int_in(
            errors, "planned_classes", data["planned_classes"], "计划期数", 1, 500
        )
    if data.get("days_per_class") not in (None, ""):
        out["days_per_class"] = _int_in(errors, "days_per_class", data["days_per_class"], "每期天数", 1, 30)
    if "tracks" in data:
        tracks = list(dict.fromkeys(data["tracks"] or []))
        bad = [t for t in tracks if t not in Track.values]
        if bad:
            errors.append(
                FieldIssue("tracks", "invalid_choice", f"未知的培训方向：{'、'.join(map(str, bad))}。")
            )
        out["tracks"] = tracks
    if "status" in data and data["status"] not in (None, ""):
        if data["status"] not in ProgrammeStatus.values:
            errors.append(
                FieldIssue("status", "invalid_choice", "状态须为 draft、open、closed 或 archived。")
            )
        out["status"] = data["status"]
    if errors:
        raise ValidationFailed(errors)
    return out


def _year_taken(year) -> RuleViolation:
    return RuleViolation(
        "programme_year_exists",
        f"{year}年度的计划已存在，不能重复创建。",
        [FieldIssue("year", "programme_year_exists", f"{year}年度的计划已存在。")],
    )


@transaction.atomic
def create_programme(actor, data: dict) -> Programme:
    """Create a programme year (bureau only). A year has at most one programme (unique in the database)."""
    permissions.check(actor, "programme.create")
    values = _clean_programme(data, partial=False)
    values.setdefault("status", ProgrammeStatus.DRAFT)
    values.setdefault("days_per_class", 4)
    try:
        with transaction.atomic():
            programme = Programme.objects.create(**values)
    except IntegrityError:
        raise _year_taken(values["year"]) from None
    _ensure_quota_rows(programme)
    audit.record(
        actor, "programme.create", programme, after=programme_snapshot(programme), to_state=programme.status
    )
    return programme


@transaction.atomic
def update_programme(actor, programme_id: int, data: dict, reason: str = "") -> Programme:
    """Edit a programme; a status change must follow draft → open → closed → archived (closed may reopen)."""
    permissions.check(actor, "programme.edit")
    programme = Programme.objects.select_for_update().filter(pk=programme_id).first()
    if programme is None:
        raise NotFound()
    values = _clean_programme(data, partial=True)
    before = programme_snapshot(programme)
    new_status = values.get("status", programme.status)
    if new_status != programme.status and new_status not in STATUS_FLOW[programme.status]:
        raise InvalidTransition(programme.status, new_status, STATUS_LABELS)
    if programme.status == ProgrammeStatus.ARCHIVED and values:
        raise RuleViolation("programme_archived", "该年度计划已归档，不能再修改。")
    for k, v in values.items():
        setattr(programme, k, v)
    try:
        with transaction.atomic():
            programme.save()
    except IntegrityError:
        raise _year_taken(values.get("year")) from None
    b, a = audit.diff(before, programme_snapshot(programme))
    if a:
        audit.record(
            actor,
            "programme.update",
            programme,
            before=b,
            after=a,
            reason=reason,
            from_state=before["status"] if "status" in a else "",
            to_state=programme.status if "status" in a else "",
        )
    return programme


def visible_programmes(actor):
    """Drafts are the ministry's working copies: only the bureau and the centre see them."""
    qs = Programme.objects.order_by("-year")
    if getattr(actor, "role", None) not in ("bureau", "centre"):
        qs = qs.exclude(status=ProgrammeStatus.DRAFT)
    return qs


def get_visible_programme(actor, programme_id) -> Programme:
    programme = get_programme(programme_id)
    if programme.status == ProgrammeStatus.DRAFT and getattr(actor, "role", None) not in ("bureau", "centre"):
        raise NotFound("not_found", "该年度计划不存在。")
    return programme


def get_programme(programme_id) -> Programme:
    programme = Programme.objects.filter(pk=programme_id).first() if str(programme_id).isdigit() else None
    if programme is None:
        raise NotFound("not_found", "该年度计划不存在。")
    return programme


# --- Quotas (附件2) -----------------------------------------------------------------------------------


def _ensure_quota_rows(programme: Programme) -> None:
    existing = set(Quota.objects.filter(programme=programme).values_list("region_id", flat=True))
    missing = [
        Quota(programme=programme, region_id=code)
        for code in Region.objects.values_list("code", flat=True)
        if code not in existing
    ]
    if missing:
        Quota.objects.bulk_create(missing, ignore_conflicts=True)


def quota_table(programme: Programme) -> list[Quota]:
    _ensure_quota_rows(programme)
    return list(Quota.objects.filter(programme=programme).select_related("region").order_by("region_id"))


def quotas_dict(programme: Programme) -> dict[str, int]:
    return {q.region_id: q.amount for q in quota_table(programme)}


def quota_warnings(programme: Programme, total: int) -> list[dict]:
    if total != programme.target_trainees:
        return [
            {
                "code": "quota_total_differs_from_target",
                "message": f"名额合计 {total} 人，与目标培训人数 {programme.target_trainees} 人不一致。",
            }
        ]
    return []


def _clean_quotas(quotas) -> dict[str, int]:
    errors = []
    known = set(Region.objects.values_list("code", flat=True))
    out = {}
    if not isinstance(quotas, dict):
        raise ValidationFailed([FieldIssue("quotas", "invalid_quotas", "名额须为“地区代码: 人数”的对象。")])
    for code, value in quotas.items():
        code = str(code).strip()
        field = f"quotas.{code}"
        if code not in known:
            errors.append(FieldIssue(field, "unknown_region", f"未知的地区代码“{code}”。"))
            continue
        if isinstance(value, bool) or value is None:
            errors.append(FieldIssue(field, "invalid_quota", "名额须为不小于 0 的整数。"))
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().isdecimal() and value.strip().isascii():
            value = int(value.strip())
        if not isinstance(value, int) or value < 0:
            errors.append(FieldIssue(field, "invalid_quota", "名额须为不小于 0 的整数。"))
            continue
        if value > 100000:
            errors.append(FieldIssue(field, "invalid_quota", "名额不能超过 100000。"))
            continue
        out[code] = value
    if errors:
        raise ValidationFailed(errors)
    return out


@transaction.atomic
def set_quotas(actor, programme_id: int, quotas: dict, reason: str = "") -> dict:
    """Replace the programme's quotas (regions left out get 0). A quota never goes below the live
    registrations already counted against it: the conditional UPDATE refuses, and nothing is stored."""
    permissions.check(actor, "quota.edit")
    programme = get_programme(programme_id)
    if programme.status == ProgrammeStatus.ARCHIVED:
        raise RuleViolation("programme_archived", "该年度计划已归档，不能再修改名额。")
    clean = _clean_quotas(quotas)
    before = quotas_dict(programme)
    after = {code: clean.get(code, 0) for code in before}
    too_low = []
    for code, amount in after.items():
        if amount == before[code]:
            continue
        updated = Quota.objects.filter(programme=programme, region_id=code, used__lte=amount).update(
            amount=amount
        )
        if not updated:
            too_low.append(code)
    if too_low:
        used = dict(
            Quota.objects.filter(programme=programme, region_id__in=too_low).values_list("region_id", "used")
        )
        names = dict(Region.objects.filter(code__in=too_low).values_list("code", "name"))
        raise RuleViolation(
            "quota_below_used",
            "名额不能少于该地区已报名的人数，未作任何修改。",
            [
                FieldIssue(
                    f"quotas.{c}", "quota_below_used", f"{names[c]}已有 {used[c]} 人报名，名额不能少于此数。"
                )
                for c in too_low
            ],
        )
    total = sum(after.values())
    b, a = audit.diff(before, after)
    if a:
        audit.record(
            actor, "quota.update", programme, object_type="programme", before=b, after=a, reason=reason
        )
    return {"quotas": after, "total": total, "warnings": quota_warnings(programme, total)}


def propose_quotas(total, weights) -> dict[str, int]:
    """Largest-remainder (Hamilton) apportionment of `total` by `weights` (SPEC §3.1).

    Exact arithmetic (fractions), so the result sums to `total` exactly and is deterministic; ties of
    remainder go to the lower region code; every region gets at least the floor of its exact share.
    Regions with weight 0 get 0. Nothing is saved."""
    errors = []
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        errors.append(FieldIssue("total", "invalid_total", "总名额须为不小于 0 的整数。"))
    known = set(Region.objects.values_list("code", flat=True))
    clean: dict[str, Fraction] = {}
    if not isinstance(weights, dict) or not weights:
        errors.append(FieldIssue("weights", "weights_required", "请提供各地区的权重。"))
        weights = {}
    for code, w in weights.items():
        field = f"weights.{code}"
        if str(code) not in known:
            errors.append(FieldIssue(field, "unknown_region", f"未知的地区代码“{code}”。"))
            continue
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w < 0:
            errors.append(FieldIssue(field, "invalid_weight", "权重须为不小于 0 的数。"))
            continue
        clean[str(code)] = Fraction(str(w))
    if not errors and total > 0 and sum(clean.values()) == 0:
        errors.append(FieldIssue("weights", "weights_all_zero", "权重之和须大于 0。"))
    if errors:
        raise ValidationFailed(errors)
    weight_sum = sum(clean.values())
    result = {code: 0 for code in clean}
    if total == 0:
        return dict(sorted(result.items()))
    shares = {code: total * w / weight_sum for code, w in clean.items()}
    for code, share in shares.items():
        result[code] = math.floor(share)
    left = total - sum(result.values())
    by_remainder = sorted((c for c in shares if clean[c] > 0), key=lambda c: (-(shares[c] - result[c]), c))
    for code in by_remainder[:left]:
        result[code] += 1
    return dict(sorted(result.items()))


# --- Work information (附件3) -------------------------------------------------------------------------

WORK_INFO_FIELDS = (
    "department",
    "leader_name",
    "leader_position",
    "leader_phone",
    "liaison_name",
    "liaison_position",
    "liaison_phone",
    "liaison_mobile",
    "liaison_email",
)


def work_info_dict(info: WorkInfo | None) -> dict:
    return {f: getattr(info, f) if info else "" for f in WORK_INFO_FIELDS}


def _clean_work_info(data: dict) -> dict:
    errors: list[FieldIssue] = []
    out = {
        "department": check_required(errors, "department", data.get("department"), "单位名称", 100),
        "leader_name": check_required(errors, "leader_name", data.get("leader_name"), "分管负责人姓名", 40),
        "leader_position": check_required(
            errors, "leader_position", data.get("leader_position"), "分管负责人职务", 60
        ),
        "leader_phone": check_phone(errors, "leader_phone", data.get("leader_phone"), "分管负责人办公电话"),
        "liaison_name": check_required(errors, "liaison_name", data.get("liaison_name"), "联系人姓名", 40),
        "liaison_position": check_required(
            errors, "liaison_position", data.get("liaison_position"), "联系人职务", 60
        ),
        "liaison_phone": check_phone(errors, "liaison_phone", data.get("liaison_phone"), "联系人办公电话"),
        "liaison_mobile": check_mobile(errors, "liaison_mobile", data.get("liaison_mobile"), "联系人手机"),
        "liaison_email": check_email(errors, "liaison_email", data.get("liaison_email"), "联系人电子邮箱"),
    }
    if errors:
        raise ValidationFailed(errors)
    return out


def _region(code) -> Region:
    region = Region.objects.filter(code=str(code)).first()
    if region is None:
        raise NotFound("unknown_region", f"未知的地区代码“{code}”。")
    return region


def get_work_info(actor, programme_id, region_code) -> tuple[Programme, Region, WorkInfo | None]:
    permissions.check(actor, "workinfo.view")
    programme = get_programme(programme_id)
    region = _region(region_code)
    permissions.check(actor, "workinfo.view", region)
    return programme, region, WorkInfo.objects.filter(programme=programme, region=region).first()


@transaction.atomic
def save_work_info(actor, programme_id, region_code, data: dict) -> WorkInfo:
    """A region officer fills its own region's 附件3 (SPEC §3.1); another region's form is out of scope."""
    permissions.check(actor, "workinfo.edit")
    programme = get_programme(programme_id)
    region = _region(region_code)
    permissions.check(actor, "workinfo.edit", region)
    if programme.status == ProgrammeStatus.ARCHIVED:
        raise RuleViolation("programme_archived", "该年度计划已归档，不能再修改工作信息。")
    values = _clean_work_info(data)
    info = WorkInfo.objects.select_for_update().filter(programme=programme, region=region).first()
    before = work_info_dict(info) if info else None
    if info is None:
        try:
            with transaction.atomic():
                info = WorkInfo.objects.create(
                    programme=programme, region=region, submitted_by=actor, **values
                )
        except IntegrityError:  # a colleague saved first: update theirs
            info = WorkInfo.objects.select_for_update().get(programme=programme, region=region)
            before = work_info_dict(info)
    if before is not None:
        for k, v in values.items():
            setattr(info, k, v)
        info.submitted_by = actor
        info.save()
    b, a = audit.diff(before, values)
    audit.record(actor, "workinfo.save", info, before=b, after=a if before else values)
    return info


def work_info_tracking(programme: Programme) -> list[tuple[Region, WorkInfo | None]]:
    infos = {w.region_id: w for w in WorkInfo.objects.filter(programme=programme)}
    return [(r, infos.get(r.code)) for r in Region.objects.order_by("code")]


def export_work_info(actor, programme_id):
    """The national 附件3 sheet holds liaison phones and e-mails (personal data): the export is audited."""
    from .exports import work_info_sheet

    permissions.check(actor, "workinfo.track")
    programme = get_programme(programme_id)
    audit.record(actor, "workinfo.export", programme, object_type="programme")
    return programme, work_info_sheet(programme)


def current_programme_or_404() -> Programme:
    """The current programme for pages that open "this year's" view; 404 with a Chinese message before any."""
    programme = current_programme()
    if programme is None:
        raise NotFound("not_found", "还没有年度计划。")
    return programme


def current_programme() -> Programme | None:
    """The programme people are working on: the latest open one, else the latest year."""
    return (
        Programme.objects.filter(status=ProgrammeStatus.OPEN).order_by("-year").first()
        or Programme.objects.order_by("-year").first()
    )


def programme_totals(programme: Programme) -> dict:
    agg = Quota.objects.filter(programme=programme).aggregate(amount=Sum("amount"), used=Sum("used"))
    return {"quota_total": agg["amount"] or 0, "used_total": agg["used"] or 0}
