"""Two gunicorn app servers on one PostgreSQL database (docs/deployment.md §6): whatever a user started on one
server works on the other — a bearer token, a browser session and its CSRF token, a check-in code the projector
got from the other server. A third server with another secret key does not accept the first one's session, so
the test would notice a deployment that forgot to share the key.

Runs only when the suite runs on PostgreSQL (`scripts/test.sh postgres`): SQLite is for one server.
"""

from __future__ import annotations

import datetime
import http.cookiejar
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from lingjun.conftest import PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="several app servers need PostgreSQL"),
]
SRC = str(Path(__file__).resolve().parents[3])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    auth = urllib.parse.quote(s["USER"]) + (
        f":{urllib.parse.quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    )
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


class Server:
    def __init__(self, secret_key: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "LINGJUN_SECRET_KEY": secret_key,
            "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "DJANGO_SETTINGS_MODULE": "lingjun.settings",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [
                str(gunicorn),
                "lingjun.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                "1",
                "--threads",
                "2",
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


@pytest.fixture
def servers():
    started = [
        Server(settings.SECRET_KEY),
        Server(settings.SECRET_KEY),
        Server("another-secret-key-" + "x" * 40),
    ]
    try:
        yield [s.wait() for s in started]
    finally:
        for s in started:
            s.stop()


class Browser:
    """A phone or a PC: one cookie jar (cookies are per host, not per port, as in a browser behind nginx)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, url, data=None, headers=None, method=None):
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.geturl(), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, url, e.read().decode()

    def csrf_from(self, url) -> str:
        status, _, html = self.request(url)
        assert status == 200, (url, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.fixture
def people(make_user, programme, institution):
    """A trainee enrolled in a class having a session now (real clock: the servers run in other processes)."""
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.programmes.models import Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration

    Quota.objects.filter(programme=programme, region_id="330000").update(amount=10)
    officer = make_user("region", region="330000")
    reg = reg_services.create_registration(
        officer, programme.pk, fakes.registration_payload(random.Random(5), "330000")
    )
    trainee = make_user("trainee")
    reg.trainee.user = trainee
    reg.trainee.save()
    now = timezone.localtime()
    klass = TrainingClass.objects.create(
        programme=programme,
        number=1,
        track="specialized",
        institution=institution,
        city="杭州",
        start_date=now.date(),
        end_date=now.date(),
        capacity=30,
    )
    start = max(now - datetime.timedelta(minutes=5), now.replace(hour=0, minute=0))
    end = min(now + datetime.timedelta(minutes=60), now.replace(hour=23, minute=59))
    session = TimetableSession.objects.create(
        training_class=klass,
        date=now.date(),
        start=start.time().replace(second=0, microsecond=0),
        end=end.time().replace(second=0, microsecond=0),
        title="数字化转型",
        topic_id="digital",
        format="lecture",
    )
    Registration.objects.filter(pk=reg.pk).update(status="enrolled", training_class=klass, confirmed_at=now)
    centre = make_user("centre")
    # The suite hashes with MD5 for speed; the servers accept only their production hashers.
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    for user in (centre, trainee):
        user.password = PBKDF2PasswordHasher().encode(
            PASSWORD, PBKDF2PasswordHasher().salt(), iterations=1000
        )
        user.save(update_fields=["password"])
    return centre, trainee, session


def test_a_user_started_on_one_server_goes_on_on_the_other(servers, people):
    a, b, stranger = servers
    centre, trainee, session = people

    # a bearer token issued by A authenticates on B
    phone = Browser()
    status, _, body = phone.request(
        a.base + "/api/v1/auth/token",
        json.dumps({"username": trainee.username, "password": PASSWORD}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 200, body
    bearer = {"Authorization": "Bearer " + json.loads(body)["token"], "Content-Type": "application/json"}
    status, _, body = phone.request(b.base + "/api/v1/users/me", headers=bearer)
    assert status == 200 and json.loads(body)["username"] == trainee.username

    # the projector asks A for the code; the trainee's scan reaches B
    staff = Browser()
    status, _, body = staff.request(
        a.base + "/api/v1/auth/token",
        json.dumps({"username": centre.username, "password": PASSWORD}).encode(),
        {"Content-Type": "application/json"},
    )
    centre_bearer = {
        "Authorization": "Bearer " + json.loads(body)["token"],
        "Content-Type": "application/json",
    }
    status, _, body = staff.request(
        a.base + f"/api/v1/sessions/{session.pk}/checkin-code", b"", centre_bearer, method="POST"
    )
    assert status == 200, body
    status, _, body = phone.request(
        b.base + "/api/v1/checkin",
        json.dumps({"code": json.loads(body)["code"], "device": "phone-1"}).encode(),
        bearer,
    )
    assert status == 201, body

    # a browser signs in on A (session + CSRF cookie), then opens pages and posts a form on B
    pc = Browser()
    token = pc.csrf_from(a.base + "/login/")
    status, landed, html = pc.request(
        a.base + "/login/", {"csrfmiddlewaretoken": token, "username": centre.username, "password": PASSWORD}
    )
    assert status == 200 and "/login/" not in landed, landed
    status, landed, html = pc.request(b.base + "/programmes/")
    assert status == 200 and "/login/" not in landed and "计划" in html  # signed in on B too
    token = pc.csrf_from(b.base + "/logout/")
    status, landed, _ = pc.request(
        a.base + "/logout/", {"csrfmiddlewaretoken": token}
    )  # B's form posted to A
    assert status == 200 and "/login/" in landed  # signed out, not refused as a CSRF failure

    # a server with another secret key does not know A's sessions: the key must be shared
    pc2 = Browser()
    token = pc2.csrf_from(a.base + "/login/")
    pc2.request(
        a.base + "/login/", {"csrfmiddlewaretoken": token, "username": centre.username, "password": PASSWORD}
    )
    status, landed, _ = pc2.request(stranger.base + "/programmes/")
    assert "/login/" in landed  # sent to sign in again
