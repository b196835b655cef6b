"""附件2 quota workbook: the platform's export path against bare XlsxWriter, in the same process.

platform  `lingjun.programmes.exports.quota_sheet(programme)` (reads the 37 quota rows from the database)
          + `lingjun.core.exports.build_xlsx` (title, styles, formula-injection guard, print set-up) —
          exactly what GET /programmes/<id>/quotas.xlsx and /api/v1/programmes/<id>/quotas.xlsx do.
baseline  the same 39 rows (header, 37 regions, total) written with bare XlsxWriter from a list that is
          already in memory: the least any export of this sheet can cost.

Run by scripts/bench.sh (`make bench`) on a throw-away, migrated SQLite database. BENCH_RUNS sets the
number of workbooks built per side (default 200).
"""

from __future__ import annotations

import io
import os
import statistics
import time

RUNS = int(os.environ.get("BENCH_RUNS", "200"))
ROUNDS = 5  # the two sides alternate, RUNS / ROUNDS workbooks at a time, so drift hits both alike
YEAR = 2099


def bench_programme():
    """A programme with uneven quotas for all 37 regions (created once; re-runs reuse it)."""
    from lingjun.accounts.models import User
    from lingjun.programmes import services
    from lingjun.programmes.models import Programme
    from lingjun.reference.models import Region

    bureau, _ = User.objects.get_or_create(username="bench-bureau", defaults={"role": "bureau"})
    programme = Programme.objects.filter(year=YEAR).first() or services.create_programme(
        bureau,
        {
            "year": YEAR,
            "title": f"{YEAR}年中小企业经营管理领军人才培训（基准测试）",
            "notice_number": "基准〔2099〕1号",
            "target_trainees": 800,
            "registration_deadline": f"{YEAR}-08-31",
            "planned_classes": 10,
        },
    )
    codes = list(Region.objects.order_by("code").values_list("code", flat=True))
    services.set_quotas(
        bureau, programme.pk, services.propose_quotas(800, {c: i + 1 for i, c in enumerate(codes)})
    )
    return programme


def bare_xlsx(header, rows, total_row) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("附件2")
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, 1):
        ws.write_row(r, 0, row)
    ws.write_row(len(rows) + 1, 0, total_row)
    wb.close()
    return buffer.getvalue()


def read_back(data: bytes) -> list[list]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("附件2").to_python()


def per_call_ms(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) * 1000 / n


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lingjun.settings")
    import django

    django.setup()
    from lingjun.core.exports import build_xlsx
    from lingjun.core.scoping import scopes_disabled
    from lingjun.programmes.exports import quota_sheet

    with scopes_disabled():
        programme = bench_programme()
        sheet = quota_sheet(programme)
        rows = [list(r) for r in sheet.rows]
        header, total_row = list(sheet.headers), list(sheet.total_row)

        def platform():
            return build_xlsx([quota_sheet(programme)])

        def baseline():
            return bare_xlsx(header, rows, total_row)

        # Same content: the platform's sheet below its title and subtitle equals the bare one.
        ours, bare = read_back(platform()), read_back(baseline())
        assert len(rows) == 37 and len(bare) == 39, (len(rows), len(bare))
        assert ours[2 : 2 + len(bare)] == bare, "the two workbooks differ in content"

        for _ in range(10):  # warm-up: imports, query compilation, allocator
            platform(), baseline()
        batch = max(1, RUNS // ROUNDS)
        p_ms, b_ms, q_ms, x_ms = [], [], [], []
        for _ in range(ROUNDS):
            p_ms.append(per_call_ms(platform, batch))
            b_ms.append(per_call_ms(baseline, batch))
            q_ms.append(per_call_ms(lambda: quota_sheet(programme), batch))
            x_ms.append(per_call_ms(lambda: build_xlsx([sheet]), batch))

    p, b = statistics.median(p_ms), statistics.median(b_ms)
    q, x = statistics.median(q_ms), statistics.median(x_ms)
    print(
        f"附件2 quota workbook: 37 regions + header + total; {batch * ROUNDS} workbooks per side "
        f"in {ROUNDS} alternating rounds, median of rounds"
    )
    print(
        f"  platform  quota_sheet + build_xlsx        {p:8.3f} ms per workbook  ({len(platform()):,} bytes)"
    )
    print(
        f"  baseline  bare XlsxWriter, same 39 rows   {b:8.3f} ms per workbook  ({len(baseline()):,} bytes)"
    )
    print(f"    of which  quota_sheet alone             {q:8.3f} ms (database read of the 37 quotas)")
    print(f"              build_xlsx alone              {x:8.3f} ms (the same Sheet, already built)")
    print(f"  ratio     platform / baseline             {p / b:8.2f}")


if __name__ == "__main__":
    main()
