"""Fast multi-row INSERT for bulk imports: one `executemany` per table, values converted once per column
kind rather than through the ORM's per-value machinery (5–10x faster for tens of thousands of rows).
Only for plain columns (no signals, no auto_now): callers fill every value themselves."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models


def _memo(convert):
    """Imports write the same timestamp (and the same small lists) on every row: convert each value once."""
    cache: dict = {}

    def run(value):
        try:
            key = (value.__class__, tuple(value) if isinstance(value, list) else value)
            hit = cache.get(key, cache)
        except TypeError:  # unhashable (a dict, a list of lists): convert every time
            return convert(value)
        if hit is cache:
            hit = cache[key] = convert(value)
        return hit

    return run


def _converter(field: models.Field):
    conv = _raw_converter(field)
    return _memo(conv) if conv is not None else None


def _raw_converter(field: models.Field):
    ops = connection.ops
    if isinstance(field, models.JSONField):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        md, dp = field.max_digits, field.decimal_places
        return lambda v: ops.adapt_decimalfield_value(v, md, dp)
    return None


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence], batch: int = 2000
) -> int:
    """INSERT `rows` (values in `fields` order; FK fields by attname, e.g. "region_id") into `model`'s table."""
    meta = model._meta
    cols, convs = [], []
    for name in fields:
        f = meta.get_field(name[:-3] if name.endswith("_id") and not _has(meta, name) else name)
        cols.append(connection.ops.quote_name(f.column))
        convs.append(_converter(f))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({', '.join(cols)}) "
        f"VALUES ({', '.join(['%s'] * len(cols))})"
    )
    return _execute_many(sql, convs, rows, batch)


def _execute_many(sql: str, convs: list, rows: Iterable[Sequence], batch: int) -> int:
    """Run `sql` once per row (converted to database values column by column), `batch` rows per executemany."""
    plan = [(i, c) for i, c in enumerate(convs) if c is not None]
    n = 0
    chunk: list = []
    with connection.cursor() as cursor:
        for row in rows:
            if plan:
                row = list(row)
                for i, conv in plan:
                    row[i] = conv(row[i])
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                n += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            n += len(chunk)
    return n


def _has(meta, name: str) -> bool:
    try:
        meta.get_field(name)
        return True
    except Exception:  # noqa: BLE001
        return False


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence], batch: int = 2000
) -> int:
    """UPDATE many rows by primary key: each row is the values of `fields` followed by the pk. One
    `executemany` instead of Django's bulk_update CASE expressions (which grow quadratically slow)."""
    meta = model._meta
    sets, convs = [], []
    for name in fields:
        f = meta.get_field(name[:-3] if name.endswith("_id") and not _has(meta, name) else name)
        sets.append(f"{connection.ops.quote_name(f.column)} = %s")
        convs.append(_converter(f))
    sql = (
        f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {', '.join(sets)} "
        f"WHERE {connection.ops.quote_name(meta.pk.column)} = %s"
    )
    return _execute_many(sql, convs + [None], rows, batch)
