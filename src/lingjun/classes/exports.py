"""Class documents: roster, sign-in sheet, contact list and timetable (xlsx through the one export helper,
iCalendar for phones). IDs are masked everywhere here."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from lingjun.core.exports import Sheet, xlsx_response
from lingjun.registrations.models import Registration

from .models import TimetableSession, TrainingClass


def class_registrations(tc: TrainingClass):
    return (
        Registration.objects.filter(training_class=tc, status__in=("enrolled", "completed", "not_completed"))
        .select_related("trainee", "enterprise", "region")
        .order_by("region_id", "trainee__name")
    )


def roster_sheet(tc: TrainingClass) -> Sheet:
    rows = [
        [
            i,
            r.trainee.name,
            r.trainee.get_gender_display(),
            r.trainee.id_number_masked,
            r.region.name,
            r.enterprise.name,
            r.trainee.position,
            r.enterprise.get_size_class_display(),
            r.placement_note,
        ]
        for i, r in enumerate(class_registrations(tc), 1)
    ]
    return Sheet(
        name="学员名册",
        title=f"{tc.label} 学员名册",
        subtitle=_class_line(tc),
        headers=["序号", "姓名", "性别", "身份证号", "推荐地区", "企业名称", "职务", "企业规模", "编班说明"],
        rows=rows,
        widths=[6, 10, 6, 22, 14, 34, 14, 10, 24],
    )


def signin_sheet(tc: TrainingClass, session: TimetableSession | None = None) -> Sheet:
    what = f"{session.date:%m月%d日} {session.start:%H:%M} {session.title}" if session else "签到表"
    rows = [
        [i, r.trainee.name, r.region.name, r.enterprise.name, "", ""]
        for i, r in enumerate(class_registrations(tc), 1)
    ]
    return Sheet(
        name="签到表",
        title=f"{tc.label} 签到表",
        subtitle=what,
        headers=["序号", "姓名", "推荐地区", "企业名称", "签到", "备注"],
        rows=rows,
        widths=[6, 12, 14, 36, 16, 16],
    )


def contact_sheet(tc: TrainingClass) -> Sheet:
    rows = [
        [
            i,
            r.trainee.name,
            r.region.name,
            r.enterprise.name,
            r.trainee.position,
            r.trainee.mobile,
            r.trainee.email,
        ]
        for i, r in enumerate(class_registrations(tc), 1)
    ]
    return Sheet(
        name="通讯录",
        title=f"{tc.label} 学员通讯录（班主任用，注意保密）",
        subtitle=_class_line(tc),
        headers=["序号", "姓名", "推荐地区", "企业名称", "职务", "手机", "电子邮箱"],
        rows=rows,
        widths=[6, 10, 14, 34, 14, 14, 26],
    )


def timetable_sheet(tc: TrainingClass) -> Sheet:
    rows = [
        [
            s.date.isoformat(),
            f"{s.start:%H:%M}—{s.end:%H:%M}",
            s.title,
            s.topic.name,
            s.get_format_display(),
            s.faculty.name if s.faculty else "",
            s.faculty.affiliation if s.faculty else "",
            s.place,
        ]
        for s in tc.sessions.select_related("topic", "faculty").order_by("date", "start")
    ]
    return Sheet(
        name="课表",
        title=f"{tc.label} 课程表",
        subtitle=_class_line(tc),
        headers=["日期", "时间", "课程", "专题", "形式", "授课人", "单位", "地点"],
        rows=rows,
        widths=[12, 13, 36, 12, 10, 10, 24, 20],
    )


def _class_line(tc: TrainingClass) -> str:
    return (
        f"{tc.start_date:%Y年%m月%d日}—{tc.end_date:%m月%d日}  {tc.city}{tc.venue}  承办：{tc.institution.name}"
        + (f"  班主任：{tc.head_teacher}" if tc.head_teacher else "")
    )


def xlsx(tc: TrainingClass, kind: str):
    sheet = {
        "roster": roster_sheet,
        "signin": signin_sheet,
        "contacts": contact_sheet,
        "timetable": timetable_sheet,
    }[kind](tc)
    names = {"roster": "学员名册", "signin": "签到表", "contacts": "通讯录", "timetable": "课程表"}
    return xlsx_response(f"{tc.programme.year}年第{tc.number}期_{names[kind]}.xlsx", [sheet])


def ics(tc: TrainingClass, host: str = "lingjun") -> HttpResponse:
    """iCalendar (RFC 5545) of the class timetable; phones import it into their calendar."""
    from icalendar import Calendar, Event

    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//lingjun//领军人才培训管理平台//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{tc.label} 课程表")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = datetime.datetime.now(datetime.UTC)
    for s in tc.sessions.select_related("topic", "faculty").order_by("date", "start"):
        ev = Event()
        ev.add("uid", f"session-{s.pk}@{host}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", datetime.datetime.combine(s.date, s.start, tz))
        ev.add("dtend", datetime.datetime.combine(s.date, s.end, tz))
        ev.add("summary", s.title)
        ev.add("location", s.place or f"{tc.city}{tc.venue}")
        desc = [f"专题：{s.topic.name}", f"形式：{s.get_format_display()}"]
        if s.faculty:
            desc.append(
                f"授课：{s.faculty.name}（{s.faculty.affiliation}{s.faculty.title and '，' + s.faculty.title}）"
            )
        ev.add("description", "\n".join(desc))
        cal.add_component(ev)
    cal.add_missing_timezones()  # RFC 5545 §3.2.19: a VTIMEZONE for every TZID used (Outlook needs it)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{tc.programme.year}年第{tc.number}期课程表.ics"
    )
    return response
