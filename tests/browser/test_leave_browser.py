"""Issue #5 walk, leave: a trainee asks for leave on a phone; it takes effect only after the region officer
approves and the class's institution acknowledges (either order); the trainee sees it 已生效."""

import datetime
import random

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_leave_on_a_phone_then_two_party_approval(pages, make_user, programme):
    from lingjun.attendance.models import AttendanceRecord, LeaveRequest
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.programmes.models import Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration

    staff = make_user("institution")
    start = timezone.localdate() + datetime.timedelta(days=2)
    klass = TrainingClass.objects.create(
        programme=programme,
        number=1,
        track="specialized",
        institution=staff.institution,
        city="杭州",
        start_date=start,
        end_date=start + datetime.timedelta(days=1),
        capacity=10,
    )
    session = TimetableSession.objects.create(
        training_class=klass,
        date=start,
        start=datetime.time(14),
        end=datetime.time(17),
        title="企业战略专题",
        topic_id="strategy",
        format="lecture",
    )
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=5)
    officer = make_user("region", region="330000")
    reg = reg_services.create_registration(
        officer, programme.pk, fakes.registration_payload(random.Random(12), "330000")
    )
    trainee = make_user("trainee", display_name=reg.trainee.name)
    reg.trainee.user = trainee
    reg.trainee.save()
    Registration.objects.filter(pk=reg.pk).update(
        status="enrolled", training_class=klass, confirmed_at=timezone.now()
    )

    phone = pages.open(phone=True)
    pages.login(phone, trainee.username)
    phone.goto("/leave/")
    phone.get_by_role("link", name="申请请假").click()
    phone.get_by_label("企业战略专题", exact=False).check()
    phone.get_by_label("事由").fill("公司董事会会议，无法出席下午课程")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_selector('.my-leave .status:has-text("待审批")')
    assert pages.overflow(phone) <= 0
    pages.shot(phone, "leave-phone-requested")
    leave = LeaveRequest.objects.get(registration=reg)
    assert leave.status == "pending"

    staff_page = pages.open()
    pages.login(staff_page, staff.username)  # the class acknowledges first
    staff_page.goto("/leave/")
    staff_page.get_by_role("button", name="确认", exact=True).click()
    staff_page.wait_for_load_state()
    leave.refresh_from_db()
    assert leave.status == "pending" and leave.class_acknowledged_at  # one party is not enough

    region_page = pages.open()
    pages.login(region_page, officer.username)
    region_page.goto("/leave/")
    region_page.get_by_role("button", name="批准", exact=True).click()
    region_page.wait_for_load_state()
    leave.refresh_from_db()
    assert leave.status == "approved"
    assert AttendanceRecord.objects.get(registration=reg, session=session).status == "excused"

    phone.goto("/leave/")
    assert "已生效" in phone.locator(".my-leave").inner_text()
    pages.shot(phone, "leave-phone-approved")
