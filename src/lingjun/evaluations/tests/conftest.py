import datetime
import random

import pytest

from lingjun.classes.models import TimetableSession
from lingjun.core.testing import enrol_trainee


@pytest.fixture
def klass(make_class):
    """A class that started yesterday and ends the day after tomorrow (evaluation is open)."""
    return make_class(first_day=-1, days=4, capacity=30, status="open")


def add_session(klass, day=0, title="课程", faculty=None, topic="digital", fmt="lecture"):
    return TimetableSession.objects.create(
        training_class=klass,
        date=klass.start_date + datetime.timedelta(days=day),
        start=datetime.time(9),
        end=datetime.time(11),
        title=title,
        topic_id=topic,
        format=fmt,
        faculty=faculty,
    )


@pytest.fixture
def enrol(make_user):
    """enrol(klass, region="330000", status="enrolled") → (registration, trainee user)."""
    rng = random.Random(7)

    def make(klass, region="330000", status="enrolled"):
        reg, trainee, _ = enrol_trainee(make_user, klass, region, status, rng)
        return reg, trainee

    return make


def answer(**kw):
    body = {"course_design": 5, "faculty": 4, "organisation": 4, "effect": 5, "comments": ""}
    body.update(kw)
    return body
