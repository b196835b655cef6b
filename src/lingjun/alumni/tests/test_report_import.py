"""Operation reports uploaded as a sheet: all or nothing, errors by row and column."""

import io

import openpyxl
import pytest

from lingjun.alumni.models import OperationReport
from lingjun.core.models import AuditEntry

pytestmark = pytest.mark.django_db
HEADERS = [
    "报告期",
    "营业收入（万元）",
    "从业人员（人）",
    "研发投入（万元）",
    "专利数（件）",
    "出口额（万元）",
    "融资额（万元）",
    "备注",
]


@pytest.fixture
def alumnus(klass, make_reg):
    return make_reg("completed", "330000", training_class=klass)


def workbook(rows, headers=HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(client, reg, content, name="reports.xlsx"):
    return client.client.post(
        f"/api/v1/enterprises/{reg.enterprise.credit_code}/reports/import",
        {"file": io.BytesIO(content)},
        headers=client._headers(),
    )


def test_a_sheet_of_periods_is_stored_at_once(api_as, alumnus):
    officer = api_as(alumnus.officer)
    r = upload(
        officer,
        alumnus,
        workbook(
            [
                [2023, 5000, 100, 200, 3, None, None, ""],
                ["2024", "6000.5", 110, 250, 5, 800, 1000, "上市辅导"],
            ]
        ),
    )
    assert r.status_code == 201, r.content
    assert r.json() == {"created": 2, "periods": ["2023", "2024"]}
    assert list(OperationReport.objects.order_by("period").values_list("period", "employees")) == [
        ("2023", 100),
        ("2024", 110),
    ]
    assert AuditEntry.objects.filter(action="followup.report_import").count() == 1


def test_any_bad_row_stores_nothing_and_names_row_and_column(api_as, alumnus):
    officer = api_as(alumnus.officer)
    assert (
        officer.post(
            f"enterprises/{alumnus.enterprise.credit_code}/reports",
            {"period": "2022", "revenue": 1, "employees": 1, "rnd_spend": 0, "patents": 0},
        ).status_code
        == 201
    )
    r = upload(
        officer,
        alumnus,
        workbook([[2023, 5000, 100, 200, 3], [2023, 1, 1, 1, 1], [2022, 1, 1, 1, 1], [2024, "多", 1, 1, 1]]),
    )
    assert r.status_code == 422
    errors = {(e["field"], e["code"]) for e in r.json()["errors"]}
    assert errors == {
        ("rows[3].period", "duplicate_period"),
        ("rows[4].period", "duplicate_period"),
        ("rows[5].revenue", "invalid_number"),
    }
    assert any("第5行" in e["message"] and "营业收入" in e["message"] for e in r.json()["errors"])
    assert OperationReport.objects.count() == 1


def test_not_a_workbook_or_missing_column(api_as, alumnus):
    officer = api_as(alumnus.officer)
    assert upload(officer, alumnus, b"hello").json()["code"] == "not_xlsx"
    missing = upload(officer, alumnus, workbook([[2023, 1]], headers=["报告期", "营业收入（万元）"]))
    assert missing.status_code == 422 and missing.json()["code"] == "column_missing"


def test_other_region_cannot_upload(api_as, alumnus):
    assert (
        upload(api_as("region", region="110000"), alumnus, workbook([[2023, 1, 1, 1, 1]])).status_code == 404
    )
    assert upload(api_as("centre"), alumnus, workbook([[2023, 1, 1, 1, 1]])).status_code == 403


def test_template_round_trips(api_as, page_client, alumnus):
    officer = api_as(alumnus.officer)
    t = officer.get(f"enterprises/{alumnus.enterprise.credit_code}/reports/template.xlsx")
    assert t.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(t.content))
    ws = wb.active
    ws.append(["2024", 9000, 140, 500, 13])
    buf = io.BytesIO()
    wb.save(buf)
    assert upload(officer, alumnus, buf.getvalue()).status_code == 201
    page = page_client(alumnus.officer)
    r = page.post(
        f"/enterprises/{alumnus.enterprise.credit_code}/reports/import/",
        {"file": io.BytesIO(workbook([[2023, 1, 1, 1, 1]]))},
        follow=True,
    )
    assert "已导入 1 个报告期" in r.content.decode()
    assert page.get(f"/enterprises/{alumnus.enterprise.credit_code}/reports/template.xlsx").status_code == 200
