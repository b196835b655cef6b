"""Class documents as PDF (SPEC §3.3): the timetable (A4 landscape, grouped by day), the roster and the
sign-in sheet (A4 portrait). Same rows as the xlsx versions in `exports`; ID numbers are masked."""

from __future__ import annotations

from itertools import groupby

from lingjun.core import pdf as core_pdf

from .exports import _class_line, class_registrations
from .models import TimetableSession, TrainingClass

WEEKDAYS = "一二三四五六日"


def day_label(d) -> str:
    return f"{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"


def _filename(tc: TrainingClass, what: str) -> str:
    return f"{tc.programme.year}年第{tc.number}期_{what}.pdf"


def timetable(tc: TrainingClass):
    doc = core_pdf.document("L", title=f"{tc.label} 课程表")
    doc.add_page()
    core_pdf.heading(doc, f"{tc.label} 课程表", _class_line(tc))
    sessions = list(tc.sessions.select_related("topic", "faculty").order_by("date", "start"))
    if not sessions:
        doc.cell(0, 8, "尚未安排课程。", new_x="LMARGIN", new_y="NEXT")
        return core_pdf.pdf_response(doc, _filename(tc, "课程表"))
    # 273 mm between the margins of a landscape A4 page.
    widths = (24, 28, 66, 24, 20, 20, 48, 43)
    with doc.table(col_widths=widths, **core_pdf.table_style()) as table:
        head = table.row()
        for h in ("日期", "时间", "课程", "专题", "形式", "授课人", "单位及职务", "地点"):
            head.cell(h)
        for day, group in groupby(sessions, key=lambda s: s.date):
            group = list(group)
            for i, s in enumerate(group):
                row = table.row()
                if i == 0:
                    row.cell(
                        f"{day.month}月{day.day}日\n星期{WEEKDAYS[day.weekday()]}",
                        rowspan=len(group),
                        align="C",
                    )
                row.cell(f"{s.start:%H:%M}—{s.end:%H:%M}")
                row.cell(s.title + ("" if s.required else "（选修）"))
                row.cell(s.topic.name)
                row.cell(s.get_format_display())
                row.cell(s.faculty.name if s.faculty else "")
                row.cell(_affiliation(s))
                row.cell(s.place or f"{tc.city}{tc.venue}")
    return core_pdf.pdf_response(doc, _filename(tc, "课程表"))


def _affiliation(s: TimetableSession) -> str:
    if not s.faculty:
        return ""
    return s.faculty.affiliation + (f"，{s.faculty.title}" if s.faculty.title else "")


def roster(tc: TrainingClass):
    doc = core_pdf.document("P", title=f"{tc.label} 学员名册")
    doc.add_page()
    core_pdf.heading(doc, f"{tc.label} 学员名册", _class_line(tc))
    regs = list(class_registrations(tc))
    # 186 mm between the margins of a portrait A4 page.
    with doc.table(col_widths=(10, 18, 10, 36, 24, 60, 28), **core_pdf.table_style()) as table:
        head = table.row()
        for h in ("序号", "姓名", "性别", "身份证号", "推荐地区", "企业名称", "职务"):
            head.cell(h)
        for i, r in enumerate(regs, 1):
            row = table.row()
            for value in (
                str(i),
                r.trainee.name,
                r.trainee.get_gender_display(),
                r.trainee.id_number_masked,
                r.region.name,
                r.enterprise.name,
                r.trainee.position,
            ):
                row.cell(value)
    _count_line(doc, f"共 {len(regs)} 人。" if regs else "本班尚无学员。")
    return core_pdf.pdf_response(doc, _filename(tc, "学员名册"))


def signin(tc: TrainingClass, session: TimetableSession | None = None):
    doc = core_pdf.document("P", title=f"{tc.label} 签到表")
    doc.add_page()
    core_pdf.heading(doc, f"{tc.label} 签到表", _class_line(tc))
    if session is not None:
        what = f"{day_label(session.date)}  {session.start:%H:%M}—{session.end:%H:%M}  {session.title}"
    else:
        what = "日期：______月______日　　时段：□上午　□下午　□晚上　　课程：________________________"
    doc.multi_cell(0, 6, what, new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    regs = list(class_registrations(tc))
    with doc.table(col_widths=(10, 20, 26, 64, 44, 22), min_row_height=11, **core_pdf.table_style()) as table:
        head = table.row()
        for h in ("序号", "姓名", "推荐地区", "企业名称", "本人签名", "备注"):
            head.cell(h)
        for i, r in enumerate(regs, 1):
            row = table.row()
            for value in (str(i), r.trainee.name, r.region.name, r.enterprise.name, "", ""):
                row.cell(value)
    _count_line(
        doc,
        f"应到 {len(regs)} 人，实到 ______ 人。　　班主任签字：______________" if regs else "本班尚无学员。",
    )
    return core_pdf.pdf_response(doc, _filename(tc, "签到表"))


def _count_line(doc, text: str) -> None:
    doc.ln(3)
    doc.set_font(core_pdf.FAMILY, size=10)
    doc.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
