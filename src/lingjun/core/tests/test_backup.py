"""`python -m lingjun backup` / `restore`: a backup restored into a fresh database holds exactly what the live one
held, table by table and row by row; restoring over data needs --yes; a wrong file is refused in Chinese."""

from __future__ import annotations

import sqlite3
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from lingjun.core.backup import table_counts
from lingjun.core.tests.test_permission_matrix import fixed_clock, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _live_rows(table: str) -> list[tuple]:
    """Rows as the database stores them (the raw sqlite3 connection: no Django type conversion)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
        return [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cur.fetchall()]


def _snapshot() -> dict[str, list[tuple]]:
    return {t: _live_rows(t) for t in table_counts()}


sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite backup API")
postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs DATABASE_URL=postgres://"
)


@sqlite_only
def test_backup_restored_into_a_fresh_database_is_identical(world, tmp_path):  # noqa: F811
    before = _snapshot()
    assert before["registrations_registration"] and before["certificates_certificate"]
    out = _run("backup", str(tmp_path / "lingjun.sqlite3"))
    assert "已备份到" in out and "行" in out
    out = _run("restore", str(tmp_path / "lingjun.sqlite3"), "--into", str(tmp_path / "fresh.sqlite3"))
    assert "已从" in out
    # read with the type converters Django's own connection uses, so both sides compare the same Python values
    fresh = sqlite3.connect(
        tmp_path / "fresh.sqlite3", detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
    )
    assert table_counts(fresh) == {t: len(rows) for t, rows in before.items()}
    for table, rows in before.items():
        copied = fresh.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
        assert copied == rows, table  # every value, the encrypted ID numbers and certificate PDFs included
    fresh.close()


def test_restoring_over_live_data_needs_yes_and_brings_the_data_back(world, tmp_path):  # noqa: F811
    values = world[0]
    before = _snapshot()
    _run("backup", str(tmp_path / "b.backup"))
    with connection.cursor() as cur:  # an operator's mistake after the backup
        cur.execute("UPDATE registrations_trainee SET name = '误改'")
        cur.execute("DELETE FROM core_auditentry")
    with pytest.raises(CommandError, match="已有数据"):
        _run("restore", str(tmp_path / "b.backup"))
    assert _live_rows("core_auditentry") == []  # refused: nothing touched
    _run("restore", str(tmp_path / "b.backup"), "--yes")
    connection.close()  # PostgreSQL: the restore replaced the tables under this connection
    assert _snapshot() == before
    # and the application reads the restored rows
    from lingjun.registrations.models import Registration

    assert Registration.objects.get(pk=values["registration_id"]).trainee.name != "误改"


def test_a_file_that_is_not_a_backup_is_refused_in_chinese(db, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("这不是备份")
    with pytest.raises(CommandError, match="不是本平台的备份文件"):
        _run("restore", str(junk), "--into", str(tmp_path / "x.sqlite3"))
    with pytest.raises(CommandError, match="备份文件不存在"):
        _run("restore", str(tmp_path / "missing.dump"))


@sqlite_only
def test_a_postgres_dump_is_not_restored_into_sqlite(db, tmp_path):
    dump = tmp_path / "pg.dump"
    dump.write_bytes(b"PGDMP" + b"\0" * 100)
    with pytest.raises(CommandError, match="不能直接恢复"):
        _run("restore", str(dump))


@postgres_only
def test_pg_dump_restored_into_a_fresh_postgres_database_is_identical(world, tmp_path):  # noqa: F811
    import psycopg

    from lingjun.core.backup import _pg_env

    before = table_counts()
    _run("backup", str(tmp_path / "lingjun.dump"))
    env = _pg_env(connection.settings_dict)
    fresh = f"lingjun_restore_{uuid.uuid4().hex[:8]}"
    admin = dict(
        host=env.get("PGHOST"),
        port=env.get("PGPORT"),
        user=env.get("PGUSER"),
        password=env.get("PGPASSWORD"),
        dbname="postgres",
        autocommit=True,
    )
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{fresh}"')
    try:
        auth = env.get("PGUSER", "") + (f":{env['PGPASSWORD']}" if env.get("PGPASSWORD") else "")
        url = f"postgres://{auth}@{env.get('PGHOST', '127.0.0.1')}:{env.get('PGPORT', '5432')}/{fresh}"
        _run("restore", str(tmp_path / "lingjun.dump"), "--into", url)
        with psycopg.connect(**{**admin, "dbname": fresh}) as conn:
            counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in before}
            names = conn.execute("SELECT name FROM registrations_trainee ORDER BY id").fetchall()
        assert counts == before
        assert [n for (n,) in names] == [n for (_, n) in _live_rows_pg_names()]
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}"')


def _live_rows_pg_names():
    with connection.cursor() as cur:
        cur.execute("SELECT id, name FROM registrations_trainee ORDER BY id")
        return cur.fetchall()


def test_an_sqlite_backup_taken_while_another_process_writes_is_consistent(tmp_path):
    """A writer commits pairs of rows (a transfer: one debit, one credit) as fast as it can, in WAL mode like the
    platform's database, while backups are taken: every copy passes the integrity check and holds whole pairs."""
    import threading
    import time

    from lingjun.core.backup import sqlite_copy

    live = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(live)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, pair INTEGER, amount INTEGER)")
    setup.commit()
    setup.close()
    stop = threading.Event()

    def writer():
        conn = sqlite3.connect(live, timeout=30, isolation_level=None)
        pair = 0
        while not stop.is_set():
            pair += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO ledger (pair, amount) VALUES (?, -100)", (pair,))
            conn.execute("INSERT INTO ledger (pair, amount) VALUES (?, 100)", (pair,))
            conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        source = sqlite3.connect(live, timeout=30)
        while source.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == 0:
            time.sleep(0.01)
        copies = []
        for i in range(10):
            counts = sqlite_copy(source, tmp_path / f"copy{i}.sqlite3")
            copies.append(counts["ledger"])
        source.close()
    finally:
        stop.set()
        thread.join()
    assert copies[-1] > copies[0] > 0  # the writer really wrote during the backups
    for i in range(10):
        copy = sqlite3.connect(tmp_path / f"copy{i}.sqlite3")
        rows, total, pairs = copy.execute(
            "SELECT COUNT(*), SUM(amount), COUNT(DISTINCT pair) FROM ledger"
        ).fetchone()
        copy.close()
        assert rows == 2 * pairs and total == 0, (i, rows, total, pairs)  # no half transfer in any copy


def test_rotating_the_field_key_reencrypts_every_id_number_so_the_old_key_can_go(world, settings):  # noqa: F811
    from cryptography.fernet import Fernet

    from lingjun.registrations import identity
    from lingjun.registrations.models import Trainee

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    identity._fernet.cache_clear()
    try:
        numbers = {t.pk: "11010119800101" + f"{t.pk:03d}" for t in Trainee.objects.all()}
        for pk, number in numbers.items():  # every stored number encrypted under the old key
            Trainee.objects.filter(pk=pk).update(id_number_encrypted=identity.encrypt_id(number))
        settings.FIELD_ENCRYPTION_KEY = f"{new},{old}"
        with pytest.raises(CommandError, match="旧密钥"):
            _run("rotate_field_key", "--check")
        out = _run("rotate_field_key", "--batch", "1")
        assert f"已改用新密钥加密 {len(numbers)} 条" in out
        assert "仍由旧密钥加密 0 条" in _run("rotate_field_key", "--check")
        settings.FIELD_ENCRYPTION_KEY = new  # the old key dropped: everything still decrypts
        identity._fernet.cache_clear()
        assert {t.pk: identity.decrypt_id(t.id_number_encrypted) for t in Trainee.objects.all()} == numbers
    finally:
        identity._fernet.cache_clear()
