"""Shared fixtures: users per role, an API client with bearer tokens, programmes."""

from __future__ import annotations

import datetime
import itertools
import json

import pytest
from django.test import Client

from lingjun.accounts.models import User
from lingjun.core.scoping import scopes_disabled
from lingjun.institutions.models import Institution
from lingjun.programmes.models import Programme

PASSWORD = "Test-pass-9876"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _unscoped_test_body():
    """Test bodies may query any row directly; requests made through a client get the user's scope
    from the middleware, exactly as in production. Tests of scoping itself leave this context."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data comes from a migration; a transactional test (live server, concurrency) flushes every
    table when it ends, so the next one would find no regions. Put it back before such tests."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from django.apps import apps

        from lingjun.reference.loader import load_all
        from lingjun.reference.models import Region

        with scopes_disabled():
            if not Region.objects.exists():
                load_all(apps.get_model)
                from lingjun.reference import sizing

                sizing.sectors.cache_clear()
                sizing.sector_for.cache_clear()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; the suite creates hundreds of users. Production hashing is asserted by
    test_production_hasher_is_argon2 against the settings module itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def institution(db):
    return Institution.objects.create(name=f"测试大学{next(_seq)}", kind="university", tracks=["regional"])


@pytest.fixture
def make_class(programme, institution):
    """make_class(first_day=-1, days=4, capacity=30, status="planned") → a class of `programme` taught by
    `institution`, its first day `first_day` days from today (local time)."""
    from django.utils import timezone

    from lingjun.classes.models import TrainingClass

    def make(first_day=-1, days=4, capacity=30, status="planned", number=1):
        start = timezone.localdate() + datetime.timedelta(days=first_day)
        return TrainingClass.objects.create(
            programme=programme,
            number=number,
            track="specialized",
            institution=institution,
            city="杭州",
            start_date=start,
            end_date=start + datetime.timedelta(days=days - 1),
            capacity=capacity,
            status=status,
        )

    return make


@pytest.fixture
def make_user(db):
    def make(role: str, region: str | None = None, institution=None, username: str | None = None) -> User:
        if role == "region" and region is None:
            region = "110000"
        if role == "institution" and institution is None:
            institution = Institution.objects.create(name=f"测试机构{next(_seq)}", kind="other")
        return User.objects.create_user(
            username=username or f"{role}{next(_seq)}",
            password=PASSWORD,
            role=role,
            region_id=region,
            institution=institution,
        )

    return make


class ApiClient:
    """JSON client for /api/v1 with a bearer token (or none, for public endpoints)."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, extra=None):
        h = {}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(extra or {})
        return h

    def request(self, method: str, path: str, data=None, raw: str | bytes | None = None, headers=None, **kw):
        if not path.startswith("/"):
            path = "/api/v1/" + path
        body = raw if raw is not None else (json.dumps(data) if data is not None else None)
        fn = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return fn(path, data=data, headers=self._headers(headers), **kw)
        return fn(path, data=body, content_type="application/json", headers=self._headers(headers), **kw)

    def get(self, path, params=None, **kw):
        return self.request("GET", path, data=params, **kw)

    def post(self, path, data=None, **kw):
        return self.request("POST", path, data=data, **kw)

    def put(self, path, data=None, **kw):
        return self.request("PUT", path, data=data, **kw)

    def patch(self, path, data=None, **kw):
        return self.request("PATCH", path, data=data, **kw)

    def delete(self, path, data=None, **kw):
        return self.request("DELETE", path, data=data, **kw)


def token_for(user: User) -> str:
    from lingjun.accounts.services import issue_token

    return issue_token(user)


@pytest.fixture
def api_as(make_user):
    """`api_as("region", region="330000")` → an ApiClient authenticated as a new user of that role."""

    def make(role_or_user, **kwargs) -> ApiClient:
        user = role_or_user if isinstance(role_or_user, User) else make_user(role_or_user, **kwargs)
        client = ApiClient(token_for(user))
        client.user = user
        return client

    return make


@pytest.fixture
def anon():
    return ApiClient()


@pytest.fixture
def programme(db):
    from lingjun.programmes.services import _ensure_quota_rows

    p = Programme.objects.create(
        year=2030,
        title="2030年中小企业经营管理领军人才培训",
        notice_number="测试〔2030〕1号",
        target_trainees=800,
        registration_deadline=datetime.date(2030, 8, 31),
        planned_classes=10,
        days_per_class=4,
        tracks=["specialized"],
        status="open",
    )
    _ensure_quota_rows(p)
    return p


@pytest.fixture
def page_client(make_user):
    """`page_client("centre")` → a Django test client logged in (session) as a new user of that role."""

    def make(role_or_user, **kwargs) -> Client:
        user = role_or_user if isinstance(role_or_user, User) else make_user(role_or_user, **kwargs)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make
