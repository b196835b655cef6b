"""Classes, timetable, faculty and placement (SPEC §3.3; API.md classes rows; issue #4).

Races are decided in the database: a class's seats by a conditional UPDATE of `enrolled` (CHECK enrolled <=
capacity); timetable overlaps by locking the class (and the faculty member) row, then checking, inside the
transaction that inserts — the pattern pretix uses for quotas."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from lingjun.core import audit, permissions
from lingjun.core.errors import FieldIssue, InvalidTransition, NotFound, RuleViolation, ValidationFailed
from lingjun.core.validators import check_mobile, check_required
from lingjun.institutions.models import Institution, InstitutionYearStatus, Track
from lingjun.programmes.models import Programme
from lingjun.reference.models import Topic
from lingjun.registrations.models import Registration

from .models import AffiliationKind, ClassStatus, Faculty, SessionFormat, TimetableSession, TrainingClass
from .placement import Candidate, Seat, place

CLASS_FIELDS = (
    "number",
    "track",
    "institution_id",
    "city",
    "venue",
    "start_date",
    "end_date",
    "capacity",
    "head_teacher",
    "head_teacher_phone",
    "status",
)


def _date(errors, field, value, label):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.append(
            FieldIssue(
                field,
                "invalid_date" if value not in (None, "") else "required",
                f"{label}须为有效日期，格式 YYYY-MM-DD。",
            )
        )
        return None


def _time(errors, field, value, label):
    try:
        parsed = value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))
        if parsed.tzinfo is not None:  # "09:00+08:00": sessions are in the class's local time (API.md: HH:MM)
            errors.append(FieldIssue(field, "invalid_time", f"{label}须为当地时间，格式 HH:MM，不带时区。"))
            return None
        return parsed
    except (TypeError, ValueError):
        errors.append(
            FieldIssue(
                field,
                "invalid_time" if value not in (None, "") else "required",
                f"{label}须为有效时间，格式 HH:MM。",
            )
        )
        return None


def _positive_int(errors, field, value, label):
    try:
        if isinstance(value, bool):
            raise ValueError
        v = int(value)
        if v <= 0 or str(v) != str(value).strip():
            raise ValueError
        return v
    except (TypeError, ValueError):
        errors.append(FieldIssue(field, "invalid_integer", f"{label}须为正整数。"))
        return None


def get_class(actor, class_id, lock=False) -> TrainingClass:
    """A class the actor may see: institution staff only their own (scoped in the ORM), others 404."""
    qs = TrainingClass.objects.select_related("programme", "institution")
    if lock:
        qs = qs.select_for_update(of=("self",))
    tc = qs.filter(pk=class_id).first() if str(class_id).isdigit() else None
    if tc is None:
        raise NotFound("not_found", "班级不存在或不在您的管辖范围内。")
    return tc


def is_suspended(institution_id, programme_id) -> bool:
    return InstitutionYearStatus.objects.filter(
        institution_id=institution_id, programme_id=programme_id, status="suspended"
    ).exists()


def _clean_class(
    programme: Programme, data: dict, partial=False, current: TrainingClass | None = None
) -> dict:
    errors: list[FieldIssue] = []
    out = {}
    if not partial or "number" in data:
        out["number"] = _positive_int(errors, "number", data.get("number"), "期次")
    if not partial or "track" in data:
        if data.get("track") not in Track.values:
            errors.append(
                FieldIssue(
                    "track",
                    "invalid_choice",
                    "培训方向须为：" + "、".join(label for _, label in Track.choices) + "。",
                )
            )
        out["track"] = data.get("track")
    if not partial or "institution" in data:
        inst = (
            Institution.objects.filter(pk=data.get("institution")).first()
            if str(data.get("institution", "")).isdigit()
            else None
        )
        if inst is None:
            errors.append(FieldIssue("institution", "unknown_institution", "请选择有效的培训承担机构。"))
        out["institution_id"] = inst.pk if inst else None
    if not partial or "city" in data:
        out["city"] = check_required(errors, "city", data.get("city"), "城市", 40)
    if "venue" in data:
        out["venue"] = str(data.get("venue") or "").strip()[:200]
    if not partial or "start_date" in data:
        out["start_date"] = _date(errors, "start_date", data.get("start_date"), "开班日期")
    if "end_date" in data and data.get("end_date") not in (None, ""):
        out["end_date"] = _date(errors, "end_date", data.get("end_date"), "结业日期")
    elif not partial and out.get("start_date"):
        out["end_date"] = out["start_date"] + datetime.timedelta(days=programme.days_per_class - 1)
    if not partial or "capacity" in data:
        out["capacity"] = _positive_int(errors, "capacity", data.get("capacity"), "容量")
    if "head_teacher" in data:
        out["head_teacher"] = str(data.get("head_teacher") or "").strip()[:50]
    if data.get("head_teacher_phone"):
        out["head_teacher_phone"] = check_mobile(
            errors, "head_teacher_phone", data["head_teacher_phone"], "班主任手机"
        )
    if "status" in data and data["status"] not in (None, ""):
        if data["status"] not in ClassStatus.values:
            errors.append(
                FieldIssue("status", "invalid_choice", "状态须为 planned、open、finished 或 cancelled。")
            )
        out["status"] = data["status"]
    start = out.get("start_date", current.start_date if current else None)
    end = out.get("end_date", current.end_date if current else None)
    if start and end and end < start:
        errors.append(FieldIssue("end_date", "end_before_start", "结业日期不能早于开班日期。"))
    if errors:
        raise ValidationFailed(errors)
    return out


def _snapshot(tc: TrainingClass) -> dict:
    return {f: getattr(tc, f) for f in CLASS_FIELDS}


@transaction.atomic
def create_class(actor, programme_id, data: dict) -> TrainingClass:
    """The centre opens a class. A suspended institution cannot be given classes that year (SPEC §3.3)."""
    permissions.check(actor, "class.create")
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise NotFound("not_found", "该年度计划不存在。")
    values = _clean_class(programme, data)
    if is_suspended(values["institution_id"], programme.pk):
        raise RuleViolation(
            "institution_suspended",
            "该机构在本年度已被暂停承担培训任务，不能安排班级。",
            [FieldIssue("institution", "institution_suspended", "该机构本年度已暂停。")],
        )
    try:
        with transaction.atomic():
            tc = TrainingClass.objects.create(programme=programme, **values)
    except IntegrityError:
        raise RuleViolation(
            "class_number_exists",
            f"第{values['number']}期已存在。",
            [FieldIssue("number", "class_number_exists", "该期次已存在。")],
        ) from None
    audit.record(actor, "class.create", tc, after=_snapshot(tc))
    return tc


@transaction.atomic
def update_class(actor, class_id, data: dict) -> TrainingClass:
    permissions.check(actor, "class.edit")
    tc = get_class(actor, class_id, lock=True)
    values = _clean_class(tc.programme, data, partial=True, current=tc)
    if (
        "institution_id" in values
        and values["institution_id"] != tc.institution_id
        and is_suspended(values["institution_id"], tc.programme_id)
    ):
        raise RuleViolation(
            "institution_suspended",
            "该机构在本年度已被暂停承担培训任务，不能安排班级。",
            [FieldIssue("institution", "institution_suspended", "该机构本年度已暂停。")],
        )
    if "capacity" in values and values["capacity"] < tc.enrolled:
        raise RuleViolation(
            "capacity_below_enrolled",
            f"已有 {tc.enrolled} 名学员编入，容量不能小于此数。",
            [FieldIssue("capacity", "capacity_below_enrolled", "容量不能小于已编入人数。")],
        )
    if values.get("status") == "cancelled" and tc.status != "cancelled" and tc.enrolled:
        raise RuleViolation(
            "class_has_trainees",
            f"第{tc.number}期已编入 {tc.enrolled} 名学员，请先将学员调出再取消该班。",
            [FieldIssue("status", "class_has_trainees", "该班还有学员，不能取消。")],
        )
    start, end = values.get("start_date", tc.start_date), values.get("end_date", tc.end_date)
    outside = (
        tc.sessions.exclude(date__range=(start, end)).order_by("date").values_list("date", flat=True)[:1]
    )
    if outside:  # the lock on the class row serialises this with add_session
        raise RuleViolation(
            "sessions_outside_dates",
            f"课表中有 {outside[0]:%Y年%m月%d日} 的课程，不在新的开班日期内。请先调整课表。",
            [
                FieldIssue(
                    "start_date" if outside[0] < start else "end_date",
                    "sessions_outside_dates",
                    "课表中有课程不在该日期范围内。",
                )
            ],
        )
    before = _snapshot(tc)
    for k, v in values.items():
        setattr(tc, k, v)
    try:
        with transaction.atomic():
            tc.save()
    except IntegrityError:
        raise RuleViolation("class_number_exists", "该期次已存在或容量小于已编入人数。") from None
    b, a = audit.diff(before, _snapshot(tc))
    if a:
        audit.record(actor, "class.update", tc, before=b, after=a)
    return tc


# --- faculty ------------------------------------------------------------------------------------------


@transaction.atomic
def create_faculty(actor, data: dict) -> Faculty:
    permissions.check(actor, "faculty.create")
    errors: list[FieldIssue] = []
    name = check_required(errors, "name", data.get("name"), "姓名", 50)
    affiliation = check_required(errors, "affiliation", data.get("affiliation"), "工作单位", 120)
    kind = data.get("affiliation_kind")
    if kind not in AffiliationKind.values:
        errors.append(
            FieldIssue(
                "affiliation_kind", "invalid_choice", "单位类别须为政府部门、高等院校、研究机构或企业。"
            )
        )
    topics = list(dict.fromkeys(data.get("topics") or []))
    known = set(Topic.objects.filter(code__in=topics).values_list("code", flat=True))
    if set(topics) - known:
        errors.append(
            FieldIssue("topics", "unknown_topic", "未知的专题：" + "、".join(sorted(set(topics) - known)))
        )
    if errors:
        raise ValidationFailed(errors)
    f = Faculty.objects.create(
        name=name,
        affiliation=affiliation,
        affiliation_kind=kind,
        title=str(data.get("title") or "").strip()[:80],
    )
    f.topics.set(topics)
    audit.record(
        actor, "faculty.create", f, after={"name": name, "affiliation": affiliation, "topics": topics}
    )
    return f


# --- timetable ----------------------------------------------------------------------------------------


def _clean_session(tc: TrainingClass, data: dict) -> dict:
    errors: list[FieldIssue] = []
    date = _date(errors, "date", data.get("date"), "日期")
    start = _time(errors, "start", data.get("start"), "开始时间")
    end = _time(errors, "end", data.get("end"), "结束时间")
    title = check_required(errors, "title", data.get("title"), "课程名称", 200)
    topic = Topic.objects.filter(code=data.get("topic")).first()
    if topic is None:
        errors.append(FieldIssue("topic", "unknown_topic", "请选择十个专题之一。"))
    fmt = data.get("format")
    if fmt not in SessionFormat.values:
        errors.append(FieldIssue("format", "invalid_choice", "形式须为讲座、现场教学、讨论交流或其他。"))
    faculty = None
    if data.get("faculty") not in (None, ""):
        faculty = (
            Faculty.objects.filter(pk=data["faculty"]).first() if str(data["faculty"]).isdigit() else None
        )
        if faculty is None:
            errors.append(FieldIssue("faculty", "unknown_faculty", "师资不存在。"))
    if date and not (tc.start_date <= date <= tc.end_date):
        errors.append(
            FieldIssue(
                "date",
                "outside_class_dates",
                f"日期须在本班开班至结业期间（{tc.start_date} 至 {tc.end_date}）。",
            )
        )
    if start and end and end <= start:
        errors.append(FieldIssue("end", "end_before_start", "结束时间须晚于开始时间。"))
    if errors:
        raise ValidationFailed(errors)
    return {
        "date": date,
        "start": start,
        "end": end,
        "title": title,
        "topic": topic,
        "format": fmt,
        "faculty": faculty,
        "place": str(data.get("place") or "").strip()[:200],
        "required": data.get("required", True) is not False,
    }


def _check_conflicts(tc: TrainingClass, v: dict, exclude_id=None) -> None:
    overlapping = Q(date=v["date"], start__lt=v["end"], end__gt=v["start"])
    clash = TimetableSession.objects.filter(overlapping, training_class=tc).exclude(pk=exclude_id).first()
    if clash:
        raise RuleViolation(
            "session_overlap",
            f"与本班已有课程“{clash.title}”（{clash.start:%H:%M}—{clash.end:%H:%M}）时间重叠。",
            [FieldIssue("start", "session_overlap", "时间与本班其他课程重叠。")],
        )
    if v["faculty"] is not None:
        Faculty.objects.select_for_update().filter(pk=v["faculty"].pk).first()  # serialise per faculty member
        busy = (
            TimetableSession.objects.model._base_manager.filter(overlapping, faculty=v["faculty"])
            .exclude(pk=exclude_id)
            .select_related("training_class")
            .first()
        )
        if busy:
            raise RuleViolation(
                "faculty_conflict",
                f"{v['faculty'].name}在该时段已安排在第{busy.training_class.number}期授课（{busy.title}）。",
                [FieldIssue("faculty", "faculty_conflict", "该师资在此时段已有课程。")],
            )


@transaction.atomic
def add_session(actor, class_id, data: dict) -> TimetableSession:
    """Sessions of one class never overlap; a faculty member is never in two places (SPEC §3.3)."""
    permissions.check(actor, "timetable.edit")
    tc = get_class(actor, class_id, lock=True)
    v = _clean_session(tc, data)
    _check_conflicts(tc, v)
    s = TimetableSession.objects.create(training_class=tc, **v)
    audit.record(
        actor,
        "session.create",
        s,
        after={"date": v["date"], "start": v["start"], "end": v["end"], "title": v["title"], "class": tc.pk},
    )
    return s


def get_session(actor, session_id, lock=False) -> TimetableSession:
    qs = TimetableSession.objects.select_related("training_class", "topic", "faculty")
    s = qs.filter(pk=session_id).first() if str(session_id).isdigit() else None
    if s is None:
        raise NotFound("not_found", "课程不存在或不在您的管辖范围内。")
    return s


@transaction.atomic
def update_session(actor, session_id, data: dict) -> TimetableSession:
    permissions.check(actor, "timetable.edit")
    s = get_session(actor, session_id)
    tc = get_class(actor, s.training_class_id, lock=True)
    merged = {
        "date": s.date,
        "start": s.start,
        "end": s.end,
        "title": s.title,
        "topic": s.topic_id,
        "format": s.format,
        "faculty": s.faculty_id,
        "place": s.place,
        "required": s.required,
        **data,
    }
    v = _clean_session(tc, merged)
    _check_conflicts(tc, v, exclude_id=s.pk)
    for k, val in v.items():
        setattr(s, k, val)
    s.save()
    audit.record(actor, "session.update", s, after={"date": v["date"], "start": v["start"], "end": v["end"]})
    return s


@transaction.atomic
def delete_session(actor, session_id) -> None:
    permissions.check(actor, "timetable.edit")
    s = get_session(actor, session_id)
    from lingjun.attendance.models import AttendanceRecord

    if AttendanceRecord.objects.model._base_manager.filter(session=s).exists():
        raise RuleViolation(
            "session_has_attendance",
            "该课程已有考勤记录，不能删除；如课程取消，请修改为选修或联系人才交流中心。",
        )
    audit.record(actor, "session.delete", s, before={"date": s.date, "start": s.start, "title": s.title})
    s.delete()


# --- assignment and placement -------------------------------------------------------------------------

OPEN_FOR_TRAINEES = ("planned", "open")


def _take(tc_id) -> bool:
    """One seat, in one conditional UPDATE: only below capacity and only in a class that still runs."""
    return bool(
        TrainingClass.objects.filter(
            pk=tc_id, enrolled__lt=F("capacity"), status__in=OPEN_FOR_TRAINEES
        ).update(enrolled=F("enrolled") + 1)
    )


def _give_back(tc_id) -> None:
    TrainingClass.objects.filter(pk=tc_id, enrolled__gt=0).update(enrolled=F("enrolled") - 1)


@transaction.atomic
def assign(actor, registration_id, class_id, note: str = "人工编班") -> Registration:
    """Put an approved (or move an enrolled) registration into a class; capacity is hard (409 class_full)."""
    from lingjun.registrations.services import STATUS_LABELS, get_registration

    permissions.check(actor, "class.assign")
    reg = get_registration(actor, registration_id, lock=True)
    tc = get_class(actor, class_id)
    if tc.programme_id != reg.programme_id:
        raise RuleViolation("wrong_programme", "班级与报名不属于同一年度计划。")
    if reg.status not in ("approved", "enrolled"):
        raise InvalidTransition(reg.status, "enrolled", STATUS_LABELS)
    if reg.training_class_id == tc.pk:
        return reg
    if not _take(tc.pk):
        tc.refresh_from_db(fields=["status", "capacity"])
        if tc.status not in OPEN_FOR_TRAINEES:
            raise RuleViolation(
                "class_closed",
                f"第{tc.number}期{tc.get_status_display()}，不能再编入学员。",
                [FieldIssue("class", "class_closed", "该班已不再接收学员。")],
            )
        raise RuleViolation(
            "class_full",
            f"第{tc.number}期已满（容量 {tc.capacity} 人）。",
            [FieldIssue("class", "class_full", "该班已满。")],
        )
    before_class = reg.training_class_id
    if before_class:
        _give_back(before_class)
    before_status = reg.status
    reg.training_class, reg.status, reg.placement_note = tc, "enrolled", note[:200]
    reg.save(update_fields=["training_class", "status", "placement_note", "updated_at"])
    audit.record(
        actor,
        "registration.assign",
        reg,
        from_state=before_status,
        to_state="enrolled",
        reason=note,
        before={"class": before_class},
        after={"class": tc.pk},
    )
    return reg


@transaction.atomic
def unassign(actor, registration_id) -> Registration:
    from lingjun.registrations.services import get_registration

    permissions.check(actor, "class.assign")
    reg = get_registration(actor, registration_id, lock=True)
    if reg.status != "enrolled" or reg.training_class_id is None:
        raise RuleViolation("not_enrolled", "该学员尚未编班。")
    _give_back(reg.training_class_id)
    before = reg.training_class_id
    reg.training_class, reg.status, reg.placement_note = None, "approved", ""
    reg.save(update_fields=["training_class", "status", "placement_note", "updated_at"])
    audit.record(
        actor,
        "registration.unassign",
        reg,
        from_state="enrolled",
        to_state="approved",
        before={"class": before},
    )
    return reg


def propose_placement(actor, programme_id) -> dict:
    """Run the optimiser over every approved, not yet placed registration. Saves nothing."""
    permissions.check(actor, "class.assign")
    if not Programme.objects.filter(pk=programme_id).exists():
        raise NotFound("not_found", "该年度计划不存在。")
    regs = list(
        Registration.objects.filter(programme_id=programme_id, status="approved")
        .select_related("trainee", "enterprise", "region")
        .prefetch_related("enterprise__qualifications")
    )
    classes = list(TrainingClass.objects.filter(programme_id=programme_id).exclude(status="cancelled"))
    cands = [
        Candidate(
            r.pk,
            r.region_id,
            tuple(r.preferred_classes or ()),
            any(q.code == "little_giant" for q in r.enterprise.qualifications.all()),
        )
        for r in regs
    ]
    seats = [Seat(c.pk, c.number, c.capacity - c.enrolled, c.track) for c in classes]
    result = place(cands, seats)
    by_class = {c.pk: c for c in classes}
    rows = [
        {
            "registration": r.pk,
            "name": r.trainee.name,
            "enterprise": r.enterprise.name,
            "region": r.region.name,
            "preferences": r.preferred_classes,
            "class": result.assigned.get(r.pk),
            "class_number": by_class[result.assigned[r.pk]].number if r.pk in result.assigned else None,
            "reason": result.reasons.get(r.pk, "名额不足，未能编班"),
        }
        for r in regs
    ]
    return {
        "rows": rows,
        "assigned": len(result.assigned),
        "unassigned": result.unassigned,
        "cost": result.cost,
    }


@transaction.atomic
def apply_placement(
    actor, programme_id, placements: dict[int, int], reasons: dict[int, str] | None = None
) -> dict:
    """Apply a (possibly hand-edited) proposal: registration id → class id; each through `assign`."""
    permissions.check(actor, "class.assign")
    done, refused = 0, []
    for reg_id, class_id in placements.items():
        try:
            with transaction.atomic():
                assign(actor, reg_id, class_id, note=(reasons or {}).get(reg_id, "编班"))
            done += 1
        except (RuleViolation, NotFound) as exc:
            refused.append({"registration": reg_id, "code": exc.code, "message": exc.detail})
    audit.record(
        actor,
        "placement.apply",
        object_type="programme",
        object_id=programme_id,
        after={"assigned": done, "refused": len(refused)},
    )
    return {"assigned": done, "refused": refused}


def run_assignment(actor, programme_id) -> dict:
    """API.md POST /programmes/{id}/assignment: optimise and apply in one call."""
    proposal = propose_placement(actor, programme_id)
    mapping = {r["registration"]: r["class"] for r in proposal["rows"] if r["class"]}
    reasons = {r["registration"]: r["reason"] for r in proposal["rows"]}
    applied = apply_placement(actor, programme_id, mapping, reasons)
    return {
        "assigned": applied["assigned"],
        "unassigned": proposal["unassigned"] + [x["registration"] for x in applied["refused"]],
    }
