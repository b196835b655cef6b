import itertools
import random

import pytest
from django.utils import timezone

from lingjun.programmes.models import Quota
from lingjun.registrations import fakes
from lingjun.registrations import services as reg_services
from lingjun.registrations.models import Registration, Trainee

_seed = itertools.count(101)


@pytest.fixture(autouse=True)
def _fast_hasher_and_open_limit(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PUBLIC_BASE_URL = "https://lingjun.example.cn"
    settings.CERTIFICATE_VERIFY_PER_MINUTE = 100


@pytest.fixture
def klass(make_class):
    """A class that ended yesterday."""
    return make_class(first_day=-4, days=4, capacity=60)


@pytest.fixture
def trainee_in(klass, make_user):
    """trainee_in(status="completed", region="330000", name=None, training_class=klass)
    → (registration, trainee user, region officer)."""

    def make(status="completed", region="330000", name=None, training_class=None):
        rng = random.Random(next(_seed))
        Quota.objects.filter(programme=klass.programme, region_id=region).update(amount=500)
        officer = make_user("region", region=region)
        reg = reg_services.create_registration(
            officer, klass.programme_id, fakes.registration_payload(rng, region)
        )
        user = make_user("trainee")
        Trainee.objects.filter(pk=reg.trainee_id).update(user=user, **({"name": name} if name else {}))
        Registration.objects.filter(pk=reg.pk).update(
            status=status, training_class=training_class or klass, confirmed_at=timezone.now()
        )
        reg = Registration.objects.select_related("trainee", "enterprise").get(pk=reg.pk)
        return reg, user, officer

    return make


@pytest.fixture
def centre(api_as):
    return api_as("centre")
