"""Pages for attendance (projector, phone check-in, marking, grid), leave and completion."""

import secrets
from decimal import Decimal

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lingjun.classes.models import TimetableSession, TrainingClass
from lingjun.core import permissions
from lingjun.core.errors import DomainError, NotFound
from lingjun.core.middleware import client_ip
from lingjun.core.pages import page
from lingjun.core.scoping import scopes_disabled
from lingjun.registrations.models import Registration

from . import services
from .api import DEVICE_COOKIE
from .models import AttendanceRecord, AttendanceStatus, LeaveRequest

STATUS_LABELS = dict(AttendanceStatus.choices)


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#111")


def _code_payload(request, session_id):
    data = services.checkin_code(request.user, session_id)
    url = request.build_absolute_uri(reverse("attendance:checkin") + "?c=" + data["code"])
    with scopes_disabled():
        done = AttendanceRecord.objects.filter(session_id=session_id, status__in=("present", "late")).count()
        total = Registration.objects.filter(training_class__sessions=session_id, status="enrolled").count()
    return {
        "code": data["code"],
        "svg": _qr_svg(url),
        "url": url,
        "checked_in": done,
        "enrolled": total,
        "expires_at": data["expires_at"].isoformat(),
        "refresh_seconds": data["refresh_seconds"],
    }


@page
def projector(request, session_id):
    """Shown on the classroom projector: a QR that rotates every 30 s (signed by the server)."""
    session = services._session(session_id)
    opens, late_after, closes = services.session_window(session)
    return render(
        request,
        "attendance/projector.html",
        {
            "session": session,
            "payload": _code_payload(request, session.pk),
            "opens": opens,
            "late_after": late_after,
            "closes": closes,
        },
    )


@page
def projector_code(request, session_id):
    return JsonResponse({k: v for k, v in _code_payload(request, session_id).items() if k != "url"})


def _device_id(request) -> tuple[str, bool]:
    existing = request.COOKIES.get(DEVICE_COOKIE)
    return (existing, False) if existing else (secrets.token_urlsafe(16), True)


def checkin_page(request):
    """The trainee's phone: opened by scanning the projector's QR (WeChat's scanner opens the link)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    code = (request.POST.get("code") or request.GET.get("c") or "").strip()
    device, new_device = _device_id(request)
    result = error = None
    session = None
    if request.method == "POST":
        try:
            record, created = services.checkin(request.user, code, device, client_ip(request))
            result = {
                "status": record.status,
                "label": STATUS_LABELS[record.status],
                "already": not created,
                "at": timezone.localtime(record.checked_in_at) if record.checked_in_at else None,
            }
            session = record.session
        except DomainError as exc:
            error = exc
    elif code:
        try:
            sid, _ = services.parse_code(code)
            with scopes_disabled():
                session = TimetableSession.objects.select_related("training_class").filter(pk=sid).first()
        except DomainError as exc:
            error = exc
    response = render(
        request,
        "attendance/checkin.html",
        {"code": code, "result": result, "error": error, "session": session},
        status=error.status if error and request.method == "POST" else 200,
    )
    if new_device:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=3 * 365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


@page
def mark_session(request, session_id):
    """Staff mark a session by hand (present / late / excused / absent, with a reason)."""
    permissions.check(request.user, "attendance.mark")
    session = services._session(session_id)
    regs = list(
        Registration.objects.filter(training_class_id=session.training_class_id, status="enrolled")
        .select_related("trainee", "region")
        .order_by("region_id", "trainee__name")
    )
    if request.method == "POST":
        changed = 0
        try:
            for reg in regs:
                value = request.POST.get(f"s_{reg.pk}", "")
                if value:
                    services.mark(
                        request.user, session.pk, reg.pk, value, request.POST.get(f"r_{reg.pk}", "")
                    )
                    changed += 1
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, f"已保存 {changed} 人的考勤。")
            return redirect("attendance:mark", session.pk)
    with scopes_disabled():
        records = {r.registration_id: r for r in AttendanceRecord.objects.filter(session=session)}
    rows = [
        {
            "reg": r,
            "record": records.get(r.pk),
            "status": services.effective_status(records[r.pk].status if r.pk in records else None, session),
        }
        for r in regs
    ]
    return render(
        request,
        "attendance/mark.html",
        {"session": session, "rows": rows, "labels": STATUS_LABELS, "choices": AttendanceStatus.choices},
    )


@page
def class_grid(request, class_id):
    data = services.grid(request.user, class_id)
    return render(
        request,
        "attendance/grid.html",
        {**data, "labels": STATUS_LABELS, "can_mark": permissions.allowed(request.user, "attendance.mark")},
    )


@page
def leave_new(request):
    """The trainee asks leave for upcoming sessions of their class."""
    permissions.check(request.user, "leave.request")
    reg = Registration.objects.filter(status="enrolled").select_related("training_class").first()
    now = timezone.now()
    sessions = []
    if reg:
        sessions = [
            s
            for s in TimetableSession.objects.filter(training_class=reg.training_class).select_related(
                "training_class__programme"
            )
            if services.session_window(s)[2] > now
        ]
    chosen = [int(x) for x in request.POST.getlist("sessions") if x.isdigit()]
    reason = request.POST.get("reason", "")
    error = None
    if request.method == "POST":
        try:
            leave = services.request_leave(request.user, chosen, reason)
        except DomainError as exc:
            error = exc
        else:
            messages.success(
                request, f"请假申请已提交（编号 {leave.pk}），须经地方主管部门批准并经班级确认后生效。"
            )
            return redirect("attendance:leave_list")
    return render(
        request,
        "attendance/leave_new.html",
        {"reg": reg, "sessions": sessions, "chosen": chosen, "reason": reason, "error": error},
    )


@page
def leave_list(request):
    """Each party's queue: the trainee's own requests, the region's to approve, the class's to acknowledge."""
    permissions.check(request.user, "leave.view")
    qs = LeaveRequest.objects.select_related(
        "registration__trainee", "registration__region", "registration__training_class"
    ).prefetch_related("sessions")
    status = request.GET.get("status", "pending" if request.user.role != "trainee" else "")
    if status:
        qs = qs.filter(status=status)
    return render(
        request,
        "attendance/leave_list.html",
        {
            "leaves": qs[:200],
            "status": status,
            "role": request.user.role,
            "can_approve": permissions.allowed(request.user, "leave.approve"),
            "can_ack": permissions.allowed(request.user, "leave.acknowledge"),
        },
    )


@page
@require_POST
def leave_action(request, leave_id, action):
    try:
        if action == "approve":
            services.approve_leave(request.user, leave_id)
        elif action == "acknowledge":
            services.acknowledge_leave(request.user, leave_id)
        elif action == "reject":
            services.reject_leave(request.user, leave_id, request.POST.get("reason", ""))
        else:
            raise NotFound()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, {"approve": "已批准。", "acknowledge": "已确认。", "reject": "已不予批准。"}[action]
        )
    return redirect(request.POST.get("next") or "attendance:leave_list")


@page
def completion(request, class_id):
    permissions.check(request.user, "completion.manage")
    tc = TrainingClass.objects.select_related("programme").filter(pk=class_id).first()
    if tc is None:
        raise NotFound()
    rule_error, rule_typed = None, {}
    if request.method == "POST" and request.POST.get("action") == "rule":
        # The page asks for a percentage (90), the service takes a share (0.9).
        rule_typed = {k: request.POST.get(k, "").strip() for k in ("min_attendance", "max_unexcused")}
        try:
            percent = Decimal(rule_typed["min_attendance"] or "x") / 100
        except ArithmeticError:
            percent = "invalid"
        raw_max = rule_typed["max_unexcused"]
        try:
            services.set_completion_rule(
                request.user, tc.programme_id, percent, int(raw_max) if raw_max.isdigit() else raw_max
            )
        except DomainError as exc:
            rule_error = exc
        else:
            messages.success(request, "结业规则已保存，下方建议已按新规则重新计算。")
            return redirect("attendance:completion", class_id)
    elif request.method == "POST":
        overrides = {int(k[2:]): v for k, v in request.POST.items() if k.startswith("o_") and k[2:].isdigit()}
        try:
            result = services.confirm_completion(request.user, class_id, overrides)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request, f"已确认：结业 {result['completed']} 人，未结业 {result['not_completed']} 人。"
            )
            return redirect("attendance:completion", class_id)
    proposal = services.propose_completion(request.user, class_id)
    tc.programme.refresh_from_db()
    return render(
        request,
        "attendance/completion.html",
        {"tc": tc, "proposal": proposal, "rule_error": rule_error, "rule_typed": rule_typed},
        status=422 if rule_error else 200,
    )
