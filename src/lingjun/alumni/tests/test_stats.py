"""Programme dashboard: arithmetic on hand-made data, and who sees what."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from lingjun.attendance.models import AttendanceRecord
from lingjun.classes.models import TimetableSession, TrainingClass
from lingjun.programmes.models import Quota

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(programme, klass, make_reg):
    """Zhejiang (330000): quota 5 (set below), one of each stage; Beijing (110000): two submitted, one of
    them not manufacturing. Withdrawn, rejected and draft ones must count nowhere."""
    zj = {
        s: make_reg(
            s, "330000", training_class=klass if s in ("enrolled", "completed", "not_completed") else None
        )
        for s in ("submitted", "returned", "approved", "enrolled", "completed", "not_completed")
    }
    make_reg("withdrawn", "330000")
    make_reg("rejected", "330000")
    make_reg("draft", "330000")
    bj = [make_reg("submitted", "110000"), make_reg("submitted", "110000", manufacturing=False)]
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=8)
    Quota.objects.filter(programme=programme, region_id="110000").update(amount=3)
    programme.min_manufacturing_share = "0.950"
    programme.save()
    return {"zj": zj, "bj": bj}


def row(body, code):
    return next(r for r in body["by_region"] if r["region"] == code)


def test_counts_are_cumulative_over_live_registrations(api_as, data, programme):
    body = api_as("bureau").get(f"programmes/{programme.pk}/stats").json()
    zj = row(body, "330000")
    # submitted, returned, approved, enrolled, completed, not_completed → 6 submitted
    assert (zj["quota"], zj["submitted"], zj["approved"], zj["enrolled"], zj["completed"]) == (8, 6, 4, 3, 1)
    bj = row(body, "110000")
    assert (bj["quota"], bj["submitted"], bj["approved"], bj["enrolled"], bj["completed"]) == (3, 2, 0, 0, 0)
    assert body["totals"]["submitted"] == 8 and body["totals"]["approved"] == 4
    assert body["totals"]["enrolled"] == 3 and body["totals"]["completed"] == 1
    assert body["totals"]["quota"] == 11
    assert body["target"] == 800 and body["target_share"] == round(8 / 800, 4)


def test_manufacturing_share_against_the_minimum(api_as, data, programme):
    body = api_as("centre").get(f"programmes/{programme.pk}/stats").json()
    assert body["manufacturing"] == 7
    assert body["manufacturing_share"] == round(7 / 8, 4)
    assert body["min_manufacturing_share"] == 0.95 and body["manufacturing_below_minimum"] is True


def test_mix_counts_each_live_registration(api_as, data, programme):
    body = api_as("centre").get(f"programmes/{programme.pk}/stats").json()
    assert sum(e["count"] for e in body["mix"]["size"]) == 8
    industry = {e["code"]: e["count"] for e in body["mix"]["industry"]}
    assert industry["C"] == 7 and sum(industry.values()) == 8


def test_class_fill_completion_and_attendance(api_as, data, programme, klass):
    now = timezone.now()
    day = timezone.localdate() - datetime.timedelta(days=2)
    s1 = TimetableSession.objects.create(
        training_class=klass,
        date=day,
        start=datetime.time(9),
        end=datetime.time(11),
        title="一",
        topic_id="digital",
        format="lecture",
    )
    s2 = TimetableSession.objects.create(
        training_class=klass,
        date=day,
        start=datetime.time(14),
        end=datetime.time(16),
        title="二",
        topic_id="digital",
        format="lecture",
    )
    enrolled, completed, failed = data["zj"]["enrolled"], data["zj"]["completed"], data["zj"]["not_completed"]
    # 3 trainees × 2 sessions = 6 slots: 3 present, 1 late, 1 excused, 1 with no record (absent)
    for reg, s, st in (
        (enrolled, s1, "present"),
        (enrolled, s2, "late"),
        (completed, s1, "present"),
        (completed, s2, "present"),
        (failed, s1, "excused"),
    ):
        AttendanceRecord.objects.create(registration=reg, session=s, status=st, checked_in_at=now)
    body = api_as("centre").get(f"programmes/{programme.pk}/stats").json()
    a = body["attendance"]
    assert (a["session_slots"], a["present"], a["late"], a["excused"], a["absent"]) == (6, 3, 1, 1, 1)
    assert a["rate"] == round(4 / 5, 4)
    assert body["completion"] == {"finished": 2, "completed": 1, "not_completed": 1, "rate": 0.5}
    assert body["classes"][0]["capacity"] == 10 and body["classes"][0]["trainees"] == 3
    assert body["class_fill"]["fill"] == 0.3
    assert body["satisfaction"] is None


def test_cancelled_classes_do_not_count_towards_fill(api_as, data, programme, institution):
    today = timezone.localdate()
    TrainingClass.objects.create(
        programme=programme,
        number=9,
        track="specialized",
        institution=institution,
        city="成都",
        start_date=today,
        end_date=today,
        capacity=50,
        status="cancelled",
    )
    body = api_as("centre").get(f"programmes/{programme.pk}/stats").json()
    assert body["class_fill"]["capacity"] == 10


def test_region_sees_its_own_row_beside_national_totals(api_as, data, programme):
    body = api_as("region", region="110000").get(f"programmes/{programme.pk}/stats").json()
    assert [r["region"] for r in body["by_region"]] == ["110000"]
    assert body["totals"]["submitted"] == 8  # national, not Beijing's 2


@pytest.mark.parametrize("role", ["trainee", "institution", "assessor"])
def test_other_roles_are_refused(api_as, programme, role):
    r = api_as(role).get(f"programmes/{programme.pk}/stats")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_unknown_programme_is_404(api_as):
    assert api_as("bureau").get("programmes/99999/stats").status_code == 404


def test_stats_are_aggregated_in_a_fixed_number_of_queries(
    api_as, data, programme, django_assert_max_num_queries
):
    client = api_as("bureau")
    with django_assert_max_num_queries(20):
        assert client.get(f"programmes/{programme.pk}/stats").status_code == 200


def test_each_table_exports_to_xlsx(api_as, data, programme):
    client = api_as("centre")
    r = client.get(f"programmes/{programme.pk}/stats.xlsx", {"table": "regions"})
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    zj = next(v for v in values if v[0] == "330000")
    assert zj[2:7] == [8, 6, 4, 3, 1]
    assert any(v[1] == "全国合计" and v[3] == 8 for v in values)
    for table in ("mix", "classes", "all"):
        assert client.get(f"programmes/{programme.pk}/stats.xlsx", {"table": table}).status_code == 200
    assert client.get(f"programmes/{programme.pk}/stats.xlsx", {"table": "x"}).status_code == 422


def test_region_export_holds_only_its_own_row(api_as, data, programme):
    r = api_as("region", region="110000").get(f"programmes/{programme.pk}/stats.xlsx", {"table": "regions"})
    codes = [row[0].value for row in openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows()]
    assert "110000" in codes and "330000" not in codes


def test_dashboard_page_shows_tables_and_bars(page_client, data, programme):
    r = page_client("bureau").get(f"/programmes/{programme.pk}/stats/")
    html = r.content.decode()
    assert r.status_code == 200 and "各地区名额与报名" in html and "浙江" in html
    assert 'class="bar"' in html and "低于要求" in html
    assert page_client("bureau").get("/stats/").status_code == 302
    assert page_client("trainee").get(f"/programmes/{programme.pk}/stats/").status_code == 403
    region_html = (
        page_client("region", region="110000").get(f"/programmes/{programme.pk}/stats/").content.decode()
    )
    assert 'data-region="110000"' in region_html and 'data-region="330000"' not in region_html
    x = page_client("centre").get(f"/programmes/{programme.pk}/stats-regions.xlsx")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
