import datetime

from ninja import Field, Router, Schema

from lingjun.core import permissions
from lingjun.core.schemas import ERRORS

from . import exports, services
from .models import Faculty, TrainingClass

router = Router(tags=["班级、课表与编班"])


class ClassIn(Schema):
    number: int
    track: str
    institution: int
    city: str
    venue: str | None = None
    start_date: datetime.date
    end_date: datetime.date | None = None
    capacity: int
    head_teacher: str | None = None
    head_teacher_phone: str | None = None


class ClassPatch(Schema):
    number: int | None = None
    track: str | None = None
    institution: int | None = None
    city: str | None = None
    venue: str | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    capacity: int | None = None
    head_teacher: str | None = None
    head_teacher_phone: str | None = None
    status: str | None = None


class ClassOut(Schema):
    id: int
    programme: int
    number: int
    track: str
    institution: int
    institution_name: str
    city: str
    venue: str
    start_date: datetime.date
    end_date: datetime.date
    capacity: int
    enrolled: int
    head_teacher: str
    status: str

    @staticmethod
    def resolve_programme(obj):
        return obj.programme_id

    @staticmethod
    def resolve_institution(obj):
        return obj.institution_id

    @staticmethod
    def resolve_institution_name(obj):
        return obj.institution.name


class ClassPage(Schema):
    items: list[ClassOut]
    count: int


@router.post(
    "/programmes/{programme_id}/classes",
    response={201: ClassOut, **ERRORS},
    summary="开设班级（人才交流中心）",
)
def create_class(request, programme_id: int, payload: ClassIn):
    return 201, services.create_class(request.auth, programme_id, payload.dict())


@router.get("/programmes/{programme_id}/classes", response={200: ClassPage, **ERRORS}, summary="班级列表")
def list_classes(request, programme_id: int):
    permissions.check(request.auth, "class.view")
    items = list(TrainingClass.objects.filter(programme_id=programme_id).select_related("institution"))
    return {"items": items, "count": len(items)}


@router.get("/classes/{class_id}", response={200: ClassOut, **ERRORS}, summary="班级详情")
def get_class(request, class_id: int):
    permissions.check(request.auth, "class.view")
    return services.get_class(request.auth, class_id)


@router.patch("/classes/{class_id}", response={200: ClassOut, **ERRORS}, summary="修改班级")
def patch_class(request, class_id: int, payload: ClassPatch):
    return services.update_class(request.auth, class_id, payload.dict(exclude_unset=True))


class SessionIn(Schema):
    date: datetime.date
    start: datetime.time
    end: datetime.time
    title: str
    topic: str
    format: str
    faculty: int | None = None
    place: str | None = None
    required: bool = True


class SessionPatch(Schema):
    date: datetime.date | None = None
    start: datetime.time | None = None
    end: datetime.time | None = None
    title: str | None = None
    topic: str | None = None
    format: str | None = None
    faculty: int | None = None
    place: str | None = None
    required: bool | None = None


class SessionOut(Schema):
    id: int
    training_class: int
    date: datetime.date
    start: str
    end: str
    title: str
    topic: str
    format: str
    faculty: int | None
    faculty_name: str | None
    place: str
    required: bool

    @staticmethod
    def resolve_training_class(obj):
        return obj.training_class_id

    @staticmethod
    def resolve_start(obj):
        return obj.start.strftime("%H:%M")

    @staticmethod
    def resolve_end(obj):
        return obj.end.strftime("%H:%M")

    @staticmethod
    def resolve_topic(obj):
        return obj.topic_id

    @staticmethod
    def resolve_faculty(obj):
        return obj.faculty_id

    @staticmethod
    def resolve_faculty_name(obj):
        return obj.faculty.name if obj.faculty else None


class SessionPage(Schema):
    items: list[SessionOut]
    count: int


@router.post(
    "/classes/{class_id}/sessions", response={201: SessionOut, **ERRORS}, summary="添加课程（无重叠）"
)
def add_session(request, class_id: int, payload: SessionIn):
    return 201, services.add_session(request.auth, class_id, payload.dict())


@router.get("/classes/{class_id}/sessions", response={200: SessionPage, **ERRORS}, summary="课程表")
def list_sessions(request, class_id: int):
    permissions.check(request.auth, "class.view")
    tc = services.get_class(request.auth, class_id)
    items = list(tc.sessions.select_related("faculty").order_by("date", "start"))
    return {"items": items, "count": len(items)}


@router.patch("/sessions/{session_id}", response={200: SessionOut, **ERRORS}, summary="修改课程")
def patch_session(request, session_id: int, payload: SessionPatch):
    return services.update_session(request.auth, session_id, payload.dict(exclude_unset=True))


@router.delete("/sessions/{session_id}", response={204: None, **ERRORS}, summary="删除课程")
def delete_session(request, session_id: int):
    services.delete_session(request.auth, session_id)
    return 204, None


@router.get(
    "/classes/{class_id}/timetable.ics", response={200: None, **ERRORS}, summary="课程表（iCalendar）"
)
def timetable_ics(request, class_id: int):
    permissions.check(request.auth, "class.view")
    return exports.ics(services.get_class(request.auth, class_id), request.get_host())


@router.get(
    "/classes/{class_id}/{kind}.xlsx",
    response={200: None, **ERRORS},
    summary="班级文件：roster 名册、signin 签到表、contacts 通讯录、timetable 课程表",
)
def class_xlsx(request, class_id: int, kind: str):
    from lingjun.core.errors import NotFound

    if kind not in ("roster", "signin", "contacts", "timetable"):
        raise NotFound()
    if kind != "timetable":
        permissions.check(request.auth, "class.documents")
    else:
        permissions.check(request.auth, "class.view")
    tc = services.get_class(request.auth, class_id)
    if kind in ("roster", "contacts"):
        from lingjun.core import audit

        audit.record(request.auth, f"class.export_{kind}", tc)
    return exports.xlsx(tc, kind)


@router.get(
    "/classes/{class_id}/{kind}.pdf",
    response={200: None, **ERRORS},
    summary="班级文件 PDF：timetable 课程表（A4 横向）、roster 名册、signin 签到表（可指定 session 课程）",
)
def class_pdf(request, class_id: int, kind: str, session: int | None = None):
    from lingjun.core.errors import NotFound

    from .documents import class_document

    if kind not in ("roster", "signin", "timetable"):
        raise NotFound()
    return class_document(request.auth, class_id, kind, "pdf", session_id=session)


class FacultyIn(Schema):
    name: str
    affiliation: str
    affiliation_kind: str
    title: str | None = None
    topics: list[str] | None = None


class FacultyOut(Schema):
    id: int
    name: str
    affiliation: str
    affiliation_kind: str
    title: str
    topics: list[str]

    @staticmethod
    def resolve_topics(obj):
        return sorted(t.code for t in obj.topics.all())


class FacultyPage(Schema):
    items: list[FacultyOut]
    count: int


@router.post("/faculty", response={201: FacultyOut, **ERRORS}, summary="新增师资")
def create_faculty(request, payload: FacultyIn):
    return 201, services.create_faculty(request.auth, payload.dict())


@router.get("/faculty", response={200: FacultyPage, **ERRORS}, summary="师资库（可按专题检索）")
def list_faculty(request, topic: str | None = None, q: str | None = None, limit: int = 100, offset: int = 0):
    permissions.check(request.auth, "faculty.view")
    qs = Faculty.objects.prefetch_related("topics").order_by("name")
    if topic:
        qs = qs.filter(topics__code=topic)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(affiliation__icontains=q)
    limit, offset = max(1, min(limit, 500)), max(0, offset)
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


class AssignIn(Schema):
    training_class: int = Field(..., alias="class", description="班级 id")


@router.post("/registrations/{registration_id}/assign", response={200: dict, **ERRORS}, summary="人工编班")
def assign(request, registration_id: int, payload: AssignIn):
    reg = services.assign(request.auth, registration_id, payload.training_class)
    return {"id": reg.pk, "status": reg.status, "class": reg.training_class_id, "note": reg.placement_note}


@router.post("/registrations/{registration_id}/unassign", response={200: dict, **ERRORS}, summary="移出班级")
def unassign(request, registration_id: int):
    reg = services.unassign(request.auth, registration_id)
    return {"id": reg.pk, "status": reg.status, "class": None}


class AssignmentOut(Schema):
    assigned: int
    unassigned: list[int]


@router.post(
    "/programmes/{programme_id}/assignment",
    response={200: AssignmentOut, **ERRORS},
    summary="优化编班：对全部审核通过的学员求解并应用",
)
def run_assignment(request, programme_id: int):
    return services.run_assignment(request.auth, programme_id)


@router.post(
    "/programmes/{programme_id}/assignment/proposal",
    response={200: dict, **ERRORS},
    summary="优化编班方案（不保存，附每人说明）",
)
def proposal(request, programme_id: int):
    return services.propose_placement(request.auth, programme_id)
