import datetime

import pytest
from django.utils import timezone

from lingjun.attendance import services
from lingjun.attendance.models import AttendanceRecord

from .conftest import session_at


def now():
    return timezone.now()


def test_present_then_idempotent(api_as, klass, enrol):
    reg, trainee, _ = enrol()
    s = session_at(klass, now() + datetime.timedelta(minutes=5))
    client = api_as(trainee)
    code = services.make_code(s.pk)
    r = client.post("checkin", {"code": code, "device": "phone-a"})
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "present"
    again = client.post("checkin", {"code": code, "device": "phone-a"})
    assert (
        again.status_code == 200 and again.json()["status"] == "present" and again.json()["already"] is True
    )
    assert AttendanceRecord.objects.filter(registration=reg, session=s).count() == 1


def test_late_after_the_grace_period(api_as, klass, enrol):
    _, trainee, _ = enrol()
    s = session_at(klass, now() - datetime.timedelta(minutes=11))  # programme default grace: 10 minutes
    r = api_as(trainee).post("checkin", {"code": services.make_code(s.pk)})
    assert r.status_code == 201 and r.json()["status"] == "late"


def test_within_grace_is_present(api_as, klass, enrol):
    _, trainee, _ = enrol()
    s = session_at(klass, now() - datetime.timedelta(minutes=9))
    assert api_as(trainee).post("checkin", {"code": services.make_code(s.pk)}).json()["status"] == "present"


@pytest.mark.parametrize("offset,expected", [(31, "outside_window"), (-130, "outside_window")])
def test_outside_the_window(api_as, klass, enrol, offset, expected):
    _, trainee, _ = enrol()
    s = session_at(klass, now() + datetime.timedelta(minutes=offset))
    r = api_as(trainee).post("checkin", {"code": services.make_code(s.pk)})
    assert r.status_code == 409 and r.json()["code"] == expected


def test_tampered_code_is_invalid(api_as, klass, enrol):
    _, trainee, _ = enrol()
    s = session_at(klass, now())
    sid, step, sig = services.make_code(s.pk).split("-")
    forged = f"{sid}-{step}-{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
    r = api_as(trainee).post("checkin", {"code": forged})
    assert r.status_code == 409 and r.json()["code"] == "invalid_code"
    assert not AttendanceRecord.objects.exists()


def test_code_of_another_session_does_not_transfer(api_as, klass, enrol):
    _, trainee, _ = enrol()
    s1 = session_at(klass, now())
    s2 = session_at(klass, now() + datetime.timedelta(minutes=150))
    sid, step, sig = services.make_code(s1.pk).split("-")
    r = api_as(trainee).post("checkin", {"code": f"{s2.pk}-{step}-{sig}"})
    assert r.json()["code"] == "invalid_code"


def test_an_old_photo_of_the_code_expires(api_as, klass, enrol):
    _, trainee, _ = enrol()
    s = session_at(klass, now())
    old = services.make_code(s.pk, services.current_step() - 2)  # a minute old
    r = api_as(trainee).post("checkin", {"code": old})
    assert r.status_code == 409 and r.json()["code"] == "code_expired"
    previous = services.make_code(s.pk, services.current_step() - 1)  # the code that just rotated away
    assert api_as(trainee).post("checkin", {"code": previous}).status_code == 201


def test_trainee_of_another_class_is_not_enrolled(api_as, klass, enrol, make_user):
    s = session_at(klass, now())
    outsider = make_user("trainee")
    r = api_as(outsider).post("checkin", {"code": services.make_code(s.pk)})
    assert r.status_code == 403 and r.json()["code"] == "not_enrolled"


def test_one_phone_one_trainee_per_session(api_as, klass, enrol):
    _, first, _ = enrol()
    _, second, _ = enrol(region="110000")
    s = session_at(klass, now())
    code = services.make_code(s.pk)
    assert api_as(first).post("checkin", {"code": code, "device": "shared-phone"}).status_code == 201
    r = api_as(second).post("checkin", {"code": code, "device": "shared-phone"})
    assert r.status_code == 409 and r.json()["code"] == "device_already_used"
    from lingjun.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="attendance.device_reused").exists()


def test_only_staff_of_the_class_get_codes(api_as, klass):
    s = session_at(klass, now())
    assert api_as("centre").post(f"sessions/{s.pk}/checkin-code").status_code == 200
    own = api_as("institution", institution=klass.institution)
    body = own.post(f"sessions/{s.pk}/checkin-code").json()
    assert body["code"].startswith(f"{s.pk}-") and body["refresh_seconds"] == 30
    assert api_as("institution").post(f"sessions/{s.pk}/checkin-code").status_code == 404
    assert api_as("trainee").post(f"sessions/{s.pk}/checkin-code").status_code == 403


# --- the paths a refused first insert takes (attendance.services.checkin) ----------------------------------


def test_a_trainee_marked_absent_who_arrives_is_checked_in_after_all(api_as, klass, enrol):
    reg, trainee, _ = enrol()
    s = session_at(klass, now() - datetime.timedelta(minutes=20))
    AttendanceRecord.objects.create(registration=reg, session=s, status="absent", source="staff")
    r = api_as(trainee).post("checkin", {"code": services.make_code(s.pk), "device": "phone-late"})
    assert r.status_code == 201 and r.json()["status"] == "late"
    record = AttendanceRecord.objects.get(registration=reg, session=s)
    assert record.status == "late" and record.source == "qr" and record.device_id == "phone-late"


def test_an_excused_trainee_who_scans_stays_excused(api_as, klass, enrol):
    reg, trainee, _ = enrol()
    s = session_at(klass, now())
    AttendanceRecord.objects.create(registration=reg, session=s, status="excused", source="leave")
    r = api_as(trainee).post("checkin", {"code": services.make_code(s.pk), "device": "phone-x"})
    assert r.status_code == 200 and r.json()["status"] == "excused" and r.json()["already"] is True
    from lingjun.attendance.models import DeviceCheckin

    assert not DeviceCheckin.objects.filter(
        device_id="phone-x"
    ).exists()  # the refused insert was rolled back


def test_a_present_trainee_scanning_from_a_second_phone_is_not_counted_twice(api_as, klass, enrol):
    reg, trainee, _ = enrol()
    s = session_at(klass, now())
    code = services.make_code(s.pk)
    client = api_as(trainee)
    assert client.post("checkin", {"code": code, "device": "phone-1"}).status_code == 201
    again = client.post("checkin", {"code": code, "device": "phone-2"})
    assert again.status_code == 200 and again.json()["already"] is True
    assert AttendanceRecord.objects.filter(registration=reg, session=s).count() == 1
    from lingjun.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="attendance.checkin").count() == 1
