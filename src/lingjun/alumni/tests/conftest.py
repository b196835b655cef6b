import itertools
import random

import pytest
from django.utils import timezone

from lingjun.programmes.models import Quota
from lingjun.registrations import fakes
from lingjun.registrations import services as reg_services
from lingjun.registrations.models import Registration, Trainee

_seed = itertools.count(501)


@pytest.fixture
def klass(make_class):
    """A class that ended yesterday."""
    return make_class(first_day=-4, days=4, capacity=10)


@pytest.fixture
def make_reg(programme, make_user):
    """make_reg(status, region, manufacturing=True, training_class=None, programme=None, user=False)
    → a registration created through the real service, then moved to `status` by hand (hand-made data)."""
    officers = {}

    def make(
        status="submitted",
        region="330000",
        manufacturing=True,
        training_class=None,
        prog=None,
        with_user=False,
        payload=None,
    ):
        prog = prog or programme
        rng = random.Random(next(_seed))
        Quota.objects.filter(programme=prog, region_id=region).update(amount=500)
        officer = officers.get((region, prog.pk)) or make_user("region", region=region)
        officers[(region, prog.pk)] = officer
        body = payload or fakes.registration_payload(rng, region, manufacturing=manufacturing)
        reg = reg_services.create_registration(officer, prog.pk, body, submit=status != "draft")
        updates = {"status": status}
        if training_class is not None:
            updates["training_class"] = training_class
        if status in ("withdrawn", "rejected"):
            updates["holds_seat"] = False
        Registration.objects.filter(pk=reg.pk).update(confirmed_at=timezone.now(), **updates)
        if with_user:
            user = make_user("trainee")
            Trainee.objects.filter(pk=reg.trainee_id).update(user=user)
        reg = Registration.objects.select_related("trainee", "enterprise", "programme").get(pk=reg.pk)
        reg.officer = officer
        if with_user:
            reg.user = user
        return reg

    return make
