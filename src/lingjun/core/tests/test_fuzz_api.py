"""Schemathesis against /api/v1/openapi.json, through the Django WSGI application in-process.

For every operation of the schema, hypothesis generates valid and invalid requests (bounded: FUZZ_EXAMPLES per
operation and mode), sent as the centre (the role allowed the most) with a bearer token. Whatever arrives, the
platform must never answer 5xx, and every 4xx must be API.md's error model: {code, detail, errors[]} with a
Chinese sentence. Path parameters point at real objects about half the time (the permission matrix's world),
so handlers run past their 404s.
"""

from __future__ import annotations

import collections
import os
import re
import zlib

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode

from lingjun.core.tests.api_helpers import CJK
from lingjun.core.tests.test_permission_matrix import fixed_clock, world  # noqa: F401  (fixtures)
from lingjun.wsgi import application

FUZZ_EXAMPLES = int(os.environ.get("LINGJUN_FUZZ_EXAMPLES", "6"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=FUZZ_EXAMPLES,
    deterministic=True,
    database="none",
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI application itself, not Django's test client, so the end of each request
    would close the database connection (CONN_MAX_AGE=0) under the test's transaction — harmless on in-memory
    SQLite, fatal on PostgreSQL. Django's test client disconnects the same handlers."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


STATUSES: collections.Counter = collections.Counter()
UNAUTHORISED: set[str] = set()


@pytest.fixture
def centre(world):  # noqa: F811
    values, clients, _programme, _reg = world
    return values, clients["C"].token


def _aim_at_real_objects(case, values: dict) -> None:
    """Every other generated path parameter is swapped for the world's real object of that name (the choice
    follows the generated value, so the run stays deterministic): handlers then run beyond their 404."""
    for name, generated in list((case.path_parameters or {}).items()):
        if name in values and values[name] is not None and zlib.crc32(str(generated).encode()) % 2 == 0:
            case.path_parameters[name] = values[name]


def assert_error_model(response, where):
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"code", "detail", "errors"}, (where, body)
    assert isinstance(body["code"], str) and re.fullmatch(r"[a-z_]+", body["code"]), (where, body)
    assert isinstance(body["detail"], str) and CJK.search(body["detail"]), (where, body)
    assert isinstance(body["errors"], list), (where, body)
    for err in body["errors"]:
        assert set(err) == {"field", "code", "message"} and CJK.search(err["message"]), (where, err)


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_no_request_makes_the_api_fail_or_leave_the_error_model(case, centre):
    values, token = centre
    _aim_at_real_objects(case, values)
    with transaction.atomic():  # each request sees the same world
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        transaction.set_rollback(True)
    STATUSES[response.status_code] += 1
    if response.status_code == 401:
        UNAUTHORISED.add(case.operation.path)
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    assert response.status_code < 500, (where, response.text[:500])
    if 400 <= response.status_code < 500:
        assert_error_model(response, where)


def test_the_fuzzing_reached_the_handlers():
    """Runs after the fuzz cases (same module, file order): they did not all stop at 401/404."""
    if sum(STATUSES.values()) < 100:
        pytest.skip("the fuzz cases did not run in this session (selected alone)")
    if os.environ.get("LINGJUN_FUZZ_REPORT"):
        print("\nstatus codes:", dict(sorted(STATUSES.items())))
    assert UNAUTHORISED <= {"/api/v1/auth/token"}  # the token was always accepted (401 = wrong password only)
    assert sum(n for code, n in STATUSES.items() if code < 300) >= 50
    assert STATUSES[422] >= 50 and STATUSES[409] >= 5
