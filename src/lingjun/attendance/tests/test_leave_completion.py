import datetime

from django.utils import timezone

from lingjun.attendance import services
from lingjun.attendance.models import AttendanceRecord
from lingjun.registrations.models import Registration

from .conftest import session_at


def future(hours):
    return timezone.now() + datetime.timedelta(hours=hours)


def test_leave_needs_both_parties_in_either_order(api_as, klass, enrol):
    for order in (("approve", "acknowledge"), ("acknowledge", "approve")):
        reg, trainee, officer = enrol()
        s = session_at(klass, future(3 + len(order)))
        leave = api_as(trainee).post("leave-requests", {"sessions": [s.pk], "reason": "家中有事"})
        assert leave.status_code == 201 and leave.json()["status"] == "pending"
        lid = leave.json()["id"]
        parties = {"approve": api_as(officer), "acknowledge": api_as("centre")}
        first = parties[order[0]].post(f"leave-requests/{lid}/{order[0]}")
        assert first.status_code == 200 and first.json()["status"] == "pending"
        assert not AttendanceRecord.objects.filter(registration=reg, session=s).exists()
        second = parties[order[1]].post(f"leave-requests/{lid}/{order[1]}")
        assert second.json()["status"] == "approved"
        assert AttendanceRecord.objects.get(registration=reg, session=s).status == "excused"
        Registration.objects.filter(pk=reg.pk).update(status="withdrawn", holds_seat=False)


def test_other_region_cannot_approve_and_region_cannot_acknowledge(api_as, klass, enrol):
    _, trainee, officer = enrol()
    s = session_at(klass, future(5))
    lid = api_as(trainee).post("leave-requests", {"sessions": [s.pk], "reason": "出差"}).json()["id"]
    assert api_as("region", region="110000").post(f"leave-requests/{lid}/approve").status_code == 404
    assert api_as(officer).post(f"leave-requests/{lid}/acknowledge").status_code == 403
    assert api_as("institution").post(f"leave-requests/{lid}/acknowledge").status_code == 404
    r = api_as(officer).post(f"leave-requests/{lid}/reject", {"reason": ""})
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    assert (
        api_as(officer)
        .post(f"leave-requests/{lid}/reject", {"reason": "培训期间原则上不准假"})
        .json()["status"]
        == "rejected"
    )
    assert api_as("centre").post(f"leave-requests/{lid}/acknowledge").json()["code"] == "invalid_transition"


def test_leave_for_past_or_foreign_sessions_is_refused(api_as, klass, enrol, institution):
    from lingjun.classes.models import TrainingClass

    _, trainee, _ = enrol()
    past = session_at(klass, timezone.now() - datetime.timedelta(hours=5))
    r = api_as(trainee).post("leave-requests", {"sessions": [past.pk], "reason": "x"})
    assert r.status_code == 422 and r.json()["code"] == "session_in_past"
    other = TrainingClass.objects.create(
        programme=klass.programme,
        number=2,
        track="regional",
        institution=institution,
        city="北京",
        start_date=klass.start_date,
        end_date=klass.end_date,
        capacity=5,
    )
    foreign = session_at(other, future(4))
    r = api_as(trainee).post("leave-requests", {"sessions": [foreign.pk], "reason": "x"})
    assert r.status_code == 422 and r.json()["code"] == "not_your_class"
    assert api_as(trainee).post("leave-requests", {"sessions": [], "reason": "x"}).status_code == 422


def test_completion_counts_leave_as_neutral_and_absence_against(api_as, klass, enrol):
    good, good_user, _ = enrol()
    excused, _, _ = enrol(region="110000")
    absent, _, _ = enrol(region="440000")
    sessions = [
        session_at(klass, timezone.now() - datetime.timedelta(hours=h), minutes=60) for h in (30, 20, 10)
    ]
    for s in sessions:
        AttendanceRecord.objects.create(registration=good, session=s, status="present")
    AttendanceRecord.objects.create(registration=excused, session=sessions[0], status="excused")
    for s in sessions[1:]:
        AttendanceRecord.objects.create(registration=excused, session=s, status="late")
    AttendanceRecord.objects.create(registration=absent, session=sessions[0], status="present")
    AttendanceRecord.objects.create(registration=absent, session=sessions[1], status="present")
    # sessions[2] has ended with no record for `absent`: it counts as an unexcused absence.
    centre = api_as("centre")
    assert (
        centre.put(
            f"programmes/{klass.programme_id}/completion-rule",
            {"min_attendance": 0.9, "max_unexcused_absences": 0},
        ).status_code
        == 200
    )
    proposal = {p["registration"]: p for p in centre.post(f"classes/{klass.pk}/completion").json()}
    assert proposal[good.pk]["outcome"] == "completed" and proposal[good.pk]["attendance_rate"] == 1.0
    assert proposal[excused.pk]["outcome"] == "completed"  # 2 of 2 required-minus-excused
    assert (
        proposal[absent.pk]["outcome"] == "not_completed" and "无故缺勤 1 节" in proposal[absent.pk]["reason"]
    )
    confirmed = centre.post(f"classes/{klass.pk}/completion/confirm").json()
    assert confirmed["completed"] == 2 and confirmed["not_completed"] == 1
    assert Registration.objects.get(pk=absent.pk).status == "not_completed"
    assert Registration.objects.get(pk=good.pk).status == "completed"


def test_looser_rule_changes_the_outcome(api_as, klass, enrol):
    reg, _, _ = enrol()
    s1 = session_at(klass, timezone.now() - datetime.timedelta(hours=30), minutes=60)
    session_at(klass, timezone.now() - datetime.timedelta(hours=20), minutes=60)
    AttendanceRecord.objects.create(registration=reg, session=s1, status="present")
    centre = api_as("centre")
    centre.put(
        f"programmes/{klass.programme_id}/completion-rule",
        {"min_attendance": 0.5, "max_unexcused_absences": 1},
    )
    assert centre.post(f"classes/{klass.pk}/completion").json()[0]["outcome"] == "completed"
    r = centre.put(
        f"programmes/{klass.programme_id}/completion-rule",
        {"min_attendance": 1.5, "max_unexcused_absences": 0},
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid_share"


def test_completion_is_the_centres_alone(api_as, klass):
    for role in ("bureau", "region", "institution", "trainee"):
        assert api_as(role).post(f"classes/{klass.pk}/completion").status_code == 403


def test_staff_marking_and_the_grid_scopes(api_as, klass, enrol):
    reg, _, officer = enrol()
    other, _, _ = enrol(region="110000")
    s = session_at(klass, timezone.now() - datetime.timedelta(hours=3), minutes=60)
    own_inst = api_as("institution", institution=klass.institution)
    r = own_inst.put(f"sessions/{s.pk}/attendance/{reg.pk}", {"status": "late", "reason": "堵车"})
    assert r.status_code == 200 and r.json()["status"] == "late"
    assert (
        api_as("institution").put(f"sessions/{s.pk}/attendance/{reg.pk}", {"status": "present"}).status_code
        == 404
    )
    grid = api_as(officer).get(f"classes/{klass.pk}/attendance").json()
    assert [row["registration"] for row in grid["rows"]] == [reg.pk]  # own trainees only
    assert grid["rows"][0]["attendance"][str(s.pk)] == "late"
    full = api_as("centre").get(f"classes/{klass.pk}/attendance").json()
    cells = {row["registration"]: row["attendance"][str(s.pk)] for row in full["rows"]}
    assert cells[other.pk] == "absent"  # ended with no record
    assert services.effective_status(None, s) == "absent"
