"""National history (issue #7): the dashboard, the first archive page and an enterprise page, measured at two
sizes of history, against GET /healthz in the same process.

data       BENCH_SIZES registrations in total (default "10000,100000"): a current programme of BENCH_CURRENT
           (default 2,000) registrations, the rest spread over the ten earlier years. 80 % of the history was
           placed in classes of 50 (26 timetable sessions each) and has one attendance row per session —
           2 million rows at 100,000 registrations; most of those completed and hold a certificate; one
           enterprise in ten has three yearly operation reports and a service record. Written with
           core.bulk.insert_rows (executemany), grown from the small size to the large one in the same
           database so the second measurement sees the first history plus the new one.
measured   through Django's test client (middleware, session auth, scoping, JSON/HTML rendering):
             stats            GET /api/v1/programmes/{current}/stats        (centre)
             stats-history    GET /api/v1/programmes/{an earlier year}/stats (centre; that year grows)
             archive          GET /api/v1/alumni?limit=30                   (centre, whole nation)
             archive-region   GET /api/v1/alumni?limit=30                   (a region officer)
             archive-search   GET /api/v1/alumni?q=<enterprise name part>   (centre)
             archive-page     GET /alumni/                                  (centre, the HTML page)
             enterprise       GET /enterprises/{credit_code}/               (centre, the HTML page with charts)
             enterprise-list  GET /enterprises/                             (a region officer, 企业跟踪 page)
baseline   GET /healthz through the same client.
Prints, per size, the median of BENCH_REPEAT (default 7) requests for each, the ratio to the baseline, and
at the end the ratio large / small for each endpoint (flat = close to 1). Goal: each under 300 ms.

  scripts/bench.sh bench/bench_history.py
  BENCH_SIZES=2000,10000 scripts/bench.sh bench/bench_history.py      # quick
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import time

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
CURRENT = int(os.environ.get("BENCH_CURRENT", "2000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
CLASS_SIZE = 50
SESSIONS = 26  # 4 days of 6-7 sessions: 100,000 registrations → ~2 million attendance rows
FIRST_YEAR = 1990  # in the past (sessions have ended), far from any real or test programme year
YEARS = 10
CURRENT_YEAR = FIRST_YEAR + YEARS


class History:
    """Grows the national history in place; remembers counters between sizes."""

    def __init__(self):
        from lingjun.institutions.models import Institution
        from lingjun.programmes.models import Programme, Quota
        from lingjun.reference.models import Qualification, Region, SizeStandard

        self.rng = random.Random(1990)
        self.regions = list(Region.objects.order_by("code").values_list("code", flat=True))
        self.qualifications = list(Qualification.objects.values_list("code", flat=True))
        self.standard = SizeStandard.objects.order_by("version").last().pk
        self.institution, _ = Institution.objects.get_or_create(
            name="历史基准大学", defaults={"kind": "university"}
        )
        self.programmes = {}
        for year in range(FIRST_YEAR, CURRENT_YEAR + 1):
            p, _ = Programme.objects.get_or_create(
                year=year,
                defaults={
                    "title": f"{year}年中小企业经营管理领军人才培训",
                    "target_trainees": 2000,
                    "planned_classes": 40,
                    "min_manufacturing_share": "0.300",
                    "registration_deadline": datetime.date(year, 8, 31),
                    "status": "open" if year == CURRENT_YEAR else "archived",
                },
            )
            self.programmes[year] = p
            Quota.objects.bulk_create(
                [Quota(programme=p, region_id=r, amount=0) for r in self.regions], ignore_conflicts=True
            )
        self.n = 0
        self.class_numbers = {year: 0 for year in self.programmes}
        self.open_class = {}  # year -> (class id, seats taken, [session ids])
        self.sample_enterprise = None
        self.search_term = None

    def _class_for(self, year):
        from lingjun.classes.models import TimetableSession, TrainingClass

        current = self.open_class.get(year)
        if current and current[1] < CLASS_SIZE:
            self.open_class[year] = (current[0], current[1] + 1, current[2])
            return current[0], current[2]
        self.class_numbers[year] += 1
        number = self.class_numbers[year]
        start = datetime.date(year, 3, 1) + datetime.timedelta(days=(number * 5) % 270)
        tc = TrainingClass.objects.create(
            programme=self.programmes[year],
            number=number,
            track="specialized",
            institution=self.institution,
            city=self.rng.choice(["杭州", "成都", "武汉"]),
            start_date=start,
            end_date=start + datetime.timedelta(days=3),
            capacity=CLASS_SIZE,
            enrolled=0,
            status="open" if year == CURRENT_YEAR else "finished",
        )
        sessions = [
            TimetableSession(
                training_class=tc,
                date=start + datetime.timedelta(days=i // 5),
                start=datetime.time(8 + 2 * (i % 5)),
                end=datetime.time(9 + 2 * (i % 5)),
                title=f"专题{i + 1}",
                topic_id="digital",
                format="lecture",
            )
            for i in range(SESSIONS)
        ]
        TimetableSession.objects.bulk_create(sessions)
        ids = list(
            TimetableSession.objects.filter(training_class=tc).order_by("id").values_list("id", flat=True)
        )
        self.open_class[year] = (tc.pk, 1, ids)
        return tc.pk, ids

    def grow(self, total: int) -> dict:
        """Add registrations (and their people, enterprises, attendance, certificates, reports) up to `total`."""
        from lingjun.alumni.models import OperationReport, ServiceRecord
        from lingjun.attendance.models import AttendanceRecord
        from lingjun.certificates.models import Certificate
        from lingjun.classes.models import TrainingClass
        from lingjun.core.bulk import insert_rows
        from lingjun.registrations import fakes
        from lingjun.registrations.importer import ENTERPRISE_FIELDS
        from lingjun.registrations.models import Enterprise, Registration, Trainee

        rng = self.rng
        now = datetime.datetime.now(datetime.UTC)
        start = self.n
        current_have = Registration.objects.filter(programme=self.programmes[CURRENT_YEAR]).count()
        ents, people, regs, atts, reports, services, quals = [], [], [], [], [], [], []
        for k in range(start, total):
            in_current = current_have < CURRENT  # the current programme first, then the earlier years
            current_have += in_current
            year = CURRENT_YEAR if in_current else FIRST_YEAR + k % YEARS
            region = self.regions[k % len(self.regions)]
            manufacturing = rng.random() < 0.6
            division = (
                rng.choice(["39", "34", "26", "27", "36", "18"])
                if manufacturing
                else rng.choice(["65", "51", "72"])
            )
            name = f"{rng.choice(fakes.PLACE)}{rng.choice(fakes.PLACE)}{rng.choice(fakes.TRADE)}有限公司{k}"
            ents.append(
                (
                    f"HIST{k:014d}",
                    name,
                    region,
                    "某市某区某路1号",
                    division,
                    rng.randint(20, 290),
                    rng.randint(500, 30000),
                    rng.randint(500, 30000),
                    rng.choice(["small", "medium", "micro"]),
                    self.standard,
                    manufacturing,
                    now,
                )
            )
            people.append(
                (
                    fakes.person_name(rng),
                    rng.choice("MF"),
                    "汉族",
                    datetime.date(1975, 1, 1),
                    "bench",
                    f"hist{k:060d}",
                    "110************1",
                    "群众",
                    "本科",
                    "董事长",
                    "13800000000",
                    "h@example.cn",
                    now,
                )
            )
            if year == CURRENT_YEAR:
                status = rng.choice(["submitted", "approved", "approved", "enrolled", "enrolled"])
            else:
                status = rng.choices(["completed", "not_completed", "withdrawn", "rejected"], [75, 5, 12, 8])[
                    0
                ]
            regs.append([year, k, region, status])
        insert_rows(Enterprise, ["credit_code", *ENTERPRISE_FIELDS], ents)
        insert_rows(
            Trainee,
            [
                "name",
                "gender",
                "ethnicity",
                "birth_date",
                "id_number_encrypted",
                "id_number_hash",
                "id_number_masked",
                "political_status",
                "education",
                "position",
                "mobile",
                "email",
                "updated_at",
            ],
            people,
        )
        ent_ids = dict(
            Enterprise.objects.filter(credit_code__startswith="HIST").values_list("credit_code", "id")
        )
        person_ids = dict(
            Trainee.objects.filter(id_number_hash__startswith="hist").values_list("id_number_hash", "id")
        )
        reg_rows = []
        seated = {}
        for year, k, region, status in regs:
            class_id, sessions = (
                self._class_for(year)
                if status in ("enrolled", "completed", "not_completed")
                else (None, None)
            )
            if class_id:
                seated[class_id] = seated.get(class_id, 0) + 1
            ent = ent_ids[f"HIST{k:014d}"]
            reg_rows.append(
                (
                    self.programmes[year].pk,
                    person_ids[f"hist{k:060d}"],
                    ent,
                    region,
                    status,
                    status not in ("withdrawn", "rejected"),
                    True,
                    "",
                    [],
                    True,
                    True,
                    True,
                    now,
                    now,
                    now,
                    "",
                    False,
                    [],
                    "bench",
                    now,
                    now,
                    class_id,
                    "",
                )
            )
            if sessions:
                atts.append((k, sessions, 4 if status == "not_completed" else 0))
            if k % 10 == 0 and status in ("completed", "not_completed"):
                for j in range(3):
                    reports.append(
                        (
                            ent,
                            region,
                            str(year + j + 1)[:4],
                            rng.randint(500, 40000),
                            rng.randint(20, 300),
                            rng.randint(10, 2000),
                            rng.randint(0, 40),
                            None,
                            None,
                            "",
                            now,
                        )
                    )
                services.append((ent, region, datetime.date(year, 12, 1), "financing", "银企对接", "", now))
            if k % 3 == 0:
                quals.append((ent, rng.choice(self.qualifications)))
        insert_rows(
            Registration,
            [
                "programme_id",
                "trainee_id",
                "enterprise_id",
                "region_id",
                "status",
                "holds_seat",
                "is_principal",
                "principal_justification",
                "preferred_classes",
                "declared_voluntary",
                "declared_no_bad_record",
                "declared_fit",
                "confirmed_at",
                "submitted_at",
                "reviewed_at",
                "review_note",
                "is_retraining",
                "warnings",
                "source",
                "created_at",
                "updated_at",
                "training_class_id",
                "placement_note",
            ],
            reg_rows,
        )
        reg_ids = dict(
            Registration.objects.filter(enterprise__credit_code__startswith="HIST").values_list(
                "enterprise_id", "id"
            )
        )
        insert_rows(Enterprise.qualifications.through, ["enterprise_id", "qualification_id"], quals)
        k_to_reg = {k: reg_ids[ent_ids[f"HIST{k:014d}"]] for _, k, _, _ in regs}
        insert_rows(
            AttendanceRecord,
            [
                "registration_id",
                "session_id",
                "status",
                "source",
                "checked_in_at",
                "device_id",
                "reason",
                "updated_at",
            ],
            (
                (
                    k_to_reg[k],
                    sid,
                    "absent" if i < absent else ("late" if i % 17 == 5 else "present"),
                    "qr",
                    now,
                    "",
                    "",
                    now,
                )
                for k, sessions, absent in atts
                for i, sid in enumerate(sessions)
            ),
            batch=5000,
        )
        for class_id, n in seated.items():
            TrainingClass.objects.filter(pk=class_id).update(
                enrolled=TrainingClass.objects.get(pk=class_id).enrolled + n
            )
        completed = Registration.objects.filter(
            status="completed", id__in=list(k_to_reg.values())
        ).values_list("id", "training_class_id", "programme__year")
        cert_rows = []
        for rid, cid, year in completed:
            cert_rows.append(
                (
                    f"H{year}-{rid:07d}",
                    rid,
                    cid,
                    rid,
                    {},
                    b"",
                    "x",
                    "s",
                    "1",
                    datetime.date(year, 12, 1),
                    now,
                    "",
                )
            )
        insert_rows(
            Certificate,
            [
                "number",
                "registration_id",
                "training_class_id",
                "sequence",
                "data",
                "pdf",
                "pdf_sha256",
                "signature",
                "template_version",
                "issued_on",
                "issued_at",
                "revoke_reason",
            ],
            cert_rows,
        )
        insert_rows(
            OperationReport,
            [
                "enterprise_id",
                "region_id",
                "period",
                "revenue",
                "employees",
                "rnd_spend",
                "patents",
                "export_revenue",
                "financing",
                "note",
                "created_at",
            ],
            reports,
        )
        insert_rows(
            ServiceRecord,
            ["enterprise_id", "region_id", "date", "kind", "description", "outcome", "created_at"],
            services,
        )
        self.n = total
        if self.sample_enterprise is None:
            # An enterprise with reports when there are any (tiny histories may have none): the page to time.
            sample = (
                Enterprise.objects.get(pk=reports[0][0])
                if reports
                else Enterprise.objects.filter(credit_code__startswith="HIST").order_by("pk").first()
            )
            if sample is not None:
                self.sample_enterprise, self.search_term = sample.credit_code, sample.name[:4]
        return {
            "registrations": Registration.objects.count(),
            "attendance": AttendanceRecord.objects.count(),
            "certificates": Certificate.objects.count(),
            "reports": OperationReport.objects.count(),
        }


def _median_ms(client, url, params=None, repeat=REPEAT):
    times = []
    for _ in range(repeat + 1):  # the first one warms caches and is dropped
        t0 = time.perf_counter()
        r = client.get(url, params or {})
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.content[:300])
    return statistics.median(times[1:])


def main() -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lingjun.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from lingjun.accounts.models import User
    from lingjun.core.scoping import scopes_disabled

    settings.ALLOWED_HOSTS = ["*"]
    with scopes_disabled():
        history = History()
        centre, _ = User.objects.get_or_create(username="history-centre", defaults={"role": "centre"})
        officer, _ = User.objects.get_or_create(
            username="history-region", defaults={"role": "region", "region_id": "330000"}
        )
    centre_client, region_client = Client(), Client()
    centre_client.force_login(centre)
    region_client.force_login(officer)
    current = history.programmes[CURRENT_YEAR].pk
    earlier = history.programmes[CURRENT_YEAR - 1].pk
    print(
        f"database: {connection.vendor}; sizes {SIZES}; current programme {CURRENT} registrations; "
        f"median of {REPEAT} requests"
    )
    results = {}
    for size in SIZES:
        t0 = time.perf_counter()
        with scopes_disabled():
            counts = history.grow(size)
        with connection.cursor() as cursor:
            # What autovacuum does to a settled database: statistics for the planner and, on PostgreSQL, the
            # visibility map that lets counts be answered from an index alone.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        print(
            f"\n-- {counts['registrations']:,} registrations, {counts['attendance']:,} attendance rows, "
            f"{counts['certificates']:,} certificates, {counts['reports']:,} reports "
            f"(generated in {time.perf_counter() - t0:.1f} s)"
        )
        figures = {
            "baseline /healthz": _median_ms(centre_client, "/healthz"),
            "stats": _median_ms(centre_client, f"/api/v1/programmes/{current}/stats"),
            "stats-history": _median_ms(centre_client, f"/api/v1/programmes/{earlier}/stats"),
            "archive": _median_ms(centre_client, "/api/v1/alumni", {"limit": 30}),
            "archive-region": _median_ms(region_client, "/api/v1/alumni", {"limit": 30}),
            "archive-search": _median_ms(
                centre_client, "/api/v1/alumni", {"q": history.search_term, "limit": 30}
            ),
            "archive-page": _median_ms(centre_client, "/alumni/"),
            "enterprise": _median_ms(centre_client, f"/enterprises/{history.sample_enterprise}/"),
            "enterprise-list": _median_ms(region_client, "/enterprises/"),
        }
        base = figures["baseline /healthz"]
        for name, ms in figures.items():
            print(f"{name:18s} {ms:8.1f} ms   ratio to baseline {ms / base:7.1f}")
        results[size] = figures
    if len(SIZES) >= 2:
        small, large = SIZES[0], SIZES[-1]
        print(f"\n-- growth {large:,} / {small:,} registrations (×{large / small:.0f}): ratio of medians")
        for name in results[small]:
            print(f"{name:18s} {results[large][name] / results[small][name]:6.2f}")


if __name__ == "__main__":
    main()
