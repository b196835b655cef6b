"""附件4 import: generated workbooks of 2,000 and 50,000 rows, validation and storage included.

Baseline, in the same process: openpyxl in read-only mode merely reading every cell of the same file.
Prints seconds, rows/s and the ratio ours / baseline (goal: ≤ 1.0, and 2,000 rows under 2 s).
Run through `make bench` (a throw-away database) or directly:
  LINGJUN_VAR_DIR=$(mktemp -d) .venv/bin/python -m lingjun migrate && .venv/bin/python bench/bench_import.py
"""

import datetime
import io
import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lingjun.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.db import connection  # noqa: E402

from lingjun.accounts.models import User  # noqa: E402
from lingjun.core.scoping import scopes_disabled  # noqa: E402
from lingjun.programmes.models import Programme, Quota  # noqa: E402
from lingjun.registrations import fakes, importer  # noqa: E402
from lingjun.registrations.models import Registration  # noqa: E402

SIZES = [int(s) for s in os.environ.get("BENCH_IMPORT_SIZES", "2000,50000").split(",")]


def workbook(n: int, seed: int) -> bytes:
    return fakes.workbook(n, random.Random(seed), "330000")


def openpyxl_read(data: bytes) -> int:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = 0
    for row in wb["附件4"].iter_rows(values_only=True):
        cells += len(row)
    wb.close()
    return cells


class Upload(io.BytesIO):
    name = "bench.xlsx"


def main():
    with scopes_disabled():
        year = 2100 + random.Random().randint(0, 800)
        programme = Programme.objects.create(
            year=year,
            title="bench",
            target_trainees=100000,
            registration_deadline=datetime.date(2999, 1, 1),
            planned_classes=10,
            status="open",
        )
        Quota.objects.create(programme=programme, region_id="330000", amount=1_000_000)
        user, _ = User.objects.get_or_create(
            username="bench-region", defaults={"role": "region", "region_id": "330000"}
        )
        print(f"# import benchmark — database: {connection.vendor}")
        for n in SIZES:
            data = workbook(n, seed=n)
            t0 = time.perf_counter()
            cells = openpyxl_read(data)
            base = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = importer.import_workbook(user, programme.pk, Upload(data), mode="partial")
            ours = time.perf_counter() - t0
            assert result["created"] == n and not result["errors"], result["errors"][:3]
            t0 = time.perf_counter()
            again = importer.import_workbook(user, programme.pk, Upload(data), mode="partial")
            repeat = time.perf_counter() - t0
            assert again["created"] == 0 and again["unchanged"] == n
            stored = Registration.objects.filter(programme=programme).count()
            print(
                f"rows={n:>6}  file={len(data) / 1e6:.1f} MB  openpyxl read-only read ({cells} cells): {base:.2f} s  "
                f"our import: {ours:.2f} s ({n / ours:,.0f} rows/s)  ratio={ours / base:.2f}  "
                f"re-upload (all unchanged): {repeat:.2f} s  stored={stored}"
            )
            Registration.objects.filter(programme=programme).delete()
            Quota.objects.filter(programme=programme).update(used=0)


if __name__ == "__main__":
    main()
