"""One door for a class's downloadable documents, shared by the pages and the API: who may fetch which
document, the audit entry for personal data, and the file itself (xlsx, PDF or iCalendar)."""

from __future__ import annotations

from lingjun.core import audit, permissions
from lingjun.core import pdf as core_pdf
from lingjun.core.errors import NotFound

from . import exports, pdf, services

# (kind, format) → what it is, for links and messages
DOCUMENTS = {
    ("timetable", "xlsx"): "课程表（Excel）",
    ("timetable", "pdf"): "课程表（PDF）",
    ("timetable", "ics"): "课程表（日历文件）",
    ("roster", "xlsx"): "学员名册（Excel）",
    ("roster", "pdf"): "学员名册（PDF）",
    ("signin", "xlsx"): "签到表（Excel）",
    ("signin", "pdf"): "签到表（PDF）",
    ("contacts", "xlsx"): "学员通讯录（Excel）",
}
# Documents with trainees' personal data: centre and the class's institution only, and every export audited.
PERSONAL = {"roster", "signin", "contacts"}


def class_document(actor, class_id, kind: str, fmt: str, session_id=None, host: str = "lingjun"):
    if (kind, fmt) not in DOCUMENTS:
        raise NotFound("not_found", "没有这种班级文件。")
    permissions.check(actor, "class.documents" if kind in PERSONAL else "class.view")
    tc = services.get_class(actor, class_id)
    session = None
    if kind == "signin" and session_id not in (None, ""):
        session = tc.sessions.filter(pk=session_id).first() if str(session_id).isdigit() else None
        if session is None:
            raise NotFound("not_found", "该课程不属于本班。")
    if fmt == "pdf":
        core_pdf.find_cjk_font()  # refuse before anything is recorded
    if kind in PERSONAL:
        audit.record(actor, f"class.export_{kind}", tc, after={"format": fmt})
    if fmt == "ics":
        return exports.ics(tc, host)
    if fmt == "pdf":
        if kind == "signin":
            return pdf.signin(tc, session)
        return {"timetable": pdf.timetable, "roster": pdf.roster}[kind](tc)
    if kind == "signin" and session is not None:
        from lingjun.core.exports import xlsx_response

        return xlsx_response(
            f"{tc.programme.year}年第{tc.number}期_签到表.xlsx", [exports.signin_sheet(tc, session)]
        )
    return exports.xlsx(tc, kind)
