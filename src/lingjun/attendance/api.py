import datetime

from ninja import Router, Schema

from lingjun.core import permissions
from lingjun.core.middleware import client_ip
from lingjun.core.schemas import ERRORS

from . import services

router = Router(tags=["考勤、请假与结业"])
DEVICE_COOKIE = "lj_device"


class CodeOut(Schema):
    code: str
    expires_at: datetime.datetime
    session: int
    refresh_seconds: int


@router.post(
    "/sessions/{session_id}/checkin-code",
    response={200: CodeOut, **ERRORS},
    summary="当前签到码（约30秒轮换，服务器签名）",
)
def checkin_code(request, session_id: int):
    return services.checkin_code(request.auth, session_id)


class CheckinIn(Schema):
    code: str
    device: str | None = None


class CheckinOut(Schema):
    session: int
    status: str
    checked_in_at: datetime.datetime | None
    already: bool


@router.post("/checkin", response={200: CheckinOut, 201: CheckinOut, **ERRORS}, summary="学员扫码签到")
def checkin(request, payload: CheckinIn):
    device = payload.device or request.COOKIES.get(DEVICE_COOKIE) or request.headers.get("X-Device-Id", "")
    record, created = services.checkin(request.auth, payload.code, device, client_ip(request))
    body = {
        "session": record.session_id,
        "status": record.status,
        "checked_in_at": record.checked_in_at,
        "already": not created,
    }
    return (201 if created else 200), body


class MarkIn(Schema):
    status: str
    reason: str | None = None


@router.put(
    "/sessions/{session_id}/attendance/{registration_id}",
    response={200: dict, **ERRORS},
    summary="人工登记考勤",
)
def mark(request, session_id: int, registration_id: int, payload: MarkIn):
    r = services.mark(request.auth, session_id, registration_id, payload.status, payload.reason or "")
    return {"session": r.session_id, "registration": r.registration_id, "status": r.status}


@router.get("/classes/{class_id}/attendance", response={200: dict, **ERRORS}, summary="考勤表（学员 × 课程）")
def attendance_grid(request, class_id: int):
    g = services.grid(request.auth, class_id)
    return {
        "class": g["class"].pk,
        "sessions": [
            {
                "id": s.pk,
                "date": s.date.isoformat(),
                "start": s.start.strftime("%H:%M"),
                "title": s.title,
                "required": s.required,
            }
            for s in g["sessions"]
        ],
        "rows": [
            {
                "registration": r["registration"],
                "name": r["name"],
                "region": r["region"],
                "attendance": {str(k): v for k, v in r["cells"].items()},
            }
            for r in g["rows"]
        ],
    }


class LeaveIn(Schema):
    sessions: list[int]
    reason: str


class LeaveOut(Schema):
    id: int
    registration: int
    status: str
    reason: str
    sessions: list[int]
    region_approved: bool
    class_acknowledged: bool
    reject_reason: str
    created_at: datetime.datetime


def leave_out(leave) -> dict:
    return {
        "id": leave.pk,
        "registration": leave.registration_id,
        "status": leave.status,
        "reason": leave.reason,
        "sessions": sorted(leave.sessions.values_list("pk", flat=True)),
        "region_approved": leave.region_approved_at is not None,
        "class_acknowledged": leave.class_acknowledged_at is not None,
        "reject_reason": leave.reject_reason,
        "created_at": leave.created_at,
    }


@router.post("/leave-requests", response={201: LeaveOut, **ERRORS}, summary="学员请假")
def request_leave(request, payload: LeaveIn):
    return 201, leave_out(services.request_leave(request.auth, payload.sessions, payload.reason))


@router.get("/leave-requests", response={200: dict, **ERRORS}, summary="请假申请（按角色限定范围）")
def list_leave(request, status: str | None = None, limit: int = 50, offset: int = 0):
    from .models import LeaveRequest

    permissions.check(request.auth, "leave.view")
    qs = LeaveRequest.objects.all()
    if status:
        qs = qs.filter(status=status)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return {"items": [leave_out(x) for x in qs[offset : offset + limit]], "count": qs.count()}


@router.get("/leave-requests/{leave_id}", response={200: LeaveOut, **ERRORS}, summary="请假详情")
def get_leave(request, leave_id: int):
    permissions.check(request.auth, "leave.view")
    return leave_out(services.get_leave(request.auth, leave_id))


@router.post(
    "/leave-requests/{leave_id}/approve", response={200: LeaveOut, **ERRORS}, summary="地方主管部门批准"
)
def approve_leave(request, leave_id: int):
    return leave_out(services.approve_leave(request.auth, leave_id))


@router.post("/leave-requests/{leave_id}/acknowledge", response={200: LeaveOut, **ERRORS}, summary="班级确认")
def acknowledge_leave(request, leave_id: int):
    return leave_out(services.acknowledge_leave(request.auth, leave_id))


class ReasonIn(Schema):
    reason: str | None = None


@router.post("/leave-requests/{leave_id}/reject", response={200: LeaveOut, **ERRORS}, summary="不批准")
def reject_leave(request, leave_id: int, payload: ReasonIn):
    return leave_out(services.reject_leave(request.auth, leave_id, payload.reason or ""))


class RuleIn(Schema):
    min_attendance: float
    max_unexcused_absences: int


@router.put("/programmes/{programme_id}/completion-rule", response={200: dict, **ERRORS}, summary="结业规则")
def completion_rule(request, programme_id: int, payload: RuleIn):
    return services.set_completion_rule(
        request.auth, programme_id, payload.min_attendance, payload.max_unexcused_absences
    )


@router.post("/classes/{class_id}/completion", response={200: list[dict], **ERRORS}, summary="结业建议")
def completion(request, class_id: int):
    return [
        {k: v for k, v in item.items() if k != "name"}
        for item in services.propose_completion(request.auth, class_id)["items"]
    ]


class ConfirmIn(Schema):
    overrides: dict[int, str] | None = None


@router.post("/classes/{class_id}/completion/confirm", response={200: dict, **ERRORS}, summary="确认结业")
def confirm(request, class_id: int, payload: ConfirmIn | None = None):
    return services.confirm_completion(request.auth, class_id, payload.overrides if payload else None)
