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
    klass = TrainingClass.objects.create(programme=programme, number=2, track="specialized", institution=inst,
                                         city="杭州", start_date=end - datetime.timedelta(days=3), end_date=end,
                                         capacity=40)
    Quota.objects.filter(programme=programme, region_id=region).update(amount=20)
    officer = make_user("region", region=region, display_name="浙江省经信厅")
    reg = reg_services.create_registration(officer, programme.pk, fakes.registration_payload(random.Random(31), region))
    Registration.objects.filter(pk=reg.pk).update(status="completed", training_class=klass, confirmed_at=timezone.now())
    return reg, officer


def test_dashboard_and_enterprise_trend(pages, make_user, programme):
    from lingjun.alumni.models import OperationReport

    reg, officer = _alumnus(programme, make_user)
    for period, revenue in (("2023", 5200), ("2024", 6100)):
        OperationReport.objects.create(enterprise=reg.enterprise, region_id="330000", period=period, revenue=revenue,
                                       employees=120, rnd_spend=300, patents=8)

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
