"""我的培训 and the personal-data download (PIPL right of access)."""

import datetime
import json

import pytest
from django.utils import timezone

from lingjun.attendance.models import AttendanceRecord
from lingjun.certificates.models import Certificate
from lingjun.classes.models import TimetableSession
from lingjun.core.models import AuditEntry
from lingjun.registrations import identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(klass, make_reg):
    reg = make_reg("completed", "330000", training_class=klass, with_user=True)
    s = TimetableSession.objects.create(
        training_class=klass,
        date=klass.start_date,
        start=datetime.time(9),
        end=datetime.time(11),
        title="数字化转型专题",
        topic_id="digital",
        format="lecture",
        place="一号教室",
    )
    AttendanceRecord.objects.create(
        registration=reg, session=s, status="late", checked_in_at=timezone.now(), device_id="phone-1"
    )
    TimetableSession.objects.create(
        training_class=klass,
        date=klass.start_date,
        start=datetime.time(14),
        end=datetime.time(16),
        title="无人签到的课",
        topic_id="digital",
        format="lecture",
    )
    Certificate.objects.create(
        number="2030-01-007",
        registration=reg,
        training_class=klass,
        sequence=7,
        data={},
        pdf=b"%PDF",
        pdf_sha256="x",
        signature="s",
        template_version="1",
        issued_on=klass.end_date,
        issued_at=timezone.now(),
    )
    return reg


def test_personal_data_holds_everything_about_me_and_nothing_about_others(api_as, me, make_reg, klass):
    other = make_reg("completed", "330000", training_class=klass, with_user=True)
    client = api_as(me.user)
    r = client.get("me/personal-data")
    assert r.status_code == 200
    data = r.json()
    assert data["person"]["name"] == me.trainee.name and data["person"]["mobile"] == me.trainee.mobile
    full = identity.decrypt_id(me.trainee.id_number_encrypted)
    assert data["person"]["id_number"] == me.trainee.id_number_masked and full not in r.content.decode()
    assert [x["id"] for x in data["registrations"]] == [me.pk]
    assert data["registrations"][0]["enterprise"]["credit_code"] == me.enterprise.credit_code
    assert data["registrations"][0]["declarations"]["voluntary"] is True
    assert data["attendance"][0]["status"] == "迟到" and data["attendance"][0]["device_id"] == "phone-1"
    assert data["certificates"] == [
        {"number": "2030-01-007", "issued_on": klass.end_date.isoformat(), "status": "有效"}
    ]
    assert data["account"]["username"] == me.user.username
    text = r.content.decode()
    assert other.trainee.name not in text and other.enterprise.credit_code not in text


def test_personal_data_download_is_audited(api_as, me):
    api_as(me.user).get("me/personal-data")
    entry = AuditEntry.objects.get(action="personal_data.export")
    assert entry.actor_id == me.user.pk and entry.object_id == str(me.user.pk)


@pytest.mark.parametrize("role", ["bureau", "centre", "region", "institution", "assessor"])
def test_only_trainees_download_their_own_data(api_as, role):
    assert api_as(role).get("me/personal-data").status_code == 403
    assert not AuditEntry.objects.filter(action="personal_data.export").exists()


def test_anonymous_is_401(anon):
    assert anon.get("me/personal-data").status_code == 401


def test_my_page_shows_class_timetable_attendance_certificate_and_data_button(page_client, me):
    page = page_client(me.user)
    html = page.get("/").content.decode()
    assert "数字化转型专题" in html and "迟到" in html and "一号教室" in html
    assert "缺勤" in html  # the ended session without a record
    assert "可以下载结业证书" in html
    assert "/certificates/2030-01-007.pdf" in html and "下载我的个人信息" in html
    download = page.get("/me/personal-data.json")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert json.loads(download.content)["person"]["name"] == me.trainee.name
    info = page.get("/me/").content.decode()
    assert me.trainee.id_number_masked in info and "下载我的个人信息" in info
    assert page_client("centre").get("/me/").status_code == 403
