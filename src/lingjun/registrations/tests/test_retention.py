"""Retention (issue #8): personal data of archived programmes past the retention period is purged on schedule;
names, registrations and every statistic stay; recent or re-trained people are untouched."""

import datetime
import random

import pytest
from django.core.management import call_command
from django.test import Client

from lingjun.accounts.models import User
from lingjun.attendance.models import AttendanceRecord, LeaveRequest
from lingjun.classes.models import TimetableSession, TrainingClass
from lingjun.core.models import AuditEntry
from lingjun.programmes.models import Programme
from lingjun.programmes.services import _ensure_quota_rows
from lingjun.registrations import fakes
from lingjun.registrations import services as reg_services
from lingjun.registrations.models import Registration, Trainee
from lingjun.registrations.retention import purge_personal_data

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 3, 1)


def _programme(year, status="open"):
    p = Programme.objects.create(
        year=year,
        title=f"{year}年培训",
        target_trainees=800,
        planned_classes=10,
        registration_deadline=datetime.date(2999, 8, 31),
        status="open",
    )
    _ensure_quota_rows(p)
    p.quotas.update(amount=50)
    return p, status


def _trained(make_user, institution, programme, rng, payload=None):
    officer = make_user("region", region="330000")
    reg = reg_services.create_registration(
        officer, programme.pk, payload or fakes.registration_payload(rng, "330000")
    )
    user = make_user("trainee")
    Trainee.objects.filter(pk=reg.trainee_id).update(user=user)
    klass = TrainingClass.objects.filter(programme=programme).first() or TrainingClass.objects.create(
        programme=programme,
        number=1,
        track="specialized",
        institution=institution,
        city="杭州",
        start_date=datetime.date(programme.year, 9, 1),
        end_date=datetime.date(programme.year, 9, 4),
        capacity=50,
    )
    session = TimetableSession.objects.filter(
        training_class=klass
    ).first() or TimetableSession.objects.create(
        training_class=klass,
        date=klass.start_date,
        start=datetime.time(9),
        end=datetime.time(11),
        title="课程",
        topic_id="digital",
        format="lecture",
    )
    Registration.objects.filter(pk=reg.pk).update(status="completed", training_class=klass)
    AttendanceRecord.objects.create(
        registration=reg, session=session, status="present", device_id="phone-1", client_ip="10.1.2.3"
    )
    leave = LeaveRequest.objects.create(registration=reg, reason="母亲住院需陪护")
    leave.sessions.add(session)
    reg.refresh_from_db()
    return reg, user


def test_old_archived_programmes_lose_personal_data_and_keep_names_and_figures(make_user, institution):
    rng = random.Random(5)
    old, _ = _programme(2014)
    new, _ = _programme(2024)
    gone, gone_user = _trained(make_user, institution, old, rng)
    kept, kept_user = _trained(make_user, institution, new, rng)
    # a 2014 alumnus re-trained in 2024 keeps everything: they are in a recent programme
    again_payload = fakes.registration_payload(rng, "330000")
    retrained, _ = _trained(make_user, institution, old, rng, again_payload)
    again_payload["enterprise"]["credit_code"] = fakes.credit_code(rng, "330000")
    again_payload["enterprise"]["name"] += "（新）"
    _trained(make_user, institution, new, rng, again_payload)
    Programme.objects.filter(pk=old.pk).update(status="archived")
    Programme.objects.filter(pk=new.pk).update(status="archived")
    before_counts = {
        p: Registration.objects.filter(programme=p, status="completed").count() for p in (old, new)
    }
    name, mobile = gone.trainee.name, gone.trainee.mobile

    preview = purge_personal_data(today=TODAY, years=10, dry_run=True)
    assert (
        preview["trainees"] == 1 and Trainee.objects.get(pk=gone.trainee_id).mobile == mobile
    )  # nothing changed
    counts = purge_personal_data(today=TODAY, years=10)
    assert counts["trainees"] == 1 and counts["accounts"] == 1 and counts["check_ins"] == 1

    t = Trainee.objects.get(pk=gone.trainee_id)
    assert t.name == name  # the archive and the printed certificate carry it
    assert (t.mobile, t.email, t.id_number_encrypted, t.position) == ("", "", "", "")
    assert t.id_number_masked == "已清除" and t.birth_date == datetime.date(t.birth_date.year, 1, 1)
    assert t.user is None
    gone_user.refresh_from_db()
    assert not gone_user.is_active and not gone_user.has_usable_password()
    assert not Client().login(username=gone_user.username, password="Test-pass-9876")
    record = AttendanceRecord.objects.get(registration=gone)
    assert record.status == "present" and record.device_id == "" and record.client_ip is None
    assert LeaveRequest.objects.get(registration=gone).reason == "已清除"
    # every figure is still there
    assert {
        p: Registration.objects.filter(programme=p, status="completed").count() for p in (old, new)
    } == before_counts
    # the recent and the re-trained keep everything
    for reg in (kept, retrained):
        assert Trainee.objects.get(pk=reg.trainee_id).mobile not in ("", None)
    kept_user.refresh_from_db()
    assert kept_user.is_active
    entry = AuditEntry.objects.get(action="retention.purge")
    assert entry.after["trainees"] == 1 and entry.after["retention_years"] == 10
    # the audit trail of the purged registration keeps who did what, without the personal fields
    assert (
        not AuditEntry.objects.filter(object_type="registration", object_id=str(gone.pk))
        .exclude(before=None, after=None)
        .exists()
    )
    assert AuditEntry.objects.filter(object_type="registration", object_id=str(gone.pk)).exists()
    # idempotent
    assert purge_personal_data(today=TODAY, years=10)["trainees"] == 0


def test_programmes_not_archived_or_inside_the_period_are_kept(make_user, institution):
    rng = random.Random(6)
    recent, _ = _programme(2016)
    open_old, _ = _programme(2013)
    a, _ = _trained(make_user, institution, recent, rng)
    b, _ = _trained(make_user, institution, open_old, rng)
    Programme.objects.filter(pk=recent.pk).update(status="archived")  # 2016 + 10 ≥ 2025: inside the period
    # open_old stays "open": never purged, whatever its age
    assert purge_personal_data(today=TODAY, years=10)["trainees"] == 0
    assert purge_personal_data(today=TODAY, years=8)["trainees"] == 1  # the setting decides
    assert Trainee.objects.get(pk=a.trainee_id).mobile == ""
    assert Trainee.objects.get(pk=b.trainee_id).mobile != ""


def test_the_command_reports_in_chinese(make_user, institution, capsys):
    call_command("purge_personal_data", "--dry-run")
    out = capsys.readouterr().out
    assert out.startswith("将清理：学员 0")
    assert not AuditEntry.objects.filter(action="retention.purge").exists()
    call_command("purge_personal_data")
    assert "已清理" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="retention.purge").count() == 1
    assert User.objects.filter(is_active=False).count() == 0


def test_verification_addresses_are_kept_for_rate_limiting_then_dropped(db):
    from django.utils import timezone

    from lingjun.certificates.models import VerificationLog

    old = VerificationLog.objects.create(number="LJ2014-01-001", ip="203.0.113.9", result="valid")
    VerificationLog.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=91))
    recent = VerificationLog.objects.create(number="LJ2014-01-001", ip="203.0.113.10", result="valid")
    assert purge_personal_data(today=TODAY)["verification_ips"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.ip is None and old.number == "LJ2014-01-001"  # the count of verifications stays
    assert recent.ip == "203.0.113.10"
