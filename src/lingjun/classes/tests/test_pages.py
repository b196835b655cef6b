"""The class pages (issue #4) through the Django test client: classes of a programme, class detail with the
week timetable and its editor, roster, documents (xlsx, ics, PDF), the faculty roster, placement, and the
institution's home."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from lingjun.classes.models import Faculty, TimetableSession, TrainingClass
from lingjun.core.models import AuditEntry
from lingjun.core.testing import pdf_text
from lingjun.institutions.models import Institution, InstitutionYearStatus
from lingjun.registrations.models import Registration

from .conftest import START


def _html(response) -> str:
    return response.content.decode()


def _input_value(html: str, name: str) -> str | None:
    m = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if not m:
        return None
    v = re.search(r'value="([^"]*)"', m.group(0))
    return v.group(1) if v else ""


def _selected(html: str, name: str) -> str | None:
    m = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if not m:
        return None
    sel = re.search(r'<option value="([^"]*)"[^>]*selected', m.group(1))
    return sel.group(1) if sel else None


def _class_form(institution, **over) -> dict:
    data = {
        "number": "3",
        "track": "specialized",
        "institution": str(institution.pk),
        "city": "宁波",
        "venue": "宁波大学商学院",
        "start_date": "2030-11-02",
        "end_date": "",
        "capacity": "40",
        "head_teacher": "陈老师",
        "head_teacher_phone": "13905740001",
    }
    data.update(over)
    return data


def _session_form(tc, **over) -> dict:
    data = {
        "date": tc.start_date.isoformat(),
        "start": "09:00",
        "end": "11:30",
        "title": "专精特新企业的数字化转型",
        "topic": "digital",
        "format": "lecture",
        "faculty": "",
        "place": "",
        "required": "on",
    }
    data.update(over)
    return data


# --- classes of a programme ---------------------------------------------------------------------------


def test_centre_creates_a_class_through_the_form(page_client, programme, institution):
    c = page_client("centre")
    html = _html(c.get(f"/programmes/{programme.pk}/classes/"))
    assert "开设新班级" in html and "还没有开设班级" in html
    assert _input_value(html, "number") == "1"  # the next number is proposed
    r = c.post(f"/programmes/{programme.pk}/classes/", _class_form(institution))
    tc = TrainingClass.objects.get(programme=programme, number=3)
    assert r.status_code == 302 and r["Location"] == f"/classes/{tc.pk}/"
    # No end date typed: the programme's 4 days per class.
    assert (tc.start_date, tc.end_date) == (datetime.date(2030, 11, 2), datetime.date(2030, 11, 5))
    assert (tc.city, tc.capacity, tc.head_teacher, tc.institution) == ("宁波", 40, "陈老师", institution)
    html = _html(c.get(r["Location"]))
    assert "已开设第3期（宁波），现在可以安排课表。" in html
    html = _html(c.get(f"/programmes/{programme.pk}/classes/"))
    assert f'href="/classes/{tc.pk}/">第3期</a>' in html and "fillbar" in html
    assert AuditEntry.objects.filter(action="class.create", object_id=str(tc.pk)).exists()


def test_suspended_institution_is_refused_and_the_form_keeps_what_was_typed(
    page_client, programme, institution
):
    InstitutionYearStatus.objects.create(
        institution=institution, programme=programme, status="suspended", reason="考核排名末两位"
    )
    c = page_client("centre")
    html = _html(c.get(f"/programmes/{programme.pk}/classes/"))
    assert f"{institution.name}（本年度已暂停）" in html
    r = c.post(
        f"/programmes/{programme.pk}/classes/", _class_form(institution, city="温州", venue="温州会议中心")
    )
    assert r.status_code == 200
    html = _html(r)
    assert "该机构本年度已暂停。" in html
    assert re.search(r'class="field field-institution[^"]*has-error', html)
    assert _input_value(html, "city") == "温州" and _input_value(html, "venue") == "温州会议中心"
    assert _input_value(html, "capacity") == "40" and _input_value(html, "start_date") == "2030-11-02"
    assert _selected(html, "institution") == str(institution.pk)
    assert _selected(html, "track") == "specialized"
    assert "<details" in html and 'id="new-class" open' in html
    assert not TrainingClass.objects.exists()


def test_empty_class_form_names_every_missing_field(page_client, programme):
    r = page_client("centre").post(f"/programmes/{programme.pk}/classes/", {"number": "", "capacity": "abc"})
    html = _html(r)
    assert r.status_code == 200
    for name in ("number", "track", "institution", "city", "start_date", "capacity"):
        assert re.search(rf'class="field field-{name}[^"]*has-error', html), name
    assert "容量须为正整数。" in html
    assert not TrainingClass.objects.exists()


def test_duplicate_number_is_refused_on_the_number_field(page_client, programme, institution, make_class):
    make_class(3)
    r = page_client("centre").post(f"/programmes/{programme.pk}/classes/", _class_form(institution))
    html = _html(r)
    assert r.status_code == 200 and "该期次已存在。" in html
    assert re.search(r'class="field field-number[^"]*has-error', html)


def test_only_the_centre_gets_the_create_form(page_client, programme, make_class):
    make_class(1)
    for role in ("bureau", "region"):
        html = _html(page_client(role).get(f"/programmes/{programme.pk}/classes/"))
        assert "第1期" in html and "开设新班级" not in html
    r = page_client("bureau").post(f"/programmes/{programme.pk}/classes/", {"number": "2"})
    assert r.status_code == 403


def test_fill_is_shown_per_class(page_client, programme, make_class):
    make_class(1, capacity=40, enrolled=30)
    make_class(2, capacity=40, enrolled=40, start=START + datetime.timedelta(days=10))
    html = _html(page_client("centre").get(f"/programmes/{programme.pk}/classes/"))
    assert 'aria-label="已编入 30 / 容量 40"' in html and "75%" in html
    assert "fillbar fill-full" in html  # class 2 is full
    assert re.search(r"总容量.*?80", html, re.S) and re.search(
        r"已编入</div><div class=\"gauge-value\">70", html
    )


def test_institution_sees_only_its_own_classes(page_client, programme, make_class, institution):
    other = Institution.objects.create(name="另一所大学", kind="university")
    mine = make_class(1)
    theirs = make_class(2, inst=other)
    c = page_client("institution", institution=institution)
    html = _html(c.get(f"/programmes/{programme.pk}/classes/"))
    assert f"/classes/{mine.pk}/" in html and f"/classes/{theirs.pk}/" not in html
    assert c.get(f"/classes/{mine.pk}/").status_code == 200
    r = c.get(f"/classes/{theirs.pk}/")
    assert r.status_code == 404 and "班级不存在或不在您的管辖范围内" in _html(r)
    # Nor its documents, nor adding a session to it.
    assert c.get(f"/classes/{theirs.pk}/timetable.xlsx").status_code == 404
    assert c.get(f"/classes/{theirs.pk}/roster.pdf").status_code == 404
    assert c.post(f"/classes/{theirs.pk}/", _session_form(theirs)).status_code == 404
    assert not TimetableSession.objects.exists()


def test_menu_entries_of_the_class_pages(page_client, programme):
    def labels(role):
        html = _html(page_client(role).get("/"))
        nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
        return set(re.findall(r">([^<]+)</a>", nav))

    assert {"班级", "编班", "师资"} <= labels("centre")
    assert {"班级", "师资"} <= labels("institution") and "编班" not in labels("institution")
    assert "班级" in labels("bureau") and not {"编班", "师资"} & labels("bureau")
    assert not {"班级", "编班", "师资"} & labels("region")
    c = page_client("centre")
    assert c.get("/classes/")["Location"] == f"/programmes/{programme.pk}/classes/"
    assert c.get("/placement/")["Location"] == f"/programmes/{programme.pk}/placement/"
    html = _html(c.get(f"/programmes/{programme.pk}/classes/"))
    assert re.search(r'class="active" aria-current="page">班级<', html)


def test_centre_edits_a_class_and_capacity_below_enrolled_is_refused(page_client, make_class):
    tc = make_class(1, capacity=30, enrolled=20)
    c = page_client("centre")
    html = _html(c.get(f"/classes/{tc.pk}/edit/"))
    assert _input_value(html, "city") == "杭州" and _selected(html, "status") == "planned"
    form = _class_form(
        tc.institution,
        number="1",
        city="杭州",
        start_date=tc.start_date.isoformat(),
        end_date=tc.end_date.isoformat(),
        capacity="10",
        status="open",
    )
    r = c.post(f"/classes/{tc.pk}/edit/", form)
    html = _html(r)
    assert r.status_code == 200 and "已有 20 名学员编入，容量不能小于此数。" in html
    assert _input_value(html, "capacity") == "10"
    r = c.post(f"/classes/{tc.pk}/edit/", {**form, "capacity": "35"})
    assert r.status_code == 302
    tc.refresh_from_db()
    assert (tc.capacity, tc.status, tc.venue) == (35, "open", "宁波大学商学院")
    assert (
        page_client("institution", institution=tc.institution).get(f"/classes/{tc.pk}/edit/").status_code
        == 403
    )


# --- class detail, week timetable and its editor --------------------------------------------------------


def test_class_detail_shows_header_and_week_view(page_client, klass, make_session, faculty):
    make_session(
        klass, "09:00", "11:30", title="宏观经济形势与政策", topic="macro", faculty=faculty, place="报告厅"
    )
    make_session(
        klass,
        "14:00",
        "17:00",
        date=START + datetime.timedelta(days=1),
        title="走进链主企业",
        topic="innovation",
        format="field_teaching",
    )
    html = _html(page_client("centre").get(f"/classes/{klass.pk}/"))
    assert klass.label in html and klass.institution.name in html and "周老师" in html
    # Four day columns, one per class day, each with its label.
    assert len(re.findall(r'<div class="wk-day', html)) == 4
    assert "第1天" in html and "10月12日 星期六" in html and "第4天" in html
    block = re.search(
        r'<article class="wk-block fmt-lecture" style="grid-row:(\d+)/(\d+);grid-column:2">(.*?)</article>',
        html,
        re.S,
    )
    assert block, "the lecture sits in the first day's column"
    # 09:00–11:30 from an 08:00 grid of quarter hours: rows 2 + 4 … 2 + 14.
    assert (int(block.group(1)), int(block.group(2))) == (6, 16)
    assert "09:00—11:30" in block.group(3) and "宏观形势" in block.group(3) and "讲座" in block.group(3)
    assert "王教授" in block.group(3) and "报告厅" in block.group(3)
    assert re.search(r'class="wk-block fmt-field_teaching" style="grid-row:26/38;grid-column:3"', html)


def test_session_form_offers_only_the_class_dates_and_the_ten_topics(page_client, klass):
    html = _html(page_client("centre").get(f"/classes/{klass.pk}/"))
    dates = re.search(r'<select name="date"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="([^"]+)"', dates) == [
        (START + datetime.timedelta(days=i)).isoformat() for i in range(4)
    ]
    topics = re.search(r'<select name="topic"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert len(re.findall(r'<option value="[^"]+"', topics)) == 10
    fmt = re.search(r'<select name="format"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert all(label in fmt for label in ("讲座", "现场教学", "讨论交流", "其他"))


def test_add_session_then_an_overlapping_one_is_refused_with_input_kept(page_client, klass):
    c = page_client("centre")
    r = c.post(f"/classes/{klass.pk}/", _session_form(klass))
    assert r.status_code == 302 and r["Location"].endswith("#timetable")
    assert "已添加课程“专精特新企业的数字化转型”" in _html(c.get(r["Location"]))
    r = c.post(
        f"/classes/{klass.pk}/",
        _session_form(
            klass,
            start="10:00",
            end="12:00",
            title="企业家精神",
            topic="entrepreneurship",
            format="discussion",
            place="二号教室",
        ),
    )
    assert r.status_code == 200
    html = _html(r)
    assert "与本班已有课程“专精特新企业的数字化转型”（09:00—11:30）时间重叠。" in html
    assert "时间与本班其他课程重叠。" in html
    assert _input_value(html, "title") == "企业家精神" and _input_value(html, "place") == "二号教室"
    assert _input_value(html, "start") == "10:00" and _input_value(html, "end") == "12:00"
    assert _selected(html, "topic") == "entrepreneurship" and _selected(html, "format") == "discussion"
    assert TimetableSession.objects.filter(training_class=klass).count() == 1


def test_faculty_in_two_places_is_refused(page_client, make_class, faculty, make_session):
    one = make_class(1)
    two = make_class(2)
    make_session(one, "09:00", "11:00", faculty=faculty, title="数字化转型战略")
    r = page_client("centre").post(f"/classes/{two.pk}/", _session_form(two, faculty=str(faculty.pk)))
    html = _html(r)
    assert r.status_code == 200 and "该师资在此时段已有课程。" in html
    assert "王教授在该时段已安排在第1期授课（数字化转型战略）。" in html
    assert re.search(r'class="field field-faculty[^"]*has-error', html)
    assert _selected(html, "faculty") == str(faculty.pk)
    assert not two.sessions.exists()


def test_institution_edits_the_timetable_of_its_own_class(page_client, klass, institution):
    c = page_client("institution", institution=institution)
    html = _html(c.get(f"/classes/{klass.pk}/"))
    assert "添加课程" in html and "开设新班级" not in html
    r = c.post(f"/classes/{klass.pk}/", _session_form(klass, end="08:00"))
    assert r.status_code == 200 and "结束时间须晚于开始时间。" in _html(r)
    r = c.post(f"/classes/{klass.pk}/", _session_form(klass))
    assert r.status_code == 302
    s = klass.sessions.get()
    r = c.post(
        f"/classes/sessions/{s.pk}/edit/", _session_form(klass, start="13:30", end="15:00", title="下午课")
    )
    assert r.status_code == 302
    s.refresh_from_db()
    assert (s.start, s.end, s.title) == (datetime.time(13, 30), datetime.time(15), "下午课")
    r = c.post(f"/classes/sessions/{s.pk}/delete/")
    assert r.status_code == 302 and not klass.sessions.exists()


def test_edit_page_refusal_keeps_input(page_client, klass, make_session):
    make_session(klass, "09:00", "10:00", title="上午课")
    s = make_session(klass, "14:00", "15:00", title="下午课")
    c = page_client("centre")
    html = _html(c.get(f"/classes/sessions/{s.pk}/edit/"))
    assert _input_value(html, "title") == "下午课" and _input_value(html, "start") == "14:00"
    r = c.post(
        f"/classes/sessions/{s.pk}/edit/", _session_form(klass, start="09:30", end="10:30", title="改期")
    )
    html = _html(r)
    assert r.status_code == 200 and "时间与本班其他课程重叠" in html and _input_value(html, "title") == "改期"


def test_region_and_bureau_read_the_class_without_editing(page_client, klass, make_session):
    make_session(klass)
    for role in ("bureau", "region"):
        html = _html(page_client(role).get(f"/classes/{klass.pk}/"))
        assert "数字化转型" in html and 'id="add-session"' not in html and "修改班级信息" not in html
        assert "timetable.ics" in html and "roster.xlsx" not in html
    assert page_client("region").post(f"/classes/{klass.pk}/", _session_form(klass)).status_code == 403


# --- roster and manual assignment ------------------------------------------------------------------


def test_roster_masks_ids_and_centre_assigns_moves_and_unassigns(page_client, make_class, make_registration):
    one, two = make_class(1, capacity=2), make_class(2)
    reg = make_registration("330000", status="approved")
    c = page_client("centre")
    html = _html(c.get(f"/classes/{one.pk}/"))
    assert "人工编入本班" in html and reg.trainee.name in html
    r = c.post(f"/classes/{one.pk}/roster/", {"action": "assign", "registration": reg.pk})
    assert r.status_code == 302
    reg.refresh_from_db()
    assert (reg.status, reg.training_class_id, reg.placement_note) == ("enrolled", one.pk, "人工编班")
    html = _html(c.get(f"/classes/{one.pk}/"))
    assert f"已将{reg.trainee.name}编入第1期" in html
    assert reg.trainee.id_number_masked in html
    assert "*" in reg.trainee.id_number_masked
    c.post(f"/classes/{one.pk}/roster/", {"action": "move", "registration": reg.pk, "to_class": two.pk})
    reg.refresh_from_db()
    one.refresh_from_db()
    two.refresh_from_db()
    assert (reg.training_class_id, one.enrolled, two.enrolled) == (two.pk, 0, 1)
    c.post(f"/classes/{two.pk}/roster/", {"action": "unassign", "registration": reg.pk})
    reg.refresh_from_db()
    two.refresh_from_db()
    assert (reg.status, reg.training_class_id, two.enrolled) == ("approved", None, 0)


def test_full_class_refuses_manual_assignment_with_a_message(page_client, make_class, make_registration):
    full = make_class(1, capacity=1)
    a, b = make_registration("330000"), make_registration("110000")
    c = page_client("centre")
    c.post(f"/classes/{full.pk}/roster/", {"action": "assign", "registration": a.pk})
    r = c.post(f"/classes/{full.pk}/roster/", {"action": "assign", "registration": b.pk}, follow=True)
    assert "第1期已满（容量 1 人）。" in _html(r)
    b.refresh_from_db()
    assert b.status == "approved"


def test_region_sees_only_its_own_trainees_in_the_roster(page_client, klass, make_registration):
    zj = make_registration("330000", status="enrolled")
    bj = make_registration("110000", status="enrolled")
    Registration.objects.filter(pk__in=[zj.pk, bj.pk]).update(training_class=klass)
    html = _html(page_client("region", region="330000").get(f"/classes/{klass.pk}/"))
    assert zj.trainee.name in html and bj.trainee.name not in html and "本地区学员 1 人" in html


# --- documents ---------------------------------------------------------------------------------------

_pdf_text = pdf_text


@pytest.fixture
def class_with_people(klass, make_session, faculty, make_registration):
    make_session(klass, "09:00", "11:30", title="宏观经济形势与政策", topic="macro", faculty=faculty)
    make_session(klass, "14:00", "17:00", title="数字化转型", date=START + datetime.timedelta(days=1))
    regs = [make_registration(region, status="enrolled") for region in ("330000", "110000")]
    Registration.objects.filter(pk__in=[r.pk for r in regs]).update(training_class=klass)
    return klass, regs


@pytest.mark.parametrize("kind", ["timetable", "roster", "signin"])
def test_pdfs_are_pdf_and_carry_the_class_title(page_client, class_with_people, kind, tmp_path):
    tc, regs = class_with_people
    r = page_client("centre").get(f"/classes/{tc.pk}/{kind}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert ".pdf" in r["Content-Disposition"]
    text = _pdf_text(r.content, tmp_path, keep_as=kind)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert tc.label in text
    title = {"timetable": "课程表", "roster": "学员名册", "signin": "签到表"}[kind]
    assert title in text
    if kind == "timetable":
        assert "宏观经济形势与政策" in text and "王教授" in text and "10月12日" in text and "星期六" in text
    else:
        assert regs[0].trainee.name in text and regs[0].enterprise.name[:6] in text
    if kind == "roster":
        assert regs[0].trainee.id_number_masked in text
    if kind == "signin":
        assert "本人签名" in text and "应到 2 人" in text


def test_signin_pdf_for_one_session_and_through_the_api(page_client, api_as, class_with_people, tmp_path):
    tc, _ = class_with_people
    s = tc.sessions.order_by("date").first()
    r = page_client("centre").get(f"/classes/{tc.pk}/signin.pdf?session={s.pk}")
    text = _pdf_text(r.content, tmp_path)
    if text is not None:
        assert "宏观经济形势与政策" in text
    api = api_as("centre")
    r = api.get(f"classes/{tc.pk}/timetable.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert api.get(f"classes/{tc.pk}/signin.pdf", {"session": s.pk}).status_code == 200
    assert api.get(f"classes/{tc.pk}/contacts.pdf").status_code == 404
    assert api_as("region").get(f"classes/{tc.pk}/roster.pdf").status_code == 403
    assert api_as("region").get(f"classes/{tc.pk}/timetable.pdf").status_code == 200


def test_documents_by_role_and_audit_of_personal_data(page_client, class_with_people, institution):
    tc, _ = class_with_people
    inst = page_client("institution", institution=institution)
    for path in ("timetable.xlsx", "roster.xlsx", "signin.xlsx", "contacts.xlsx", "timetable.ics"):
        assert inst.get(f"/classes/{tc.pk}/{path}").status_code == 200, path
    assert inst.get(f"/classes/{tc.pk}/contacts.pdf").status_code == 404
    assert AuditEntry.objects.filter(action="class.export_contacts", object_id=str(tc.pk)).count() == 1
    assert AuditEntry.objects.filter(action="class.export_roster", object_id=str(tc.pk)).count() == 1
    region = page_client("region")
    assert region.get(f"/classes/{tc.pk}/timetable.xlsx").status_code == 200
    for path in ("roster.xlsx", "roster.pdf", "contacts.xlsx", "signin.pdf"):
        assert region.get(f"/classes/{tc.pk}/{path}").status_code == 403, path
    ics = inst.get(f"/classes/{tc.pk}/timetable.ics")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    html = _html(inst.get(f"/classes/{tc.pk}/"))
    assert "导入手机日历" in html


def test_missing_font_gives_a_clear_page(page_client, klass, monkeypatch):
    from lingjun.core import pdf as core_pdf

    monkeypatch.setenv("LINGJUN_PDF_FONT", "/nonexistent/font.ttc")
    core_pdf.find_cjk_font.cache_clear()
    try:
        r = page_client("centre").get(f"/classes/{klass.pk}/timetable.pdf")
    finally:
        monkeypatch.delenv("LINGJUN_PDF_FONT")
        core_pdf.find_cjk_font.cache_clear()
    assert r.status_code == 503 and "fonts-noto-cjk" in _html(r)


# --- faculty -----------------------------------------------------------------------------------------


def test_faculty_roster_create_search_and_topic_filter(page_client, db):
    c = page_client("institution")
    r = c.post(
        "/faculty/",
        {
            "name": "李教授",
            "affiliation": "复旦大学管理学院",
            "affiliation_kind": "university",
            "title": "教授",
            "topics": ["strategy", "digital"],
        },
    )
    assert r.status_code == 302
    f = Faculty.objects.get(name="李教授")
    assert sorted(f.topics.values_list("code", flat=True)) == ["digital", "strategy"]
    Faculty.objects.create(name="张局长", affiliation="某省工业和信息化厅", affiliation_kind="government")
    html = _html(c.get("/faculty/"))
    assert "已新增师资“李教授”" in html and "张局长" in html
    html = _html(c.get("/faculty/?topic=strategy"))
    assert "李教授" in html and "张局长" not in html
    html = _html(c.get("/faculty/?q=工业"))
    assert "张局长" in html and "李教授" not in html
    r = c.post("/faculty/", {"name": "", "affiliation": "", "affiliation_kind": ""})
    html = _html(r)
    assert r.status_code == 200
    for name in ("name", "affiliation", "affiliation_kind"):
        assert re.search(rf'class="field field-{name}[^"]*has-error', html), name
    html = _html(page_client("bureau").get("/faculty/"))
    assert "李教授" in html and "新增师资" not in html
    assert page_client("region").get("/faculty/").status_code == 403


def test_session_form_lists_faculty_with_their_topics(page_client, klass):
    f = Faculty.objects.create(
        name="赵研究员", affiliation="中国社会科学院", affiliation_kind="research_institute"
    )
    f.topics.set(["macro", "policy_law"])
    html = _html(page_client("centre").get(f"/classes/{klass.pk}/"))
    assert re.search(
        rf'<option value="{f.pk}" data-topics="macro policy_law">赵研究员（中国社会科学院）</option>', html
    )


# --- placement ---------------------------------------------------------------------------------------


def test_placement_proposes_then_confirms_an_edited_mapping(
    page_client, programme, make_class, make_registration
):
    one = make_class(1, capacity=2)
    two = make_class(2, capacity=2, start=START + datetime.timedelta(days=10))
    a = make_registration("330000", preferred=[1])
    b = make_registration("110000", preferred=[2])
    d = make_registration("440000", preferred=[1, 2])
    c = page_client("centre")
    html = _html(c.get(f"/programmes/{programme.pk}/placement/"))
    assert "运行优化编班" in html and re.search(r"待编班</div><div class=\"gauge-value\">3", html)

    r = c.post(f"/programmes/{programme.pk}/placement/", {"action": "propose"})
    html = _html(r)
    assert r.status_code == 200 and "编班方案" in html and "确认编班" in html
    assert a.trainee.name in html and a.enterprise.name in html and "浙江省" in html
    assert "第1志愿" in html
    assert _selected(html, f"class_{a.pk}") == str(one.pk)
    assert _selected(html, f"class_{b.pk}") == str(two.pk)
    assert not Registration.objects.filter(status="enrolled").exists()  # a proposal saves nothing

    # The centre moves d by hand and confirms.
    form = {"action": "apply"}
    for reg in (a, b, d):
        form[f"class_{reg.pk}"] = _selected(html, f"class_{reg.pk}") or ""
        form[f"proposed_{reg.pk}"] = _input_value(html, f"proposed_{reg.pk}")
        form[f"reason_{reg.pk}"] = _input_value(html, f"reason_{reg.pk}")
    form[f"class_{d.pk}"] = str(two.pk) if form[f"class_{d.pk}"] == str(one.pk) else str(one.pk)
    r = c.post(f"/programmes/{programme.pk}/placement/", form, follow=True)
    html = _html(r)
    assert "已编班 3 人。" in html
    for reg in (a, b, d):
        reg.refresh_from_db()
        assert reg.status == "enrolled"
    assert (a.training_class_id, b.training_class_id) == (one.pk, two.pk)
    assert a.placement_note.startswith("第1志愿")
    assert d.placement_note.startswith("人工调整")
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.enrolled + two.enrolled == 3
    assert AuditEntry.objects.filter(action="placement.apply").exists()


def test_placement_over_capacity_shows_who_was_refused(page_client, programme, make_class, make_registration):
    one = make_class(1, capacity=1)
    a, b = make_registration("330000"), make_registration("110000")
    r = page_client("centre").post(
        f"/programmes/{programme.pk}/placement/",
        {
            "action": "apply",
            f"class_{a.pk}": str(one.pk),
            f"class_{b.pk}": str(one.pk),
            f"proposed_{a.pk}": "",
            f"proposed_{b.pk}": "",
            f"reason_{a.pk}": "",
            f"reason_{b.pk}": "",
        },
        follow=True,
    )
    html = _html(r)
    assert "已编班 1 人。" in html and "1 人未能编班" in html and "第1期已满（容量 1 人）。" in html
    assert Registration.objects.filter(status="enrolled").count() == 1


def test_placement_is_for_the_centre_only(page_client, programme):
    for role in ("bureau", "institution", "region"):
        assert page_client(role).get(f"/programmes/{programme.pk}/placement/").status_code == 403


# --- institution home -----------------------------------------------------------------------------------


def test_institution_home_shows_its_classes_this_week_and_todays_sessions(
    page_client, make_class, make_session, institution
):
    today = timezone.localdate()
    mine = make_class(1, start=today - datetime.timedelta(days=1))
    other = make_class(2, start=today, inst=Institution.objects.create(name="别家学院", kind="other"))
    make_session(mine, "09:00", "11:00", date=today, title="今天的课")
    make_session(mine, "09:00", "11:00", date=today + datetime.timedelta(days=1), title="明天的课")
    make_session(other, "14:00", "16:00", date=today, title="别家的课")
    html = _html(page_client("institution", institution=institution).get("/"))
    assert "今天的课程" in html and "今天的课" in html and "明天的课" not in html and "别家的课" not in html
    assert f"/classes/{mine.pk}/" in html and f"/classes/{other.pk}/" not in html
