"""Backups that can be restored: a consistent online copy of the whole database, and its restore.

SQLite: the sqlite3 online backup API copies the database page by page under a read snapshot, so the copy is
consistent while gunicorn keeps serving (a plain `cp` of a WAL database can tear). PostgreSQL: `pg_dump` in
custom format (one consistent snapshot, compressed), restored with `pg_restore` in one transaction.
The resident ID numbers stay encrypted in the copy: restoring needs the same LINGJUN_FIELD_KEY.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from .errors import DomainError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(DomainError):
    status = 500
    code = "backup_failed"


@dataclass
class Result:
    path: Path
    engine: str
    seconds: float
    size: int
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError("unsupported_database", f"不支持备份此类数据库：{vendor}。")
    return vendor


def table_counts(conn=None) -> dict[str, int]:
    """Rows per table of the Django database (or of an sqlite3 connection), for comparing a copy."""
    if conn is not None:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
    with connection.cursor() as cur:
        names = sorted(connection.introspection.table_names(cur))
        counts = {}
        for n in names:
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(n)}")
            counts[n] = cur.fetchone()[0]
    return counts


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore from PATH, else the newest Debian cluster's binaries."""
    found = shutil.which(name)
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: [int(x) for x in Path(p).parts[-3].split(".") if x.isdigit()],
    )
    if candidates:  # prefer the newest server tools: pg_dump must not be older than the server
        return candidates[-1]
    if found:
        return found
    raise BackupError(
        "tool_missing", f"找不到 {name}。请安装 PostgreSQL 客户端（如 apt-get install postgresql-client）。"
    )


def _pg_env(settings_dict: dict) -> dict:
    env = dict(os.environ)
    mapping = {
        "HOST": "PGHOST",
        "PORT": "PGPORT",
        "USER": "PGUSER",
        "PASSWORD": "PGPASSWORD",
        "NAME": "PGDATABASE",
    }
    for key, var in mapping.items():
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    return env


def _pg_settings_from_url(url: str) -> dict:
    import dj_database_url

    return dj_database_url.parse(url)


def backup(target: str | os.PathLike) -> Result:
    """Write a consistent copy of the whole database to `target` (atomically: a partial file never appears)."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    kind = engine()
    started = time.perf_counter()
    fd, tmp = tempfile.mkstemp(prefix=".lingjun-backup-", dir=target.parent)
    os.close(fd)
    try:
        if kind == "sqlite":
            connection.ensure_connection()
            tables = sqlite_copy(connection.connection, tmp)
        else:
            env = _pg_env(connection.settings_dict)
            run = subprocess.run(
                [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", tmp],
                env=env,
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                raise BackupError(detail="pg_dump 失败：" + run.stderr.strip()[-500:])
            tables = table_counts()
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Result(target, kind, time.perf_counter() - started, target.stat().st_size, tables)


def _open_sqlite(*args, **kwargs) -> sqlite3.Connection:
    """A plain sqlite3 connection that understands the schema: CHECK constraints written with Django's
    `__regex` lookup call REGEXP(), which SQLite leaves to the application (Django registers its own)."""
    from django.db.backends.sqlite3._functions import _sqlite_regexp

    conn = sqlite3.connect(*args, **kwargs)
    conn.create_function("REGEXP", 2, _sqlite_regexp, deterministic=True)
    return conn


def sqlite_copy(source: sqlite3.Connection, target) -> dict[str, int]:
    """Copy `source` into the file `target` under one read snapshot; check it; → rows per table.

    One step: with WAL, writers go on meanwhile, and a stepwise copy would restart from scratch each time
    another connection wrote between steps."""
    dest = _open_sqlite(target)
    try:
        source.backup(dest)
        check = dest.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(detail=f"备份副本完整性检查未通过：{check}")
        return table_counts(dest)
    finally:
        dest.close()


def backup_kind(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        "not_a_backup",
        "该文件不是本平台的备份文件（既非 SQLite 数据库，也非 pg_dump 自定义格式）。",
        status=422,
    )


def restore(source: str | os.PathLike, into: str | None = None, *, allow_overwrite: bool = False) -> Result:
    """Restore a backup into the configured database, or `into` (an SQLite file path or a postgres:// URL of an
    existing, empty database) for a restore drill that leaves production alone. Refuses to overwrite a database
    that has data unless `allow_overwrite`."""
    source = Path(source).resolve()
    if not source.is_file():
        raise BackupError("not_found", f"备份文件不存在：{source}", status=422)
    kind = backup_kind(source)
    target_kind = (
        ("postgresql" if into.startswith(("postgres://", "postgresql://")) else "sqlite")
        if into
        else engine()
    )
    if kind != target_kind:
        raise BackupError(
            "wrong_engine", f"备份文件来自 {kind}，而目标数据库是 {target_kind}，不能直接恢复。", status=422
        )
    started = time.perf_counter()
    if kind == "sqlite":
        src = _open_sqlite(f"file:{source}?mode=ro", uri=True)
        try:
            if into:
                dest = _open_sqlite(into)
            else:
                connection.ensure_connection()
                dest = connection.connection
            try:
                if not allow_overwrite and any(table_counts(dest).values()):
                    raise BackupError(
                        "target_not_empty", "目标数据库已有数据。确认用备份覆盖，请加 --yes。", status=409
                    )
                src.backup(dest)
                tables = table_counts(dest)
            finally:
                if into:
                    dest.close()
        finally:
            src.close()
        size = Path(into).stat().st_size if into else source.stat().st_size
    else:
        settings_dict = _pg_settings_from_url(into) if into else connection.settings_dict
        env = _pg_env(settings_dict)
        if not allow_overwrite and _pg_has_tables(env):
            raise BackupError(
                "target_not_empty", "目标数据库已有数据。确认用备份覆盖，请加 --yes。", status=409
            )
        run = subprocess.run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                env["PGDATABASE"],
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise BackupError(detail="pg_restore 失败：" + run.stderr.strip()[-500:])
        tables = _pg_counts(env) if into else table_counts()
        size = source.stat().st_size
    return Result(
        Path(into) if into and kind == "sqlite" else source, kind, time.perf_counter() - started, size, tables
    )


def _pg_connect(env: dict):
    import psycopg

    return psycopg.connect(
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        dbname=env["PGDATABASE"],
        autocommit=True,
    )


def _pg_has_tables(env: dict) -> bool:
    with _pg_connect(env) as conn:
        return conn.execute("SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public')").fetchone()[
            0
        ]


def _pg_counts(env: dict) -> dict[str, int]:
    with _pg_connect(env) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}
