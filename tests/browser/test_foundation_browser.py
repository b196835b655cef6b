"""Foundation pages in a real browser (issue #2): sign-in, the quota editor with its live total, the
work-information form on a phone, and a look at every foundation page at desktop and phone widths."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_bureau_types_quotas_sees_live_total_and_saves(pages, make_user, programme):
    from lingjun.programmes.models import Quota

    make_user("bureau", username="bureau_web", display_name="中小企业局 王处长")
    page = pages.open()
    pages.login(page, "bureau_web")
    page.get_by_role("heading", name="工作台").wait_for()
    pages.shot(page, "desktop-home-bureau")

    page.get_by_role("link", name=programme.title).first.click()
    page.get_by_role("link", name="名额分配（附件2）").click()
    page.wait_for_url(f"**/programmes/{programme.pk}/quotas/")
    total = page.locator("[data-live-total] strong")
    assert total.inner_text() == "0"

    page.get_by_label("北京市名额").fill("30")
    page.get_by_label("天津市名额").fill("25")
    page.get_by_label("河北省名额").fill("45")
    # The total follows the typing, before anything is sent to the server.
    assert total.inner_text() == "100"
    assert "还差 700 人" in page.locator("[data-live-total]").inner_text()
    page.get_by_label("河北省名额").fill("4x")
    assert total.inner_text() == "55"
    assert "1 个名额不是整数" in page.locator("[data-live-total]").inner_text()
    page.get_by_label("河北省名额").fill("45")
    assert total.inner_text() == "100"
    pages.shot(page, "desktop-quotas-typing")

    page.get_by_role("button", name="保存名额").click()
    page.get_by_text("名额已保存，合计 100 人。").wait_for()
    pages.shot(page, "desktop-quotas-saved")
    assert page.get_by_label("北京市名额").input_value() == "30"

    stored = dict(Quota.objects.filter(programme=programme, amount__gt=0).values_list("region_id", "amount"))
    assert stored == {"110000": 30, "120000": 25, "130000": 45}


def test_region_officer_submits_work_info_on_a_phone(pages, make_user, programme):
    from lingjun.programmes.models import WorkInfo

    make_user("region", region="330000", username="zj_officer", display_name="浙江省经信厅 李明")
    page = pages.open(phone=True)
    pages.login(page, "zj_officer")
    page.get_by_role("heading", name=re.compile("浙江省")).wait_for()
    assert pages.overflow(page) <= 0
    pages.shot(page, "phone-home-region")

    page.get_by_role("link", name="立即填报").click()
    page.wait_for_url(f"**/programmes/{programme.pk}/work-info/330000/")
    form = {
        "单位名称": "浙江省经济和信息化厅",
        "分管负责人姓名": "张伟",
        "分管负责人职务": "副厅长",
        "分管负责人办公电话": "0571-87001234",
        "联系人姓名": "李明",
        "联系人职务": "中小企业处 一级主任科员",
        "联系人办公电话": "0571-87005678",
        "联系人手机": "1380013800",  # one digit short
        "联系人电子邮箱": "liming@zjjxt.gov.cn",
    }
    for label, value in form.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="提交工作信息").click()
    # The summary on top names the problem and links to the field; the field carries the message too.
    page.get_by_role("alert").get_by_role("link", name=re.compile("联系人手机须为11位")).click()
    assert "联系人手机须为11位大陆手机号码" in page.locator(".field-liaison_mobile .errorlist").inner_text()
    assert page.get_by_label("单位名称").input_value() == "浙江省经济和信息化厅"
    assert page.get_by_label("联系人手机").input_value() == "1380013800"
    assert not WorkInfo.objects.filter(programme=programme).exists()
    assert pages.overflow(page) <= 0
    pages.shot(page, "phone-workinfo-error")

    page.get_by_label("联系人手机").fill("13800138000")
    page.get_by_role("button", name="提交工作信息").click()
    page.get_by_text("工作信息已提交。").wait_for()
    pages.shot(page, "phone-workinfo-saved")

    info = WorkInfo.objects.get(programme=programme, region_id="330000")
    assert (info.department, info.liaison_mobile, info.liaison_email) == (
        "浙江省经济和信息化厅",
        "13800138000",
        "liming@zjjxt.gov.cn",
    )

    page.get_by_text("菜单").click()
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="首页").wait_for()
    pages.shot(page, "phone-menu-region")


def _seed_for_tour(programme, make_user):
    """A programme half-way through its first weeks: quotas typed, some regions reported."""
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Quota, WorkInfo

    for code, amount in {"110000": 30, "310000": 40, "330000": 45, "440000": 60, "440300": 20}.items():
        Quota.objects.filter(programme=programme, region_id=code).update(amount=amount)
    for code, dept in {"110000": "北京市经济和信息化局", "330000": "浙江省经济和信息化厅"}.items():
        WorkInfo.objects.create(
            programme=programme,
            region_id=code,
            department=dept,
            leader_name="张伟",
            leader_position="副局长",
            leader_phone="010-68205300",
            liaison_name="李明",
            liaison_position="中小企业处处长",
            liaison_phone="010-68205301",
            liaison_mobile="13800138000",
            liaison_email="liming@example.cn",
        )
    for name, kind, tracks in [
        ("清华大学", "university", ["regional"]),
        ("中国中小企业国际合作协会", "association", ["theme", "regional"]),
        ("工业和信息化部人才交流中心", "talent_centre", ["specialized", "integration"]),
    ]:
        Institution.objects.create(name=name, kind=kind, tracks=tracks)
    make_user("centre", username="centre_zhang", display_name="人才交流中心 张敏")
    make_user("region", region="440000", username="gd_officer", display_name="广东省工信厅 陈刚")


TOUR = [
    ("home-bureau", "/"),
    ("programmes", "/programmes/"),
    ("programme-detail", "/programmes/{pk}/"),
    ("programme-new", "/programmes/new/"),
    ("quotas", "/programmes/{pk}/quotas/"),
    ("workinfo-tracking", "/programmes/{pk}/work-info/"),
    ("workinfo-form-readonly", "/programmes/{pk}/work-info/330000/"),
    ("institutions", "/institutions/"),
    ("users", "/accounts/users/"),
]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_foundation_pages_fit_the_screen(pages, make_user, programme, size):
    """Every foundation page renders without script errors and, on a phone, without sideways scrolling."""
    _seed_for_tour(programme, make_user)
    make_user("bureau", username="bureau_tour", display_name="中小企业局 王处长")
    phone = size == "phone"

    anon = pages.open(phone=phone)
    anon.goto("/login/")
    pages.shot(anon, f"{size}-login")
    anon.get_by_label("用户名").fill("bureau_tour")
    anon.get_by_label("密码").fill("wrong-password")
    anon.get_by_role("button", name="登录").click()
    anon.get_by_text("用户名或密码不正确").wait_for()
    pages.shot(anon, f"{size}-login-error")

    page = pages.open(phone=phone)
    pages.login(page, "bureau_tour")
    for name, path in TOUR:
        page.goto(path.format(pk=programme.pk))
        assert page.locator("h1").count() == 1, name
        pages.shot(page, f"{size}-{name}")
        if phone:
            assert pages.overflow(page) <= 0, f"{name} scrolls sideways on a phone"

    # The pages with a form folded away, unfolded; the quota proposal with weights typed in.
    for name, path, summary in [
        ("institutions-new", "/institutions/", "新增机构"),
        ("users-new", "/accounts/users/", "新建用户"),
    ]:
        page.goto(path)
        page.get_by_text(summary, exact=True).click()
        pages.shot(page, f"{size}-{name}")
        if phone:
            assert pages.overflow(page) <= 0, name
    page.goto(f"/programmes/{programme.pk}/quotas/")
    page.get_by_text("按权重建议名额").click()
    for region, weight in [("北京市", "12"), ("上海市", "30"), ("浙江省", "25.5"), ("广东省", "40")]:
        page.get_by_label(f"{region}权重").fill(weight)
    page.get_by_label("总名额").fill("200")
    page.get_by_role("button", name="计算建议").click()
    page.get_by_text("已按权重建议名额").wait_for()
    assert page.get_by_label("广东省名额").input_value() == "74"
    pages.shot(page, f"{size}-quotas-proposal")
    if phone:
        assert pages.overflow(page) <= 0

    region = pages.open(phone=phone)
    pages.login(region, "gd_officer")
    pages.shot(region, f"{size}-home-region")
    region.goto(f"/programmes/{programme.pk}/work-info/440000/")
    pages.shot(region, f"{size}-workinfo-form")
    if phone:
        assert pages.overflow(region) <= 0

    centre = pages.open(phone=phone)
    pages.login(centre, "centre_zhang")
    pages.shot(centre, f"{size}-home-centre")
