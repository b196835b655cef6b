"""Fixtures for the classes, timetable and placement tests (issue #4)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from lingjun.classes.models import Faculty, TimetableSession, TrainingClass
from lingjun.core.tests.api_helpers import fast_password_hasher  # noqa: F401  (autouse fixture)
from lingjun.institutions.models import Institution
from lingjun.programmes.models import Programme, Quota
from lingjun.registrations import fakes
from lingjun.registrations import services as reg_services
from lingjun.registrations.models import SEAT_STATUSES, Registration

# The `programme` fixture is the 2030 programme; its classes run in the autumn.
START = datetime.date(2030, 10, 12)


@pytest.fixture
def other_programme(db):
    from lingjun.programmes.services import _ensure_quota_rows

    p = Programme.objects.create(
        year=2031,
        title="2031年中小企业经营管理领军人才培训",
        notice_number="测试〔2031〕1号",
        target_trainees=800,
        registration_deadline=datetime.date(2031, 8, 31),
        planned_classes=10,
        days_per_class=4,
        tracks=["specialized"],
        status="open",
    )
    _ensure_quota_rows(p)
    return p


@pytest.fixture
def make_class(programme, institution):
    """make_class(number, capacity=30, ...) → a TrainingClass made through the ORM (4 days from START)."""

    def make(
        number=1,
        *,
        capacity=30,
        track="regional",
        inst: Institution | None = None,
        start=START,
        days=4,
        prog: Programme | None = None,
        **kw,
    ) -> TrainingClass:
        return TrainingClass.objects.create(
            programme=prog or programme,
            number=number,
            track=track,
            institution=inst or institution,
            city="杭州",
            venue="西湖国宾馆",
            start_date=start,
            end_date=start + datetime.timedelta(days=days - 1),
            capacity=capacity,
            head_teacher="周老师",
            **kw,
        )

    return make


@pytest.fixture
def klass(make_class):
    return make_class(1)


@pytest.fixture
def faculty(db):
    return Faculty.objects.create(
        name="王教授", affiliation="浙江大学", affiliation_kind="university", title="教授"
    )


@pytest.fixture
def make_session():
    def make(
        tc, start="09:00", end="10:00", date=None, title="数字化转型", faculty=None, **kw
    ) -> TimetableSession:
        return TimetableSession.objects.create(
            training_class=tc,
            date=date or tc.start_date,
            start=datetime.time.fromisoformat(start),
            end=datetime.time.fromisoformat(end),
            title=title,
            topic_id=kw.pop("topic", "digital"),
            format=kw.pop("format", "lecture"),
            faculty=faculty,
            **kw,
        )

    return make


@pytest.fixture
def make_registration(programme, make_user):
    """make_registration(region="330000", status="approved", preferred=[1, 2]) → a registration created through
    the registration service (valid fake payload), then moved to `status` directly (review is not under test)."""
    rng = random.Random(4)
    officers = {}

    def make(
        region="330000", *, status="approved", preferred=None, qualifications=None, prog=None
    ) -> Registration:
        prog = prog or programme
        Quota.objects.filter(programme=prog, region_id=region).update(amount=1000)
        key = (prog.pk, region)
        if key not in officers:
            officers[key] = make_user("region", region=region)
        payload = fakes.registration_payload(rng, region)
        if preferred is not None:
            payload["preferred_classes"] = preferred
        if qualifications is not None:
            payload["enterprise"]["qualifications"] = qualifications
        reg = reg_services.create_registration(officers[key], prog.pk, payload)
        if status != "submitted":
            Registration.objects.filter(pk=reg.pk).update(
                status=status, confirmed_at=timezone.now(), holds_seat=status in SEAT_STATUSES
            )
        reg.refresh_from_db()
        return reg

    return make
