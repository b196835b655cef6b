"""Completion certificates: 2,000 PDFs issued through the platform, against fpdf2 drawing the same text on a
blank page, in the same process.

platform   `lingjun.certificates.services.issue_for_class` for 20 classes of 100 completed trainees: sequence
           allocation under the class lock, frozen data, signature, QR code, the A4 certificate (frame, title,
           wrapped body, embedded Noto Sans CJK SC subset), the PDF stored in the database, one audit entry
           each — exactly what POST /api/v1/classes/<id>/certificates does.
render     `lingjun.certificates.pdf.render` alone on the same 2,000 frozen records (no database).
baseline   the same strings (name, body, enterprise, issuer, number, date) put on a blank A4 page with fpdf2
           and the same embedded CJK font machinery (`fonts.use_cjk_font` + `fonts.output`): the least any
           certificate PDF with this library and font can cost.
plain      for scale: fpdf2 used the ordinary way — `add_font()` of the system's Noto CJK collection in every
           document — on a few documents (BENCH_PLAIN, default 3), extrapolated.

One name in 25 uses CJK Extension B characters (𠀋, 𠮷, ...); after the run a sample PDF is checked with
pdftotext. Goal: ≥ 100 certificates/s. Run by scripts/bench.sh (`make bench`) on a throw-away SQLite database;
BENCH_CERTS sets the number of certificates (default 2000).
"""

from __future__ import annotations

import datetime
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

N = int(os.environ.get("BENCH_CERTS", "2000"))
PER_CLASS = 100
PLAIN = int(os.environ.get("BENCH_PLAIN", "3"))
YEAR = 2097
RARE = ["𠀋", "𠮷", "𡈼", "𠳐", "𨱑", "𠜎"]


def setup_data():
    """A programme with ceil(N / 100) classes of 100 completed registrations (bulk-created, fake people)."""
    from lingjun.accounts.models import User
    from lingjun.classes.models import TrainingClass
    from lingjun.institutions.models import Institution
    from lingjun.programmes.models import Programme
    from lingjun.reference.models import Region, SizeStandard
    from lingjun.registrations import fakes
    from lingjun.registrations.models import Enterprise, Registration, Trainee

    rng = random.Random(2097)
    centre, _ = User.objects.get_or_create(username="bench-centre", defaults={"role": "centre"})
    programme, _ = Programme.objects.get_or_create(
        year=YEAR,
        defaults={
            "title": f"{YEAR}年中小企业经营管理领军人才培训",
            "target_trainees": N,
            "planned_classes": 30,
            "registration_deadline": datetime.date(YEAR, 8, 31),
            "status": "open",
        },
    )
    if Registration.objects.filter(programme=programme).exists():
        return centre, list(TrainingClass.objects.filter(programme=programme).order_by("number"))
    institution, _ = Institution.objects.get_or_create(name="基准测试大学", defaults={"kind": "university"})
    standard = SizeStandard.objects.first()
    regions = list(Region.objects.order_by("code").values_list("code", flat=True))
    classes = []
    start = datetime.date(YEAR, 3, 2)
    for i in range((N + PER_CLASS - 1) // PER_CLASS):
        classes.append(
            TrainingClass.objects.create(
                programme=programme,
                number=i + 1,
                track=rng.choice(["regional", "specialized", "integration"]),
                institution=institution,
                city=rng.choice(["杭州", "北京", "成都", "深圳", "武汉", "西安"]),
                start_date=start + datetime.timedelta(days=7 * i),
                end_date=start + datetime.timedelta(days=7 * i + 3),
                capacity=PER_CLASS,
                status="finished",
            )
        )
    enterprises, trainees = [], []
    for k in range(N):
        region = rng.choice(regions)
        p = fakes.registration_payload(rng, region)
        name = p["trainee"]["name"]
        if k % 25 == 0:
            name = name[0] + "".join(rng.sample(RARE, 2))
        enterprises.append(
            Enterprise(
                credit_code=f"CERT{k:014d}",  # its own prefix: make bench shares one database
                name=p["enterprise"]["name"],
                region_id=region,
                industry_division="39",
                employees=100,
                revenue=5000,
                total_assets=5000,
                size_class="small",
                size_standard=standard,
                is_manufacturing=True,
            )
        )
        trainees.append(
            Trainee(
                name=name,
                gender="M",
                birth_date=datetime.date(1980, 1, 1),
                id_number_encrypted="bench",
                id_number_hash=f"bench{k:059d}",
                id_number_masked="110************1",
                position="董事长",
                mobile="13800000000",
                email="bench@example.cn",
            )
        )
    Enterprise.objects.bulk_create(enterprises, batch_size=500)
    Trainee.objects.bulk_create(trainees, batch_size=500)
    enterprises = list(Enterprise.objects.filter(credit_code__startswith="CERT").order_by("credit_code"))
    trainees = list(Trainee.objects.filter(id_number_hash__startswith="bench").order_by("id_number_hash"))
    Registration.objects.bulk_create(
        [
            Registration(
                programme=programme,
                trainee=t,
                enterprise=e,
                region_id=e.region_id,
                status="completed",
                holds_seat=True,
                training_class=classes[k // PER_CLASS],
                confirmed_at=datetime.datetime.now(datetime.UTC),
            )
            for k, (t, e) in enumerate(zip(trainees, enterprises, strict=True))
        ],
        batch_size=500,
    )
    return centre, classes


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def blank_page(data: dict) -> bytes:
    """Baseline: the certificate's strings on a blank page, same library, same embedded font."""
    from fpdf import FPDF

    from lingjun.certificates import fonts, pdf

    doc = FPDF(orientation="L", unit="mm", format="A4")
    doc.add_page()
    family = fonts.use_cjk_font(doc)
    doc.set_font(family, size=15)
    y = 20
    for text in (
        "结业证书",
        data["name"],
        pdf.body_text(data),
        data["enterprise"],
        data["issuer"],
        pdf.cn_date(data["issued_on"]),
        data["number"],
    ):
        doc.text(20, y, text)
        y += 12
    return fonts.output(doc)


def plain_fpdf2(data: dict) -> bytes:
    """fpdf2 the ordinary way: add_font() of the system collection in every document."""
    from fpdf import FPDF

    from lingjun.certificates import fonts, pdf

    path, index = fonts.font_source()
    doc = FPDF(orientation="L", unit="mm", format="A4")
    doc.add_page()
    doc.add_font("cjk", fname=str(path), collection_font_number=index)
    doc.set_font("cjk", size=15)
    y = 20
    for text in (
        "结业证书",
        data["name"],
        pdf.body_text(data),
        data["enterprise"],
        data["issuer"],
        pdf.cn_date(data["issued_on"]),
        data["number"],
    ):
        doc.text(20, y, text)
        y += 12
    return bytes(doc.output())


def main() -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lingjun.settings")
    import django

    django.setup()
    from lingjun.certificates import fonts, pdf, services
    from lingjun.certificates.models import Certificate
    from lingjun.core.scoping import scopes_disabled

    with scopes_disabled():
        t0 = time.perf_counter()
        centre, classes = setup_data()
        t_setup = time.perf_counter() - t0
        Certificate.objects.filter(training_class__programme__year=YEAR).update(superseded_by=None)
        Certificate.objects.filter(training_class__programme__year=YEAR).delete()

        t0 = time.perf_counter()
        face = fonts.face()
        t_face = time.perf_counter() - t0
        t0 = time.perf_counter()
        face.warm(pdf.FIXED_TEXT)
        t_warm = time.perf_counter() - t0

        # 1. The platform: issue for every class (cold glyph cache for names and enterprises).
        k0 = _children_cpu()
        c0, t0 = time.process_time(), time.perf_counter()
        issued = 0
        for tc in classes:
            issued += len(
                services.issue_for_class(centre, tc.pk, base_url="https://lingjun.example.cn")["issued"]
            )
        t_issue, c_issue = time.perf_counter() - t0, time.process_time() - c0
        k_issue = _children_cpu() - k0
        assert issued == N, issued
        records = list(
            Certificate.objects.filter(training_class__programme__year=YEAR)
            .order_by("id")
            .values_list("data", flat=True)
        )
        sizes = list(
            Certificate.objects.filter(training_class__programme__year=YEAR).values_list("pdf", flat=True)[
                :200
            ]
        )

        # 2. Rendering alone, and 3. the blank-page baseline, alternating halves so drift hits both alike.
        half = len(records) // 2
        t_render = t_blank = c_render = c_blank = 0.0
        for part in (records[:half], records[half:]):
            c0, t0 = time.process_time(), time.perf_counter()
            for data in part:
                pdf.render(data)
            t_render += time.perf_counter() - t0
            c_render += time.process_time() - c0
            c0, t0 = time.process_time(), time.perf_counter()
            for data in part:
                blank_page(data)
            t_blank += time.perf_counter() - t0
            c_blank += time.process_time() - c0

        # 4. fpdf2 the plain way, on a few documents.
        t_plain = None
        if PLAIN:
            t0 = time.perf_counter()
            for data in records[:PLAIN]:
                plain_fpdf2(data)
            t_plain = (time.perf_counter() - t0) / PLAIN

        sample = next(d for d in records if any(c in d["name"] for c in RARE))
        sample_pdf = bytes(Certificate.objects.get(number=sample["number"]).pdf)

    extracted = "pdftotext not installed"
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(sample_pdf)
            f.flush()
            text = subprocess.run(
                ["pdftotext", f.name, "-"], capture_output=True, text=True, check=True
            ).stdout
        extracted = "yes" if sample["name"] in text else "NO"

    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    n = len(records)
    avg_kb = sum(len(bytes(p)) for p in sizes) / len(sizes) / 1024
    print(
        f"Completion certificates: {n} PDFs (A4 landscape, ~{avg_kb:.0f} KB each, Noto Sans CJK SC embedded), "
        f"{len(classes)} classes; {os.cpu_count()} CPUs, load average {load:.1f} at the end"
    )
    print(
        f"  one-time   parse the CJK face {t_face:6.2f} s, convert the template's glyphs {t_warm:5.2f} s "
        f"(setup of the {n} registrations: {t_setup:.1f} s)"
    )
    print(
        f"  platform   issue_for_class, stored + audited   {n / t_issue:8.1f} certificates/s  "
        f"({t_issue:6.2f} s wall, {1000 * (c_issue + k_issue) / n:5.2f} ms CPU each: "
        f"{1000 * c_issue / n:.2f} request process + {1000 * k_issue / n:.2f} drawing processes)"
    )
    print(
        f"  render     pdf.render only                     {n / t_render:8.1f} certificates/s  "
        f"({t_render:6.2f} s wall, {1000 * c_render / n:5.2f} ms CPU each)"
    )
    print(
        f"  baseline   same text, blank page, same font    {n / t_blank:8.1f} documents/s     "
        f"({t_blank:6.2f} s wall, {1000 * c_blank / n:5.2f} ms CPU each)"
    )
    print(
        f"  ratio      render / baseline {t_render / t_blank:5.2f}   platform / baseline {t_issue / t_blank:5.2f}   "
        f"(CPU time: {c_render / c_blank:.2f} and {(c_issue + k_issue) / c_blank:.2f})"
    )
    if t_plain:
        print(
            f"  plain      fpdf2 add_font() of the .ttc per document: {t_plain:6.2f} s each "
            f"= {1 / t_plain:6.2f} documents/s; {n} would take {n * t_plain / 60:5.1f} min "
            f"(platform is {t_plain * n / t_issue:5.0f}x faster)"
        )
    print(f"  check      Extension B name {sample['name']!r} extracted by pdftotext: {extracted}")
    goal = n / t_issue >= 100
    print(f"  goal       ≥ 100 certificates/s through the platform: {'met' if goal else 'NOT met'}")


if __name__ == "__main__":
    main()
