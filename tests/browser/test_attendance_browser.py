"""Issue #5 walk: the head teacher puts the rotating QR on the projector; a trainee checks in on a phone."""

import datetime
import random

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _session_now(klass):
    from lingjun.classes.models import TimetableSession

    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(midnight, now - datetime.timedelta(minutes=5))
    end = min(midnight + datetime.timedelta(hours=23, minutes=59), now + datetime.timedelta(minutes=60))
    return TimetableSession.objects.create(
        training_class=klass,
        date=now.date(),
        start=start.time().replace(microsecond=0),
        end=end.time().replace(microsecond=0),
        title="数字化转型专题讲座",
        topic_id="digital",
        format="lecture",
        place="报告厅",
    )


def test_projector_qr_and_phone_checkin(pages, make_user, programme):
    from lingjun.attendance.models import AttendanceRecord
    from lingjun.classes.models import TrainingClass
    from lingjun.programmes.models import Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration

    staff = make_user("institution")
    klass = TrainingClass.objects.create(
        programme=programme,
        number=1,
        track="specialized",
        institution=staff.institution,
        city="杭州",
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
        capacity=10,
    )
    session = _session_now(klass)
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=5)
    officer = make_user("region", region="330000")
    reg = reg_services.create_registration(
        officer, programme.pk, fakes.registration_payload(random.Random(8), "330000")
    )
    trainee = make_user("trainee", display_name=reg.trainee.name)
    reg.trainee.user = trainee
    reg.trainee.save()
    Registration.objects.filter(pk=reg.pk).update(
        status="enrolled", training_class=klass, confirmed_at=timezone.now()
    )

    projector = pages.open()
    pages.login(projector, staff.username)
    projector.goto(f"/sessions/{session.pk}/projector/")
    assert projector.locator("[data-qr] svg").count() == 1
    code = projector.locator("[data-code]").inner_text().strip()
    assert code.startswith(f"{session.pk}-")
    assert "0" == projector.locator("[data-checked-in]").inner_text().strip()
    pages.shot(projector, "attendance-projector")

    phone = pages.open(phone=True)
    pages.login(phone, trainee.username)
    phone.goto(f"/checkin/?c={code}")  # what WeChat's scanner opens
    assert "数字化转型专题讲座" in phone.content()
    phone.get_by_role("button", name="确认签到").click()
    phone.wait_for_selector(".checkin-result")
    assert "出勤" in phone.locator(".checkin-result").inner_text()
    pages.shot(phone, "attendance-phone-checkin")
    assert pages.overflow(phone) <= 0
    record = AttendanceRecord.objects.get(registration=reg, session=session)
    assert record.status == "present" and record.device_id  # the phone's device cookie was recorded

    projector.reload()
    assert "1" == projector.locator("[data-checked-in]").inner_text().strip()
