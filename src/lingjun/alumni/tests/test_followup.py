"""Enterprise follow-up: operation reports and 助企服务 records, who may write and read them."""

import datetime

import pytest

from lingjun.alumni.models import OperationReport, ServiceRecord
from lingjun.core.models import AuditEntry

pytestmark = pytest.mark.django_db

REPORT = {
    "period": "2025",
    "revenue": 8200.5,
    "employees": 130,
    "rnd_spend": 410,
    "patents": 12,
    "export_revenue": 900,
    "financing": None,
}


@pytest.fixture
def alumnus(klass, make_reg):
    return make_reg("completed", "330000", training_class=klass)


def url(reg, what="reports"):
    return f"enterprises/{reg.enterprise.credit_code}/{what}"


def test_region_records_a_report_and_everyone_allowed_reads_the_trend(api_as, alumnus):
    officer = api_as(alumnus.officer)
    r = officer.post(url(alumnus), {**REPORT, "period": 2025})  # a number is read as the year
    assert r.status_code == 201, r.content
    assert r.json()["period"] == "2025" and r.json()["financing"] is None
    officer.post(url(alumnus), {**REPORT, "period": "2024", "revenue": 7000})
    for client in (officer, api_as("centre"), api_as("bureau")):
        body = client.get(url(alumnus)).json()
        assert [i["period"] for i in body["items"]] == ["2024", "2025"]
        assert body["enterprise"]["credit_code"] == alumnus.enterprise.credit_code
    entry = AuditEntry.objects.get(action="followup.report", object_id=str(r.json()["id"]))
    assert entry.actor_id == alumnus.officer.pk


def test_duplicate_period_is_409(api_as, alumnus):
    officer = api_as(alumnus.officer)
    assert officer.post(url(alumnus), REPORT).status_code == 201
    again = officer.post(url(alumnus), {**REPORT, "revenue": 1})
    assert again.status_code == 409 and again.json()["code"] == "duplicate_period"
    assert again.json()["errors"][0]["field"] == "period"
    assert OperationReport.objects.count() == 1


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("period", "2029年", "invalid_period"),
        ("period", "", "required"),
        ("period", "2999", "future_period"),
        ("revenue", "很多", "invalid_number"),
        ("revenue", -5, "negative_amount"),
        ("employees", 1.5, "invalid_integer"),
        ("patents", True, "invalid_integer"),
        ("rnd_spend", None, "required"),
        ("financing", "x", "invalid_number"),
        ("period", 2999, "future_period"),
        ("period", "2025-Q5", "invalid_period"),
    ],
)
def test_invalid_fields_are_422_in_chinese_naming_the_field(api_as, alumnus, field, value, code):
    r = api_as(alumnus.officer).post(url(alumnus), {**REPORT, field: value})
    assert r.status_code == 422
    err = next(e for e in r.json()["errors"] if e["field"] == field)
    assert err["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
    assert OperationReport.objects.count() == 0


def test_another_region_gets_404_for_reading_and_writing(api_as, alumnus):
    other = api_as("region", region="110000")
    assert other.post(url(alumnus), REPORT).status_code == 404
    assert other.get(url(alumnus)).status_code == 404
    assert (
        other.post(
            url(alumnus, "services"), {"date": "2025-05-01", "kind": "financing", "description": "对接银行"}
        ).status_code
        == 404
    )
    assert other.get(url(alumnus, "services")).status_code == 404


def test_enterprise_not_yet_trained_is_not_followed(api_as, make_reg):
    reg = make_reg("approved", "330000")
    assert api_as(reg.officer).post(url(reg), REPORT).status_code == 404


def test_centre_and_bureau_may_not_write(api_as, alumnus):
    assert api_as("centre").post(url(alumnus), REPORT).status_code == 403
    assert (
        api_as("bureau")
        .post(url(alumnus, "services"), {"date": "2025-05-01", "kind": "policy", "description": "x"})
        .status_code
        == 403
    )


@pytest.mark.parametrize("role", ["trainee", "institution", "assessor"])
def test_other_roles_may_not_read(api_as, alumnus, role):
    assert api_as(role).get(url(alumnus)).status_code == 403


def test_unknown_enterprise_is_404(api_as):
    assert api_as("centre").get("enterprises/91330000MA00000000/reports").status_code == 404


def test_service_records(api_as, alumnus):
    officer = api_as(alumnus.officer)
    r = officer.post(
        url(alumnus, "services"),
        {
            "date": "2025-05-01",
            "kind": "融资对接",
            "description": "组织银企对接会",
            "outcome": "获授信500万元",
        },
    )
    assert r.status_code == 201 and r.json()["kind"] == "financing" and r.json()["kind_label"] == "融资对接"
    bad = officer.post(url(alumnus, "services"), {"date": "05/01/2025", "kind": "party", "description": ""})
    assert bad.status_code == 422
    assert {e["field"]: e["code"] for e in bad.json()["errors"]} == {
        "date": "invalid_date",
        "kind": "invalid_kind",
        "description": "required",
    }
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    assert (
        officer.post(url(alumnus, "services"), {"date": future, "kind": "policy", "description": "x"}).json()[
            "code"
        ]
        == "future_date"
    )
    listed = api_as("centre").get(url(alumnus, "services")).json()
    assert listed["count"] == 1 and listed["items"][0]["description"] == "组织银企对接会"
    assert ServiceRecord.objects.get().region_id == "330000"
    assert AuditEntry.objects.filter(action="followup.service").count() == 1


def test_enterprise_page_shows_trend_charts_and_forms(page_client, api_as, alumnus):
    officer = api_as(alumnus.officer)
    for period, revenue in (("2023", 5000), ("2024", 6500), ("2025", 8000)):
        officer.post(url(alumnus), {**REPORT, "period": period, "revenue": revenue})
    page = page_client(alumnus.officer)
    html = page.get(f"/enterprises/{alumnus.enterprise.credit_code}/").content.decode()
    assert html.count("<svg") >= 4 and "营业收入" in html and "<polyline" in html and "填报经营情况" in html
    assert "2025" in html and alumnus.trainee.name in html
    centre_html = (
        page_client("centre").get(f"/enterprises/{alumnus.enterprise.credit_code}/").content.decode()
    )
    assert "<svg" in centre_html and "填报经营情况" not in centre_html
    assert (
        page_client("region", region="110000")
        .get(f"/enterprises/{alumnus.enterprise.credit_code}/")
        .status_code
        == 404
    )


def test_enterprise_page_forms_save_and_explain_errors(page_client, alumnus):
    page = page_client(alumnus.officer)
    base = f"/enterprises/{alumnus.enterprise.credit_code}/"
    ok = page.post(
        base + "reports/",
        {"period": "2025", "revenue": "100", "employees": "5", "rnd_spend": "1", "patents": "0"},
    )
    assert ok.status_code == 302 and OperationReport.objects.count() == 1
    bad = page.post(
        base + "reports/",
        {"period": "2025", "revenue": "abc", "employees": "5", "rnd_spend": "1", "patents": "0"},
        follow=True,
    )
    assert "营业收入须为数字" in bad.content.decode()
    assert (
        page.post(
            base + "services/", {"date": "2025-01-02", "kind": "policy", "description": "政策宣讲"}
        ).status_code
        == 302
    )
    assert ServiceRecord.objects.count() == 1
    assert (
        page_client("region", region="110000").post(base + "reports/", {"period": "2024"}).status_code == 404
    )


def test_enterprise_list_shows_the_regions_trained_enterprises_with_latest_report(
    page_client, api_as, alumnus, make_reg, klass
):
    other_zj = make_reg("completed", "330000", training_class=klass)
    beijing = make_reg("completed", "110000", training_class=klass)
    make_reg("approved", "330000")  # not trained: not followed
    officer = api_as(alumnus.officer)
    officer.post(url(alumnus), {**REPORT, "period": "2024"})
    officer.post(url(alumnus), {**REPORT, "period": "2025"})
    officer.post(
        url(alumnus, "services"), {"date": "2025-05-01", "kind": "policy", "description": "政策宣讲"}
    )
    page = page_client(alumnus.officer)
    html = page.get("/enterprises/").content.decode()
    assert alumnus.enterprise.name in html and other_zj.enterprise.name in html
    assert beijing.enterprise.name not in html and "2025" in html and "1 次" in html
    without = page.get("/enterprises/", {"without": "1"}).content.decode()
    assert alumnus.enterprise.name not in without and other_zj.enterprise.name in without
    found = page.get("/enterprises/", {"q": alumnus.enterprise.credit_code}).content.decode()
    assert alumnus.enterprise.name in found and other_zj.enterprise.name not in found
    assert beijing.enterprise.name in page_client("centre").get("/enterprises/").content.decode()
    assert page_client("institution").get("/enterprises/").status_code == 403
