"""Check-in rush: 800 trainees of 10 classes scan the projector's rotating code within two minutes, against
gunicorn on loopback (issue #5's speed goal, issue #8's check-in mix).

Each phone (a thread of a pool of BENCH_CLIENTS) sends POST /api/v1/checkin with its own bearer token, its own
device id and the code its class's projector shows at that moment (signed, 30-second steps); one trainee in ten
scans twice (the impatient ones), which must answer 200 "already" without a second record. Baseline: GET /healthz
on the same server and worker settings, alternating with the check-in over BENCH_ROUNDS rounds (one session per
class and round); the medians are compared, because on a shared two-core machine single runs swing widely.
Prints requests/s, p50/p95, statuses (only 201 and the repeats' 200 are acceptable), the ratio (goal ≥ 0.5) and
checks afterwards that there is exactly one attendance record per trainee and session (none lost or duplicated).
Uses DATABASE_URL when set (PostgreSQL), else a throw-away SQLite file:
  .venv/bin/python bench/bench_checkin.py
"""

import datetime
import json
import os
import random
import statistics
import time

from loopback import call, gunicorn, prepare_environment, run

TRAINEES = int(os.environ.get("BENCH_TRAINEES", "800"))
CLASSES = int(os.environ.get("BENCH_CLASSES", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REPEAT_SHARE = 0.1


def setup_world():
    """CLASSES classes each with ROUNDS sessions happening now; TRAINEES enrolled trainees with a token each
    (bulk, not under test) → (phones [(token, class index, device)], sessions[round][class] ids)."""
    from django.utils import timezone

    from lingjun.accounts.models import User
    from lingjun.accounts.services import issue_token
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Programme, Quota
    from lingjun.registrations import fakes, importer
    from lingjun.registrations.models import Registration, Trainee

    class Upload(__import__("io").BytesIO):
        name = "checkin.xlsx"

    year = 2200 + random.randint(0, 700)
    p = Programme.objects.create(
        year=year,
        title="checkin",
        target_trainees=TRAINEES,
        planned_classes=CLASSES,
        registration_deadline=datetime.date(2999, 1, 1),
        status="open",
    )
    Quota.objects.create(programme=p, region_id="330000", amount=TRAINEES)
    officer = User.objects.create(username=f"checkin-{year}", role="region", region_id="330000")
    result = importer.import_workbook(officer, p.pk, Upload(fakes.workbook(TRAINEES, random.Random(year))))
    assert result["created"] == TRAINEES, result["errors"][:3]
    inst = Institution.objects.create(name=f"签到压测学院{year}", kind="university", tracks=["specialized"])
    now = timezone.localtime()
    today = now.date()
    start = max(now - datetime.timedelta(minutes=5), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(now + datetime.timedelta(minutes=60), now.replace(hour=23, minute=59, second=0, microsecond=0))
    classes = [
        TrainingClass.objects.create(
            programme=p,
            number=n + 1,
            track="specialized",
            institution=inst,
            city="杭州",
            start_date=today,
            end_date=today,
            capacity=TRAINEES,
        )
        for n in range(CLASSES)
    ]
    sessions = [
        [
            TimetableSession.objects.create(
                training_class=tc,
                date=today,
                start=start.time().replace(second=0, microsecond=0),
                end=end.time().replace(second=0, microsecond=0),
                title=f"压测课程{r + 1}",
                topic_id="digital",
                format="lecture",
            ).pk
            for tc in classes
        ]
        for r in range(ROUNDS)
    ]
    regs = list(Registration.objects.filter(programme=p).order_by("pk"))
    users = User.objects.bulk_create(
        [User(username=f"t{year}-{i}", role="trainee", password="!") for i in range(len(regs))]
    )
    trainees = list(Trainee.objects.filter(pk__in=[r.trainee_id for r in regs]).order_by("pk"))
    for t, u in zip(trainees, users, strict=True):
        t.user = u
    Trainee.objects.bulk_update(trainees, ["user"])
    by_trainee = {t.pk: u for t, u in zip(trainees, users, strict=True)}
    phones = []
    for i, reg in enumerate(regs):
        reg.status, reg.training_class_id, reg.confirmed_at = "enrolled", classes[i % CLASSES].pk, now
        phones.append((issue_token(by_trainee[reg.trainee_id]), i % CLASSES, f"phone-{year}-{i}"))
    Registration.objects.bulk_update(regs, ["status", "training_class", "confirmed_at"])
    return phones, sessions


def main():
    env = prepare_environment()
    from django.db import connection

    from lingjun.attendance.models import AttendanceRecord
    from lingjun.attendance.services import make_code
    from lingjun.core.scoping import scopes_disabled

    t0 = time.perf_counter()
    with scopes_disabled():
        phones, sessions = setup_world()
    print(
        f"# check-in rush — {connection.vendor}, {TRAINEES} trainees in {CLASSES} classes, gunicorn {WORKERS} "
        f"workers × 4 threads, {CLIENTS} concurrent phones, {ROUNDS} rounds (setup {time.perf_counter() - t0:.1f} s)"
    )
    rng = random.Random(3)
    repeats = rng.sample(phones, int(len(phones) * REPEAT_SHARE))
    jobs = rng.sample(phones, len(phones)) + repeats  # every repeat comes after all first scans
    base_rates, rates, walls, seen = [], [], [], {}
    with gunicorn(env, WORKERS) as base:
        for r in range(ROUNDS):

            def scan(i, r=r):
                token, klass, device = jobs[i]
                session = sessions[r][klass]
                body = json.dumps(
                    {"code": make_code(session), "device": device}
                ).encode()  # what the QR shows now
                return call(base, "POST", "/api/v1/checkin", token, body)

            base_rates.append(
                run(
                    f"round {r + 1} GET /healthz", lambda i: call(base, "GET", "/healthz"), len(jobs), CLIENTS
                )[0]
            )
            t1 = time.perf_counter()
            rps, tally = run(f"round {r + 1} POST /checkin", scan, len(jobs), CLIENTS)
            walls.append(time.perf_counter() - t1)
            rates.append(rps)
            for k, v in tally.statuses.items():
                seen[k] = seen.get(k, 0) + v
    ratio = statistics.median(rates) / statistics.median(base_rates)
    print(
        f"median: healthz {statistics.median(base_rates):.1f} req/s, check-in {statistics.median(rates):.1f} req/s; "
        f"ratio checkin/healthz = {ratio:.2f} (goal ≥ 0.5); {TRAINEES} trainees checked in within "
        f"{max(walls):.1f} s at most (goal: 120 s)"
    )
    all_sessions = [s for per_round in sessions for s in per_round]
    with scopes_disabled():
        records = AttendanceRecord.objects.filter(session_id__in=all_sessions)
        stored = records.count()
        distinct = records.values("registration_id", "session_id").distinct().count()
    unexpected = {k: v for k, v in seen.items() if k not in ("201", "200")}
    print(
        f"attendance records={stored} distinct (trainee, session)={distinct} 201={seen.get('201', 0)} "
        f"200(repeat)={seen.get('200', 0)} errors={unexpected or 'none'}"
    )
    assert stored == distinct == TRAINEES * ROUNDS == seen.get("201", 0), "lost or duplicated check-ins"
    assert seen.get("200", 0) == len(repeats) * ROUNDS and not unexpected, unexpected


if __name__ == "__main__":
    main()
