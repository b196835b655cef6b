"""Registration API under 50 concurrent clients on loopback, against gunicorn (the `make run` server).

Baseline in the same run: GET /healthz on the same server and worker settings. Prints requests/s, p50/p95
latency, the status codes seen (only 201 and the expected 409 quota_exceeded are acceptable), and checks
afterwards that the stored registrations equal the 201s and never exceed the quota (no lost or duplicated
registration). Uses DATABASE_URL when set (PostgreSQL), else a throw-away SQLite file.
  .venv/bin/python bench/bench_registration_load.py
"""

import datetime
import json
import os
import random

from loopback import call, gunicorn, prepare_environment, run

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
QUOTA = int(os.environ.get("BENCH_QUOTA", "900"))


def main():
    env = prepare_environment()
    from django.db import connection

    from lingjun.accounts.models import User
    from lingjun.accounts.services import issue_token
    from lingjun.core.scoping import scopes_disabled
    from lingjun.programmes.models import Programme, Quota
    from lingjun.registrations import fakes
    from lingjun.registrations.models import Registration

    with scopes_disabled():
        year = 2200 + random.randint(0, 700)
        p = Programme.objects.create(
            year=year,
            title="load",
            target_trainees=1000,
            planned_classes=10,
            registration_deadline=datetime.date(2999, 1, 1),
            status="open",
        )
        Quota.objects.create(programme=p, region_id="330000", amount=QUOTA)
        user, _ = User.objects.get_or_create(
            username=f"load-{year}", defaults={"role": "region", "region_id": "330000"}
        )
        token = issue_token(user)
    vendor = connection.vendor
    rng = random.Random(7)
    bodies = [json.dumps(fakes.registration_payload(rng, "330000")).encode() for _ in range(REQUESTS)]
    with gunicorn(env, WORKERS) as base:
        print(
            f"# registration load — {vendor}, gunicorn {WORKERS} workers × 4 threads, {CLIENTS} concurrent clients"
        )
        base_rps, _ = run(
            "GET /healthz (baseline)", lambda i: call(base, "GET", "/healthz"), REQUESTS, CLIENTS
        )
        reg_rps, tally = run(
            "POST registrations",
            lambda i: call(base, "POST", f"/api/v1/programmes/{p.pk}/registrations", token, bodies[i]),
            REQUESTS,
            CLIENTS,
        )
    seen = tally.statuses
    print(f"ratio registrations/healthz = {reg_rps / base_rps:.2f}")
    unexpected = {k: v for k, v in seen.items() if k not in ("201", "409 quota_exceeded")}
    with scopes_disabled():
        stored = Registration.objects.filter(programme=p).count()
        used = Quota.objects.get(programme=p, region_id="330000").used
    created = seen.get("201", 0)
    print(
        f"stored={stored} created(201)={created} quota={QUOTA} used={used} unexpected={unexpected or 'none'}"
    )
    assert stored == created == used <= QUOTA, "lost or duplicated registrations"
    assert not unexpected, unexpected


if __name__ == "__main__":
    main()
