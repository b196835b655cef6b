"""Registration API under 50 concurrent clients on loopback, against gunicorn (the `make run` server).

Baseline in the same run: GET /healthz on the same server and worker settings. Prints requests/s, p50/p95
latency, the status codes seen (only 201 and the expected 409 quota_exceeded are acceptable), and checks
afterwards that the stored registrations equal the 201s and never exceed the quota (no lost or duplicated
registration). Uses DATABASE_URL when set (PostgreSQL), else a throw-away SQLite file.
  .venv/bin/python bench/bench_registration_load.py
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
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1000"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
QUOTA = int(os.environ.get("BENCH_QUOTA", "900"))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["LINGJUN_VAR_DIR"] = tempfile.mkdtemp(prefix="lingjun-bench-")
    env["DJANGO_SETTINGS_MODULE"] = "lingjun.settings"
    os.environ.update(env)
    py = os.path.join(ROOT, ".venv", "bin", "python")
    subprocess.run([py, "-m", "lingjun", "migrate", "-v0"], check=True, env=env)

    import django

    django.setup()
    from django.db import connection

    from lingjun.accounts.models import User
    from lingjun.accounts.services import issue_token
    from lingjun.core.scoping import scopes_disabled
    from lingjun.programmes.models import Programme, Quota
    from lingjun.registrations import fakes
    from lingjun.registrations.models import Registration

    with scopes_disabled():
        year = 2200 + random.randint(0, 700)
        p = Programme.objects.create(year=year, title="load", target_trainees=1000, planned_classes=10,
                                     registration_deadline=datetime.date(2999, 1, 1), status="open")
        Quota.objects.create(programme=p, region_id="330000", amount=QUOTA)
        user, _ = User.objects.get_or_create(username=f"load-{year}", defaults={"role": "region", "region_id": "330000"})
        token = issue_token(user)
    vendor = connection.vendor
    connection.close()

    port = free_port()
    server = subprocess.Popen([os.path.join(ROOT, ".venv", "bin", "gunicorn"), "lingjun.wsgi", "-b", f"127.0.0.1:{port}",
                               "-w", WORKERS, "--threads", "4", "--log-level", "warning"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        rng = random.Random(7)
        bodies = [json.dumps(fakes.registration_payload(rng, "330000")).encode() for _ in range(REQUESTS)]

        def call(method, path, body=None):
            req = urllib.request.Request(base + path, data=body, method=method, headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    r.read()
                    status, code = r.status, ""
            except urllib.error.HTTPError as e:
                status, code = e.code, json.loads(e.read() or b"{}").get("code", "")
            return status, code, time.perf_counter() - t0

        def run(label, jobs):
            t0 = time.perf_counter()
            with cf.ThreadPoolExecutor(CLIENTS) as pool:
                results = list(pool.map(lambda j: call(*j), jobs))
            wall = time.perf_counter() - t0
            lat = sorted(r[2] for r in results)
            seen = {}
            for s, c, _ in results:
                seen[f"{s} {c}".strip()] = seen.get(f"{s} {c}".strip(), 0) + 1
            rps = len(results) / wall
            print(f"{label:<26} {len(results):>5} req  {rps:8.1f} req/s  p50 {statistics.median(lat) * 1000:6.1f} ms  "
                  f"p95 {lat[int(len(lat) * 0.95) - 1] * 1000:7.1f} ms  statuses {seen}")
            return rps, seen

        print(f"# registration load — {vendor}, gunicorn {WORKERS} workers × 4 threads, {CLIENTS} concurrent clients")
        base_rps, _ = run("GET /healthz (baseline)", [("GET", "/healthz")] * REQUESTS)
        reg_rps, seen = run("POST registrations", [("POST", f"/api/v1/programmes/{p.pk}/registrations", b)
                                                   for b in bodies])
        print(f"ratio registrations/healthz = {reg_rps / base_rps:.2f}")
        unexpected = {k: v for k, v in seen.items() if k not in ("201", "409 quota_exceeded")}
        with scopes_disabled():
            stored = Registration.objects.filter(programme=p).count()
            used = Quota.objects.get(programme=p, region_id="330000").used
        created = seen.get("201", 0)
        print(f"stored={stored} created(201)={created} quota={QUOTA} used={used} unexpected={unexpected or 'none'}")
        assert stored == created == used <= QUOTA, "lost or duplicated registrations"
        assert not unexpected, unexpected
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
