"""复训: an alumnus of an earlier programme invited into a later one, under the one-enterprise rule."""

import datetime
import random

import pytest
from django.utils import timezone

from lingjun.classes.models import TrainingClass
from lingjun.programmes.models import Programme, Quota
from lingjun.programmes.services import _ensure_quota_rows
from lingjun.registrations import fakes
from lingjun.registrations.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def earlier(db, institution):
    p = Programme.objects.create(
        year=2029,
        title="2029年中小企业经营管理领军人才培训",
        target_trainees=800,
        registration_deadline=datetime.date(2029, 8, 31),
        planned_classes=10,
        days_per_class=4,
        status="open",
    )
    _ensure_quota_rows(p)
    return p


@pytest.fixture
def alumnus(earlier, make_reg, institution):
    tc = TrainingClass.objects.create(
        programme=earlier,
        number=3,
        track="specialized",
        institution=institution,
        city="宁波",
        start_date=datetime.date(2029, 10, 1),
        end_date=datetime.date(2029, 10, 4),
        capacity=40,
    )
    reg = make_reg("completed", "330000", training_class=tc, prog=earlier)
    Programme.objects.filter(pk=earlier.pk).update(status="archived")
    return reg


def retrain(client, reg, programme, **body):
    return client.post(f"alumni/{reg.pk}/retrain", {"programme": programme.pk, **body})


def test_centre_invites_an_alumnus_into_a_later_programme_keeping_history(api_as, alumnus, programme):
    r = retrain(api_as("centre"), alumnus, programme)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["is_retraining"] is True and body["status"] == "draft" and body["region"] == "330000"
    new = Registration.objects.get(pk=body["id"])
    assert (new.trainee_id, new.enterprise_id, new.programme_id) == (
        alumnus.trainee_id,
        alumnus.enterprise_id,
        programme.pk,
    )
    alumnus.refresh_from_db()
    assert alumnus.status == "completed" and alumnus.training_class.number == 3  # history untouched
    assert Registration.objects.filter(trainee=alumnus.trainee).count() == 2


def test_retraining_with_declarations_is_submitted_against_the_quota(api_as, alumnus, programme):
    declarations = {"voluntary": True, "no_bad_record": True, "fit_to_attend": True}
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=0)
    full = retrain(api_as("centre"), alumnus, programme, submit=True, declarations=declarations)
    assert full.status_code == 409 and full.json()["code"] == "quota_exceeded"
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=1)
    r = retrain(api_as("centre"), alumnus, programme, submit=True, declarations=declarations)
    assert r.status_code == 201 and r.json()["status"] == "submitted"
    assert Quota.objects.get(programme=programme, region_id="330000").used == 1


def test_one_enterprise_rule_still_holds_for_the_later_year(api_as, alumnus, programme, make_reg):
    # A colleague from the same enterprise is already registered for 2030.
    payload = fakes.registration_payload(random.Random(7), "330000")
    e = alumnus.enterprise
    payload["enterprise"].update(
        {
            "name": e.name,
            "credit_code": e.credit_code,
            "industry_division": e.industry_division,
            "employees": e.employees,
            "revenue": float(e.revenue),
            "total_assets": float(e.total_assets),
        }
    )
    make_reg("submitted", "330000", payload=payload)
    r = retrain(api_as("centre"), alumnus, programme)
    assert r.status_code == 409 and r.json()["code"] == "enterprise_already_registered"
    assert Registration.objects.filter(programme=programme, is_retraining=True).count() == 0


def test_the_same_alumnus_cannot_be_invited_twice_into_one_year(api_as, alumnus, programme):
    centre = api_as("centre")
    assert retrain(centre, alumnus, programme).status_code == 201
    again = retrain(centre, alumnus, programme)
    assert again.status_code == 409 and again.json()["code"] == "enterprise_already_registered"


def test_invitation_is_exempt_from_refusing_earlier_trained_enterprises(
    api_as, alumnus, programme, make_user
):
    Programme.objects.filter(pk=programme.pk).update(earlier_training_policy="refuse")
    e = alumnus.enterprise
    payload = fakes.registration_payload(random.Random(8), "330000")
    payload["enterprise"].update(
        {
            "name": e.name,
            "credit_code": e.credit_code,
            "industry_division": e.industry_division,
            "employees": e.employees,
            "revenue": float(e.revenue),
            "total_assets": float(e.total_assets),
        }
    )
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=5)
    officer = api_as("region", region="330000")
    refused = officer.post(f"programmes/{programme.pk}/registrations", payload)
    assert refused.status_code == 409 and refused.json()["code"] == "previously_trained"
    assert retrain(api_as("centre"), alumnus, programme).status_code == 201


def test_only_a_later_programme(api_as, alumnus, earlier):
    r = retrain(api_as("centre"), alumnus, earlier)
    assert r.status_code == 409 and r.json()["code"] == "not_a_later_programme"


def test_only_people_who_took_part(api_as, make_reg, programme, earlier):
    Programme.objects.filter(pk=earlier.pk).update(status="open")
    withdrawn = make_reg("withdrawn", "330000", prog=earlier)
    assert retrain(api_as("centre"), withdrawn, programme).status_code == 404


@pytest.mark.parametrize("role", ["region", "bureau", "trainee", "institution"])
def test_other_roles_may_not_invite(api_as, alumnus, programme, role):
    kwargs = {"region": "330000"} if role == "region" else {}
    assert retrain(api_as(role, **kwargs), alumnus, programme).status_code == 403


def test_archive_shows_both_participations_after_retraining(api_as, alumnus, programme, klass):
    new_id = retrain(api_as("centre"), alumnus, programme).json()["id"]
    Registration.objects.filter(pk=new_id).update(
        status="enrolled", training_class=klass, confirmed_at=timezone.now()
    )
    items = api_as("centre").get("alumni", {"q": alumnus.enterprise.credit_code}).json()["items"]
    assert [(i["year"], i["is_retraining"]) for i in items] == [(2030, True), (2029, False)]


def test_archive_page_button_invites(page_client, alumnus, programme):
    page = page_client("centre")
    assert "邀请复训" in page.get("/alumni/").content.decode()
    r = page.post(f"/alumni/{alumnus.pk}/retrain/", {"programme": programme.pk})
    assert (
        r.status_code == 302 and Registration.objects.filter(programme=programme, is_retraining=True).exists()
    )
