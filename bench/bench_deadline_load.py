"""The August deadline on loopback (issue #8): many regions registering, uploading sheets and sending
invitations, trainees confirming, and the centre reviewing — all at once, against gunicorn.

Mix, all concurrent (BENCH_CLIENTS threads in total, default 40):
  * BENCH_REGIONS region officers (default 8), each creating BENCH_PER_REGION registrations through the API
    (default 40) and inviting each trainee to confirm;
  * each region uploading one 附件4 workbook of BENCH_SHEET_ROWS rows (default 40);
  * each invited trainee accepting the invitation (ID-number check, password, Argon2 hashing);
  * the centre listing confirmed submissions and approving them, until nothing is left.
Baseline in the same run: GET /healthz on the same server. Prints throughput, p50/p95 and statuses per kind of
request, and then the count check: stored registrations = 201s + imported rows, quota counters = stored seats,
approvals = approved registrations; no 5xx. Uses DATABASE_URL when set (PostgreSQL), else throw-away SQLite.
  .venv/bin/python bench/bench_deadline_load.py
"""

import concurrent.futures as cf
import datetime
import json
import os
import queue
import random
import threading
import time

from loopback import Tally, call, gunicorn, multipart, prepare_environment, run

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "40"))
REGIONS = int(os.environ.get("BENCH_REGIONS", "8"))
PER_REGION = int(os.environ.get("BENCH_PER_REGION", "40"))
SHEET_ROWS = int(os.environ.get("BENCH_SHEET_ROWS", "40"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
REGION_CODES = [
    "330000",
    "110000",
    "440000",
    "510000",
    "320000",
    "370000",
    "420000",
    "430000",
    "350000",
    "130000",
    "410000",
    "610000",
]


def main():
    env = prepare_environment()
    from django.db import connection

    from lingjun.accounts.models import User
    from lingjun.accounts.services import issue_token
    from lingjun.core.scoping import scopes_disabled
    from lingjun.programmes.models import Programme, Quota
    from lingjun.registrations import fakes
    from lingjun.registrations.models import SEAT_STATUSES, Registration

    codes = REGION_CODES[:REGIONS]
    rng = random.Random(2024)
    with scopes_disabled():
        year = 2200 + random.randint(0, 700)
        p = Programme.objects.create(
            year=year,
            title="deadline load",
            target_trainees=100000,
            planned_classes=10,
            registration_deadline=datetime.date(2999, 1, 1),
            status="open",
        )
        for code in codes:
            Quota.objects.create(programme=p, region_id=code, amount=PER_REGION + SHEET_ROWS)
        officers = {}
        for code in codes:
            user = User.objects.create(username=f"deadline-{year}-{code}", role="region", region_id=code)
            officers[code] = issue_token(user)
        centre = issue_token(User.objects.create(username=f"deadline-{year}-centre", role="centre"))
    vendor = connection.vendor
    jobs = [(code, fakes.registration_payload(rng, code)) for _ in range(PER_REGION) for code in codes]
    sheets = {code: fakes.workbook(SHEET_ROWS, random.Random(code), code) for code in codes}
    tallies = {
        name: Tally(name)
        for name in (
            "POST registrations (submit)",
            "POST invite",
            "POST invite accept",
            "POST import (附件4)",
            "GET review queue",
            "POST approve",
        )
    }
    invites: queue.Queue = queue.Queue()
    done_registering = threading.Event()

    with gunicorn(env, WORKERS) as base:
        print(
            f"# August deadline mix — {vendor}, gunicorn {WORKERS} workers × 4 threads, {CLIENTS} clients, "
            f"{REGIONS} regions × ({PER_REGION} API + {SHEET_ROWS} sheet rows)"
        )
        base_rps, _ = run("GET /healthz (baseline)", lambda i: call(base, "GET", "/healthz"), 400, CLIENTS)

        def register(job):
            code, payload = job
            status, err, secs, data = call(
                base,
                "POST",
                f"/api/v1/programmes/{p.pk}/registrations",
                officers[code],
                json.dumps({**payload, "submit": True}).encode(),
            )
            tallies["POST registrations (submit)"].add(status, err, secs)
            if status == 201:
                status, err, secs, inv = call(
                    base, "POST", f"/api/v1/registrations/{data['id']}/invite", officers[code]
                )
                tallies["POST invite"].add(status, err, secs)
                if status == 200:
                    invites.put((inv["token"], payload["trainee"]["id_number"][-6:]))

        def upload(code):
            body, ctype = multipart({"mode": "partial"}, {"file": (f"附件4-{code}.xlsx", sheets[code])})
            status, err, secs, _ = call(
                base, "POST", f"/api/v1/programmes/{p.pk}/registrations/import", officers[code], body, ctype
            )
            tallies["POST import (附件4)"].add(status, err, secs)

        def confirm_invitations():
            while True:
                try:
                    token, last6 = invites.get(timeout=0.5)
                except queue.Empty:
                    if done_registering.is_set() and invites.empty():
                        return
                    continue
                status, err, secs, _ = call(
                    base,
                    "POST",
                    f"/api/v1/invites/{token}/accept",
                    None,
                    json.dumps({"password": "Trainee-pass-2024", "id_number_last6": last6}).encode(),
                )
                tallies["POST invite accept"].add(status, err, secs)

        def review():
            idle = 0
            while idle < 3:
                status, err, secs, page = call(
                    base,
                    "GET",
                    f"/api/v1/programmes/{p.pk}/registrations?status=submitted&confirmed=true&limit=50",
                    centre,
                )
                tallies["GET review queue"].add(status, err, secs)
                items = page.get("items", []) if status == 200 else []
                for item in items:
                    s2, e2, t2, _ = call(base, "POST", f"/api/v1/registrations/{item['id']}/approve", centre)
                    tallies["POST approve"].add(s2, e2, t2)
                if items:
                    idle = 0
                else:
                    idle += 1 if done_registering.is_set() and invites.empty() else 0
                    time.sleep(0.3)

        t0 = time.perf_counter()
        for t in tallies.values():
            t.start()
        registering = max(1, CLIENTS - REGIONS - 6)
        with cf.ThreadPoolExecutor(CLIENTS) as pool:
            confirmers = [pool.submit(confirm_invitations) for _ in range(4)]
            reviewers = [pool.submit(review) for _ in range(2)]
            uploads = [pool.submit(upload, code) for code in codes]
            with cf.ThreadPoolExecutor(registering) as regpool:
                list(regpool.map(register, jobs))
            for f in uploads:
                f.result()
            done_registering.set()
            for f in confirmers + reviewers:
                f.result()
        wall = time.perf_counter() - t0

    total = sum(len(t.latencies) for t in tallies.values())
    print(
        f"mix: {total} requests in {wall:.1f} s = {total / wall:.1f} req/s (healthz baseline {base_rps:.1f} req/s; "
        f"ratio {total / wall / base_rps:.2f})"
    )
    for t in tallies.values():
        print(t.line())
    with scopes_disabled():
        regs = Registration.objects.filter(programme=p)
        stored = regs.count()
        seats = regs.filter(status__in=SEAT_STATUSES).count()
        used = sum(Quota.objects.filter(programme=p).values_list("used", flat=True))
        approved = regs.filter(status="approved").count()
        confirmed = regs.filter(confirmed_at__isnull=False).count()
    created = tallies["POST registrations (submit)"].count("201")
    imported = stored - created
    server_errors = sum(t.count("5") for t in tallies.values())
    # Two reviewers work the same queue: when both pick a row, the conditional status update lets one win and
    # the other is told 409 invalid_transition. Anything else is unexpected.
    expected = {"200", "201", "409 invalid_transition"}
    unexpected = {
        f"{t.label}: {k}": v for t in tallies.values() for k, v in t.statuses.items() if k not in expected
    }
    print(
        f"stored={stored} (API 201s {created} + imported {imported}) seats={seats} quota used={used} "
        f"confirmed={confirmed} approved={approved} approve 200s={tallies['POST approve'].count('200')} "
        f"5xx={server_errors} unexpected={unexpected or 'none'}"
    )
    assert created == REGIONS * PER_REGION, "an API registration was refused"
    assert imported == REGIONS * SHEET_ROWS, "a sheet row was lost or duplicated"
    assert seats == used, "quota counters disagree with the stored registrations"
    assert approved == tallies["POST approve"].count("200") == confirmed, "an approval was lost or doubled"
    assert server_errors == 0 and not unexpected, unexpected


if __name__ == "__main__":
    main()
