"""Fixtures and helpers for the registration tests (issue #3, SPEC §3.2)."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest

from lingjun.core.tests.api_helpers import assert_error, fast_password_hasher  # noqa: F401  (autouse fixture)
from lingjun.programmes.models import Quota
from lingjun.registrations import fakes
from lingjun.registrations.models import Registration

_seeds = itertools.count(1)


def payload(
    region_code: str = "110000",
    *,
    manufacturing: bool = True,
    submit: bool = True,
    seed: int | None = None,
    trainee: dict | None = None,
    enterprise: dict | None = None,
    declarations: dict | None = None,
    **top,
) -> dict:
    """A valid API body (API.md shape) with a unique person and enterprise of `region_code`; override parts
    by keyword; other keywords (region, late_reason, is_retraining) go to the top level."""
    rng = random.Random(seed if seed is not None else 1000 + next(_seeds))
    body = fakes.registration_payload(rng, region_code, manufacturing=manufacturing)
    body["enterprise"]["industry_division"] = "39" if manufacturing else "65"
    body["trainee"].update(trainee or {})
    body["enterprise"].update(enterprise or {})
    body["declarations"].update(declarations or {})
    body["submit"] = submit
    body.update(top)
    return body


def id_number(region: str = "110000", birth: datetime.date | None = None, female: bool | None = None) -> str:
    return fakes.id_number(random.Random(next(_seeds) + 50_000), region, birth=birth, female=female)


def credit_code(region: str = "110000") -> str:
    return fakes.credit_code(random.Random(next(_seeds) + 90_000), region)


def set_quota(programme, region: str, amount: int) -> None:
    Quota.objects.filter(programme=programme, region_id=region).update(amount=amount)


def quota_used(programme, region: str) -> int:
    return Quota.objects.get(programme=programme, region_id=region).used


def seat_holders(programme, region: str) -> int:
    return Registration.objects.filter(programme=programme, region_id=region, holds_seat=True).count()


def registrations_url(programme) -> str:
    return f"programmes/{programme.pk}/registrations"


def register(client, programme, body=None, **kw):
    """POST one registration; `kw` goes to `payload` when no body is given."""
    return client.post(registrations_url(programme), body if body is not None else payload(**kw))


def created(client, programme, body=None, **kw) -> dict:
    r = register(client, programme, body, **kw)
    assert r.status_code == 201, r.content.decode()[:600]
    return r.json()


def confirm(reg_id) -> None:
    """The trainee's personal confirmation (R6), set directly; the invite flow has its own tests."""
    from django.utils import timezone

    Registration.objects.filter(pk=reg_id).update(confirmed_at=timezone.now())


@pytest.fixture
def seats_match_quota():
    """After the test: every quota's `used` equals the registrations holding a seat, and only submitted-or-later
    registrations hold one (R2 bookkeeping; docs/decisions/0005)."""
    yield
    from lingjun.registrations.models import SEAT_STATUSES

    for q in Quota.objects.all():
        holders = Registration.objects.filter(
            programme_id=q.programme_id, region_id=q.region_id, holds_seat=True
        )
        assert q.used == holders.count() <= q.amount, (q.region_id, q.used, holders.count(), q.amount)
        assert set(holders.values_list("status", flat=True)) <= set(SEAT_STATUSES)


@pytest.fixture
def region_api(api_as):
    return api_as("region", region="110000")


@pytest.fixture
def centre_api(api_as):
    return api_as("centre")


@pytest.fixture
def quota10(programme):
    set_quota(programme, "110000", 10)
    set_quota(programme, "330000", 10)
    return programme
