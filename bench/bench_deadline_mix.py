"""The August deadline mix (issue #8): many regions importing and submitting at once while the centre reviews,
against gunicorn on loopback.

BENCH_REGIONS region officers (default 30) each upload one 附件4 workbook of BENCH_IMPORT_ROWS rows (40) and
submit BENCH_SINGLES single registrations (20) through the API; meanwhile the centre lists the submitted
registrations page by page and rejects one in four (a rejection frees the quota seat; two review pages can
show the same registration, so a second rejection of it is an expected 409 invalid_transition). All jobs are shuffled
into one queue served by BENCH_CLIENTS concurrent clients (40). Baseline in the same run: GET /healthz on the
same server and worker settings (after a warm-up). Prints per kind: requests/s, p50/p95, statuses; then checks
that no registration was lost or duplicated (stored = 201s + rows the imports reported created) and that every
region's quota `used` equals the registrations holding a seat. Uses DATABASE_URL when set (PostgreSQL), else a
throw-away SQLite file:
  .venv/bin/python bench/bench_deadline_mix.py
"""

import concurrent.futures as cf
import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "src"))
sys.path.insert(0, os.path.dirname(__file__))
REGIONS = int(os.environ.get("BENCH_REGIONS", "30"))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "40"))
SINGLES = int(os.environ.get("BENCH_SINGLES", "20"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "40"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
THREADS = os.environ.get("BENCH_THREADS", "4")
REVIEW_PAGES = int(os.environ.get("BENCH_REVIEW_PAGES", "60"))


def region_workbook(region: str, n: int, seed: int) -> bytes:
    """A 附件4 workbook of `n` valid rows for `region` (the layout of bench_import.workbook)."""
    import xlsxwriter

    from lingjun.registrations import fakes
    from lingjun.registrations.sheet import HEADERS

    rng = random.Random(seed)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("附件4")
    ws.write_row(0, 0, HEADERS)
    for i in range(1, n + 1):
        p = fakes.registration_payload(rng, region)
        t, e = p["trainee"], p["enterprise"]
        ws.write_row(i, 0, [i, t["name"], "", t["ethnicity"], t["id_number"], t["political_status"], t["education"],
                            t["position"], "是", "", t["mobile"], t["email"], e["name"], e["credit_code"],
                            e["industry_division"], e["employees"], e["revenue"], e["total_assets"], "",
                            e["address"], "3、5", "是", "是", "是"])
    wb.close()
    return buf.getvalue()


def multipart(fields: dict, file_name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
              "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode())
    out.write(data + f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def main():
    from bench_checkin import bin_path, free_port

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

    from lingjun.accounts.models import User
    from lingjun.accounts.services import issue_token
    from lingjun.core.scoping import scopes_disabled
    from lingjun.programmes.models import Programme, Quota
    from lingjun.reference.models import Region
    from lingjun.registrations import fakes
    from lingjun.registrations.models import SEAT_STATUSES, Registration

    with scopes_disabled():
        year = 2200 + random.randint(0, 700)
        p = Programme.objects.create(year=year, title="deadline", target_trainees=100000, planned_classes=10,
                                     registration_deadline=datetime.date(2999, 1, 1), status="open")
        codes = sorted(Region.objects.values_list("code", flat=True))[:REGIONS]
        Quota.objects.bulk_create([Quota(programme=p, region_id=c, amount=IMPORT_ROWS + SINGLES) for c in codes])
        officers = {c: issue_token(User.objects.create(username=f"dl-{year}-{c}", role="region", region_id=c))
                    for c in codes}
        centre = issue_token(User.objects.create(username=f"dl-{year}-centre", role="centre"))
    jobs = []
    for i, c in enumerate(codes):
        body, ctype = multipart({"mode": "partial"}, f"{c}.xlsx", region_workbook(c, IMPORT_ROWS, seed=year * 100 + i))
        jobs.append(("import", "POST", f"/api/v1/programmes/{p.pk}/registrations/import", officers[c], body, ctype))
        rng = random.Random(year * 1000 + i)
        for _ in range(SINGLES):
            single = json.dumps(fakes.registration_payload(rng, c)).encode()
            jobs.append(("submit", "POST", f"/api/v1/programmes/{p.pk}/registrations", officers[c], single,
                         "application/json"))
    for page in range(REVIEW_PAGES):
        jobs.append(("review", "GET", f"/api/v1/programmes/{p.pk}/registrations?status=submitted&limit=20"
                     f"&offset={(page % 10) * 20}", centre, None, None))
    random.Random(1).shuffle(jobs)
    vendor = connection.vendor
    connection.close()

    port = free_port()
    server = subprocess.Popen([bin_path("gunicorn"), "lingjun.wsgi", "-b", f"127.0.0.1:{port}", "-w", WORKERS,
                               "--threads", THREADS, "--timeout", "120", "--log-level", "warning"], env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    rejected = []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)

        def call(method, path, token=None, body=None, ctype=None):
            headers = {"Content-Type": ctype} if ctype else {}
            if token:
                headers["Authorization"] = f"Bearer {token}"
            req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    data, status, code = r.read(), r.status, ""
            except urllib.error.HTTPError as e:
                data = e.read()
                status, code = e.code, (json.loads(data or b"{}").get("code", "") if data[:1] == b"{" else "")
            return status, code, time.perf_counter() - t0, data

        def job(j):
            kind, method, path, token, body, ctype = j
            status, code, took, data = call(method, path, token, body, ctype)
            results = [(kind, status, code, took, data)]
            if kind == "review" and status == 200:
                items = json.loads(data)["items"]
                for item in items[::4]:  # the centre refuses one in four it opens
                    s, c, t, d = call("POST", f"/api/v1/registrations/{item['id']}/reject", centre,
                                      json.dumps({"reason": "不符合条件"}).encode(), "application/json")
                    results.append(("reject", s, c, t, d))
                    if s == 200:
                        rejected.append(item["id"])
            return results

        def report(label, results, wall):
            lat = sorted(r[3] for r in results)
            seen = {}
            for r in results:
                key = f"{r[1]} {r[2]}".strip()
                seen[key] = seen.get(key, 0) + 1
            p95 = lat[max(int(len(lat) * 0.95) - 1, 0)]
            print(f"{label:<26} {len(results):>5} req  {len(results) / wall:8.1f} req/s  "
                  f"p50 {statistics.median(lat) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  statuses {seen}")
            return seen

        with cf.ThreadPoolExecutor(CLIENTS) as pool:  # warm-up, not timed
            list(pool.map(lambda k: call("GET", "/healthz" if k % 2 else "/api/v1/users/me"), range(400)))
        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(CLIENTS) as pool:
            health = list(pool.map(lambda k: ("healthz", *call("GET", "/healthz")[:3], b""), range(1000)))
        base_wall = time.perf_counter() - t0
        print(f"# deadline mix — {vendor}, gunicorn {WORKERS} workers × {THREADS} threads, {CLIENTS} clients, "
              f"{REGIONS} regions × ({IMPORT_ROWS}-row import + {SINGLES} submissions), centre reviewing")
        report("GET /healthz (baseline)", health, base_wall)
        t0 = time.perf_counter()
        with cf.ThreadPoolExecutor(CLIENTS) as pool:
            results = [r for rs in pool.map(job, jobs) for r in rs]
        wall = time.perf_counter() - t0
        print(f"mix: {len(results)} requests in {wall:.1f} s = {len(results) / wall:.1f} req/s "
              f"(ratio to /healthz {len(results) / wall / (1000 / base_wall):.2f})")
        seen = {}
        for kind in ("import", "submit", "review", "reject"):
            part = [r for r in results if r[0] == kind]
            if part:
                seen[kind] = report(f"  {kind}", part, wall)
        created_rows = sum(json.loads(r[4])["created"] for r in results if r[0] == "import" and r[1] == 200)
        created_single = seen["submit"].get("201", 0)
        with scopes_disabled():
            stored = Registration.objects.filter(programme=p).count()
            mismatched = [(q.region_id, q.used, Registration.objects.filter(
                programme=p, region_id=q.region_id, status__in=SEAT_STATUSES).count())
                for q in Quota.objects.filter(programme=p)]
            mismatched = [m for m in mismatched if m[1] != m[2]]
            rejected_stored = Registration.objects.filter(pk__in=rejected, status="rejected").count()
        errors = {k: {s: n for s, n in v.items() if not s.startswith(("200", "201"))} for k, v in seen.items()}
        errors = {k: v for k, v in errors.items() if v}
        print(f"stored={stored}  = submitted 201s {created_single} + imported rows {created_rows}; "
              f"rejected {len(rejected)} (stored as rejected: {rejected_stored}); quota mismatches: "
              f"{mismatched or 'none'}; non-2xx: {errors or 'none'}")
        assert stored == created_single + created_rows, "lost or duplicated registrations"
        assert not mismatched and rejected_stored == len(rejected)
        assert not any(s.startswith("5") for v in errors.values() for s in v), errors
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
