"""Registration in a real browser (issue #3): a provincial officer registers a trainee through the form and
generates the invitation link, the trainee opens it on a phone (390×844, as inside WeChat) and confirms,
the centre approves from its review queue. Plus the upload page and every registration page at phone width."""

from __future__ import annotations

import io
import random
import re

import pytest

from lingjun.registrations import fakes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TRAINEE_PASSWORD = "Peony-2030-sunrise"


def _person(seed: int, region: str = "110000") -> dict:
    rng = random.Random(seed)
    return {
        "id_number": fakes.id_number(rng, region),
        "credit_code": fakes.credit_code(rng, region),
        "mobile": fakes.mobile(rng),
    }


def _fill_registration(page, p: dict, name: str, enterprise: str) -> None:
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(p["id_number"])
    page.get_by_label("民族").fill("汉族")
    page.get_by_label("政治面貌").select_option("中共党员")
    page.get_by_label("学历").select_option("硕士研究生")
    page.get_by_label("职务").fill("董事长")
    page.get_by_label("手机").fill(p["mobile"])
    page.get_by_label("电子邮箱").fill("liwei@example.cn")
    page.get_by_label("企业名称").fill(enterprise)
    page.get_by_label("统一社会信用代码").fill(p["credit_code"])
    page.get_by_label("所属行业代码（GB/T 4754）").fill("34")
    page.get_by_label("从业人员（人）").fill("180")
    page.get_by_label("营业收入（万元）").fill("12000")
    page.get_by_label("资产总额（万元）").fill("9800")
    page.get_by_label("专精特新“小巨人”企业").check()
    page.get_by_label("高新技术企业").check()
    page.get_by_label("企业地址").fill("北京市亦庄经济技术开发区科创十三街18号")
    page.get_by_label("第3期").check()
    page.get_by_label("第7期").check()
    page.get_by_label("本人自愿参训").check()
    page.get_by_label("无违法犯罪及不良从业记录").check()
    page.get_by_label("身体健康，能坚持参训").check()


def test_register_invite_confirm_on_phone_and_approve(pages, make_user, programme):
    from lingjun.programmes.models import Quota
    from lingjun.registrations.models import Registration

    Quota.objects.filter(programme=programme, region_id="110000").update(amount=30)
    make_user("region", region="110000", username="bj_officer", display_name="北京市经信局 刘洋")
    make_user("centre", username="centre_review", display_name="人才交流中心 张敏")
    person = _person(2030)

    # --- the provincial officer, at a desk -------------------------------------------------------------
    officer = pages.open()
    pages.login(officer, "bj_officer")
    officer.get_by_role("navigation", name="主菜单").get_by_role("link", name="学员报名").click()
    officer.wait_for_url(f"**/programmes/{programme.pk}/registrations/")
    officer.get_by_role("link", name="新增报名").click()
    officer.wait_for_url("**/registrations/new/")
    justification = officer.locator(".field-principal_justification")
    assert justification.is_hidden()  # asked for only when the trainee is not the principal leader
    officer.get_by_label("否").check()
    assert justification.is_visible()
    officer.get_by_label("是", exact=True).check()
    assert justification.is_hidden()
    pages.shot(officer, "desktop-registration-new")

    _fill_registration(officer, person, "李伟", "北京恒瑞精密机械有限公司")
    assert "C 制造业" in officer.locator("#id_industry_division_helptext").inner_text()
    # A typo in the ID number's check digit: refused, everything typed is kept, the error sits under the field.
    wrong = person["id_number"][:17] + ("0" if person["id_number"][17] != "0" else "1")
    officer.get_by_label("身份证号").fill(wrong)
    officer.get_by_role("button", name="提交").click()
    officer.locator(".field-id_number .errorlist").wait_for()
    assert "校验码不正确" in officer.locator(".field-id_number .errorlist").inner_text()
    assert officer.get_by_label("企业名称").input_value() == "北京恒瑞精密机械有限公司"
    assert officer.get_by_label("第7期").is_checked() and officer.get_by_label("高新技术企业").is_checked()
    assert officer.get_by_label("身份证号").input_value() == wrong
    assert not Registration.objects.exists()
    pages.shot(officer, "desktop-registration-refused")

    officer.get_by_label("身份证号").fill(person["id_number"])
    officer.get_by_role("button", name="提交").click()
    officer.wait_for_url(re.compile(r"/registrations/\d+/$"))
    officer.get_by_text("已提交李伟的报名").wait_for()
    reg = Registration.objects.get()
    assert reg.status == "submitted" and reg.confirmed_at is None
    assert person["id_number"] not in officer.content()
    pages.shot(officer, "desktop-registration-detail")

    officer.context.grant_permissions(["clipboard-read", "clipboard-write"])
    officer.get_by_role("button", name="生成邀请链接").click()
    officer.get_by_role("heading", name="邀请链接已生成").wait_for()
    invite_url = officer.get_by_label("邀请链接", exact=True).input_value()
    assert re.fullmatch(r"http://[^/]+/invite/[\w-]+/", invite_url), invite_url
    officer.get_by_role("button", name="复制链接").click()
    officer.get_by_text("链接已复制，请粘贴到微信发给学员本人").wait_for()
    assert officer.evaluate("navigator.clipboard.readText()") == invite_url
    pages.shot(officer, "desktop-registration-invite")

    # --- the trainee, on the phone, from WeChat ----------------------------------------------------------
    phone = pages.open(phone=True)
    phone.goto(invite_url)
    phone.get_by_role("heading", name="确认参加培训").wait_for()
    assert "北京恒瑞精密机械有限公司" in phone.content() and "李*" in phone.content()
    assert "李伟" not in phone.content()
    assert pages.overflow(phone) <= 0
    pages.shot(phone, "phone-invite")
    phone.get_by_label("身份证号后六位").fill("000000")
    phone.get_by_label("设置密码").fill(TRAINEE_PASSWORD)
    phone.get_by_label("确认密码").fill(TRAINEE_PASSWORD)
    phone.get_by_label("我本人自愿参加培训").check()
    phone.get_by_role("button", name="确认参训").click()
    phone.locator("#id_id_number_last6_error").get_by_text("身份证号后六位不正确").wait_for()
    assert pages.overflow(phone) <= 0
    pages.shot(phone, "phone-invite-error")
    phone.get_by_label("身份证号后六位").fill(person["id_number"][-6:])
    phone.get_by_label("设置密码").fill(TRAINEE_PASSWORD)
    phone.get_by_label("确认密码").fill(TRAINEE_PASSWORD)
    phone.get_by_role("button", name="确认参训").click()
    phone.get_by_role("heading", name="我的培训").wait_for()
    phone.get_by_text("确认成功").wait_for()
    assert "正在等待人才交流中心审核" in phone.content()
    assert pages.overflow(phone) <= 0
    pages.shot(phone, "phone-trainee-home")
    reg.refresh_from_db()
    assert reg.confirmed_at is not None

    # --- the centre reviews ------------------------------------------------------------------------------
    centre = pages.open()
    pages.login(centre, "centre_review")
    queue = centre.locator("a.gauge-link").first
    assert re.search(r"本人已确认\s*1", queue.inner_text())
    pages.shot(centre, "desktop-home-centre-queue")
    queue.click()
    centre.wait_for_url("**/registrations/?status=submitted&confirmed=1")
    centre.get_by_label("选择李伟").check()
    pages.shot(centre, "desktop-registration-queue")
    centre.get_by_role("button", name="批量通过所选").click()
    centre.get_by_text("已审核通过 1 人").wait_for()
    reg.refresh_from_db()
    assert reg.status == "approved"
    centre.get_by_role("navigation", name="按状态").get_by_role("link", name=re.compile("审核通过")).click()
    centre.get_by_role("link", name="李伟").click()
    centre.get_by_text("学员本人确认参训").wait_for()  # the trail names each step
    pages.shot(centre, "desktop-registration-approved")

    # The trainee sees the outcome.
    phone.reload()
    phone.get_by_text("报名已审核通过").wait_for()
    pages.shot(phone, "phone-trainee-approved")


def _bad_workbook() -> bytes:
    import openpyxl

    from lingjun.registrations.sheet import HEADERS

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件4"
    ws.append(HEADERS)
    for i, seed in enumerate((1, 2), start=1):
        p = _person(100 + seed)
        row = {h: "" for h in HEADERS}
        row.update(
            {
                "序号": i,
                "姓名": "王芳" if seed == 1 else "赵强",
                "民族": "汉族",
                "身份证号": p["id_number"] if seed == 1 else "11010119801332123X",
                "政治面貌": "群众",
                "学历": "本科",
                "职务": "总经理",
                "是否企业主要负责人（一把手）": "是" if seed == 1 else "否",
                "手机": p["mobile"] if seed == 1 else "1380013",
                "电子邮箱": "a@example.cn",
                "企业名称": f"北京示例科技有限公司{seed}",
                "统一社会信用代码": p["credit_code"],
                "所属行业代码（GB/T 4754）": "39",
                "从业人员（人）": 90,
                "营业收入（万元）": 3000,
                "资产总额（万元）": 2000,
                "企业地址": "北京市海淀区",
                "本人自愿参训": "是",
                "无违法犯罪及不良从业记录": "是",
                "身体健康能坚持参训": "否" if seed == 1 else "是",
            }
        )
        ws.append([row[h] for h in HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_registration_pages_fit_the_screen(pages, make_user, programme, size):
    """The list, form, page, upload (with its errors) and the programme figures, without script errors and,
    on a phone, without sideways scrolling."""
    from lingjun.accounts.models import User
    from lingjun.programmes.models import Quota
    from lingjun.registrations import services

    for code, amount in {"110000": 30, "330000": 20, "440000": 40}.items():
        Quota.objects.filter(programme=programme, region_id=code).update(amount=amount)
    officer = make_user("region", region="110000", username=f"bj_{size}", display_name="北京市经信局 刘洋")
    make_user("centre", username=f"centre_{size}", display_name="人才交流中心 张敏")
    zj = make_user("region", region="330000", username=f"zj_{size}")
    centre_user = User.objects.get(username=f"centre_{size}")
    rng = random.Random(77)
    regs = []
    for i in range(6):
        user = officer if i < 4 else zj
        body = fakes.registration_payload(rng, user.region_id, manufacturing=i % 3 != 2)
        regs.append(services.create_registration(user, programme.pk, body, submit=i != 3, source="api"))
    services.return_for_correction(
        centre_user, regs[1].pk, "企业地址请写到门牌号，营业收入请按上年度审计报告填写"
    )
    phone = size == "phone"

    page = pages.open(phone=phone)
    pages.login(page, f"bj_{size}")
    pages.shot(page, f"{size}-home-region-registrations")
    tour = [
        ("registrations-list-region", f"/programmes/{programme.pk}/registrations/"),
        ("registration-form", f"/programmes/{programme.pk}/registrations/new/"),
        ("registration-edit-returned", f"/registrations/{regs[1].pk}/edit/"),
        ("registration-detail-region", f"/registrations/{regs[0].pk}/"),
        ("registration-import", f"/programmes/{programme.pk}/registrations/import/"),
        ("programme-detail-region", f"/programmes/{programme.pk}/"),
    ]
    for name, path in tour:
        page.goto(path)
        assert page.locator("h1").count() == 1, name
        pages.shot(page, f"{size}-{name}")
        if phone:
            assert pages.overflow(page) <= 0, f"{name} scrolls sideways on a phone"

    page.goto(f"/programmes/{programme.pk}/registrations/import/")
    page.get_by_label("附件4工作簿（.xlsx）").set_input_files(
        {"name": "附件4_北京.xlsx", "mimeType": "application/octet-stream", "buffer": _bad_workbook()}
    )
    page.get_by_role("button", name="上传并校验").click()
    page.get_by_role("heading", name="上传结果").wait_for()
    assert page.locator("table.import-errors tbody tr").count() >= 3
    pages.shot(page, f"{size}-registration-import-errors")
    if phone:
        assert pages.overflow(page) <= 0

    centre = pages.open(phone=phone)
    pages.login(centre, f"centre_{size}")
    for name, path in [
        ("registrations-queue-centre", f"/programmes/{programme.pk}/registrations/"),
        ("registration-detail-centre", f"/registrations/{regs[0].pk}/"),
        ("programme-detail-centre", f"/programmes/{programme.pk}/"),
    ]:
        centre.goto(path)
        pages.shot(centre, f"{size}-{name}")
        if phone:
            assert pages.overflow(centre) <= 0, name
    centre.goto(f"/registrations/{regs[0].pk}/")
    centre.locator("summary", has_text="退回修改").click()
    centre.get_by_label("退回意见").fill("请补充非一把手参训说明")
    pages.shot(centre, f"{size}-registration-return-open")
    centre.get_by_role("button", name="退回修改").click()
    centre.get_by_text("已退回修改").wait_for()
    if phone:
        assert pages.overflow(centre) <= 0
