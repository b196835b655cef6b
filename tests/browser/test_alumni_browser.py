"""Issue #7 walk: the bureau opens the programme dashboard; a region officer records a year of figures for a
trained enterprise and sees the trend chart; the archive finds the alumnus."""

import datetime
import random

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _alumnus(programme, make_user, region="330000"):
    from lingjun.classes.models import TrainingClass
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration

    inst = Institution.objects.create(name="浙江大学", kind="university")
    end = timezone.localdate() - datetime.timedelta(days=3)
    klass = TrainingClass.objects.create(
        programme=programme,
        number=2,
        track="specialized",
        institution=inst,
        city="杭州",
        start_date=end - datetime.timedelta(days=3),
        end_date=end,
        capacity=40,
    )
    Quota.objects.filter(programme=programme, region_id=region).update(amount=20)
    officer = make_user("region", region=region, display_name="浙江省经信厅")
    reg = reg_services.create_registration(
        officer, programme.pk, fakes.registration_payload(random.Random(31), region)
    )
    Registration.objects.filter(pk=reg.pk).update(
        status="completed", training_class=klass, confirmed_at=timezone.now()
    )
    return reg, officer


def test_dashboard_and_enterprise_trend(pages, make_user, programme):
    from lingjun.alumni.models import OperationReport

    reg, officer = _alumnus(programme, make_user)
    for period, revenue in (("2023", 5200), ("2024", 6100)):
        OperationReport.objects.create(
            enterprise=reg.enterprise,
            region_id="330000",
            period=period,
            revenue=revenue,
            employees=120,
            rnd_spend=300,
            patents=8,
        )

    bureau = make_user("bureau")
    page = pages.open()
    pages.login(page, bureau.username)
    page.get_by_role("link", name="统计").click()
    page.wait_for_selector("#by-region")
    assert "培训统计" in page.locator("h1").inner_text()
    row = page.locator('#by-region tr[data-region="330000"]')
    assert row.locator("td").nth(1).inner_text() == "20" and row.locator("td").nth(5).inner_text() == "1"
    assert page.locator("#by-region .bar span").count() >= 3
    assert pages.overflow(page) <= 0
    pages.shot(page, "alumni-dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="全部导出（xlsx）").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    region = pages.open()
    pages.login(region, officer.username)
    region.get_by_role("link", name="信息档案").click()
    region.wait_for_selector("#archive")
    region.get_by_placeholder("姓名、企业名称或统一社会信用代码").fill(reg.enterprise.credit_code)
    region.get_by_role("button", name="查询").click()
    region.get_by_role("link", name=reg.enterprise.name).click()
    region.wait_for_selector("#trend-charts svg")
    assert region.locator("#trend-charts svg").count() >= 4
    region.get_by_text("填报经营情况").click()
    region.get_by_label("报告期").fill("2025")
    region.get_by_label("营业收入（万元）").fill("7300")
    region.get_by_label("从业人员（人）").fill("135")
    region.get_by_label("研发投入（万元）").fill("420")
    region.get_by_label("专利数（件）").fill("11")
    region.get_by_role("button", name="保存").first.click()
    region.wait_for_selector("text=已保存 2025 的经营情况")
    assert region.locator("#reports tbody tr").count() == 3
    # The revenue line now has three points, the last one the highest.
    assert region.locator("#trend-charts svg").first.locator("circle").count() == 3
    pages.shot(region, "alumni-enterprise-trend")

    phone = pages.open(phone=True)
    pages.login(phone, officer.username)
    phone.goto(f"/enterprises/{reg.enterprise.credit_code}/")
    phone.wait_for_selector("#trend-charts svg")
    assert pages.overflow(phone) <= 0
    pages.shot(phone, "alumni-enterprise-phone")


def test_trainee_page_on_a_phone_with_timetable_certificate_and_data_download(pages, make_user, programme):
    import json

    from lingjun.certificates.models import Certificate
    from lingjun.classes.models import TimetableSession
    from lingjun.core.models import AuditEntry
    from lingjun.registrations.models import Registration, Trainee

    reg, _ = _alumnus(programme, make_user)
    reg = Registration.objects.select_related("training_class").get(pk=reg.pk)
    tc = reg.training_class
    for i, title in enumerate(("数字化转型专题讲座", "专精特新企业现场教学")):
        TimetableSession.objects.create(
            training_class=tc,
            date=tc.start_date,
            start=datetime.time(9 + 3 * i),
            end=datetime.time(11 + 3 * i),
            title=title,
            topic_id="digital",
            format="lecture",
            place="报告厅",
        )
    Certificate.objects.create(
        number="2030-02-001",
        registration=reg,
        training_class=tc,
        sequence=1,
        data={},
        pdf=b"%PDF-1.4",
        pdf_sha256="x",
        signature="s",
        template_version="1",
        issued_on=tc.end_date,
        issued_at=timezone.now(),
    )
    trainee = make_user("trainee", display_name=reg.trainee.name)
    Trainee.objects.filter(pk=reg.trainee_id).update(user=trainee)

    phone = pages.open(phone=True)
    pages.login(phone, trainee.username)
    phone.get_by_text("课程表").click()
    assert phone.get_by_text("专精特新企业现场教学").is_visible()
    assert phone.get_by_role("link", name="下载结业证书（2030-02-001）").is_visible()
    assert pages.overflow(phone) <= 0
    pages.shot(phone, "alumni-trainee-home-phone")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="下载我的个人信息（JSON）").click()
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["person"]["name"] == reg.trainee.name and data["certificates"][0]["number"] == "2030-02-001"
    assert AuditEntry.objects.filter(action="personal_data.export", actor=trainee).count() == 1
