"""Classes in a real browser (issue #4): the centre opens a class (a suspended institution is refused first),
builds its timetable in the week view (an overlap is refused), downloads the timetable PDF, runs the optimiser
and confirms the placement after changing one trainee by hand. Then the institution's home and the class page
on a phone."""

from __future__ import annotations

import datetime
import random
import re

import pytest

from lingjun.registrations import fakes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _approved(programme, make_user, wishes: list[tuple[str, list[int]]]):
    """Approved registrations, made through the registration service (valid fake people and enterprises)."""
    from django.utils import timezone

    from lingjun.programmes.models import Quota
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration

    rng = random.Random(44)
    officers, regs = {}, []
    for region, preferred in wishes:
        if region not in officers:
            Quota.objects.filter(programme=programme, region_id=region).update(amount=50)
            officers[region] = make_user("region", region=region)
        payload = fakes.registration_payload(rng, region)
        payload["preferred_classes"] = preferred
        reg = reg_services.create_registration(officers[region], programme.pk, payload)
        Registration.objects.filter(pk=reg.pk).update(status="approved", confirmed_at=timezone.now())
        regs.append(reg)
    return regs


def _seed(programme, make_user):
    from django.utils import timezone

    from lingjun.classes.models import Faculty, TimetableSession, TrainingClass
    from lingjun.institutions.models import Institution, InstitutionYearStatus

    today = timezone.localdate()
    staff = make_user("institution", username="zju_staff", display_name="浙江大学继续教育学院 周老师")
    zju = staff.institution
    zju.name, zju.tracks = "浙江大学", ["regional", "specialized"]
    zju.save()
    suspended = Institution.objects.create(name="某管理学院", kind="other", tracks=["theme"])
    InstitutionYearStatus.objects.create(
        institution=suspended, programme=programme, status="suspended", reason="上年度考核排名末两位"
    )
    Institution.objects.create(
        name="工业和信息化部人才交流中心", kind="talent_centre", tracks=["specialized"]
    )
    first = TrainingClass.objects.create(
        programme=programme,
        number=1,
        track="specialized",
        institution=zju,
        city="杭州",
        venue="浙江大学紫金港校区",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=2),
        capacity=3,
        head_teacher="周老师",
        head_teacher_phone="13905710001",
    )
    people = [
        ("王建华", "中国社会科学院工业经济研究所", "research_institute", "研究员", ["macro", "policy_law"]),
        ("李晓明", "浙江大学管理学院", "university", "教授", ["digital", "strategy"]),
        ("陈志强", "杭州某智能装备有限公司", "enterprise", "董事长", ["entrepreneurship", "innovation"]),
        ("刘芳", "清华大学经济管理学院", "university", "副教授", ["digital", "finance"]),
        ("赵敏", "工业和信息化部中小企业局", "government", "处长", ["policy_law", "political_guidance"]),
    ]
    faculty = {}
    for name, aff, kind, title, topics in people:
        f = Faculty.objects.create(name=name, affiliation=aff, affiliation_kind=kind, title=title)
        f.topics.set(topics)
        faculty[name] = f
    TimetableSession.objects.create(
        training_class=first,
        date=today,
        start=datetime.time(9),
        end=datetime.time(11, 30),
        title="当前宏观经济形势与中小企业政策",
        topic_id="macro",
        format="lecture",
        faculty=faculty["王建华"],
        place="紫金港校区报告厅",
    )
    TimetableSession.objects.create(
        training_class=first,
        date=today,
        start=datetime.time(14),
        end=datetime.time(17),
        title="走进专精特新“小巨人”企业",
        topic_id="innovation",
        format="field_teaching",
        faculty=faculty["陈志强"],
        place="杭州某智能装备有限公司",
    )
    return today, first


def test_centre_opens_a_class_builds_the_timetable_and_places_trainees(pages, make_user, programme):
    from lingjun.classes.models import TrainingClass
    from lingjun.registrations.models import Registration

    today, first = _seed(programme, make_user)
    regs = _approved(
        programme,
        make_user,
        [
            ("330000", [1]),
            ("330000", [2]),
            ("110000", [1, 2]),
            ("440000", [2]),
            ("310000", []),
            ("320000", [1]),
        ],
    )
    make_user("centre", username="centre_class", display_name="人才交流中心 张敏")

    page = pages.open()
    pages.login(page, "centre_class")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="班级").click()
    page.wait_for_url(f"**/programmes/{programme.pk}/classes/")
    pages.shot(page, "desktop-classes-list")

    # --- open class 2; the suspended institution is refused first, and nothing typed is lost -------------
    page.get_by_text("开设新班级", exact=True).click()
    assert page.locator("[name=number]").input_value() == "2"
    page.locator("[name=track]").select_option("specialized")
    page.locator("[name=institution]").select_option(label="某管理学院（本年度已暂停）")
    page.locator("[name=city]").fill("宁波")
    page.locator("[name=venue]").fill("宁波国际会议中心")
    page.locator("[name=start_date]").fill(today.isoformat())
    page.locator("[name=capacity]").fill("3")
    page.locator("[name=head_teacher]").fill("陈老师")
    page.locator("[name=head_teacher_phone]").fill("13905740001")
    page.get_by_role("button", name="开设班级").click()
    page.get_by_text("该机构在本年度已被暂停承担培训任务，不能安排班级。").wait_for()
    assert page.locator("[name=city]").input_value() == "宁波"
    assert page.locator("[name=venue]").input_value() == "宁波国际会议中心"
    pages.shot(page, "desktop-class-refused")
    assert not TrainingClass.objects.filter(number=2).exists()

    page.locator("[name=institution]").select_option(label="工业和信息化部人才交流中心")
    page.get_by_role("button", name="开设班级").click()
    page.get_by_text("已开设第2期（宁波），现在可以安排课表。").wait_for()
    second = TrainingClass.objects.get(programme=programme, number=2)
    assert second.end_date == today + datetime.timedelta(days=3)  # 4 days per class
    page.wait_for_url(f"**/classes/{second.pk}/")

    # --- two sessions through the week view's form; an overlap is refused with the input kept -------------
    form = page.locator("#add-session")
    form.locator("[name=date]").select_option(today.isoformat())
    form.locator("[name=start]").fill("09:00")
    form.locator("[name=end]").fill("11:30")
    form.locator("[name=title]").fill("中小企业数字化转型路径与案例")
    form.locator("[name=topic]").select_option(label="数字化转型")
    # Choosing the topic narrows the faculty list to the two teachers of 数字化转型.
    faculty = form.locator("[name=faculty]")
    assert faculty.locator("option").count() == 3  # “暂不指定” + 李晓明 + 刘芳
    assert "显示 2 / 5 位师资" in form.locator("[data-faculty-count]").inner_text()
    form.get_by_label("按姓名或单位检索师资").fill("清华")
    assert faculty.locator("option").count() == 2
    faculty.select_option(label="刘芳（清华大学经济管理学院，副教授）")
    form.locator("[name=format]").select_option(label="讲座")
    form.locator("[name=place]").fill("一号报告厅")
    pages.shot(page, "desktop-session-form")
    page.get_by_role("button", name="添加课程").click()
    page.get_by_text("已添加课程“中小企业数字化转型路径与案例”").wait_for()

    form = page.locator("#add-session")
    form.locator("[name=date]").select_option(today.isoformat())
    form.locator("[name=start]").fill("10:30")
    form.locator("[name=end]").fill("12:00")
    form.locator("[name=title]").fill("企业家精神与传承")
    form.locator("[name=topic]").select_option(label="企业家精神")
    form.locator("[name=format]").select_option(label="讨论交流")
    page.get_by_role("button", name="添加课程").click()
    page.get_by_text("与本班已有课程“中小企业数字化转型路径与案例”（09:00—11:30）时间重叠。").wait_for()
    form = page.locator("#add-session")
    assert form.locator("[name=title]").input_value() == "企业家精神与传承"
    assert form.locator("[name=start]").input_value() == "10:30"
    pages.shot(page, "desktop-session-overlap")
    form.locator("[name=start]").fill("14:00")
    form.locator("[name=end]").fill("16:30")
    page.get_by_role("button", name="添加课程").click()
    page.get_by_text("已添加课程“企业家精神与传承”").wait_for()
    assert second.sessions.count() == 2

    week = page.locator(".week")
    assert week.locator(".wk-day").count() == 4
    assert week.locator(".wk-block").count() == 2
    first_day = week.locator(".wk-day").first
    lecture = week.locator(".wk-block.fmt-lecture")
    # The two blocks sit in the first day's column, the morning one above the afternoon one.
    day_box, lecture_box = first_day.bounding_box(), lecture.bounding_box()
    talk_box = week.locator(".wk-block.fmt-discussion").bounding_box()
    assert abs(lecture_box["x"] - day_box["x"]) < 10 and abs(talk_box["x"] - day_box["x"]) < 10
    assert lecture_box["y"] + lecture_box["height"] <= talk_box["y"]
    assert "刘芳" in lecture.inner_text() and "09:00—11:30" in lecture.inner_text()
    page.locator("#timetable").scroll_into_view_if_needed()
    pages.shot(page, "desktop-class-week")

    with page.expect_download() as download:
        page.locator("#documents").get_by_role("link", name="PDF").first.click()
    assert download.value.suggested_filename.endswith("课程表.pdf")
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"

    # --- placement: run the optimiser, move one trainee by hand, confirm -------------------------------------
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="编班").click()
    page.wait_for_url(f"**/programmes/{programme.pk}/placement/")
    pages.shot(page, "desktop-placement-start")
    page.get_by_role("button", name="运行优化编班").click()
    page.get_by_role("heading", name="编班方案").wait_for()
    selects = page.locator("select[data-placement-select]")
    assert selects.count() == 6
    pages.shot(page, "desktop-placement-proposal")
    summary = page.locator(".placement-summary")
    assert summary.locator("[data-proposed]").all_inner_texts() == ["3", "3"]

    # Move a trainee proposed for class 2 into class 1: class 1 goes over capacity (red), live.
    moved = next(
        r for r in regs if page.locator(f"select[name=class_{r.pk}]").input_value() == str(second.pk)
    )
    page.locator(f"select[name=class_{moved.pk}]").select_option(str(first.pk))
    assert summary.locator("[data-proposed]").all_inner_texts() == ["4", "2"]
    assert "row-error" in (summary.locator(f"[data-class-row='{first.pk}']").get_attribute("class") or "")
    assert "1 个班级超出容量" in page.locator("[data-placement-note]").inner_text()
    pages.shot(page, "desktop-placement-over")
    # Then take someone else out of class 1 instead of overfilling it.
    other = next(
        r
        for r in regs
        if r.pk != moved.pk and page.locator(f"select[name=class_{r.pk}]").input_value() == str(first.pk)
    )
    page.locator(f"select[name=class_{other.pk}]").select_option(str(second.pk))
    assert summary.locator("[data-proposed]").all_inner_texts() == ["3", "3"]
    assert (
        "人工调整"
        in page.locator(f"select[name=class_{moved.pk}]").locator("xpath=ancestor::tr").inner_text()
    )
    page.get_by_role("button", name="确认编班").first.click()
    page.get_by_text("已编班 6 人。").wait_for()
    pages.shot(page, "desktop-placement-done")

    enrolled = {r.pk: r for r in Registration.objects.filter(programme=programme, status="enrolled")}
    assert len(enrolled) == 6
    assert enrolled[moved.pk].training_class_id == first.pk
    assert enrolled[moved.pk].placement_note.startswith("人工调整")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.enrolled, second.enrolled) == (3, 3)

    # The roster of class 2 shows its three trainees with masked ID numbers.
    page.goto(f"/classes/{second.pk}/")
    roster = page.locator("#roster")
    assert roster.locator("tbody tr").count() == 3
    assert re.search(r"\d{6}\*{8}\d{3}[\dX]", roster.inner_text())
    roster.scroll_into_view_if_needed()
    pages.shot(page, "desktop-class-roster")


def test_institution_home_and_class_page_on_a_phone(pages, make_user, programme):
    today, first = _seed(programme, make_user)

    page = pages.open(phone=True)
    pages.login(page, "zju_staff")
    page.get_by_role("heading", name="今天的课程").wait_for()
    assert page.get_by_text("当前宏观经济形势与中小企业政策").count() == 1
    assert page.get_by_text("走进专精特新“小巨人”企业").count() == 1
    assert pages.overflow(page) <= 0
    pages.shot(page, "phone-home-institution")

    page.get_by_role("link", name=f"{programme.year}年第1期").first.click()
    page.wait_for_url(f"**/classes/{first.pk}/")
    # On a phone the week is a list per day: no sideways scrolling, empty days say so.
    assert pages.overflow(page) <= 0
    assert page.get_by_text("本日无课程").first.is_visible()
    pages.shot(page, "phone-class-detail")

    desk = pages.open()
    pages.login(desk, "zju_staff")
    pages.shot(desk, "desktop-home-institution")
    desk.goto(f"/classes/{first.pk}/")
    pages.shot(desk, "desktop-class-institution")
    desk.goto("/faculty/")
    desk.locator("[name=topic]").select_option(label="数字化转型")
    desk.get_by_role("button", name="检索").click()
    assert desk.locator("table tbody tr").count() == 2
    pages.shot(desk, "desktop-faculty")
