"""R2 and R1 under concurrent submissions: the database decides, not a Python read-then-write (SPEC §3.2).

Each thread has its own database connection. On PostgreSQL the conditional UPDATE of Quota.used and the
partial unique indexes decide. On SQLite the settings open every transaction with BEGIN IMMEDIATE and wait
up to 30 s for the lock, so writers queue. SQLite's in-memory test database (shared cache) has table locks
that fail at once instead of waiting, which no deployment uses; there the test runs on a copy of the test
database in a file, i.e. with the production settings (WAL, IMMEDIATE, busy timeout)."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.db import connection

from lingjun.conftest import ApiClient, token_for
from lingjun.core.errors import DomainError
from lingjun.core.scoping import user_scope
from lingjun.programmes.models import Quota
from lingjun.registrations import services
from lingjun.registrations.models import SEAT_STATUSES, Enterprise, Registration

from .conftest import payload, registrations_url, set_quota

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def shared_database(programme, tmp_path):
    """Make the test database reachable from other threads the way a deployment reaches it."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    memory_name = connection.settings_dict["NAME"]
    connection.ensure_connection()
    keeper = sqlite3.connect(memory_name, uri=True)  # keeps the in-memory database alive meanwhile
    target = sqlite3.connect(tmp_path / "concurrency.sqlite3")
    connection.connection.backup(target)
    target.close()
    connection.settings_dict["NAME"] = str(tmp_path / "concurrency.sqlite3")
    connection.close()  # a file now: really closed; the next query opens the copy
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        connection.ensure_connection()
        keeper.close()


def run_in_threads(n: int, work) -> list:
    """Start `n` threads together; each runs work(i) on its own connection and closes it at the end."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            results[i] = ("exception", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def test_40_concurrent_submissions_against_a_quota_of_25(shared_database, programme, make_user):
    set_quota(programme, "110000", 25)
    officer = make_user("region", region="110000")
    token = token_for(officer)
    bodies = [payload() for _ in range(40)]
    path = "/api/v1/" + registrations_url(programme)

    def submit(i):
        r = ApiClient(token).post(path, bodies[i])
        return r.status_code, r.json().get("code")

    results = run_in_threads(40, submit)
    assert results.count((201, None)) == 25, results
    assert [r for r in results if r != (201, None)] == [(409, "quota_exceeded")] * 15, results

    quota = Quota.objects.get(programme=programme, region_id="110000")
    holders = Registration.objects.filter(programme=programme, region_id="110000", holds_seat=True)
    assert quota.used == 25 == holders.count()
    assert Registration.objects.filter(programme=programme).count() == 25
    assert set(holders.values_list("status", flat=True)) <= set(SEAT_STATUSES)
    # the refused ones left nothing behind
    stored = set(Enterprise.objects.values_list("credit_code", flat=True))
    assert len(stored & {b["enterprise"]["credit_code"] for b in bodies}) == 25


def test_10_concurrent_registrations_of_the_same_enterprise(shared_database, programme, make_user):
    set_quota(programme, "110000", 20)
    officer = make_user("region", region="110000")
    code = payload()["enterprise"]["credit_code"]
    bodies = [payload(enterprise={"credit_code": code}) for _ in range(10)]

    def register(i):
        with user_scope(officer):
            try:
                services.create_registration(officer, programme.pk, bodies[i])
                return "created"
            except DomainError as exc:
                return exc.code

    results = run_in_threads(10, register)
    assert results.count("created") == 1, results
    assert sorted(r for r in results if r != "created") == ["enterprise_already_registered"] * 9, results
    assert Registration.objects.filter(programme=programme, enterprise__credit_code=code).count() == 1
    assert Quota.objects.get(programme=programme, region_id="110000").used == 1
