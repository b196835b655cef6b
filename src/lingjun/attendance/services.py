"""Attendance, leave and completion (SPEC §3.4; API.md attendance rows; issue #5).

Check-in codes rotate every CODE_STEP seconds and are HMAC-signed by the server over (session, time step),
so a photo of the projector sent outside stops working within a minute and a made-up code fails. Codes are
judged by the server's clock only. One phone (device cookie) checks in one trainee per session; a second
trainee on the same phone is refused and logged with the IP.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import time
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lingjun.classes.models import TimetableSession, TrainingClass
from lingjun.core import audit, permissions
from lingjun.core.errors import (
    FieldIssue,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationFailed,
)
from lingjun.core.scoping import scopes_disabled
from lingjun.registrations.models import Registration

from .models import AttendanceRecord, AttendanceStatus, DeviceCheckin, LeaveRequest

CODE_STEP = 30  # seconds a projected code stays current
CODE_TOLERANCE_STEPS = 1  # the previous code is still accepted (the phone took a moment to scan)
LEAVE_LABELS = {"pending": "待审批", "approved": "已生效", "rejected": "未批准", "cancelled": "已撤销"}


# --- signed rotating codes ---------------------------------------------------------------------------


def _sign(session_id: int, step: int) -> str:
    key = ("checkin:" + settings.SECRET_KEY).encode()
    digest = hmac.new(key, f"{session_id}:{step}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().rstrip("=")


def current_step(now: float | None = None) -> int:
    return int((now if now is not None else time.time()) // CODE_STEP)


def make_code(session_id: int, step: int | None = None) -> str:
    step = current_step() if step is None else step
    return f"{session_id}-{step}-{_sign(session_id, step)}"


def checkin_code(actor, session_id) -> dict:
    """The code the projector page shows (as a QR) — centre or the class's own institution."""
    permissions.check(actor, "attendance.project")
    session = _session(session_id)
    step = current_step()
    expires = datetime.datetime.fromtimestamp((step + 1) * CODE_STEP, tz=datetime.UTC)
    return {
        "code": make_code(session.pk, step),
        "expires_at": expires,
        "session": session.pk,
        "refresh_seconds": CODE_STEP,
    }


def parse_code(code: str) -> tuple[int, int]:
    """→ (session id, step) for an authentic code; RuleViolation invalid_code / code_expired otherwise."""
    parts = (code or "").strip().upper().split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise RuleViolation("invalid_code", "签到码无效，请扫描教室屏幕上的二维码。")
    session_id, step = int(parts[0]), int(parts[1])
    if not hmac.compare_digest(_sign(session_id, step), parts[2]):
        raise RuleViolation("invalid_code", "签到码无效，请扫描教室屏幕上的二维码。")
    now_step = current_step()
    if step > now_step or now_step - step > CODE_TOLERANCE_STEPS:
        raise RuleViolation("code_expired", "签到码已过期（每30秒更新），请重新扫描屏幕上的二维码。")
    return session_id, step


def _session(session_id) -> TimetableSession:
    s = (
        TimetableSession.objects.select_related("training_class__programme").filter(pk=session_id).first()
        if str(session_id).isdigit()
        else None
    )
    if s is None:
        raise NotFound("not_found", "课程不存在或不在您的管辖范围内。")
    return s


def session_window(s: TimetableSession) -> tuple[datetime.datetime, datetime.datetime, datetime.datetime]:
    """(opens, late_after, closes) in aware datetimes, from the programme's settings."""
    p = s.training_class.programme
    return _window(s.date, s.start, s.end, p.checkin_opens_minutes, p.late_grace_minutes)


def _window(date, start, end, opens_minutes, grace_minutes):
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(date, start, tz)
    end = datetime.datetime.combine(date, end, tz)
    return (
        start - datetime.timedelta(minutes=opens_minutes),
        start + datetime.timedelta(minutes=grace_minutes),
        end,
    )


def _audit_checkin(actor, record: AttendanceRecord, session_id: int, device_id: str) -> None:
    audit.record(
        actor,
        "attendance.checkin",
        record,
        to_state=record.status,
        after={"session": session_id, "device": device_id[:16]},
    )


def checkin(actor, code: str, device_id: str = "", client_ip=None) -> tuple[AttendanceRecord, bool]:
    """Trainee check-in by scanned code → (record, created). Checking in twice is harmless (idempotent).

    A class checks in within a few minutes (800 phones in two minutes, bench/bench_checkin.py), so this reads
    only the columns it needs, in one query for the trainee's seat and the session's window, and the first scan
    is three inserts with no read before them: the unique constraints (one record per trainee and session, one
    trainee per phone and session) decide, and only a scan they refuse takes the slower path that finds out why."""
    permissions.check(actor, "attendance.checkin")
    session_id, _ = parse_code(code)
    with scopes_disabled():
        seat = list(
            Registration.objects.filter(
                trainee__user=actor,
                status__in=("enrolled", "completed", "not_completed"),
                training_class__sessions__pk=session_id,
            ).values_list(
                "pk",
                "training_class__sessions__date",
                "training_class__sessions__start",
                "training_class__sessions__end",
                "training_class__programme__checkin_opens_minutes",
                "training_class__programme__late_grace_minutes",
            )[:1]
        )
        if not seat:
            if not TimetableSession.objects.filter(pk=session_id).exists():
                raise RuleViolation("invalid_code", "签到码无效。")
            raise PermissionDenied("not_enrolled", "您不是该班学员，不能在此签到。")
    reg_id, date, start, end, opens_minutes, grace_minutes = seat[0]
    now = timezone.now()
    opens, late_after, closes = _window(date, start, end, opens_minutes, grace_minutes)
    if not opens <= now <= closes:
        raise RuleViolation(
            "outside_window",
            f"不在签到时间内：本节课 {opens.astimezone():%H:%M} 起可签到，{closes.astimezone():%H:%M} 截止。",
        )
    status = AttendanceStatus.PRESENT if now <= late_after else AttendanceStatus.LATE
    fields = {
        "status": status,
        "source": "qr",
        "checked_in_at": now,
        "device_id": device_id[:64],
        "client_ip": client_ip,
    }
    try:  # the first scan of a trainee on their own phone: three inserts, no read
        with scopes_disabled(), transaction.atomic():
            if device_id:
                DeviceCheckin.objects.create(
                    session_id=session_id, device_id=device_id, registration_id=reg_id
                )
            record = AttendanceRecord.objects.create(registration_id=reg_id, session_id=session_id, **fields)
            _audit_checkin(actor, record, session_id, device_id)
        return record, True
    except IntegrityError:
        pass  # a repeat scan, a record staff made earlier, or a phone that checked in someone else: see below
    reused_by = None
    with scopes_disabled(), transaction.atomic():
        existing = (
            AttendanceRecord.objects.select_for_update()
            .filter(registration_id=reg_id, session_id=session_id)
            .first()
        )
        if existing and existing.status in ("present", "late", "excused"):
            return existing, False
        if device_id:
            other = DeviceCheckin.objects.filter(session_id=session_id, device_id=device_id).first()
            if other is None:
                try:
                    with transaction.atomic():
                        DeviceCheckin.objects.create(
                            session_id=session_id, device_id=device_id, registration_id=reg_id
                        )
                except IntegrityError:
                    other = DeviceCheckin.objects.filter(session_id=session_id, device_id=device_id).first()
            if other is not None and other.registration_id != reg_id:
                reused_by = other.registration_id
        if reused_by is None:
            if existing:  # marked absent earlier, now here after all
                for k, v in fields.items():
                    setattr(existing, k, v)
                existing.save(update_fields=[*fields, "updated_at"])
                record = existing
            else:
                try:
                    with transaction.atomic():
                        record = AttendanceRecord.objects.create(
                            registration_id=reg_id, session_id=session_id, **fields
                        )
                except IntegrityError:  # the same trainee's other scan won the race: that one counts
                    return AttendanceRecord.objects.get(registration_id=reg_id, session_id=session_id), False
            _audit_checkin(actor, record, session_id, device_id)
    if reused_by is not None:
        # Logged in its own transaction: the refusal must leave a trace (who, which phone, from where).
        with scopes_disabled():
            reg = Registration.objects.get(pk=reg_id)
            audit.record(
                actor,
                "attendance.device_reused",
                reg,
                reason=f"同一手机已为他人签到（IP {client_ip}）",
                after={"session": session_id, "other_registration": reused_by},
            )
        raise RuleViolation("device_already_used", "这台手机已为其他学员签到。每位学员须用本人手机签到。")
    return record, True


@transaction.atomic
def mark(actor, session_id, registration_id, status: str, reason: str = "") -> AttendanceRecord:
    """Staff mark attendance by hand (centre, or the class's own institution)."""
    permissions.check(actor, "attendance.mark")
    if status not in AttendanceStatus.values:
        raise ValidationFailed(
            [FieldIssue("status", "invalid_choice", "状态须为 present、late、excused 或 absent。")]
        )
    session = _session(session_id)
    reg = (
        Registration.objects.filter(pk=registration_id, training_class_id=session.training_class_id).first()
        if str(registration_id).isdigit()
        else None
    )
    if reg is None:
        raise NotFound("not_found", "该学员不在本班。")
    before = (
        AttendanceRecord.objects.filter(registration=reg, session=session)
        .values_list("status", flat=True)
        .first()
    )
    record, _ = AttendanceRecord.objects.update_or_create(
        registration=reg,
        session=session,
        defaults={"status": status, "source": "staff", "marked_by": actor, "reason": (reason or "")[:200]},
    )
    audit.record(actor, "attendance.mark", record, from_state=before or "", to_state=status, reason=reason)
    return record


def effective_status(record_status: str | None, session: TimetableSession, now=None) -> str | None:
    """A session that has ended with no record counts as absent; before its end, no status yet."""
    if record_status:
        return record_status
    _, _, closes = session_window(session)
    return "absent" if (now or timezone.now()) > closes else None


def grid(actor, class_id) -> dict:
    """Trainees × sessions for the attendance grid (region officers: their own trainees only)."""
    permissions.check(actor, "attendance.view")
    tc = (
        TrainingClass.objects.select_related("programme").filter(pk=class_id).first()
        if str(class_id).isdigit()
        else None
    )
    if tc is None:
        raise NotFound("not_found", "班级不存在或不在您的管辖范围内。")
    sessions = list(
        TimetableSession.objects.filter(training_class=tc).select_related("training_class__programme")
    )
    regs = list(
        Registration.objects.filter(training_class=tc)
        .select_related("trainee", "region")
        .order_by("region_id", "trainee__name")
    )
    if actor.role == "region" and not regs and tc.pk:
        pass  # a region officer with no trainee in this class sees an empty grid
    with scopes_disabled():
        records = {
            (r.registration_id, r.session_id): r.status
            for r in AttendanceRecord.objects.filter(
                session__training_class=tc, registration__in=[r.pk for r in regs]
            )
        }
    now = timezone.now()
    rows = []
    for r in regs:
        cells = {s.pk: effective_status(records.get((r.pk, s.pk)), s, now) for s in sessions}
        rows.append({"registration": r.pk, "name": r.trainee.name, "region": r.region_id, "cells": cells})
    return {"class": tc, "sessions": sessions, "rows": rows}


# --- leave ----------------------------------------------------------------------------------------------


@transaction.atomic
def request_leave(actor, session_ids: list[int], reason: str) -> LeaveRequest:
    """A trainee asks leave for specific sessions of their own class, not in the past."""
    permissions.check(actor, "leave.request")
    if not (reason or "").strip():
        raise ValidationFailed([FieldIssue("reason", "reason_required", "请填写请假事由。")])
    ids = sorted({int(i) for i in session_ids or [] if str(i).isdigit()})
    if not ids:
        raise ValidationFailed([FieldIssue("sessions", "required", "请选择要请假的课程。")])
    with scopes_disabled():
        reg = (
            Registration.objects.filter(trainee__user=actor, status="enrolled")
            .select_related("training_class")
            .first()
        )
        if reg is None:
            raise PermissionDenied("not_enrolled", "您目前没有已编班的培训，无需请假。")
        sessions = list(
            TimetableSession.objects.filter(pk__in=ids).select_related("training_class__programme")
        )
    if len(sessions) != len(ids) or any(s.training_class_id != reg.training_class_id for s in sessions):
        raise ValidationFailed([FieldIssue("sessions", "not_your_class", "只能为本人所在班级的课程请假。")])
    now = timezone.now()
    if any(session_window(s)[2] < now for s in sessions):
        raise ValidationFailed([FieldIssue("sessions", "session_in_past", "不能为已结束的课程请假。")])
    with scopes_disabled():
        leave = LeaveRequest.objects.create(registration=reg, reason=reason.strip())
        leave.sessions.set(sessions)
    audit.record(actor, "leave.request", leave, to_state="pending", after={"sessions": ids}, reason=reason)
    return leave


def get_leave(actor, leave_id, lock=False) -> LeaveRequest:
    qs = LeaveRequest.objects.select_related("registration__training_class", "registration__trainee")
    if lock:
        qs = qs.select_for_update(of=("self",))
    leave = qs.filter(pk=leave_id).first() if str(leave_id).isdigit() else None
    if leave is None:
        raise NotFound("not_found", "请假申请不存在或不在您的管辖范围内。")
    return leave


def _maybe_effective(actor, leave: LeaveRequest) -> None:
    if leave.region_approved_at and leave.class_acknowledged_at and leave.status == "pending":
        leave.status = "approved"
        with scopes_disabled():
            for s in leave.sessions.all():
                AttendanceRecord.objects.update_or_create(
                    registration=leave.registration,
                    session=s,
                    defaults={"status": "excused", "source": "leave", "reason": f"请假#{leave.pk}"},
                )
        audit.record(actor, "leave.effective", leave, from_state="pending", to_state="approved")


def _sign_leave(actor, leave_id, action: str, party: str, audit_action: str) -> LeaveRequest:
    """One party's half of the two-party rule: stamp `<party>_at` / `<party>_by`; effective once both signed."""
    permissions.check(actor, action)
    leave = get_leave(actor, leave_id, lock=True)
    if leave.status != "pending":
        raise InvalidTransition(leave.status, "approved", LEAVE_LABELS)
    setattr(leave, f"{party}_at", timezone.now())
    setattr(leave, f"{party}_by", actor)
    audit.record(actor, audit_action, leave)
    _maybe_effective(actor, leave)
    leave.save()
    return leave


@transaction.atomic
def approve_leave(actor, leave_id) -> LeaveRequest:
    """The trainee's region officer approves (one half of the two-party rule)."""
    return _sign_leave(actor, leave_id, "leave.approve", "region_approved", "leave.region_approve")


@transaction.atomic
def acknowledge_leave(actor, leave_id) -> LeaveRequest:
    """The class (centre or the class's institution / head teacher) acknowledges (the other half)."""
    return _sign_leave(actor, leave_id, "leave.acknowledge", "class_acknowledged", "leave.class_acknowledge")


@transaction.atomic
def reject_leave(actor, leave_id, reason: str) -> LeaveRequest:
    permissions.check(actor, "leave.reject")
    if not (reason or "").strip():
        raise ValidationFailed([FieldIssue("reason", "reason_required", "请填写不批准的理由。")])
    leave = get_leave(actor, leave_id, lock=True)
    if leave.status != "pending":
        raise InvalidTransition(leave.status, "rejected", LEAVE_LABELS)
    leave.status, leave.rejected_by, leave.reject_reason = "rejected", actor, reason.strip()
    leave.save()
    audit.record(actor, "leave.reject", leave, from_state="pending", to_state="rejected", reason=reason)
    return leave


# --- completion -----------------------------------------------------------------------------------------


@transaction.atomic
def set_completion_rule(actor, programme_id, min_attendance, max_unexcused) -> dict:
    from lingjun.programmes.models import Programme

    permissions.check(actor, "completion.manage")
    errors = []
    try:
        share = Decimal(str(min_attendance))
        if not share.is_finite() or not 0 <= share <= 1:
            raise ValueError
    except (ValueError, ArithmeticError):
        errors.append(
            FieldIssue("min_attendance", "invalid_share", "最低出勤率须为 0 到 1 之间的小数，如 0.9。")
        )
    if isinstance(max_unexcused, bool) or not isinstance(max_unexcused, int) or max_unexcused < 0:
        errors.append(
            FieldIssue("max_unexcused_absences", "invalid_integer", "允许无故缺勤次数须为不小于0的整数。")
        )
    if errors:
        raise ValidationFailed(errors)
    p = Programme.objects.select_for_update().filter(pk=programme_id).first()
    if p is None:
        raise NotFound("not_found", "该年度计划不存在。")
    before = {
        "min_attendance": str(p.completion_min_attendance),
        "max_unexcused_absences": p.completion_max_unexcused,
    }
    p.completion_min_attendance, p.completion_max_unexcused = share.quantize(Decimal("0.001")), max_unexcused
    p.save(update_fields=["completion_min_attendance", "completion_max_unexcused", "updated_at"])
    after = {"min_attendance": str(p.completion_min_attendance), "max_unexcused_absences": max_unexcused}
    audit.record(actor, "completion.rule", p, before=before, after=after)
    return {"min_attendance": float(p.completion_min_attendance), "max_unexcused_absences": max_unexcused}


def propose_completion(actor, class_id) -> dict:
    """Per trainee: attended share = (present + late) / (required − excused); completed when the share reaches
    the programme minimum and unexcused absences do not exceed the maximum (SPEC §3.4). Approved leave never
    counts against anyone. Warns when the class has not ended yet."""
    permissions.check(actor, "completion.manage")
    tc = (
        TrainingClass.objects.select_related("programme").filter(pk=class_id).first()
        if str(class_id).isdigit()
        else None
    )
    if tc is None:
        raise NotFound("not_found", "班级不存在。")
    p = tc.programme
    data = grid(actor, class_id)
    required = [s for s in data["sessions"] if s.required]
    proposal = []
    for row in data["rows"]:
        cells = [row["cells"][s.pk] for s in required]
        excused = cells.count("excused")
        attended = cells.count("present") + cells.count("late")
        unexcused = cells.count("absent")
        base = len(required) - excused
        rate = (attended / base) if base else 1.0
        ok = rate >= float(p.completion_min_attendance) and unexcused <= p.completion_max_unexcused
        why = (
            f"出勤 {attended}/{base} 节（{rate:.0%}），请假 {excused} 节，无故缺勤 {unexcused} 节；"
            f"要求出勤率不低于 {float(p.completion_min_attendance):.0%}、无故缺勤不超过 {p.completion_max_unexcused} 节"
        )
        proposal.append(
            {
                "registration": row["registration"],
                "name": row["name"],
                "outcome": "completed" if ok else "not_completed",
                "attendance_rate": round(rate, 4),
                "reason": ("符合结业条件：" if ok else "不符合结业条件：") + why,
            }
        )
    warnings = []
    if timezone.localdate() < tc.end_date:
        warnings.append(
            {"code": "class_not_ended", "message": f"本班{tc.end_date}才结束，此时的结业建议可能不完整。"}
        )
    return {"class": tc.pk, "items": proposal, "warnings": warnings}


@transaction.atomic
def confirm_completion(actor, class_id, overrides: dict[int, str] | None = None) -> dict:
    """The centre confirms the proposal (optionally overriding single outcomes): registrations become
    completed / not_completed."""
    from lingjun.registrations.services import _transition, get_registration

    bad = [k for k, v in (overrides or {}).items() if v not in ("completed", "not_completed")]
    if bad:
        raise ValidationFailed(
            [
                FieldIssue(f"overrides.{k}", "invalid_choice", "结业结论须为 completed 或 not_completed。")
                for k in bad
            ]
        )
    proposal = propose_completion(actor, class_id)
    done = {"completed": 0, "not_completed": 0}
    for item in proposal["items"]:
        outcome = (overrides or {}).get(item["registration"], item["outcome"])
        reg = get_registration(actor, item["registration"], lock=True)
        if reg.status != "enrolled":
            continue
        _transition(actor, reg, outcome, "registration.complete", item["reason"])
        done[outcome] += 1
    return {"class": int(class_id), **done, "warnings": proposal["warnings"]}
