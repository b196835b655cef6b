"""Bulk registration from the 附件4 workbook, the template, the error workbook and the exports
(SPEC §3.2 “Regions register … many at once”, §5 Confidentiality)."""

from __future__ import annotations

import datetime
import io
import os

import openpyxl
import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lingjun.core.models import AuditEntry
from lingjun.core.tests.api_helpers import XLSX_MIME, open_xlsx, sheet_rows
from lingjun.registrations.identity import decrypt_id
from lingjun.registrations.models import ImportBatch, Registration
from lingjun.registrations.sheet import HEADERS, SHEET_NAME

from .conftest import assert_error, created, payload, quota_used, seat_holders, set_quota

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seats_match_quota")]

COL = {h: i for i, h in enumerate(HEADERS)}


def row_for(body: dict | None = None, seq: int = 1, **cells) -> list:
    """One 附件4 row from an API body; `cells` override by header-free keyword (see COLUMN_KEYS)."""
    body = body or payload()
    t, e = body["trainee"], body["enterprise"]
    row = [
        seq,
        t["name"],
        "",
        t["ethnicity"],
        t["id_number"],
        t["political_status"],
        t["education"],
        t["position"],
        "是",
        "",
        t["mobile"],
        t["email"],
        e["name"],
        e["credit_code"],
        e["industry_division"],
        e["employees"],
        e["revenue"],
        e["total_assets"],
        "高新技术企业、专精特新“小巨人”企业",
        e["address"],
        "3、5",
        "是",
        "是",
        "是",
    ]
    for header, value in cells.items():
        row[COL[COLUMN_KEYS[header]]] = value
    return row


COLUMN_KEYS = {
    "name": "姓名",
    "gender": "性别",
    "id": "身份证号",
    "uscc": "统一社会信用代码",
    "voluntary": "本人自愿参训",
    "principal": "是否企业主要负责人（一把手）",
    "justification": "非一把手参训说明",
    "classes": "意向期次",
    "address": "企业地址",
    "employees": "从业人员（人）",
    "revenue": "营业收入（万元）",
    "mobile": "手机",
}


def workbook(
    rows,
    *,
    title=True,
    headers=HEADERS,
    sheet=SHEET_NAME,
    other_sheets=(),
    merges=(),
    formulas=(),
    numbers=(),
) -> bytes:
    """An .xlsx as regions make it. `formulas`: (row index, header, formula, cached value); `numbers`:
    (row index, header, number) written as a numeric cell; `merges`: (first row, first col, last row, last col,
    value) in sheet coordinates."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    ws = wb.add_worksheet(sheet)
    r0 = 0
    if title:
        ws.merge_range(0, 0, 0, len(headers) - 1, "2030年中小企业经营管理领军人才培训学员推荐表（附件4）")
        r0 = 1
    for c, h in enumerate(headers):
        ws.write_string(r0, c, h)
    special = {(i, COL[h]) for i, h, *_ in list(formulas) + list(numbers)}
    for i, row in enumerate(rows):
        for c, v in enumerate(row):
            if (i, c) in special:
                continue
            if isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(r0 + 1 + i, c, v)
            elif v not in (None, ""):
                ws.write_string(r0 + 1 + i, c, str(v))
    for i, h, formula, value in formulas:
        ws.write_formula(r0 + 1 + i, COL[h], formula, None, value)
    for i, h, number in numbers:
        ws.write_number(r0 + 1 + i, COL[h], number)
    for first_row, first_col, last_row, last_col, value in merges:
        ws.merge_range(first_row, first_col, last_row, last_col, value)
    for name in other_sheets:
        wb.add_worksheet(name).write_string(0, 0, "说明")
    wb.close()
    return buffer.getvalue()


def upload(client, programme, data: bytes, mode="partial", name="附件4.xlsx", region=None):
    form = {"file": SimpleUploadedFile(name, data, content_type=XLSX_MIME), "mode": mode}
    if region:
        form["region"] = region
    return client.client.post(
        f"/api/v1/programmes/{programme.pk}/registrations/import", form, headers=client._headers()
    )


def imported(client, programme, data, **kw) -> dict:
    r = upload(client, programme, data, **kw)
    assert r.status_code == 200, r.content.decode()[:800]
    return r.json()


def errors_of(result) -> list[tuple]:
    return [(e["row"], e["column"], e["code"]) for e in result["errors"]]


# --- the template --------------------------------------------------------------------------------------------


def test_template_has_the_fixed_headers_and_drop_down_lists(region_api, quota10):
    wb = open_xlsx(region_api.get(f"programmes/{quota10.pk}/registrations/template.xlsx"))
    ws = wb[SHEET_NAME]
    rows = sheet_rows(ws)
    header = next(r for r in rows if r[0] == "序号")
    assert list(header[: len(HEADERS)]) == HEADERS
    lists = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            lists[openpyxl.utils.cell.coordinate_from_string(rng.split(":")[0])[0]] = dv.formula1
    letter = openpyxl.utils.get_column_letter
    assert lists[letter(COL["性别"] + 1)] == '"男,女"'
    for h in (
        "是否企业主要负责人（一把手）",
        "本人自愿参训",
        "无违法犯罪及不良从业记录",
        "身体健康能坚持参训",
    ):
        assert lists[letter(COL[h] + 1)] == '"是,否"', h
    assert "中共党员" in lists[letter(COL["政治面貌"] + 1)]
    assert "填写说明" in wb.sheetnames


def test_template_filled_offline_imports(region_api, quota10):
    wb = open_xlsx(region_api.get(f"programmes/{quota10.pk}/registrations/template.xlsx"))
    ws = wb[SHEET_NAME]
    for i in range(2):
        ws.append(row_for(seq=i + 1))
    buffer = io.BytesIO()
    wb.save(buffer)
    result = imported(region_api, quota10, buffer.getvalue())
    assert (result["created"], result["errors"]) == (2, [])


def test_template_is_for_region_and_centre(api_as, quota10):
    assert api_as("centre").get(f"programmes/{quota10.pk}/registrations/template.xlsx").status_code == 200
    for role in ("bureau", "institution", "trainee"):
        assert_error(
            api_as(role).get(f"programmes/{quota10.pk}/registrations/template.xlsx"), 403, "forbidden"
        )


# --- good files ----------------------------------------------------------------------------------------------


def test_valid_file_creates_submitted_registrations(region_api, quota10):
    bodies = [payload() for _ in range(3)]
    result = imported(region_api, quota10, workbook([row_for(b, i + 1) for i, b in enumerate(bodies)]))
    assert (result["created"], result["unchanged"], result["errors"], result["rows"]) == (3, 0, [], 3)
    regs = Registration.objects.filter(programme=quota10).select_related("trainee", "enterprise")
    assert sorted(r.enterprise.credit_code for r in regs) == sorted(
        b["enterprise"]["credit_code"] for b in bodies
    )
    assert {(r.status, r.source, r.region_id, r.holds_seat) for r in regs} == {
        ("submitted", "import", "110000", True)
    }
    assert sorted(decrypt_id(r.trainee.id_number_encrypted) for r in regs) == sorted(
        b["trainee"]["id_number"] for b in bodies
    )
    assert {tuple(sorted(r.enterprise.qualifications.values_list("code", flat=True))) for r in regs} == {
        ("high_tech", "little_giant")
    }
    assert {tuple(r.preferred_classes) for r in regs} == {(3, 5)}
    assert quota_used(quota10, "110000") == 3 == seat_holders(quota10, "110000")
    assert AuditEntry.objects.filter(action="registration.create", object_type="registration").count() == 3
    batch_entry = AuditEntry.objects.get(action="registration.import")
    assert batch_entry.after["created"] == 3 and batch_entry.actor == region_api.user


def test_the_same_file_twice_creates_nothing_new(region_api, quota10):
    data = workbook([row_for(seq=i + 1) for i in range(3)])
    assert imported(region_api, quota10, data)["created"] == 3
    again = imported(region_api, quota10, data, name="附件4（再次）.xlsx")
    assert (again["created"], again["unchanged"], again["errors"]) == (0, 3, [])
    assert Registration.objects.filter(programme=quota10).count() == 3
    assert quota_used(quota10, "110000") == 3


def test_a_corrected_file_adds_only_the_corrected_rows(region_api, quota10):
    good, fixed = payload(), payload()
    first = imported(region_api, quota10, workbook([row_for(good, 1), row_for(fixed, 2, voluntary="否")]))
    assert first["created"] == 1
    second = imported(region_api, quota10, workbook([row_for(good, 1), row_for(fixed, 2)]))
    assert (second["created"], second["unchanged"]) == (1, 1)


def test_header_without_title_row_and_single_sheet_with_another_name(region_api, quota10):
    result = imported(region_api, quota10, workbook([row_for()], title=False, sheet="Sheet1"))
    assert result["created"] == 1


def test_full_width_digits_spaces_and_lowercase_x_in_ids(region_api, quota10):
    from stdnum.cn import ric

    for seq in range(100, 999):
        body17 = f"11010119850615{seq}"
        if ric.calc_check_digit(body17 + "0") == "X":
            break
    plain = payload()
    pasted = (
        "".join(chr(0xFF10 + int(c)) for c in plain["trainee"]["id_number"][:6])
        + " "
        + plain["trainee"]["id_number"][6:]
    )
    rows = [
        row_for(plain, 1, id=pasted),
        row_for(seq=2, id=body17 + "x"),
        row_for(seq=3, mobile="１３８ ００１３ ８０００"),
    ]
    result = imported(region_api, quota10, workbook(rows))
    assert (result["created"], result["errors"]) == (3, [])
    stored = {
        decrypt_id(r.trainee.id_number_encrypted) for r in Registration.objects.select_related("trainee")
    }
    assert plain["trainee"]["id_number"] in stored and body17 + "X" in stored


def test_centre_imports_for_a_named_region(centre_api, quota10):
    result = imported(centre_api, quota10, workbook([row_for(payload("330000"))]), region="330000")
    assert result["created"] == 1
    assert Registration.objects.get().region_id == "330000" and quota_used(quota10, "330000") == 1


# --- row errors ----------------------------------------------------------------------------------------------


def test_errors_come_back_per_excel_row_and_chinese_column(region_api, quota10):
    rows = [
        row_for(seq=1),
        row_for(seq=2, id="110101198001011230"),
        row_for(seq=3, uscc="91110000MA01ABCD2Y"),
        row_for(seq=4, voluntary="否"),
        row_for(seq=5, principal="否"),
        row_for(seq=6),
    ]
    result = imported(region_api, quota10, workbook(rows))  # title in row 1, header in row 2, data from row 3
    assert errors_of(result) == [
        (4, "身份证号", "invalid_id_number"),
        (5, "统一社会信用代码", "invalid_credit_code"),
        (6, "本人自愿参训", "declaration_required"),
        (7, "非一把手参训说明", "justification_required"),
    ]
    assert all(e["message"] for e in result["errors"])
    assert result["created"] == 2 and result["stored"] is True
    assert Registration.objects.count() == 2 and quota_used(quota10, "110000") == 2


def test_all_or_nothing_stores_nothing_when_a_row_is_bad(region_api, quota10):
    rows = [row_for(seq=1), row_for(seq=2, id="110101198001011230"), row_for(seq=3)]
    result = imported(region_api, quota10, workbook(rows), mode="all_or_nothing")
    assert result["created"] == 0 and result["stored"] is False
    assert errors_of(result) == [(4, "身份证号", "invalid_id_number")]
    assert Registration.objects.count() == 0 and quota_used(quota10, "110000") == 0
    ok = imported(region_api, quota10, workbook([rows[0], rows[2]]), mode="all_or_nothing")
    assert ok["created"] == 2 and ok["stored"] is True


def test_unknown_mode_is_refused(region_api, quota10):
    assert_error(upload(region_api, quota10, workbook([row_for()]), mode="some"), 422, "invalid_mode")


def test_duplicate_rows_in_one_file(region_api, quota10):
    a, b = payload(), payload()
    same_person = payload(trainee={"id_number": b["trainee"]["id_number"]})
    rows = [row_for(a, 1), row_for(a, 2), row_for(b, 3), row_for(same_person, 4)]
    result = imported(region_api, quota10, workbook(rows))
    assert errors_of(result) == [
        (4, "统一社会信用代码", "duplicate_in_file"),
        (6, "身份证号", "duplicate_in_file"),
    ]
    assert "第 3 行" in result["errors"][0]["message"]
    assert result["created"] == 2


def test_rows_beyond_the_quota_are_refused_in_partial_mode(region_api, programme):
    set_quota(programme, "110000", 2)
    result = imported(region_api, programme, workbook([row_for(seq=i + 1) for i in range(4)]))
    assert result["created"] == 2
    assert errors_of(result) == [(5, "推荐地区", "quota_exceeded"), (6, "推荐地区", "quota_exceeded")]
    assert quota_used(programme, "110000") == 2 == seat_holders(programme, "110000")


def test_quota_counts_what_is_already_registered(region_api, programme):
    set_quota(programme, "110000", 2)
    created(region_api, programme)
    result = imported(
        region_api, programme, workbook([row_for(seq=i + 1) for i in range(2)]), mode="all_or_nothing"
    )
    assert result["created"] == 0 and [e["code"] for e in result["errors"]] == ["quota_exceeded"]
    assert quota_used(programme, "110000") == 1 == Registration.objects.count()


def test_enterprise_registered_elsewhere_is_refused_per_row(region_api, api_as, quota10):
    first = payload("330000")
    created(api_as("region", region="330000"), quota10, first)
    row = row_for(payload(enterprise={"credit_code": first["enterprise"]["credit_code"]}))
    result = imported(region_api, quota10, workbook([row]))
    assert errors_of(result) == [(3, "统一社会信用代码", "enterprise_already_registered")]


def test_not_an_sme_and_bad_yes_no_values(region_api, quota10):
    rows = [row_for(seq=1, employees=5000, revenue=50000), row_for(seq=2, principal="也许")]
    result = imported(region_api, quota10, workbook(rows))
    assert errors_of(result) == [
        (3, "从业人员（人）", "not_sme"),
        (4, "是否企业主要负责人（一把手）", "invalid_boolean"),
    ]


def test_import_after_the_deadline_is_refused(region_api, quota10):
    quota10.registration_deadline = timezone.localdate() - datetime.timedelta(days=1)
    quota10.save()
    assert_error(upload(region_api, quota10, workbook([row_for()])), 409, "deadline_passed")
    assert Registration.objects.count() == 0


# --- bad files -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,code",
    [
        (b"", "empty_file"),
        (b"just some text, not a workbook", "not_xlsx"),
        (b"PK\x03\x04" + b"\x00" * 200, "not_xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "not_xlsx"),  # an old .xls
    ],
)
def test_unreadable_files_are_refused(region_api, quota10, data, code):
    body = assert_error(upload(region_api, quota10, data), 422, code, {"file": code})
    assert body["detail"]


def test_files_over_10_mb_are_refused(region_api, quota10):
    body = assert_error(upload(region_api, quota10, os.urandom(10 * 1024 * 1024 + 16)), 422, "file_too_large")
    assert "10 MB" in body["detail"]


def test_missing_columns_are_named(region_api, quota10):
    headers = [h for h in HEADERS if h != "民族"]
    rows = [row_for()[:3] + row_for()[4:]]
    body = assert_error(upload(region_api, quota10, workbook(rows, headers=headers)), 422, "missing_columns")
    assert "民族" in body["detail"]


def test_columns_out_of_order_or_extra_are_refused(region_api, quota10):
    swapped = list(HEADERS)
    swapped[1], swapped[2] = swapped[2], swapped[1]
    assert_error(
        upload(region_api, quota10, workbook([row_for()], headers=swapped)), 422, "wrong_column_order"
    )
    body = assert_error(
        upload(region_api, quota10, workbook([row_for() + ["x"]], headers=HEADERS + ["备注"])),
        422,
        "extra_columns",
    )
    assert "备注" in body["detail"]
    assert Registration.objects.count() == 0


def test_several_sheets_without_one_named_fujian4(region_api, quota10):
    data = workbook([row_for()], sheet="学员名单", other_sheets=["说明"])
    body = assert_error(upload(region_api, quota10, data), 422, "sheet_not_found")
    assert "附件4" in body["detail"]
    ok = workbook([row_for()], other_sheets=["说明"])
    assert imported(region_api, quota10, ok)["created"] == 1


def test_no_data_rows(region_api, quota10):
    assert_error(upload(region_api, quota10, workbook([])), 422, "no_rows")


def test_id_stored_as_a_number_is_flagged(region_api, quota10):
    body = payload()
    while body["trainee"]["id_number"].endswith("X"):
        body = payload()
    rows = [row_for(body, 1), row_for(seq=2)]
    result = imported(
        region_api, quota10, workbook(rows, numbers=[(0, "身份证号", int(body["trainee"]["id_number"]))])
    )
    assert errors_of(result) == [(3, "身份证号", "stored_as_number")]
    assert "文本" in result["errors"][0]["message"]
    assert result["created"] == 1


def test_formula_cells_and_merged_cells_do_not_break_the_import(region_api, quota10):
    a, b, c = payload(), payload(), payload()
    rows = [row_for(a, 1), row_for(b, 2), row_for(c, 3), row_for(seq=4)]
    data = workbook(
        rows,
        formulas=[
            (0, "姓名", '="张"&"三"', "张三"),  # a formula with its cached value
            (1, "身份证号", "=A1", ""),  # a formula without a usable value
            (2, "从业人员（人）", "=10*12", 120),
        ],
        merges=[
            (5, COL["企业地址"], 5, COL["意向期次"], "某市某区某路1号"),  # over two cells of data row 4
            (2, COL["企业资质"], 3, COL["企业资质"], "高新技术企业"),
        ],  # one value over data rows 1–2
    )
    r = upload(region_api, quota10, data)
    assert r.status_code == 200, r.content
    result = r.json()
    assert errors_of(result) == [(4, "身份证号", "required")]
    assert result["created"] == 3
    names = set(Registration.objects.values_list("trainee__name", flat=True))
    assert "张三" in names


def test_a_date_typed_into_preferred_classes_is_a_row_error(region_api, quota10):
    buffer = io.BytesIO()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    ws.append(HEADERS)
    row = row_for()
    row[COL["意向期次"]] = datetime.datetime(2030, 3, 5)  # Excel turned “3-5” into 5 March
    ws.append(row)
    wb.save(buffer)
    result = imported(region_api, quota10, buffer.getvalue())
    assert errors_of(result) == [(2, "意向期次", "invalid_preferred_classes")]


# --- the error workbook --------------------------------------------------------------------------------------


def test_error_workbook_lists_the_failed_rows_with_reasons(region_api, quota10):
    rows = [
        row_for(seq=1),
        row_for(seq=2, id="110101198001011230"),
        row_for(seq=3, name="=1+1", voluntary="否"),
    ]
    result = imported(region_api, quota10, workbook(rows))
    wb = open_xlsx(region_api.get(f"imports/{result['batch']}/errors.xlsx"))
    data = sheet_rows(wb[SHEET_NAME])
    header = next(r for r in data if r[0] == "序号")
    assert list(header) == HEADERS + ["原行号", "错误说明"]
    body = data[data.index(header) + 1 :]
    assert [r[COL["身份证号"]] for r in body] == ["110101198001011230", rows[2][COL["身份证号"]]]
    assert [r[len(HEADERS)] for r in body] == [4, 5]
    assert "身份证号" in body[0][-1] and "校验码" in body[0][-1]
    assert "本人自愿参训" in body[1][-1]
    assert body[1][COL["姓名"]] == "'=1+1"  # shown, never executed
    assert ImportBatch.objects.get(pk=result["batch"]).created == 1


def test_error_workbook_is_scoped(region_api, api_as, quota10):
    result = imported(region_api, quota10, workbook([row_for(seq=1, id="1")]))
    assert api_as("centre").get(f"imports/{result['batch']}/errors.xlsx").status_code == 200
    assert_error(
        api_as("region", region="330000").get(f"imports/{result['batch']}/errors.xlsx"), 404, "not_found"
    )


# --- exports -------------------------------------------------------------------------------------------------


def test_export_masks_ids_and_neutralises_formulas(region_api, quota10):
    body = payload(trainee={"name": '=HYPERLINK("http://x.cn","点我")'})
    created(region_api, quota10, body)
    r = region_api.get(f"programmes/{quota10.pk}/registrations.xlsx")
    ws = open_xlsx(r)[SHEET_NAME]
    data = sheet_rows(ws)
    header_at = next(i for i, row in enumerate(data) if row[0] == "序号")
    row = data[header_at + 1]
    full = body["trainee"]["id_number"]
    assert row[COL["身份证号"]] == full[:6] + "********" + full[-4:]
    assert not any(full in str(c) for r_ in data for c in r_)
    name_cell = ws.cell(row=header_at + 2, column=COL["姓名"] + 1)
    assert name_cell.data_type == "s" and name_cell.value == "'" + body["trainee"]["name"]
    entry = AuditEntry.objects.get(action="registration.export")
    assert entry.actor == region_api.user and entry.after == {"rows": 1, "unmasked": False}


def test_export_with_full_ids_is_centre_only_and_audited(region_api, centre_api, api_as, quota10):
    body = payload()
    created(region_api, quota10, body)
    assert_error(region_api.get(f"programmes/{quota10.pk}/registrations-with-ids.xlsx"), 403, "forbidden")
    assert not AuditEntry.objects.filter(action="registration.export_ids").exists()
    data = sheet_rows(
        open_xlsx(centre_api.get(f"programmes/{quota10.pk}/registrations-with-ids.xlsx")).active
    )
    assert any(row[COL["身份证号"]] == body["trainee"]["id_number"] for row in data)
    entry = AuditEntry.objects.get(action="registration.export_ids")
    assert entry.actor == centre_api.user and entry.object_id == str(quota10.pk)
    assert entry.after == {"rows": 1, "unmasked": True}


def test_people_and_enterprises_known_from_an_earlier_year_are_updated_not_duplicated(region_api, quota10):
    """A returning enterprise (re-training, or a new principal) is imported in a later year: its record and
    the person's are brought up to date in place, and the new registrations are created."""
    from lingjun.programmes.models import Programme
    from lingjun.registrations.models import Enterprise, Trainee

    bodies = [payload("110000") for _ in range(3)]
    earlier = Programme.objects.create(
        year=2029,
        title="2029",
        target_trainees=10,
        planned_classes=1,
        registration_deadline=datetime.date(2029, 8, 31),
        status="open",
    )
    from lingjun.programmes.models import Quota

    Quota.objects.create(programme=earlier, region_id="110000", amount=10)
    assert (
        imported(region_api, earlier, workbook([row_for(b, i) for i, b in enumerate(bodies, 1)]))["created"]
        == 3
    )
    Registration.objects.filter(programme=earlier).update(status="completed")
    renamed = [row_for(b, i, name=f"新名字{i}", address="新地址") for i, b in enumerate(bodies, 1)]
    result = imported(region_api, quota10, workbook(renamed))
    assert result["created"] == 3 and not result["errors"]
    assert Trainee.objects.filter(name__startswith="新名字").count() == 3
    assert Trainee.objects.count() == 3 and Enterprise.objects.filter(address="新地址").count() == 3


# --- R8 in the import path: the same rule as the form ----------------------------------------------------------


@pytest.fixture
def trained_in_2029(region_api, quota10):
    """An enterprise that completed the 2029 programme; returns its credit code."""
    from lingjun.programmes.models import Programme
    from lingjun.programmes.services import _ensure_quota_rows

    earlier = Programme.objects.create(
        year=2029,
        title="2029年",
        target_trainees=800,
        planned_classes=10,
        registration_deadline=datetime.date(2030, 8, 31),
        status="open",
    )
    _ensure_quota_rows(earlier)
    set_quota(earlier, "110000", 5)
    body = payload()
    Registration.objects.filter(pk=created(region_api, earlier, body)["id"]).update(status="completed")
    return body["enterprise"]["credit_code"]


def test_r8_warn_policy_imports_the_row_with_the_same_warning_as_the_form(
    region_api, quota10, trained_in_2029
):
    quota10.earlier_training_policy = "warn"
    quota10.save()
    result = imported(
        region_api, quota10, workbook([row_for(payload(enterprise={"credit_code": trained_in_2029}))])
    )
    assert result["errors"] == [] and result["created"] == 1
    reg = Registration.objects.get(programme=quota10, enterprise__credit_code=trained_in_2029)
    assert {"code": "previously_trained", "message": "该企业已参加过2029年的培训。"} in reg.warnings


def test_r8_refuse_policy_refuses_the_row_naming_the_year(region_api, quota10, trained_in_2029):
    quota10.earlier_training_policy = "refuse"
    quota10.save()
    other = payload()
    result = imported(
        region_api,
        quota10,
        workbook([row_for(payload(enterprise={"credit_code": trained_in_2029})), row_for(other, seq=2)]),
    )
    assert errors_of(result) == [(3, "统一社会信用代码", "previously_trained")]
    assert "2029年" in result["errors"][0]["message"]
    assert list(
        Registration.objects.filter(programme=quota10).values_list("enterprise__credit_code", flat=True)
    ) == [other["enterprise"]["credit_code"]]
