"""Issue #5 walk, the certificate end: the centre confirms completion and issues the class's certificates; a
member of the public checks one on a phone at /verify/, and a wrong name is not confirmed."""

import datetime
import random

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_centre_confirms_completion_issues_certificates_and_the_public_verifies(pages, make_user, programme):
    from lingjun.attendance.models import AttendanceRecord
    from lingjun.certificates.models import Certificate
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration

    institution = Institution.objects.create(name="浏览器证书学院", kind="university")
    end = timezone.localdate() - datetime.timedelta(days=1)
    klass = TrainingClass.objects.create(
        programme=programme,
        number=3,
        track="specialized",
        institution=institution,
        city="成都",
        start_date=end - datetime.timedelta(days=2),
        end_date=end,
        capacity=10,
        status="finished",
    )
    session = TimetableSession.objects.create(
        training_class=klass,
        date=klass.start_date,
        start=datetime.time(9),
        end=datetime.time(11),
        title="开班式",
        topic_id="macro",
        format="lecture",
    )
    Quota.objects.filter(programme=programme, region_id="510000").update(amount=5)
    officer = make_user("region", region="510000")
    reg = reg_services.create_registration(
        officer, programme.pk, fakes.registration_payload(random.Random(4), "510000")
    )
    Registration.objects.filter(pk=reg.pk).update(
        status="enrolled", training_class=klass, confirmed_at=timezone.now()
    )
    AttendanceRecord.objects.create(registration=reg, session=session, status="present")
    name = reg.trainee.name

    centre = make_user("centre")
    desk = pages.open()
    pages.login(desk, centre.username)
    desk.goto(f"/classes/{klass.pk}/")
    desk.get_by_role("link", name="结业审核").click()
    desk.wait_for_selector("text=确认结业结果")
    desk.once("dialog", lambda d: d.accept())  # the page asks before outcomes become final
    desk.get_by_role("button", name="确认结业结果").click()
    desk.wait_for_selector("text=已确认")
    reg.refresh_from_db()
    assert reg.status == "completed"

    desk.goto(f"/classes/{klass.pk}/")
    desk.get_by_role("link", name="结业证书").click()
    desk.get_by_role("button", name="为已结业学员颁发证书（1 人）").click()
    desk.wait_for_selector("table a.mono")
    cert = Certificate.objects.get(registration=reg)
    assert cert.number in desk.locator("table").inner_text()
    pages.shot(desk, "certificates-class")

    phone = pages.open(phone=True)  # anyone: an employer checking a CV
    phone.goto("/verify/")
    phone.get_by_label("证书编号").fill(cert.number)
    phone.get_by_label("持证人姓名").fill(name[0] + "某")
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_selector("h1")
    assert "未找到相符的证书" in phone.locator("h1").inner_text()
    pages.problems[:] = [
        p for p in pages.problems if "404" not in p
    ]  # the refusal is answered 404 on purpose
    phone.goto("/verify/")
    phone.get_by_label("证书编号").fill(cert.number)
    phone.get_by_label("持证人姓名").fill(name)
    phone.get_by_role("button", name="查询").click()
    phone.wait_for_selector("h1")
    assert "证书有效" in phone.locator("h1").inner_text()
    assert name not in phone.content()  # the answer masks the name (张*)
    pages.shot(phone, "certificates-verify-phone")
    assert pages.overflow(phone) <= 0
