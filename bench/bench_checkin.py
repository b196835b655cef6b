"""Check-in rush: 800 trainees of 10 classes scan the projector's rotating code within two minutes, against
gunicorn on loopback (the check-in mix of issue #8).

Each phone (a thread of a pool of BENCH_CLIENTS) sends POST /api/v1/checkin with its own bearer token, its own
device id and the code its class's projector shows at that moment (signed, 30-second steps); one trainee in ten
scans twice (the impatient ones), which must answer 200 "already" without a second record. Baseline in the same
run: GET /healthz on the same server and worker settings. Prints requests/s, p50/p95 latency, the statuses seen
(only 201 and the repeat scans' 200 are acceptable), the ratio to /healthz (goal ≥ 0.5) and checks afterwards
that there is exactly one attendance record per trainee (none lost, none duplicated). Uses DATABASE_URL when set
(PostgreSQL), else a throw-away SQLite file:
  .venv/bin/python bench/bench_checkin.py
"""

import concurrent.futures as cf
import datetime
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "src"))
TRAINEES = int(os.environ.get("BENCH_TRAINEES", "800"))
CLASSES = int(os.environ.get("BENCH_CLASSES", "10"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
THREADS = os.environ.get("BENCH_THREADS", "4")
REPEAT_SHARE = 0.1


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def bin_path(name):
    for candidate in (os.path.join(ROOT, ".venv", "bin", name), os.path.join(os.path.dirname(sys.executable), name)):
        if os.path.exists(candidate):
            return candidate
    return name


def setup_world():
    """10 classes in session now, TRAINEES enrolled trainees with a token each (bulk, not under test)."""
    from django.utils import timezone

    from lingjun.accounts.models import User
    from lingjun.accounts.services import issue_token
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.core.scoping import scopes_disabled
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Programme, Quota
    from lingjun.registrations import importer
    from lingjun.registrations.models import Registration, Trainee

    sys.path.insert(0, os.path.dirname(__file__))
    from bench_import import Upload, workbook

    with scopes_disabled():
        year = 2200 + random.randint(0, 700)
        p = Programme.objects.create(year=year, title="checkin", target_trainees=TRAINEES, planned_classes=CLASSES,
                                     registration_deadline=datetime.date(2999, 1, 1), status="open")
        Quota.objects.create(programme=p, region_id="330000", amount=TRAINEES)
        officer, _ = User.objects.get_or_create(username=f"checkin-{year}", defaults={"role": "region",
                                                                                     "region_id": "330000"})
        result = importer.import_workbook(officer, p.pk, Upload(workbook(TRAINEES, seed=year)))
        assert result["created"] == TRAINEES, result["errors"][:3]
        inst = Institution.objects.create(name=f"签到压测学院{year}", kind="university", tracks=["specialized"])
        now = timezone.localtime()
        today = now.date()
        start = max(now - datetime.timedelta(minutes=5), now.replace(hour=0, minute=0, second=0, microsecond=0))
        end = min(now + datetime.timedelta(minutes=60), now.replace(hour=23, minute=59, second=0, microsecond=0))
        sessions = []
        for n in range(CLASSES):
            tc = TrainingClass.objects.create(programme=p, number=n + 1, track="specialized", institution=inst,
                                              city="杭州", start_date=today, end_date=today, capacity=TRAINEES)
            sessions.append(TimetableSession.objects.create(
                training_class=tc, date=today, start=start.time().replace(second=0, microsecond=0),
                end=end.time().replace(second=0, microsecond=0), title="压测课程", topic_id="digital",
                format="lecture"))
        regs = list(Registration.objects.filter(programme=p).order_by("pk"))
        users = User.objects.bulk_create([User(username=f"t{year}-{i}", role="trainee", password="!")
                                          for i in range(len(regs))])
        trainees = list(Trainee.objects.filter(pk__in=[r.trainee_id for r in regs]).order_by("pk"))
        for t, u in zip(trainees, users, strict=True):
            t.user = u
        Trainee.objects.bulk_update(trainees, ["user"])
        by_trainee = {t.pk: u for t, u in zip(trainees, users, strict=True)}
        phones = []
        for i, reg in enumerate(regs):
            session = sessions[i % CLASSES]
            reg.status, reg.training_class_id, reg.confirmed_at = "enrolled", session.training_class_id, now
            phones.append((issue_token(by_trainee[reg.trainee_id]), session.pk, f"phone-{year}-{i}"))
        Registration.objects.bulk_update(regs, ["status", "training_class", "confirmed_at"])
    return p, phones, [s.pk for s in sessions]


def main():
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["LINGJUN_VAR_DIR"] = tempfile.mkdtemp(prefix="lingjun-bench-")
    env["DJANGO_SETTINGS_MODULE"] = "lingjun.settings"
    env["PYTHONPATH"] = os.path.join(ROOT, "src") + os.pathsep + env.get("PYTHONPATH", "")
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "lingjun", "migrate", "-v0"], check=True, env=env)

    import django

    django.setup()
    from django.db import connection

    from lingjun.attendance.models import AttendanceRecord
    from lingjun.attendance.services import make_code
    from lingjun.core.scoping import scopes_disabled

    t0 = time.perf_counter()
    programme, phones, session_ids = setup_world()
    print(f"# check-in rush — {connection.vendor}, {TRAINEES} trainees in {CLASSES} classes, gunicorn {WORKERS} "
          f"workers × {THREADS} threads, {CLIENTS} concurrent phones (setup {time.perf_counter() - t0:.1f} s)")
    connection.close()  # the server's workers own the database from here

    port = free_port()
    server = subprocess.Popen([bin_path("gunicorn"), "lingjun.wsgi", "-b", f"127.0.0.1:{port}", "-w", WORKERS,
                               "--threads", THREADS, "--log-level", "warning"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)

        def call(method, path, token=None, body=None):
            headers = {"Content-Type": "application/json"}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    r.read()
                    status, code = r.status, ""
            except urllib.error.HTTPError as e:
                status, code = e.code, json.loads(e.read() or b"{}").get("code", "")
            return status, code, time.perf_counter() - t0

        def scan(phone):
            token, session_id, device = phone
            body = json.dumps({"code": make_code(session_id), "device": device}).encode()  # what the QR shows now
            return call("POST", "/api/v1/checkin", token, body)

        def run(label, fn, jobs):
            t0 = time.perf_counter()
            with cf.ThreadPoolExecutor(CLIENTS) as pool:
                results = list(pool.map(fn, jobs))
            wall = time.perf_counter() - t0
            lat = sorted(r[2] for r in results)
            seen = {}
            for s, c, _ in results:
                seen[f"{s} {c}".strip()] = seen.get(f"{s} {c}".strip(), 0) + 1
            rps = len(results) / wall
            print(f"{label:<30} {len(results):>5} req in {wall:5.1f} s  {rps:8.1f} req/s  "
                  f"p50 {statistics.median(lat) * 1000:6.1f} ms  p95 {lat[int(len(lat) * 0.95) - 1] * 1000:7.1f} ms  "
                  f"statuses {seen}")
            return rps, seen, wall

        rng = random.Random(3)
        repeats = rng.sample(phones, int(len(phones) * REPEAT_SHARE))
        scans = phones + repeats
        rng.shuffle(scans)
        # the repeat scans must come after the first ones: put each repeat after its first scan
        first_seen, ordered, later = set(), [], []
        for ph in scans:
            (later if ph[2] in first_seen else ordered).append(ph)
            first_seen.add(ph[2])
        jobs = ordered + later
        # Warm-up, not timed: every worker imports the URLconf and the API lazily on its first requests.
        with cf.ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(lambda j: call("GET", "/healthz" if j % 2 else "/api/v1/users/me"), range(400)))
        base_rps, _, _ = run("GET /healthz (baseline)", lambda _j: call("GET", "/healthz"), range(len(jobs)))
        rps, seen, wall = run("POST /checkin (800 phones)", scan, jobs)
        print(f"ratio checkin/healthz = {rps / base_rps:.2f}  (goal ≥ 0.5); {TRAINEES} trainees checked in within "
              f"{wall:.1f} s (goal: 120 s)")
        with scopes_disabled():
            records = AttendanceRecord.objects.filter(session_id__in=session_ids)
            stored, distinct = records.count(), records.values("registration_id").distinct().count()
        unexpected = {k: v for k, v in seen.items() if k not in ("201", "200")}
        print(f"attendance records={stored} distinct trainees={distinct} 201={seen.get('201', 0)} "
              f"200(repeat)={seen.get('200', 0)} errors={unexpected or 'none'}")
        assert stored == distinct == TRAINEES == seen.get("201", 0), "lost or duplicated check-ins"
        assert seen.get("200", 0) == len(repeats) and not unexpected, unexpected
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
