"""`make run` loads demo data with `load_demo`: one user per role, the programmes of the notices, a demo year with
registrations and classes, the 2024 assessments; running it again changes nothing but the demo passwords."""

import pytest
from django.core.management import call_command

from lingjun.accounts.models import User
from lingjun.classes.models import TrainingClass
from lingjun.evaluations.models import Assessment
from lingjun.programmes.models import Programme, Quota
from lingjun.registrations.models import Registration

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m.__name__: m.objects.count()
        for m in (User, Programme, Quota, Registration, TrainingClass, Assessment)
    }


def test_demo_data_is_complete_and_loading_twice_keeps_it(monkeypatch):
    monkeypatch.setenv("LINGJUN_DEMO_PASSWORD", "Demo-pass-1234")
    call_command("load_demo", verbosity=0)
    first = _counts()
    roles = set(User.objects.values_list("role", flat=True))
    assert roles >= {"bureau", "centre", "region", "institution", "assessor", "trainee"}
    assert User.objects.get(username="bureau").check_password("Demo-pass-1234")
    p2024 = Programme.objects.get(year=2024)
    assert p2024.target_trainees >= 800 and p2024.planned_classes == 10 and p2024.days_per_class == 4
    assert str(p2024.registration_deadline) == "2024-08-31"
    p2021 = Programme.objects.get(year=2021)
    assert p2021.target_trainees >= 2000 and float(p2021.min_manufacturing_share) >= 0.3
    assert first["Registration"] > 0 and first["TrainingClass"] > 0 and first["Assessment"] > 0
    monkeypatch.setenv("LINGJUN_DEMO_PASSWORD", "Other-pass-5678")
    call_command("load_demo", verbosity=0)
    assert _counts() == first
    assert User.objects.get(username="centre").check_password("Other-pass-5678")
