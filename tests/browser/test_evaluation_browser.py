"""Issue #6 walk: a trainee evaluates the class on a phone-sized page; the bureau opens the ranking."""

import datetime
import random

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_phone_evaluation_and_ranking_page(pages, make_user, programme):
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.evaluations.models import Assessment, Evaluation
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration

    institution = Institution.objects.create(name="浏览器评价学院", kind="university")
    today = timezone.localdate()
    klass = TrainingClass.objects.create(
        programme=programme,
        number=1,
        track="specialized",
        institution=institution,
        city="杭州",
        start_date=today - datetime.timedelta(days=3),
        end_date=today - datetime.timedelta(days=1),
        capacity=10,
        status="finished",
    )
    TimetableSession.objects.create(
        training_class=klass,
        date=klass.start_date,
        start=datetime.time(9),
        end=datetime.time(11),
        title="专精特新企业发展路径",
        topic_id="digital",
        format="lecture",
    )
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=5)
    officer = make_user("region", region="330000")
    reg = reg_services.create_registration(
        officer, programme.pk, fakes.registration_payload(random.Random(9), "330000")
    )
    trainee = make_user("trainee", display_name=reg.trainee.name)
    reg.trainee.user = trainee
    reg.trainee.save()
    Registration.objects.filter(pk=reg.pk).update(
        status="completed", training_class=klass, confirmed_at=timezone.now()
    )
    for name, score in (("浏览器评价学院", 88), ("另一学院", 72), ("第三学院", 60)):
        inst = (
            institution
            if name == "浏览器评价学院"
            else Institution.objects.create(name=name, kind="association")
        )
        Assessment.objects.create(programme=programme, institution=inst, score=score)

    phone = pages.open(phone=True)
    pages.login(phone, trainee.username)
    phone.get_by_role("link", name="评价本班培训").click()
    phone.wait_for_selector("text=课程设置")
    assert pages.overflow(phone) <= 0
    for field, score in (("course_design", "5"), ("faculty", "4"), ("organisation", "5")):
        phone.locator(f"fieldset#q-{field} label:has(input[value='{score}'])").click()
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_selector(".form-errors")
    assert "请填写实际效果" in phone.content()
    assert phone.locator("input[name=course_design][value='5']").is_checked()  # kept after the refusal
    pages.shot(phone, "evaluation-phone-refused")
    # The refused form is answered 422 on purpose; Chromium logs that status as a console error.
    pages.problems[:] = [p for p in pages.problems if "422" not in p]
    phone.locator("fieldset#q-effect label:has(input[value='4'])").click()
    phone.get_by_label("意见和建议（选填）").fill("现场教学很有收获")
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_selector("text=您已完成本班评价")
    pages.shot(phone, "evaluation-phone-done")
    ev = Evaluation.objects.get(registration=reg)
    assert (ev.course_design, ev.faculty, ev.organisation, ev.effect) == (5, 4, 5, 4)

    bureau = make_user("bureau")
    desk = pages.open()
    pages.login(desk, bureau.username)
    desk.get_by_role("link", name="机构排名").click()
    desk.wait_for_selector("table.ranking-table")
    rows = desk.locator("table.ranking-table tbody tr")
    assert rows.count() == 3
    assert "浏览器评价学院" in rows.nth(0).inner_text()
    assert "90.00（1）" in rows.nth(0).inner_text()  # trainee score: mean 4.5 × 20, from one answer
    assert "建议暂停" in rows.nth(2).inner_text()
    pages.shot(desk, "evaluation-ranking")
