"""Work information (附件3): PUT/GET per region, national tracking and the audited export (SPEC §3.1)."""

import pytest

from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import assert_error, open_xlsx, sheet_rows
from lingjun.programmes.models import Programme, WorkInfo

FORM = {
    "department": "北京市经济和信息化局中小企业处",
    "leader_name": "王伟",
    "leader_position": "副局长",
    "leader_phone": "010-55579001",
    "liaison_name": "李娜",
    "liaison_position": "一级主任科员",
    "liaison_phone": "010-55579012-801",
    "liaison_mobile": "13800138000",
    "liaison_email": "lina@jxj.beijing.gov.cn",
}


def url(programme, region="110000"):
    return f"programmes/{programme.pk}/work-info/{region}"


def stored(programme, region="110000"):
    return WorkInfo.objects.filter(programme=programme, region_id=region).values(*FORM).first()


# --- PUT and GET by the region ------------------------------------------------------------------------


def test_region_officer_fills_its_own_form_and_reads_it_back(api_as, programme):
    officer = api_as("region", region="110000")
    r = officer.put(url(programme), FORM)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["submitted"] is True and body["region"] == "110000" and body["programme"] == programme.pk
    assert body["updated_at"]
    r = officer.get(url(programme))
    assert r.status_code == 200
    assert {k: r.json()[k] for k in FORM} == FORM
    assert stored(programme) == FORM
    info = WorkInfo.objects.get(programme=programme, region_id="110000")
    assert info.submitted_by == officer.user
    entry = AuditEntry.objects.get(action="workinfo.save", object_id=str(info.pk))
    assert (
        entry.actor == officer.user
        and entry.before is None
        and entry.after["liaison_mobile"] == "13800138000"
    )


def test_a_second_save_updates_and_audits_only_the_changes(api_as, programme):
    officer = api_as("region", region="110000")
    officer.put(url(programme), FORM)
    r = officer.put(url(programme), {**FORM, "liaison_name": "赵磊", "liaison_mobile": "13911112222"})
    assert r.status_code == 200
    assert WorkInfo.objects.filter(programme=programme).count() == 1
    assert stored(programme)["liaison_name"] == "赵磊"
    entry = AuditEntry.objects.filter(action="workinfo.save").order_by("-id").first()
    assert entry.before == {"liaison_name": "李娜", "liaison_mobile": "13800138000"}
    assert entry.after == {"liaison_name": "赵磊", "liaison_mobile": "13911112222"}


def test_an_empty_form_reads_as_not_submitted(api_as, programme):
    r = api_as("region", region="110000").get(url(programme))
    assert r.status_code == 200
    assert r.json()["submitted"] is False and r.json()["department"] == "" and r.json()["updated_at"] is None


def test_full_width_digits_pasted_from_word_are_normalised(api_as, programme):
    form = {
        **FORM,
        "liaison_mobile": "１３８ ００１３ ８０００",
        "leader_phone": "（０１０）５５５７９００１",
    }
    r = api_as("region", region="110000").put(url(programme), form)
    assert r.status_code == 200, r.content
    assert stored(programme)["liaison_mobile"] == "13800138000"
    assert stored(programme)["leader_phone"] == "(010)55579001"


def test_region_cannot_fill_another_regions_form(api_as, programme):
    r = api_as("region", region="110000").put(url(programme, "310000"), FORM)
    assert_error(r, 404, "not_found")
    assert not WorkInfo.objects.exists()


def test_region_cannot_read_another_regions_form(api_as, programme):
    api_as("region", region="310000").put(url(programme, "310000"), FORM)
    r = api_as("region", region="110000").get(url(programme, "310000"))
    body = assert_error(r, 404, "not_found")
    assert FORM["liaison_mobile"] not in str(body)


def test_unknown_region_or_programme_is_404(api_as, programme):
    officer = api_as("region", region="110000")
    assert_error(officer.put(url(programme, "999999"), FORM), 404, "unknown_region")
    assert_error(officer.put(f"programmes/{programme.pk + 9}/work-info/110000", FORM), 404, "not_found")
    assert not WorkInfo.objects.exists()


@pytest.mark.parametrize("role", ["bureau", "centre", "institution", "assessor", "trainee"])
def test_only_region_officers_fill_the_form(api_as, programme, role):
    assert_error(api_as(role).put(url(programme), FORM), 403, "forbidden")
    assert not WorkInfo.objects.exists()


@pytest.mark.parametrize("role", ["bureau", "centre"])
def test_bureau_and_centre_read_any_region(api_as, programme, role):
    api_as("region", region="440300").put(url(programme, "440300"), FORM)
    client = api_as(role)
    r = client.get(url(programme, "440300"))
    assert r.status_code == 200 and r.json()["submitted"] is True
    assert {k: r.json()[k] for k in FORM} == FORM
    r = client.get(url(programme, "650000"))
    assert r.status_code == 200 and r.json()["submitted"] is False


@pytest.mark.parametrize("role", ["institution", "assessor", "trainee"])
def test_other_roles_cannot_read_work_info(api_as, programme, role):
    api_as("region", region="110000").put(url(programme), FORM)
    assert_error(api_as(role).get(url(programme)), 403, "forbidden")


def test_archived_programme_form_is_frozen(api_as, programme):
    officer = api_as("region", region="110000")
    officer.put(url(programme), FORM)
    Programme.objects.filter(pk=programme.pk).update(status="archived")
    r = officer.put(url(programme), {**FORM, "liaison_name": "赵磊"})
    assert_error(r, 409, "programme_archived")
    assert stored(programme) == FORM


# --- validation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("liaison_mobile", "12345", "invalid_mobile"),
        ("liaison_mobile", "23800138000", "invalid_mobile"),
        ("liaison_mobile", "138001380001", "invalid_mobile"),
        ("liaison_email", "not-an-email", "invalid_email"),
        ("liaison_email", "李娜@", "invalid_email"),
        ("leader_phone", "abc", "invalid_phone"),
        ("liaison_phone", "12", "invalid_phone"),
        ("department", "   ", "required"),
        ("liaison_name", "", "required"),
        ("department", "局" * 101, "too_long"),
        ("liaison_position", "职" * 61, "too_long"),
        ("liaison_email", "a" * 250 + "@b.cn", "too_long"),  # longer than the column: must not be a 500
    ],
)
def test_bad_fields_are_422_and_nothing_is_stored(api_as, programme, field, value, code):
    r = api_as("region", region="110000").put(url(programme), {**FORM, field: value})
    assert_error(r, 422, code, {field: code})
    assert not WorkInfo.objects.exists()
    assert not AuditEntry.objects.filter(action="workinfo.save").exists()


def test_a_bad_update_keeps_the_earlier_form(api_as, programme):
    officer = api_as("region", region="110000")
    officer.put(url(programme), FORM)
    r = officer.put(
        url(programme), {**FORM, "liaison_name": "赵磊", "liaison_mobile": "110", "liaison_email": "x@"}
    )
    body = assert_error(
        r, 422, "invalid_mobile", {"liaison_mobile": "invalid_mobile", "liaison_email": "invalid_email"}
    )
    assert len(body["errors"]) == 2
    assert stored(programme) == FORM


def test_missing_fields_are_named(api_as, programme):
    form = dict(FORM)
    del form["liaison_email"], form["leader_name"]
    r = api_as("region", region="110000").put(url(programme), form)
    assert_error(r, 422, "required", {"liaison_email": "required", "leader_name": "required"})
    assert not WorkInfo.objects.exists()


# --- national tracking and export ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["bureau", "centre"])
def test_tracking_shows_who_has_submitted(api_as, programme, role):
    api_as("region", region="110000").put(url(programme), FORM)
    api_as("region", region="660000").put(url(programme, "660000"), {**FORM, "department": "兵团工信局"})
    r = api_as(role).get(f"programmes/{programme.pk}/work-info")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 37 and body["submitted"] == 2 and len(body["items"]) == 37
    by_code = {x["region"]: x for x in body["items"]}
    assert by_code["110000"]["submitted"] and by_code["660000"]["submitted"]
    assert by_code["110000"]["region_name"] == "北京市" and by_code["110000"]["updated_at"]
    assert not by_code["310000"]["submitted"] and by_code["310000"]["updated_at"] is None


@pytest.mark.parametrize("role", ["region", "institution", "assessor", "trainee"])
def test_tracking_and_export_are_for_bureau_and_centre(api_as, programme, role):
    client = api_as(role)
    assert_error(client.get(f"programmes/{programme.pk}/work-info"), 403, "forbidden")
    assert_error(client.get(f"programmes/{programme.pk}/work-info.xlsx"), 403, "forbidden")
    assert not AuditEntry.objects.filter(action="workinfo.export").exists()


@pytest.mark.parametrize("role", ["bureau", "centre"])
def test_national_sheet_is_exported_and_the_export_audited(api_as, programme, role):
    api_as("region", region="110000").put(url(programme), FORM)
    client = api_as(role)
    r = client.get(f"programmes/{programme.pk}/work-info.xlsx")
    rows = sheet_rows(open_xlsx(r).active)
    assert rows[0][0] == "2030年中小企业经营管理领军人才培训工作信息表"
    header_at = next(i for i, row in enumerate(rows) if row[0] == "序号")
    assert rows[header_at][1:4] == ["地区", "单位名称", "分管负责人姓名"]
    data = rows[header_at + 1 :]
    assert len([row for row in data if row[0] is not None]) == 37
    beijing = next(row for row in data if row[1] == "北京市")
    assert beijing[2:11] == list(FORM.values())
    shanghai = next(row for row in data if row[1] == "上海市")
    assert shanghai[2] == "（未填报）"
    entry = AuditEntry.objects.get(action="workinfo.export")
    assert (
        entry.actor == client.user
        and entry.object_type == "programme"
        and entry.object_id == str(programme.pk)
    )


def test_exported_form_cannot_inject_formulas(api_as, programme):
    api_as("region", region="110000").put(
        url(programme), {**FORM, "department": '=HYPERLINK("http://x","点我")'}
    )
    rows = sheet_rows(open_xlsx(api_as("centre").get(f"programmes/{programme.pk}/work-info.xlsx")).active)
    beijing = next(row for row in rows if row[1] == "北京市")
    assert beijing[2] == "'" + '=HYPERLINK("http://x","点我")'
