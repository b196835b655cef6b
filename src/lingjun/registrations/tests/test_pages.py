"""Registration pages through the Django test client (issue #3): the 附件4 form, the list and review queue,
a registration's page and its actions, the sheet upload, the invitation a trainee opens on the phone, and the
live figures on the programme and home pages. What a person sees and what ends up stored, per role."""

from __future__ import annotations

import io
import random
import re

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from lingjun.core.models import AuditEntry
from lingjun.programmes.models import Programme, Quota
from lingjun.registrations import fakes, services
from lingjun.registrations.models import ImportBatch, Invitation, Registration
from lingjun.registrations.sheet import HEADERS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PASSWORD = "Peony-2030-sunrise"


@pytest.fixture
def open_programme(programme):
    for code in ("110000", "330000"):
        Quota.objects.filter(programme=programme, region_id=code).update(amount=10)
    return programme


def _payload(seed: int, region: str = "110000", **trainee) -> dict:
    body = fakes.registration_payload(random.Random(seed), region)
    body["enterprise"]["industry_division"] = "39"
    body["trainee"].update(trainee)
    return body


def _form(seed: int, home: str = "110000", action: str = "submit", **overrides) -> dict:
    """What a person types into the registration form (field names of RegistrationForm)."""
    p = _payload(seed, home)
    t, e = p["trainee"], p["enterprise"]
    data = {
        "name": t["name"],
        "id_number": t["id_number"],
        "ethnicity": "汉族",
        "political_status": "中共党员",
        "education": "硕士研究生",
        "position": "董事长",
        "is_principal": "1",
        "principal_justification": "",
        "mobile": t["mobile"],
        "email": t["email"],
        "enterprise_name": e["name"],
        "credit_code": e["credit_code"],
        "industry_division": "39",
        "employees": "120",
        "revenue": "8000",
        "total_assets": "6000",
        "qualifications": ["little_giant", "high_tech"],
        "address": "北京市海淀区示例路1号",
        "preferred_classes": ["3", "5"],
        "declared_voluntary": "on",
        "declared_no_bad_record": "on",
        "declared_fit": "on",
        "action": action,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _register(user, programme, seed: int, submit: bool = True, region: str | None = None) -> Registration:
    body = _payload(seed, region or user.region_id or "110000")
    return services.create_registration(
        user, programme.pk, body, submit=submit, region_code=region, source="api"
    )


def _field_errors(html: str, name: str) -> list[str]:
    """The red messages under one form field (from its wrapper up to the next field's)."""
    m = re.search(rf'<(div|fieldset) class="field[^"]*\bfield-{name}\b[^"]*"', html)
    assert m, f"no field {name}"
    rest = html[m.end() :]
    nxt = re.search(r'<(div|fieldset) class="field[ "]|</fieldset>\s*<fieldset class="group', rest)
    block = rest[: nxt.start()] if nxt else rest
    errors = re.search(r'<ul class="errorlist"[^>]*>(.*?)</ul>', block, re.S)
    return re.findall(r"<li>(.*?)</li>", errors.group(1)) if errors else []


def _value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def _top_errors(html: str) -> str:
    m = re.search(
        r'<div class="form-errors" role="alert">(.*?)</div>\s*(<div class="form-errors"|<fieldset|<p|<div)',
        html,
        re.S,
    )
    assert m, "no summary above the form"
    return re.sub(r"<[^>]+>", " ", m.group(1))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- the form ------------------------------------------------------------------------------------------


def test_region_officer_registers_a_trainee_and_sees_the_masked_record(page_client, open_programme):
    c = page_client("region", region="110000")
    r = c.get(f"/programmes/{open_programme.pk}/registrations/new/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "北京市" in html and 'name="region"' not in html  # an officer registers for their own region only
    assert html.count('name="preferred_classes"') == 10  # 第1期 … 第10期
    assert 'list="industry-divisions"' in html and '<option value="39">C 制造业</option>' in html
    assert "专精特新“小巨人”企业" in html

    data = _form(1)
    r = c.post(f"/programmes/{open_programme.pk}/registrations/new/", data)
    assert r.status_code == 302, _text(r.content.decode())[:800]
    reg = Registration.objects.get()
    assert r.url == f"/registrations/{reg.pk}/"
    assert (reg.status, reg.region_id, reg.source, reg.preferred_classes) == (
        "submitted",
        "110000",
        "form",
        [3, 5],
    )
    assert sorted(q.code for q in reg.enterprise.qualifications.all()) == ["high_tech", "little_giant"]
    assert Quota.objects.get(programme=open_programme, region_id="110000").used == 1

    html = c.get(r.url).content.decode()
    assert "已提交" in html and "请生成邀请链接" in html
    assert data["id_number"] not in html and reg.trainee.id_number_masked in html
    assert "生成邀请链接" in html and "审核通过" not in html.split("办理记录")[0].split("<h2>办理</h2>")[-1]
    gender = "男" if int(data["id_number"][16]) % 2 else "女"
    assert f"<dt>性别</dt><dd>{gender}</dd>" in html
    assert "办理记录" in html and "登记" in html and "草稿 → 已提交" in html


def test_saving_a_draft_needs_no_declarations_and_takes_no_seat(page_client, open_programme):
    c = page_client("region", region="110000")
    data = _form(2, action="draft", declared_voluntary=None, declared_no_bad_record=None, declared_fit=None)
    r = c.post(f"/programmes/{open_programme.pk}/registrations/new/", data)
    assert r.status_code == 302
    reg = Registration.objects.get()
    assert reg.status == "draft" and not reg.holds_seat
    assert "已保存" in c.get(r.url).content.decode()
    assert Quota.objects.get(programme=open_programme, region_id="110000").used == 0


def test_refused_form_keeps_everything_typed_and_puts_each_error_under_its_field(page_client, open_programme):
    c = page_client("region", region="110000")
    data = _form(
        3,
        id_number="110101198013321234",
        email="not-an-email",
        credit_code="91110000MA01ABCD2Y",
        is_principal="0",
        principal_justification="",
        declared_fit=None,
    )
    r = c.post(f"/programmes/{open_programme.pk}/registrations/new/", data)
    assert r.status_code == 200
    html = r.content.decode()
    summary = _top_errors(html)
    assert "请修改以下 5 处后再提交" in summary and "电子邮箱格式不正确" in summary
    assert _field_errors(html, "id_number") and "身份证号" in _field_errors(html, "id_number")[0]
    assert "电子邮箱格式不正确" in _field_errors(html, "email")[0]
    assert "统一社会信用代码" in _field_errors(html, "credit_code")[0]
    assert "参训说明" in _field_errors(html, "principal_justification")[0]
    assert "身体健康能坚持参训" in _field_errors(html, "declared_fit")[0]
    assert _field_errors(html, "name") == []
    # Everything typed is still there.
    for name in (
        "name",
        "id_number",
        "email",
        "credit_code",
        "enterprise_name",
        "mobile",
        "employees",
        "address",
    ):
        assert _value(html, name) == data[name], name
    assert re.search(r'value="0"[^>]*checked|checked[^>]*value="0"', html)  # 否 stays chosen
    assert re.search(r'name="qualifications" value="little_giant"[^>]*checked', html)
    assert re.search(r'name="preferred_classes" value="5"[^>]*checked', html)
    assert re.search(r'name="declared_voluntary"[^>]*checked', html)
    assert not Registration.objects.exists()


def test_rule_refusal_is_shown_above_the_form_with_the_input_kept(page_client, open_programme):
    Quota.objects.filter(programme=open_programme, region_id="110000").update(amount=0)
    c = page_client("region", region="110000")
    data = _form(4)
    html = c.post(f"/programmes/{open_programme.pk}/registrations/new/", data).content.decode()
    assert "北京市的名额（0人）已用完" in _top_errors(html)
    assert _value(html, "name") == data["name"] and _value(html, "credit_code") == data["credit_code"]
    assert not Registration.objects.exists()


def test_same_enterprise_twice_is_refused_under_the_credit_code(page_client, open_programme):
    c = page_client("region", region="110000")
    first = _form(5)
    assert c.post(f"/programmes/{open_programme.pk}/registrations/new/", first).status_code == 302
    second = _form(6, credit_code=first["credit_code"])
    html = c.post(f"/programmes/{open_programme.pk}/registrations/new/", second).content.decode()
    assert "每家企业每年只能一人参加一期培训" in _top_errors(html)
    assert "该企业本年度已有报名" in _field_errors(html, "credit_code")[0]
    assert Registration.objects.count() == 1


def test_centre_registers_for_a_region_it_picks(page_client, open_programme):
    c = page_client("centre")
    html = c.post(f"/programmes/{open_programme.pk}/registrations/new/", _form(7)).content.decode()
    assert "请指定推荐地区" in _field_errors(html, "region")[0]
    r = c.post(f"/programmes/{open_programme.pk}/registrations/new/", _form(8, "330000", region="330000"))
    assert r.status_code == 302
    assert Registration.objects.get().region_id == "330000"


def test_edit_of_a_returned_registration_shows_the_comment_keeps_the_id_and_resubmits(
    page_client, open_programme
):
    region = page_client("region", region="110000")
    centre = page_client("centre")
    reg = _register(region.user, open_programme, 9)
    id_hash = reg.trainee.id_number_hash
    r = centre.post(f"/registrations/{reg.pk}/return/", {"comment": "企业地址请写到门牌号"})
    assert r.status_code == 302
    reg.refresh_from_db()
    assert reg.status == "returned"

    html = region.get(f"/registrations/{reg.pk}/edit/").content.decode()
    assert "人才交流中心退回意见" in html and "企业地址请写到门牌号" in html
    assert _value(html, "id_number") is None  # never the full number in the page
    assert reg.trainee.id_number_masked in html
    assert "由身份证号自动识别" in html
    assert (
        _value(html, "name") == reg.trainee.name and _value(html, "credit_code") == reg.enterprise.credit_code
    )

    data = _form(
        9,
        id_number="",
        address="北京市海淀区示例路1号院2号楼301",
        name=reg.trainee.name,
        credit_code=reg.enterprise.credit_code,
    )
    r = region.post(f"/registrations/{reg.pk}/edit/", data)
    assert r.status_code == 302, _text(r.content.decode())[:600]
    reg.refresh_from_db()
    assert reg.status == "submitted" and reg.enterprise.address == "北京市海淀区示例路1号院2号楼301"
    assert reg.trainee.id_number_hash == id_hash


def test_submitted_registration_cannot_be_edited(page_client, open_programme):
    c = page_client("region", region="110000")
    reg = _register(c.user, open_programme, 10)
    r = c.get(f"/registrations/{reg.pk}/edit/")
    assert r.status_code == 302
    assert "不能修改" in c.get(r.url).content.decode()


# --- scope ---------------------------------------------------------------------------------------------


def test_region_cannot_see_another_regions_registration(page_client, open_programme):
    zhejiang = page_client("region", region="330000")
    reg = _register(zhejiang.user, open_programme, 11)
    beijing = page_client("region", region="110000")
    for url in (f"/registrations/{reg.pk}/", f"/registrations/{reg.pk}/edit/"):
        r = beijing.get(url)
        assert r.status_code == 404, url
        assert reg.trainee.name not in r.content.decode()
    assert beijing.post(f"/registrations/{reg.pk}/withdraw/", {"reason": "x"}).status_code == 404
    assert beijing.post(f"/registrations/{reg.pk}/invite/").status_code == 404
    listing = beijing.get(f"/programmes/{open_programme.pk}/registrations/").content.decode()
    assert reg.trainee.name not in listing and "还没有报名" in listing
    # The officer of the region sees it.
    assert zhejiang.get(f"/registrations/{reg.pk}/").status_code == 200
    reg.refresh_from_db()
    assert reg.status == "submitted"


def test_institution_and_anonymous_cannot_open_the_pages(page_client, open_programme):
    owner = page_client("region", region="110000")
    reg = _register(owner.user, open_programme, 12)
    inst = page_client("institution")
    assert inst.get(f"/programmes/{open_programme.pk}/registrations/").status_code == 403
    assert inst.get(f"/registrations/{reg.pk}/").status_code == 403
    r = Client().get(f"/programmes/{open_programme.pk}/registrations/")
    assert r.status_code == 302 and "/login/" in r.url


# --- list and review -----------------------------------------------------------------------------------


def test_list_filters_and_shows_masked_ids(page_client, open_programme):
    bj = page_client("region", region="110000")
    zj = page_client("region", region="330000")
    a = _register(bj.user, open_programme, 13)
    b = _register(zj.user, open_programme, 14)
    services.accept_invitation(
        services.create_invitation(bj.user, a.pk)[1],
        PASSWORD,
        services.identity.decrypt_id(a.trainee.id_number_encrypted)[-6:],
    )
    c = page_client("centre")
    url = f"/programmes/{open_programme.pk}/registrations/"
    html = c.get(url).content.decode()
    assert a.trainee.name in html and b.trainee.name in html
    assert a.trainee.id_number_masked in html
    assert services.identity.decrypt_id(a.trainee.id_number_encrypted) not in html
    assert "批量通过所选" in html and "导出含完整身份证号的名单" in html
    html = c.get(url, {"region": "330000"}).content.decode()
    assert b.trainee.name in html and a.trainee.name not in html
    html = c.get(url, {"confirmed": "1"}).content.decode()
    assert a.trainee.name in html and b.trainee.name not in html
    html = c.get(url, {"q": b.enterprise.credit_code}).content.decode()
    assert b.trainee.name in html and a.trainee.name not in html
    html = c.get(url, {"q": a.trainee.name}).content.decode()
    assert a.trainee.name in html and b.trainee.name not in html
    html = c.get(url, {"manufacturing": "0"}).content.decode()
    assert "没有符合条件的报名" in html
    # A region officer has no region filter and no review tools.
    html = bj.get(url).content.decode()
    assert 'name="region"' not in html and "批量通过" not in html and "新增报名" in html


def test_list_is_paginated_by_fifty(page_client, open_programme):
    Quota.objects.filter(programme=open_programme, region_id="110000").update(amount=60)
    c = page_client("region", region="110000")
    for seed in range(100, 155):
        _register(c.user, open_programme, seed, submit=False)
    html = c.get(f"/programmes/{open_programme.pk}/registrations/").content.decode()
    assert html.count('class="status rs-draft"') == 50
    assert "第 1 / 2 页，共 55 条" in html
    html = c.get(f"/programmes/{open_programme.pk}/registrations/", {"page": 2}).content.decode()
    assert html.count('class="status rs-draft"') == 5


def test_centre_bulk_approves_confirmed_and_is_told_about_the_rest(page_client, open_programme):
    region = page_client("region", region="110000")
    regs = [_register(region.user, open_programme, seed) for seed in (20, 21, 22)]
    Registration.objects.filter(pk__in=[regs[0].pk, regs[1].pk]).update(confirmed_at=timezone.now())
    c = page_client("centre")
    html = c.get(f"/programmes/{open_programme.pk}/registrations/?status=submitted").content.decode()
    assert html.count('name="ids"') == 2  # only confirmed ones can be ticked
    back = f"/programmes/{open_programme.pk}/registrations/?status=submitted"
    r = c.post(
        f"/programmes/{open_programme.pk}/registrations/approve/",
        {"ids": [str(r.pk) for r in regs], "next": back},
    )
    assert r.status_code == 302 and r.url == back
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in regs] == ["approved", "approved", "submitted"]
    html = c.get(back).content.decode()
    assert "已审核通过 2 人" in html
    assert f"{regs[2].trainee.name}：学员本人尚未确认参训" in html
    assert AuditEntry.objects.filter(action="registration.approve").count() == 2


def test_bulk_approve_is_for_the_centre_only(page_client, open_programme):
    region = page_client("region", region="110000")
    reg = _register(region.user, open_programme, 23)
    Registration.objects.filter(pk=reg.pk).update(confirmed_at=timezone.now())
    r = region.post(f"/programmes/{open_programme.pk}/registrations/approve/", {"ids": [reg.pk]})
    assert r.status_code == 403
    assert (
        page_client("bureau")
        .post(f"/programmes/{open_programme.pk}/registrations/approve/", {"ids": [reg.pk]})
        .status_code
        == 403
    )
    reg.refresh_from_db()
    assert reg.status == "submitted"


def test_centre_reviews_one_registration_and_a_refusal_shows_its_message(page_client, open_programme):
    region = page_client("region", region="110000")
    reg = _register(region.user, open_programme, 24)
    c = page_client("centre")
    html = c.get(f"/registrations/{reg.pk}/").content.decode()
    assert "审核通过" in html and "退回修改" in html and "不予通过" in html

    r = c.post(f"/registrations/{reg.pk}/approve/")
    html = c.get(r.url).content.decode()
    assert "学员本人尚未确认参训（自愿参训原则），不能审核通过" in html
    r = c.post(f"/registrations/{reg.pk}/reject/", {"reason": "  "})
    assert "请填写不予通过的理由" in c.get(r.url).content.decode()
    reg.refresh_from_db()
    assert reg.status == "submitted"

    Registration.objects.filter(pk=reg.pk).update(confirmed_at=timezone.now())
    r = c.post(f"/registrations/{reg.pk}/approve/")
    html = c.get(r.url).content.decode()
    assert "已审核通过" in html
    reg.refresh_from_db()
    assert reg.status == "approved"
    # approving twice is a 409 with its Chinese message, not an error page
    r = c.post(f"/registrations/{reg.pk}/approve/")
    assert r.status_code == 302
    assert "当前状态“审核通过”不能变更为“审核通过”" in c.get(r.url).content.decode()


def test_region_withdraws_with_a_reason_which_lands_in_the_trail(page_client, open_programme):
    c = page_client("region", region="110000")
    reg = _register(c.user, open_programme, 25)
    r = c.post(f"/registrations/{reg.pk}/withdraw/", {"reason": "学员工作调动"})
    html = c.get(r.url).content.decode()
    reg.refresh_from_db()
    assert reg.status == "withdrawn" and not reg.holds_seat
    assert "已撤回" in html and "学员工作调动" in html
    assert "生成邀请链接" not in html


def test_region_submits_a_draft_from_its_page(page_client, open_programme):
    c = page_client("region", region="110000")
    reg = _register(c.user, open_programme, 26, submit=False)
    r = c.post(f"/registrations/{reg.pk}/submit/")
    assert r.status_code == 302
    reg.refresh_from_db()
    assert reg.status == "submitted" and reg.holds_seat


def test_unknown_action_is_404_and_get_is_not_allowed(page_client, open_programme):
    c = page_client("centre")
    reg = _register(page_client("region").user, open_programme, 27)
    assert c.post(f"/registrations/{reg.pk}/teleport/").status_code == 404
    assert c.get(f"/registrations/{reg.pk}/approve/").status_code == 405


def test_exports_masked_for_everyone_and_unmasked_only_for_the_centre_by_post(page_client, open_programme):
    region = page_client("region", region="110000")
    reg = _register(region.user, open_programme, 28)
    full = services.identity.decrypt_id(reg.trainee.id_number_encrypted)

    r = region.get(f"/programmes/{open_programme.pk}/registrations.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    cells = [
        c
        for row in openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert reg.trainee.id_number_masked in cells and full not in cells
    assert region.post(f"/programmes/{open_programme.pk}/registrations-with-ids.xlsx").status_code == 403

    c = page_client("centre")
    html = c.get(f"/programmes/{open_programme.pk}/registrations/").content.decode()
    assert 'data-confirm="含完整身份证号，导出将被记录' in html
    assert c.get(f"/programmes/{open_programme.pk}/registrations-with-ids.xlsx").status_code == 405
    r = c.post(f"/programmes/{open_programme.pk}/registrations-with-ids.xlsx")
    assert r.status_code == 200
    cells = [
        c
        for row in openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert full in cells
    assert AuditEntry.objects.filter(action="registration.export_ids").count() == 1


# --- invitation ----------------------------------------------------------------------------------------


def test_generating_an_invitation_shows_the_link_once(page_client, open_programme):
    c = page_client("region", region="110000")
    reg = _register(c.user, open_programme, 30)
    r = c.post(f"/registrations/{reg.pk}/invite/")
    assert r.status_code == 302
    html = c.get(r.url).content.decode()
    url = re.search(r'id="invite-url" value="(http://testserver/invite/[^"/]+/)"', html)
    assert url, "no invite URL on the page"
    assert "通过微信转发给学员本人" in html and 'data-copy="#invite-url"' in html
    assert Invitation.objects.filter(registration=reg).count() == 1
    assert 'id="invite-url"' not in c.get(r.url).content.decode()  # shown once, then gone
    assert Client().get(url.group(1).removeprefix("http://testserver")).status_code == 200


def test_invitation_page_accept_flow_logs_the_trainee_in(page_client, open_programme):
    officer = page_client("region", region="110000")
    reg = _register(officer.user, open_programme, 31)
    _, token = services.create_invitation(officer.user, reg.pk)
    full = services.identity.decrypt_id(reg.trainee.id_number_encrypted)
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) MicroMessenger/8.0.47")

    html = phone.get(f"/invite/{token}/").content.decode()
    name = reg.trainee.name
    masked = name[0] + "*" if len(name) == 2 else name[0] + "*" * (len(name) - 2) + name[-1]
    assert masked in html and name not in html
    assert reg.enterprise.name in html and "2030年中小企业经营管理领军人才培训" in html
    assert "我本人自愿参加培训" in html and full not in html
    assert "<script>" not in html  # CSP: scripts only from files

    # Not ticked, passwords differ: the form says so, nothing is confirmed.
    html = phone.post(
        f"/invite/{token}/", {"id_number_last6": full[-6:], "password": PASSWORD, "password2": PASSWORD + "x"}
    ).content.decode()
    assert "两次输入的密码不一致" in html and "参训须出于本人自愿" in html
    # Wrong digits: counted by the service, shown under the field.
    html = phone.post(
        f"/invite/{token}/",
        {"id_number_last6": "000000", "password": PASSWORD, "password2": PASSWORD, "voluntary": "on"},
    ).content.decode()
    assert "身份证号后六位不正确" in html
    assert Invitation.objects.get().failed_attempts == 1
    reg.refresh_from_db()
    assert reg.confirmed_at is None

    r = phone.post(
        f"/invite/{token}/",
        {
            "id_number_last6": full[-6:].lower(),
            "password": PASSWORD,
            "password2": PASSWORD,
            "voluntary": "on",
        },
    )
    assert r.status_code == 302 and r.url == "/"
    reg.refresh_from_db()
    assert reg.confirmed_at is not None and reg.trainee.user.role == "trainee"
    home = phone.get("/").content.decode()
    assert "确认成功" in home and "我的培训" in home
    assert "已确认参训" in home and "正在等待人才交流中心审核" in home and reg.enterprise.name in home
    # The link is spent; a second visit says so instead of showing the form.
    html = Client().get(f"/invite/{token}/").content.decode()
    assert "已确认参训" in html and 'name="password"' not in html


def test_invitation_with_an_unknown_token_is_a_friendly_404(db):
    r = Client().get("/invite/not-a-real-token/")
    assert r.status_code == 404
    assert "邀请链接无效" in r.content.decode()


def test_weak_password_is_refused_on_the_invitation(page_client, open_programme):
    officer = page_client("region", region="110000")
    reg = _register(officer.user, open_programme, 32)
    _, token = services.create_invitation(officer.user, reg.pk)
    last6 = services.identity.decrypt_id(reg.trainee.id_number_encrypted)[-6:]
    html = (
        Client()
        .post(
            f"/invite/{token}/",
            {"id_number_last6": last6, "password": "123", "password2": "123", "voluntary": "on"},
        )
        .content.decode()
    )
    assert "密码强度不足" in html
    assert Registration.objects.get().confirmed_at is None


# --- import --------------------------------------------------------------------------------------------


def _row(seed: int, region: str = "110000", **over) -> list:
    p = _payload(seed, region)
    t, e = p["trainee"], p["enterprise"]
    values = {
        "序号": "1",
        "姓名": t["name"],
        "性别": "",
        "民族": "汉族",
        "身份证号": t["id_number"],
        "政治面貌": "群众",
        "学历": "本科",
        "职务": "总经理",
        "是否企业主要负责人（一把手）": "是",
        "非一把手参训说明": "",
        "手机": t["mobile"],
        "电子邮箱": t["email"],
        "企业名称": e["name"],
        "统一社会信用代码": e["credit_code"],
        "所属行业代码（GB/T 4754）": "39",
        "从业人员（人）": 100,
        "营业收入（万元）": 5000,
        "资产总额（万元）": 4000,
        "企业资质": "高新技术企业",
        "企业地址": "北京市朝阳区示例路2号",
        "意向期次": "2、4",
        "本人自愿参训": "是",
        "无违法犯罪及不良从业记录": "是",
        "身体健康能坚持参训": "是",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def _workbook(rows) -> io.BytesIO:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件4"
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "附件4_北京.xlsx"
    return buf


def test_import_page_shows_errors_per_row_and_column(page_client, open_programme):
    c = page_client("region", region="110000")
    url = f"/programmes/{open_programme.pk}/registrations/import/"
    html = c.get(url).content.decode()
    assert f"/programmes/{open_programme.pk}/registrations/template.xlsx" in html
    assert 'data-busy="正在上传并校验…"' in html and "有错全部不导入" in html and 'name="region"' not in html
    assert c.get(f"/programmes/{open_programme.pk}/registrations/template.xlsx")["Content-Type"] == XLSX

    bad_id = "110101198013321234"
    r = c.post(url, {"mode": "partial", "file": _workbook([_row(40, 身份证号=bad_id), _row(41, 手机="123")])})
    assert r.status_code == 200
    html = r.content.decode()
    assert not Registration.objects.exists()
    text = _text(html)
    assert "上传结果" in text and "新增报名 0" in text and "错误 2" in text and "共 2 行学员数据" in text
    assert re.search(r'<td class="num">2</td><td class="nowrap">身份证号</td><td>身份证号', html)
    assert re.search(r'<td class="num">3</td><td class="nowrap">手机</td><td>手机须为11位', html)
    batch = ImportBatch.objects.get()
    assert f"/imports/{batch.pk}/errors.xlsx" in html and "下载标注错误的工作簿" in html
    r = c.get(f"/imports/{batch.pk}/errors.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    cells = [
        v
        for row in openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
        for v in row
    ]
    assert bad_id in cells

    r = c.post(url, {"mode": "all_or_nothing", "file": _workbook([_row(44, 手机="123")])})
    assert "本次没有导入任何学员" in r.content.decode()


def test_import_page_stores_valid_rows_and_a_second_upload_creates_nothing(page_client, open_programme):
    c = page_client("region", region="110000")
    url = f"/programmes/{open_programme.pk}/registrations/import/"
    r = c.post(
        url,
        {"mode": "partial", "file": _workbook([_row(40), _row(41, 身份证号="110101198013321234"), _row(42)])},
    )
    text = _text(r.content.decode())
    assert "新增报名 2" in text and "错误 1" in text, text[:1500]
    assert Registration.objects.filter(status="submitted", source="import").count() == 2
    r = c.post(url, {"mode": "partial", "file": _workbook([_row(40), _row(42)])})
    assert "已存在（未重复报名） 2" in _text(r.content.decode())
    assert Registration.objects.count() == 2
    centre = page_client("centre")
    r = centre.post(url, {"mode": "partial", "region": "330000", "file": _workbook([_row(45, "330000")])})
    assert "新增报名 1" in _text(r.content.decode())


def test_import_refuses_a_file_that_is_not_a_workbook_and_needs_a_region_from_the_centre(
    page_client, open_programme
):
    c = page_client("region", region="110000")
    url = f"/programmes/{open_programme.pk}/registrations/import/"
    junk = io.BytesIO(b"name,id\n")
    junk.name = "名单.csv"
    html = c.post(url, {"mode": "partial", "file": junk}).content.decode()
    assert "文件不是 Excel 工作簿" in html
    html = c.post(url, {"mode": "partial"}).content.decode()
    assert "请选择要上传的附件4工作簿" in html

    centre = page_client("centre")
    html = centre.get(url).content.decode()
    assert 'name="region"' in html
    html = centre.post(url, {"mode": "partial", "file": _workbook([_row(45)])}).content.decode()
    assert "请指定推荐地区" in html
    assert not ImportBatch.objects.exists()


def test_error_workbook_of_another_region_is_not_found(page_client, open_programme):
    zj = page_client("region", region="330000")
    zj.post(
        f"/programmes/{open_programme.pk}/registrations/import/",
        {"mode": "partial", "file": _workbook([_row(46, "330000", 手机="1")])},
    )
    batch = ImportBatch.objects.get()
    assert page_client("region", region="110000").get(f"/imports/{batch.pk}/errors.xlsx").status_code == 404


# --- figures and home pages ----------------------------------------------------------------------------


def test_programme_page_shows_live_figures_and_warns_on_manufacturing_share(page_client, open_programme):
    Programme.objects.filter(pk=open_programme.pk).update(min_manufacturing_share="0.600")
    region = page_client("region", region="110000")
    _register(region.user, open_programme, 50)
    body = _payload(51)
    body["enterprise"]["industry_division"] = "65"  # software: not manufacturing
    services.create_registration(region.user, open_programme.pk, body, source="api")
    html = page_client("bureau").get(f"/programmes/{open_programme.pk}/").content.decode()
    assert "报名进度" in html and "各地区名额使用" in html
    assert re.search(r'class="gauge warn" data-manufacturing-share>.*?50%.*?低于要求', html, re.S)
    assert "制造业企业学员占比 50.0%，低于要求的 60%" in html
    text = _text(html)
    assert "北京市 10 2 8 2 0" in text  # 名额 已报名 剩余 待审核 已通过
    assert "全国已报名 / 目标 2 / 800 人" in text
    # Nothing is blocked by it: a third registration still goes through.
    assert (
        services.create_registration(region.user, open_programme.pk, _payload(52), source="api").status
        == "submitted"
    )


def test_centre_home_shows_the_review_queue(page_client, open_programme):
    region = page_client("region", region="110000")
    regs = [_register(region.user, open_programme, seed) for seed in (60, 61, 62)]
    Registration.objects.filter(pk=regs[0].pk).update(confirmed_at=timezone.now())
    html = page_client("centre").get("/").content.decode()
    text = _text(html)
    assert "待审核 · 本人已确认 1 人" in text and "待审核 · 本人未确认 2 人" in text
    assert f"/programmes/{open_programme.pk}/registrations/?status=submitted&amp;confirmed=1" in html
    assert "报名审核" in html  # menu


def test_region_home_lists_returned_registrations_and_quota(page_client, open_programme):
    region = page_client("region", region="110000")
    reg = _register(region.user, open_programme, 63)
    _register(region.user, open_programme, 64)
    services.return_for_correction(page_client("centre").user, reg.pk, "职务请填写全称")
    html = region.get("/").content.decode()
    text = _text(html)
    assert "退回修改的报名" in html and "职务请填写全称" in html and f"/registrations/{reg.pk}/edit/" in html
    assert "已报名 2 人" in text and "剩余名额 8 人" in text
    assert "学员报名" in html and 'href="/registrations/"' in html


def test_menu_entries_lead_to_the_current_programmes_registrations(page_client, open_programme):
    centre = page_client("centre")
    r = centre.get("/registrations/")
    assert (
        r.status_code == 302 and r.url == f"/programmes/{open_programme.pk}/registrations/?status=submitted"
    )
    html = centre.get(r.url).content.decode()
    assert re.search(r'<a href="/registrations/" class="active"[^>]*>报名审核</a>', html)
    bureau = page_client("bureau")
    html = bureau.get(bureau.get("/registrations/").url).content.decode()
    assert "报名情况" in html and "新增报名" not in html and "批量通过" not in html
    region = page_client("region", region="110000")
    assert region.get("/registrations/").url == f"/programmes/{open_programme.pk}/registrations/"
