import datetime
import random

import pytest
from django.utils import timezone

from lingjun.classes.models import TimetableSession
from lingjun.core.testing import enrol_trainee


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The server's clock stands at 10:00 local time today, so sessions around "now" never cross midnight.
    Codes and windows are judged by this clock only (time.time for code steps, timezone.now for windows)."""
    import time as time_module

    local_now = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    fixed = local_now.astimezone(datetime.UTC)
    offset = fixed.timestamp() - time_module.time()
    real_time = time_module.time
    monkeypatch.setattr(timezone, "now", lambda: fixed)
    monkeypatch.setattr(time_module, "time", lambda: real_time() + offset)
    return fixed


@pytest.fixture
def klass(make_class):
    return make_class(first_day=-1, days=4, capacity=30)


def session_at(klass, start: datetime.datetime, minutes=120, **kw):
    local = timezone.localtime(start)
    end = local + datetime.timedelta(minutes=minutes)
    return TimetableSession.objects.create(
        training_class=klass,
        date=local.date(),
        start=local.time().replace(microsecond=0),
        end=end.time().replace(microsecond=0),
        title=kw.pop("title", "课程"),
        topic_id="digital",
        format="lecture",
        **kw,
    )


@pytest.fixture
def enrol(klass, make_user):
    """enrol(region="330000") → (registration, trainee user, region officer) enrolled in `klass`."""
    rng = random.Random(11)

    def make(region="330000"):
        return enrol_trainee(make_user, klass, region, "enrolled", rng)

    return make
