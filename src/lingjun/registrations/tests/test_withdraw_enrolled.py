import datetime
import random

from django.core.management import call_command

from lingjun.classes.models import TrainingClass
from lingjun.programmes.models import Quota
from lingjun.registrations import fakes, services
from lingjun.registrations.models import Registration


def test_withdrawing_an_enrolled_trainee_gives_back_the_class_seat_and_the_quota(
    programme, institution, api_as
):
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=5)
    officer = api_as("region", region="330000")
    reg = services.create_registration(
        officer.user, programme.pk, fakes.registration_payload(random.Random(3), "330000")
    )
    tc = TrainingClass.objects.create(
        programme=programme,
        number=1,
        track="regional",
        institution=institution,
        city="杭州",
        start_date=datetime.date(2030, 10, 1),
        end_date=datetime.date(2030, 10, 4),
        capacity=2,
        enrolled=1,
    )
    Registration.objects.filter(pk=reg.pk).update(status="enrolled", training_class=tc)
    r = officer.post(f"registrations/{reg.pk}/withdraw", {"reason": "企业临时有重大事项"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    tc.refresh_from_db()
    assert tc.enrolled == 0
    assert Registration.objects.get(pk=reg.pk).training_class_id is None
    assert Quota.objects.get(programme=programme, region_id="330000").used == 0


def test_createsuperuser_makes_a_bureau_account(db):
    from lingjun.accounts.models import User

    call_command("createsuperuser", username="root", email="root@example.cn", interactive=False, verbosity=0)
    assert User.objects.get(username="root").role == "bureau"


def test_editing_without_retyping_the_id_number_keeps_the_one_on_file(programme, api_as):
    Quota.objects.filter(programme=programme, region_id="330000").update(amount=5)
    officer = api_as("region", region="330000")
    payload = fakes.registration_payload(random.Random(4), "330000")
    created = officer.post(f"programmes/{programme.pk}/registrations", {**payload, "submit": False}).json()
    edit = {k: payload[k] for k in ("trainee", "enterprise", "declarations", "preferred_classes")}
    edit["trainee"] = {**edit["trainee"], "id_number": "", "position": "总经理"}
    r = officer.put(f"registrations/{created['id']}", edit)
    assert r.status_code == 200, r.content
    assert r.json()["trainee"]["position"] == "总经理"
    assert r.json()["trainee"]["id_number"] == created["trainee"]["id_number"]
