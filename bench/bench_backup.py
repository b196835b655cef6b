"""`backup` and `restore` of a national-scale database: 20,000 registrations (several years of the programme)
imported through the 附件4 importer, with their trainees, enterprises and audit entries.

Baseline, in the same process: SQLite — copying the database file with shutil.copyfile (what `cp` would do, but
not consistent under writes); PostgreSQL — `pg_dump --format=plain` to /dev/null (dumping without compression or
custom-format bookkeeping). Prints seconds, MB, the ratio ours / baseline, and checks that the restored copy has
the same row count in every table. Uses DATABASE_URL when set, else the throw-away SQLite database of
scripts/bench.sh:
  scripts/bench.sh bench/bench_backup.py
  DATABASE_URL=postgres://... .venv/bin/python bench/bench_backup.py   (migrated database)
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from bench_import import Upload, workbook  # noqa: E402  (sets up Django)
from django.db import connection  # noqa: E402

from lingjun.accounts.models import User  # noqa: E402
from lingjun.core import backup  # noqa: E402
from lingjun.core.scoping import scopes_disabled  # noqa: E402
from lingjun.programmes.models import Programme, Quota  # noqa: E402
from lingjun.registrations import importer  # noqa: E402

ROWS = int(os.environ.get("BENCH_BACKUP_ROWS", "20000"))


def populate():
    import datetime

    with scopes_disabled():
        user, _ = User.objects.get_or_create(
            username="bench-backup", defaults={"role": "region", "region_id": "330000"}
        )
        per_year = 4000
        for i, start in enumerate(range(0, ROWS, per_year)):
            n = min(per_year, ROWS - start)
            programme = Programme.objects.create(
                year=2400 + i + int(time.time()) % 500,
                title="bench",
                target_trainees=100000,
                planned_classes=10,
                status="open",
                registration_deadline=datetime.date(2999, 1, 1),
            )
            Quota.objects.create(programme=programme, region_id="330000", amount=1_000_000)
            result = importer.import_workbook(user, programme.pk, Upload(workbook(n, seed=start + 7)))
            assert result["created"] == n, result["errors"][:3]


def main():
    t0 = time.perf_counter()
    populate()
    print(
        f"# backup benchmark — database: {connection.vendor}; {ROWS} registrations imported in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    counts = backup.table_counts()
    print(f"tables={len(counts)} rows={sum(counts.values())}")
    work = Path(tempfile.mkdtemp(prefix="lingjun-bench-backup-"))
    try:
        if connection.vendor == "sqlite":
            db_file = Path(connection.settings_dict["NAME"])
            t0 = time.perf_counter()
            shutil.copyfile(db_file, work / "copy.sqlite3")
            base = time.perf_counter() - t0
            result = backup.backup(work / "lingjun.sqlite3")
            restored = backup.restore(work / "lingjun.sqlite3", str(work / "fresh.sqlite3"))
            base_label = "copyfile"
        else:
            env = backup._pg_env(connection.settings_dict)
            t0 = time.perf_counter()
            subprocess.run(
                [backup.pg_tool("pg_dump"), "--format=plain", "--file", os.devnull], env=env, check=True
            )
            base = time.perf_counter() - t0
            result = backup.backup(work / "lingjun.dump")
            fresh = f"lingjun_bench_restore_{uuid.uuid4().hex[:6]}"
            admin = {**env, "PGDATABASE": "postgres"}
            with backup._pg_connect(admin) as conn:
                conn.execute(f'CREATE DATABASE "{fresh}"')
            try:
                s = connection.settings_dict
                url = f"postgres://{s['USER']}{':' + s['PASSWORD'] if s.get('PASSWORD') else ''}@{s['HOST']}:{s['PORT']}/{fresh}"
                restored = backup.restore(work / "lingjun.dump", url)
            finally:
                with backup._pg_connect(admin) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')
            base_label = "pg_dump plain to /dev/null"
        same = restored.tables == result.tables
        print(
            f"backup:  {result.seconds:.2f} s  {result.size / 1e6:.1f} MB  ({result.rows} rows)  "
            f"baseline {base_label}: {base:.2f} s  ratio={result.seconds / base:.2f}"
        )
        print(
            f"restore: {restored.seconds:.2f} s into a fresh database  ratio={restored.seconds / base:.2f}  "
            f"row counts identical: {same}"
        )
        assert same
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
