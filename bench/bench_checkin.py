"""Check-in under concurrent phones on loopback, against gunicorn (the `make run` server) — issue #5.

800 enrolled trainees (the whole 2024 intake at once, the issue's "800 trainees within two minutes") each check
in once with the projected code, from BENCH_CLIENTS concurrent phones (default 50), in BENCH_ROUNDS sessions.
Baseline in the same run: GET /healthz on the same server and worker settings, alternating with the check-in
rounds. Prints requests/s, p50/p95 latency, statuses (only 201 is acceptable), the ratio of the medians
(goal >= 0.5) and checks afterwards that exactly one attendance record per trainee and session was stored.
Uses DATABASE_URL when set (PostgreSQL), else a throw-away SQLite file.
  .venv/bin/python bench/bench_checkin.py
"""

import datetime
import json
import os
import random
import statistics
import time

from loopback import call, gunicorn, prepare_environment, run

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
TRAINEES = int(os.environ.get("BENCH_TRAINEES", "800"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # baseline and check-in alternate; medians are compared


def setup_class():
    """A class with a session happening now and TRAINEES enrolled trainees with API tokens."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from lingjun.accounts.models import User
    from lingjun.accounts.services import issue_token
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Programme, Quota
    from lingjun.registrations import fakes
    from lingjun.registrations import services as reg_services
    from lingjun.registrations.models import Registration, Trainee

    year = 2200 + random.randint(0, 700)
    today = timezone.localdate()
    p = Programme.objects.create(year=year, title="checkin bench", target_trainees=1000, planned_classes=1,
                                 registration_deadline=datetime.date(2999, 1, 1), status="open")
    regions = ["330000", "110000", "440000", "510000"]
    for code in regions:
        Quota.objects.create(programme=p, region_id=code, amount=TRAINEES)
    inst = Institution.objects.create(name=f"签到压测学院{year}", kind="university")
    klass = TrainingClass.objects.create(programme=p, number=1, track="specialized", institution=inst, city="杭州",
                                         start_date=today, end_date=today, capacity=TRAINEES, status="open")
    now = timezone.localtime()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(midnight, now - datetime.timedelta(minutes=5))
    end = min(midnight + datetime.timedelta(hours=23, minutes=59), now + datetime.timedelta(minutes=60))
    # One session per round (each trainee checks in once per session), all happening now.
    sessions = [TimetableSession.objects.create(training_class=klass, date=today,
                                                start=start.time().replace(microsecond=0),
                                                end=end.time().replace(microsecond=0), title=f"压测课程{n + 1}",
                                                topic_id="digital", format="lecture") for n in range(ROUNDS)]
    rng = random.Random(year)
    officers = {c: User.objects.create(username=f"bench-{year}-{c}", role="region", region_id=c) for c in regions}
    regs = [reg_services.create_registration(officers[regions[i % 4]], p.pk,
                                             fakes.registration_payload(rng, regions[i % 4]))
            for i in range(TRAINEES)]
    password = make_password(None)
    users = User.objects.bulk_create(User(username=f"bench-{year}-t{i}", role="trainee", password=password)
                                     for i in range(TRAINEES))
    trainees = list(Trainee.objects.filter(registrations__in=regs).order_by("registrations__id"))
    for t, u in zip(trainees, users, strict=True):
        t.user = u
    Trainee.objects.bulk_update(trainees, ["user"])
    Registration.objects.filter(pk__in=[r.pk for r in regs]).update(status="enrolled", training_class=klass,
                                                                    confirmed_at=timezone.now())
    TrainingClass.objects.filter(pk=klass.pk).update(enrolled=TRAINEES)
    tokens = [issue_token(u) for u in users]
    return sessions, tokens


def main():
    env = prepare_environment()
    from django.db import connection

    from lingjun.attendance.models import AttendanceRecord
    from lingjun.attendance.services import make_code
    from lingjun.core.scoping import scopes_disabled

    t0 = time.perf_counter()
    with scopes_disabled():
        sessions, tokens = setup_class()
    print(f"# set-up: {TRAINEES} enrolled trainees in {time.perf_counter() - t0:.1f} s")
    vendor = connection.vendor
    with gunicorn(env, WORKERS) as base:
        def phone(session):
            def tap(i):
                # What the phone sends after scanning the projector: the current code and its device id.
                body = json.dumps({"code": make_code(session.pk), "device": f"bench-phone-{i}"}).encode()
                return call(base, "POST", "/api/v1/checkin", tokens[i], body)
            return tap

        print(f"# check-in — {vendor}, gunicorn {WORKERS} workers × 4 threads, {CLIENTS} concurrent phones, "
              f"{ROUNDS} alternating rounds")
        base_rates, rates, seen = [], [], {}
        for n, session in enumerate(sessions, start=1):
            base_rates.append(run(f"round {n} GET /healthz", lambda i: call(base, "GET", "/healthz"),
                                  TRAINEES, CLIENTS)[0])
            rps, tally = run(f"round {n} POST /api/v1/checkin", phone(session), TRAINEES, CLIENTS)
            rates.append(rps)
            for k, v in tally.statuses.items():
                seen[k] = seen.get(k, 0) + v
    ratio = statistics.median(rates) / statistics.median(base_rates)
    print(f"median: healthz {statistics.median(base_rates):.1f} req/s, check-in {statistics.median(rates):.1f} req/s; "
          f"ratio checkin/healthz = {ratio:.2f} (goal >= 0.5)")
    with scopes_disabled():
        stored = AttendanceRecord.objects.filter(session__in=sessions).count()
        present = AttendanceRecord.objects.filter(session__in=sessions, status="present").count()
    errors = {k: v for k, v in seen.items() if k != "201"}
    expected = TRAINEES * ROUNDS
    print(f"stored={stored} present={present} expected={expected} errors={errors or 'none'}")
    assert stored == expected == seen.get("201", 0), "lost or duplicated check-ins"
    assert not errors, errors


if __name__ == "__main__":
    main()
