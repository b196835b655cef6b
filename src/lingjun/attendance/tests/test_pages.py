import datetime

from django.utils import timezone

from lingjun.attendance import services
from lingjun.attendance.models import AttendanceRecord, LeaveRequest

from .conftest import session_at


def test_projector_shows_a_qr_and_refreshes_with_a_new_signed_code(page_client, klass):
    s = session_at(klass, timezone.now())
    client = page_client("institution", institution=klass.institution)
    r = client.get(f"/sessions/{s.pk}/projector/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<svg" in html and "扫一扫" in html and f"{s.pk}-" in html
    data = client.get(f"/sessions/{s.pk}/projector/code.json").json()
    services.parse_code(data["code"])  # authentic
    assert data["svg"].startswith("<svg")
    assert page_client("institution").get(f"/sessions/{s.pk}/projector/").status_code == 404
    assert page_client("trainee").get(f"/sessions/{s.pk}/projector/").status_code == 403


def test_phone_checkin_confirms_then_answers_already(page_client, klass, enrol):
    reg, trainee, _ = enrol()
    s = session_at(klass, timezone.now())
    phone = page_client(trainee)
    code = services.make_code(s.pk)
    opened = phone.get(f"/checkin/?c={code}")
    assert opened.status_code == 200 and "确认签到" in opened.content.decode()
    assert "lj_device" in opened.cookies
    done = phone.post("/checkin/", {"code": code})
    assert done.status_code == 200 and "出勤" in done.content.decode()
    again = phone.post("/checkin/", {"code": code})
    assert "您已签到" in again.content.decode()
    assert (
        AttendanceRecord.objects.get(registration=reg, session=s).device_id
        == opened.cookies["lj_device"].value
    )


def test_phone_checkin_explains_a_bad_code(page_client, klass, enrol):
    _, trainee, _ = enrol()
    r = page_client(trainee).post("/checkin/", {"code": "12-3-FORGED"})
    assert r.status_code == 409 and "签到码无效" in r.content.decode()


def test_checkin_page_asks_to_log_in_first(client, klass):
    r = client.get("/checkin/?c=1-2-3")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_leave_pages_walk_both_parties(page_client, klass, enrol):
    reg, trainee, officer = enrol()
    s = session_at(klass, timezone.now() + datetime.timedelta(hours=3))
    t = page_client(trainee)
    refused = t.post("/leave/new/", {"sessions": [str(s.pk)], "reason": ""})
    assert "请填写请假事由" in refused.content.decode()
    assert t.post("/leave/new/", {"sessions": [str(s.pk)], "reason": "公司有紧急事务"}).status_code == 302
    leave = LeaveRequest.objects.get(registration=reg)
    region_page = page_client(officer).get("/leave/")
    assert "公司有紧急事务" in region_page.content.decode() and "批准" in region_page.content.decode()
    assert "公司有紧急事务" not in page_client("region", region="110000").get("/leave/").content.decode()
    page_client(officer).post(f"/leave/{leave.pk}/approve/")
    page_client("centre").post(f"/leave/{leave.pk}/acknowledge/")
    leave.refresh_from_db()
    assert leave.status == "approved"
    assert AttendanceRecord.objects.get(registration=reg, session=s).status == "excused"


def test_staff_marking_page_and_grid(page_client, klass, enrol):
    reg, _, _ = enrol()
    s = session_at(klass, timezone.now() - datetime.timedelta(hours=1))
    staff = page_client("centre")
    assert (
        staff.post(
            f"/sessions/{s.pk}/attendance/", {f"s_{reg.pk}": "late", f"r_{reg.pk}": "交通拥堵"}
        ).status_code
        == 302
    )
    assert AttendanceRecord.objects.get(registration=reg, session=s).status == "late"
    grid = staff.get(f"/classes/{klass.pk}/attendance/").content.decode()
    assert reg.trainee.name in grid and "迟" in grid


def test_completion_page_confirms_outcomes(page_client, klass, enrol):
    reg, _, _ = enrol()
    s = session_at(klass, timezone.now() - datetime.timedelta(hours=3), minutes=60)
    AttendanceRecord.objects.create(registration=reg, session=s, status="present")
    centre = page_client("centre")
    page = centre.get(f"/classes/{klass.pk}/completion/").content.decode()
    assert "符合结业条件" in page
    assert centre.post(f"/classes/{klass.pk}/completion/", {f"o_{reg.pk}": "completed"}).status_code == 302
    reg.refresh_from_db()
    assert reg.status == "completed"
    assert page_client("region").get(f"/classes/{klass.pk}/completion/").status_code == 403


def test_completion_rule_is_set_on_the_page_in_percent_and_a_refusal_keeps_it(page_client, klass, enrol):
    reg, _, _ = enrol()
    s1 = session_at(klass, timezone.now() - datetime.timedelta(hours=5), minutes=60)
    session_at(klass, timezone.now() - datetime.timedelta(hours=3), minutes=60)
    AttendanceRecord.objects.create(registration=reg, session=s1, status="present")  # 50 %, one absence
    centre = page_client("centre")
    url = f"/classes/{klass.pk}/completion/"
    assert 'value="90"' in centre.get(url).content.decode()
    r = centre.post(url, {"action": "rule", "min_attendance": "150", "max_unexcused": "1"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "最低出勤率须为 0 到 1 之间" in html and 'value="150"' in html
    r = centre.post(url, {"action": "rule", "min_attendance": "50", "max_unexcused": "1"}, follow=True)
    assert "结业规则已保存" in r.content.decode()
    klass.programme.refresh_from_db()
    assert (
        float(klass.programme.completion_min_attendance) == 0.5
        and klass.programme.completion_max_unexcused == 1
    )
    assert "符合结业条件" in r.content.decode()
    reg.refresh_from_db()
    assert reg.status == "enrolled"  # saving the rule decides nobody's outcome
