"""Home pages, programmes, quotas (附件2) and work information (附件3) through the Django test client
(issue #2). What a person sees and what ends up stored, for each role."""

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from lingjun.programmes.models import Programme, Quota, WorkInfo

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


def _attention(html: str) -> str:
    """The text of the “需要关注” list on a home page."""
    block = re.search(r'<ul class="attention">(.*?)</ul>', html, re.S)
    assert block, "no attention list"
    return re.sub(r"<[^>]+>", "", block.group(1))


def _work_info(**overrides) -> dict:
    data = {
        "department": "浙江省经济和信息化厅",
        "leader_name": "张伟",
        "leader_position": "副厅长",
        "leader_phone": "0571-87001234",
        "liaison_name": "李明",
        "liaison_position": "中小企业处一级主任科员",
        "liaison_phone": "0571-87005678",
        "liaison_mobile": "13800138000",
        "liaison_email": "liming@zj.gov.cn",
    }
    data.update(overrides)
    return data


def _store_work_info(programme, region, **overrides):
    return WorkInfo.objects.create(programme=programme, region_id=region, **_work_info(**overrides))


def _quota(programme, region) -> int:
    return Quota.objects.get(programme=programme, region_id=region).amount


# --- home pages -----------------------------------------------------------------------------------------


def test_bureau_home_shows_gauges_and_what_needs_attention(page_client, programme):
    Quota.objects.filter(programme=programme, region_id="110000").update(amount=300)
    _store_work_info(programme, "330000")
    r = page_client("bureau").get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "2030年中小企业经营管理领军人才培训" in html and "2030年 2030年" not in html
    assert "目标培训人数" in html and "已分配名额" in html and "距目标还差 500 人" in html
    todo = _attention(html)
    assert "名额合计 300 人，距目标培训人数 800 人还差 500 人" in todo
    assert "36 个地区尚未分配名额" in todo
    assert "36 个地区尚未报送工作信息（附件3）" in todo
    assert f'href="/programmes/{programme.pk}/quotas/"' in html


def test_bureau_home_says_when_quotas_exceed_the_target_and_when_the_plan_is_a_draft(page_client, programme):
    Programme.objects.filter(pk=programme.pk).update(status="draft")
    Quota.objects.filter(programme=programme).update(amount=30)  # 37 × 30 = 1110 > 800
    todo = _attention(page_client("bureau").get("/").content.decode())
    assert "超出目标培训人数 310 人" in todo
    assert "年度计划还是草稿" in todo


def test_bureau_home_without_programme_offers_to_create_one(page_client, db):
    html = page_client("bureau").get("/").content.decode()
    assert "还没有年度计划" in html and 'href="/programmes/new/"' in html


def test_bureau_home_shows_manufacturing_share_requirement(page_client, programme):
    Programme.objects.filter(pk=programme.pk).update(min_manufacturing_share=Decimal("0.300"))
    html = page_client("bureau").get("/").content.decode()
    assert "制造业企业占比" in html and "要求不低于 30%" in html


def test_centre_home_lists_missing_work_info_but_offers_no_quota_editing(page_client, programme):
    _store_work_info(programme, "110000")
    html = page_client("centre").get("/").content.decode()
    todo = _attention(html)
    assert "36 个地区尚未报送工作信息（附件3）" in todo
    assert "调整名额" not in html
    assert f"/programmes/{programme.pk}/work-info/?show=missing" in html


def test_region_home_shows_its_quota_deadline_and_work_info_task(page_client, programme):
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=45)
    c = page_client("region", region="330000")
    html = c.get("/").content.decode()
    assert "浙江省 · 工作台" in html
    assert re.search(r"本地区名额</div><div class=\"gauge-value\">45", html)
    assert "距报名截止" in html
    todo = _attention(html)
    assert "尚未报送工作信息（附件3）" in todo and "立即填报" in todo
    assert f'href="/programmes/{programme.pk}/work-info/330000/"' in html

    _store_work_info(programme, "330000")
    todo = _attention(c.get("/").content.decode())
    assert "工作信息已报送" in todo and "尚未报送" not in todo


def test_region_home_flags_missing_quota_and_close_deadline(page_client, programme):
    Programme.objects.filter(pk=programme.pk).update(
        registration_deadline=timezone.localdate() + datetime.timedelta(days=3)
    )
    todo = _attention(page_client("region", region="440000").get("/").content.decode())
    assert "中小企业局尚未下达本地区名额" in todo
    assert "距报名截止仅剩 3 天" in todo


def test_region_home_shows_closed_deadline(page_client, programme):
    Programme.objects.filter(pk=programme.pk).update(
        registration_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    html = page_client("region").get("/").content.decode()
    assert "已截止" in html and "仅剩" not in html


@pytest.mark.parametrize(
    "role, heading",
    [
        ("institution", "工作台"),
        ("assessor", "工作台"),
        ("trainee", "我的培训"),
    ],
)
def test_other_roles_home_pages_render(page_client, programme, role, heading):
    """Their own features fill these pages; here: each renders, under its own heading, with the programme open."""
    r = page_client(role).get("/")
    assert r.status_code == 200
    assert re.search(rf"<h1>{heading}", r.content.decode())


@pytest.mark.parametrize("role", ["bureau", "centre", "region", "institution", "assessor", "trainee"])
def test_every_home_page_renders_without_a_programme(page_client, role):
    assert page_client(role).get("/").status_code == 200


# --- programme list and detail ------------------------------------------------------------------------


def test_programme_list_shows_programmes_and_create_button_for_bureau(page_client, programme):
    html = page_client("bureau").get("/programmes/").content.decode()
    assert programme.title in html and "报名中" in html and "测试〔2030〕1号" in html
    assert 'href="/programmes/new/"' in html
    region_html = page_client("region").get("/programmes/").content.decode()
    assert programme.title in region_html and 'href="/programmes/new/"' not in region_html


def test_programme_detail_for_bureau_has_editing_and_status_actions(page_client, programme):
    html = page_client("bureau").get(f"/programmes/{programme.pk}/").content.decode()
    assert "<h1>2030年中小企业经营管理领军人才培训</h1>" in html
    assert "800 人" in html and "2030年8月31日" in html and "专精特新" in html
    assert "修改计划" in html and "截止报名" in html and "名额分配（附件2）" in html and "导出附件2" in html


def test_programme_detail_for_region_and_trainee_is_read_only(page_client, programme):
    html = page_client("region").get(f"/programmes/{programme.pk}/").content.decode()
    assert "修改计划" not in html and "截止报名" not in html and "导出附件2" not in html
    assert "工作信息（附件3）" in html
    trainee = page_client("trainee").get(f"/programmes/{programme.pk}/").content.decode()
    assert "名额分配" not in trainee and "工作信息" not in trainee


def test_unknown_programme_is_a_404_page(page_client, db):
    r = page_client("bureau").get("/programmes/9999/")
    assert r.status_code == 404
    assert "该年度计划不存在" in r.content.decode()


def test_bureau_changes_status_and_region_cannot(page_client, programme):
    r = page_client("region").post(f"/programmes/{programme.pk}/status/", {"status": "closed"})
    assert r.status_code == 403
    programme.refresh_from_db()
    assert programme.status == "open"
    c = page_client("bureau")
    r = c.post(f"/programmes/{programme.pk}/status/", {"status": "closed"}, follow=True)
    assert "状态已变更" in r.content.decode()
    programme.refresh_from_db()
    assert programme.status == "closed"
    r = c.post(f"/programmes/{programme.pk}/status/", {"status": "draft"}, follow=True)
    assert "不能变更为" in r.content.decode()
    programme.refresh_from_db()
    assert programme.status == "closed"


# --- creating and editing a programme -------------------------------------------------------------------

PROGRAMME_FORM = {
    "year": "2031",
    "title": "2031年中小企业经营管理领军人才培训",
    "notice_number": "工信厅企业函〔2031〕88号",
    "target_trainees": "800",
    "min_manufacturing_share": "30",
    "registration_deadline": "2031-08-31",
    "planned_classes": "10",
    "days_per_class": "4",
    "tracks": ["specialized", "integration"],
}


def test_bureau_creates_a_programme_through_the_form(page_client):
    c = page_client("bureau")
    assert c.get("/programmes/new/").status_code == 200
    r = c.post("/programmes/new/", PROGRAMME_FORM)
    p = Programme.objects.get(year=2031)
    assert r.status_code == 302 and r.url == f"/programmes/{p.pk}/"
    assert (p.title, p.target_trainees, p.min_manufacturing_share, p.status) == (
        "2031年中小企业经营管理领军人才培训",
        800,
        Decimal("0.300"),
        "draft",
    )
    assert p.tracks == ["specialized", "integration"]
    assert Quota.objects.filter(programme=p).count() == 37
    assert "已创建2031年度计划" in c.get(r.url).content.decode()


def test_duplicate_year_is_refused_with_typed_values_kept(page_client, programme):
    form = dict(PROGRAMME_FORM, year="2030", title="重复的年度计划")
    r = page_client("bureau").post("/programmes/new/", form)
    assert r.status_code == 200
    html = r.content.decode()
    assert "2030年度的计划已存在" in html
    assert _input_value(html, "title") == "重复的年度计划"
    assert _input_value(html, "year") == "2030"
    assert _input_value(html, "notice_number") == "工信厅企业函〔2031〕88号"
    assert re.search(r'<input[^>]*value="integration"[^>]*checked', html)
    assert Programme.objects.count() == 1


def test_missing_title_is_a_field_error_with_other_values_kept(page_client, db):
    form = dict(PROGRAMME_FORM, title="")
    r = page_client("bureau").post("/programmes/new/", form)
    assert r.status_code == 200
    html = r.content.decode()
    assert re.search(r'field-title[^"]*has-error', html)
    assert "这个字段是必填项" in html
    assert _input_value(html, "year") == "2031" and _input_value(html, "target_trainees") == "800"
    assert not Programme.objects.exists()


def test_out_of_range_share_is_a_field_error(page_client, db):
    r = page_client("bureau").post("/programmes/new/", dict(PROGRAMME_FORM, min_manufacturing_share="130"))
    assert r.status_code == 200
    assert re.search(r'field-min_manufacturing_share[^"]*has-error', r.content.decode())
    assert not Programme.objects.exists()


def test_region_cannot_open_the_programme_form(page_client, db):
    c = page_client("region")
    assert c.get("/programmes/new/").status_code == 403
    assert c.post("/programmes/new/", PROGRAMME_FORM).status_code == 403
    assert not Programme.objects.exists()


def test_editing_a_programme_with_a_share_saves_unchanged(page_client, programme):
    """The edit form shows 0.300 as 30.0 and accepts its own value back (it used to show 30.000 and refuse it)."""
    Programme.objects.filter(pk=programme.pk).update(min_manufacturing_share=Decimal("0.333"))
    c = page_client("bureau")
    html = c.get(f"/programmes/{programme.pk}/edit/").content.decode()
    assert _input_value(html, "min_manufacturing_share") == "33.3"
    form = {
        "year": "2030",
        "title": programme.title,
        "notice_number": programme.notice_number,
        "target_trainees": "900",
        "min_manufacturing_share": "33.3",
        "registration_deadline": "2030-08-31",
        "planned_classes": "10",
        "days_per_class": "4",
        "tracks": ["specialized"],
    }
    r = c.post(f"/programmes/{programme.pk}/edit/", form)
    assert r.status_code == 302
    programme.refresh_from_db()
    assert programme.target_trainees == 900 and programme.min_manufacturing_share == Decimal("0.333")


# --- quotas (附件2) --------------------------------------------------------------------------------------


def _quota_post(**values) -> dict:
    data = {"action": "save"}
    data.update({f"quota_{code}": v for code, v in values.items()})
    return data


def test_quota_editor_lists_the_37_regions(page_client, programme):
    html = page_client("bureau").get(f"/programmes/{programme.pk}/quotas/").content.decode()
    assert len(re.findall(r'name="quota_\d{6}"', html)) == 37
    assert "新疆生产建设兵团" in html and "data-live-total" in html


def test_bureau_saves_quotas(page_client, programme):
    c = page_client("bureau")
    r = c.post(
        f"/programmes/{programme.pk}/quotas/", _quota_post(**{"110000": "30", "310000": "40", "440300": "25"})
    )
    assert r.status_code == 302
    assert (_quota(programme, "110000"), _quota(programme, "310000"), _quota(programme, "440300")) == (
        30,
        40,
        25,
    )
    assert _quota(programme, "120000") == 0
    html = c.get(r.url).content.decode()
    assert "名额已保存，合计 95 人" in html
    assert "与目标培训人数 800 人不一致" in html  # a warning, not a refusal
    assert _input_value(html, "quota_110000") == "30"


def test_full_width_digits_are_accepted(page_client, programme):
    r = page_client("bureau").post(f"/programmes/{programme.pk}/quotas/", _quota_post(**{"110000": "３０"}))
    assert r.status_code == 302
    assert _quota(programme, "110000") == 30


def test_bad_quota_values_keep_the_typing_mark_the_rows_and_store_nothing(page_client, programme):
    Quota.objects.filter(programme=programme, region_id="130000").update(amount=7)
    r = page_client("bureau").post(
        f"/programmes/{programme.pk}/quotas/",
        _quota_post(**{"110000": "abc", "120000": "-1", "130000": "20", "140000": "²"}),
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "提交的内容有 3 处错误" in html and "未作任何修改" in html
    assert html.count("名额须为不小于 0 的整数") == 3
    assert len(re.findall(r'<tr class="row-error">', html)) == 3
    assert (
        _input_value(html, "quota_110000"),
        _input_value(html, "quota_120000"),
        _input_value(html, "quota_130000"),
    ) == ("abc", "-1", "20")
    assert _quota(programme, "130000") == 7  # the valid row was not stored either
    assert (
        not Quota.objects.filter(programme=programme).exclude(region_id="130000").exclude(amount=0).exists()
    )


def test_propose_fills_the_quota_column_and_saves_nothing(page_client, programme):
    Quota.objects.filter(programme=programme, region_id="110000").update(amount=5)
    data = {
        "action": "propose",
        "proposal_total": "100",
        "weight_110000": "1",
        "weight_120000": "3",
        "quota_110000": "5",
    }
    r = page_client("bureau").post(f"/programmes/{programme.pk}/quotas/", data)
    assert r.status_code == 200
    html = r.content.decode()
    assert "已按权重建议名额，合计 100 人" in html
    assert _input_value(html, "quota_110000") == "25" and _input_value(html, "quota_120000") == "75"
    assert _input_value(html, "quota_130000") == "0"
    assert _input_value(html, "weight_120000") == "3"  # the weights stay for another try
    assert re.search(r"<details[^>]*data-weights open", html)
    assert _quota(programme, "110000") == 5 and _quota(programme, "120000") == 0


def test_propose_with_bad_weight_and_total_shows_errors(page_client, programme):
    r = page_client("bureau").post(
        f"/programmes/{programme.pk}/quotas/",
        {"action": "propose", "proposal_total": "很多", "weight_110000": "x", "weight_120000": "2"},
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert "总名额须为不小于 0 的整数" in html and "权重须为不小于 0 的数" in html
    assert _input_value(html, "weight_110000") == "x" and _input_value(html, "proposal_total") == "很多"


@pytest.mark.parametrize("role", ["region", "trainee", "centre", "institution"])
def test_other_roles_cannot_post_quotas(page_client, programme, role):
    r = page_client(role).post(f"/programmes/{programme.pk}/quotas/", _quota_post(**{"110000": "99"}))
    assert r.status_code == 403
    assert "无权访问" in r.content.decode()
    assert _quota(programme, "110000") == 0


def test_region_sees_quotas_read_only(page_client, programme):
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=45)
    r = page_client("region", region="330000").get(f"/programmes/{programme.pk}/quotas/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="quota_' not in html and "保存名额" not in html and "导出附件2" not in html
    assert re.search(r"浙江省</th>\s*<td class=\"num\">45</td>", html)


def test_archived_programme_quotas_are_read_only(page_client, programme):
    Programme.objects.filter(pk=programme.pk).update(status="archived")
    html = page_client("bureau").get(f"/programmes/{programme.pk}/quotas/").content.decode()
    assert 'name="quota_' not in html and "导出附件2" in html


def test_quota_sheet_export(page_client, programme):
    Quota.objects.filter(programme=programme, region_id="110000").update(amount=30)
    r = page_client("centre").get(f"/programmes/{programme.pk}/quotas.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    cells = [
        c
        for row in openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert "北京市" in cells and 30 in cells
    assert page_client("region").get(f"/programmes/{programme.pk}/quotas.xlsx").status_code == 403


def test_current_quotas_link_goes_to_the_current_programme(page_client, programme):
    r = page_client("bureau").get("/programmes/current/quotas/")
    assert r.status_code == 302 and r.url == f"/programmes/{programme.pk}/quotas/"


def test_current_quotas_link_without_programme_is_a_404_page(page_client, db):
    r = page_client("bureau").get("/programmes/current/quotas/")
    assert r.status_code == 404 and "还没有年度计划" in r.content.decode()


# --- work information (附件3) ----------------------------------------------------------------------------


def test_region_officer_submits_own_work_info(page_client, programme):
    c = page_client("region", region="330000")
    url = f"/programmes/{programme.pk}/work-info/330000/"
    html = c.get(url).content.decode()
    assert "提交工作信息" in html and "未报送" in html
    r = c.post(url, _work_info())
    assert r.status_code == 302 and r.url == url
    info = WorkInfo.objects.get(programme=programme, region_id="330000")
    assert (info.department, info.liaison_mobile, info.submitted_by_id) == (
        "浙江省经济和信息化厅",
        "13800138000",
        c.user.pk,
    )
    html = c.get(url).content.decode()
    assert "工作信息已提交" in html and "已报送" in html and "保存修改" in html
    assert _input_value(html, "department") == "浙江省经济和信息化厅"


def test_region_officer_corrects_own_work_info(page_client, programme):
    _store_work_info(programme, "330000")
    c = page_client("region", region="330000")
    r = c.post(f"/programmes/{programme.pk}/work-info/330000/", _work_info(liaison_name="王芳"))
    assert r.status_code == 302
    assert WorkInfo.objects.get(programme=programme, region_id="330000").liaison_name == "王芳"
    assert WorkInfo.objects.filter(programme=programme).count() == 1


def test_invalid_mobile_keeps_the_input_and_shows_the_error(page_client, programme):
    c = page_client("region", region="330000")
    r = c.post(f"/programmes/{programme.pk}/work-info/330000/", _work_info(liaison_mobile="1380013800"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "联系人手机须为11位大陆手机号码" in html
    assert re.search(r'field-liaison_mobile[^"]*has-error', html)
    assert _input_value(html, "liaison_mobile") == "1380013800"
    assert _input_value(html, "department") == "浙江省经济和信息化厅"
    assert not WorkInfo.objects.filter(programme=programme).exists()


def test_every_problem_is_shown_in_one_round(page_client, programme):
    r = page_client("region", region="330000").post(
        f"/programmes/{programme.pk}/work-info/330000/",
        _work_info(leader_name="", liaison_email="not-an-email"),
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "请填写分管负责人姓名" in html and "联系人电子邮箱格式不正确" in html
    assert re.search(r'field-leader_name[^"]*has-error', html)
    assert re.search(r'field-liaison_email[^"]*has-error', html)
    assert not WorkInfo.objects.exists()


def test_another_regions_form_is_a_404_page(page_client, programme):
    _store_work_info(programme, "440000", department="广东省工业和信息化厅")
    c = page_client("region", region="330000")
    r = c.get(f"/programmes/{programme.pk}/work-info/440000/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "未找到" in html and "广东省工业和信息化厅" not in html
    r = c.post(f"/programmes/{programme.pk}/work-info/440000/", _work_info())
    assert r.status_code == 404
    assert WorkInfo.objects.get(programme=programme, region_id="440000").department == "广东省工业和信息化厅"


def test_region_work_info_link_leads_to_own_form(page_client, programme):
    c = page_client("region", region="330000")
    r = c.get("/programmes/current/work-info/", follow=True)
    assert r.redirect_chain[-1][0] == f"/programmes/{programme.pk}/work-info/330000/"
    assert r.status_code == 200


def test_centre_sees_a_region_form_read_only(page_client, programme):
    _store_work_info(programme, "330000")
    r = page_client("centre").get(f"/programmes/{programme.pk}/work-info/330000/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "浙江省经济和信息化厅" in html and "13800138000" in html
    assert '<form method="post" novalidate' not in html and "提交工作信息" not in html


def test_centre_cannot_submit_a_regions_form(page_client, programme):
    r = page_client("centre").post(f"/programmes/{programme.pk}/work-info/330000/", _work_info())
    assert r.status_code == 403
    assert not WorkInfo.objects.exists()


def test_tracking_page_shows_submitted_and_missing(page_client, programme):
    _store_work_info(programme, "330000")
    _store_work_info(programme, "110000", department="北京市经济和信息化局")
    c = page_client("centre")
    html = c.get(f"/programmes/{programme.pk}/work-info/").content.decode()
    assert re.search(r"已报送</div><div class=\"gauge-value\">2", html)
    assert re.search(r"未报送</div><div class=\"gauge-value\">35", html)
    assert "浙江省经济和信息化厅" in html and "北京市经济和信息化局" in html
    assert html.count('<span class="warn-text">未报送</span>') == 35

    missing = c.get(f"/programmes/{programme.pk}/work-info/?show=missing").content.decode()
    assert "浙江省经济和信息化厅" not in missing and "新疆生产建设兵团" in missing
    submitted = c.get(f"/programmes/{programme.pk}/work-info/?show=submitted").content.decode()
    assert "浙江省经济和信息化厅" in submitted and "新疆生产建设兵团" not in submitted
    assert f'href="/programmes/{programme.pk}/work-info.xlsx"' in html


def test_tracking_export_is_an_xlsx_with_every_region(page_client, programme):
    _store_work_info(programme, "330000")
    r = page_client("bureau").get(f"/programmes/{programme.pk}/work-info.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    assert "attachment" in r["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    cells = [c for row in rows for c in row if c is not None]
    assert "浙江省经济和信息化厅" in cells and "13800138000" in cells
    assert cells.count("（未填报）") == 36


@pytest.mark.parametrize("role", ["region", "institution", "trainee"])
def test_tracking_and_export_are_refused_to_other_roles(page_client, programme, role):
    c = page_client(role)
    assert c.get(f"/programmes/{programme.pk}/work-info.xlsx").status_code == 403
    if role != "region":  # a region officer is taken to its own form instead
        assert c.get(f"/programmes/{programme.pk}/work-info/").status_code == 403
