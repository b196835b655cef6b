"""Load reference data from the CSV files beside this module. Used by a data migration (so every database,
test databases included, has it) and by `python -m lingjun load_reference` (to apply edited files)."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _dec(value: str):
    return Decimal(value) if value not in (None, "") else None


def load_all(get_model) -> dict[str, int]:
    """`get_model(label)` is `apps.get_model` in migrations and django.apps.apps.get_model elsewhere."""
    counts = {}
    Region = get_model("reference", "Region")
    rows = read_csv("regions.csv")
    for row in rows:  # parents first: the file lists provinces before their separately-listed cities
        Region.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "kind": row["kind"],
                "parent_id": row["parent_code"] or None,
            },
        )
    counts["regions"] = len(rows)

    IndustrySection = get_model("reference", "IndustrySection")
    rows = read_csv("industry_sections.csv")
    for row in rows:
        lo, _, hi = row["divisions"].partition("-")
        IndustrySection.objects.update_or_create(
            section=row["section"],
            defaults={"name": row["name"], "division_from": int(lo), "division_to": int(hi or lo)},
        )
    counts["industry_sections"] = len(rows)

    Topic = get_model("reference", "Topic")
    rows = read_csv("topics.csv")
    for i, row in enumerate(rows):
        Topic.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "name_en": row["name_en"], "sort": i + 1}
        )
    counts["topics"] = len(rows)

    Qualification = get_model("reference", "Qualification")
    rows = read_csv("qualifications.csv")
    for row in rows:
        # Only create: names the bureau has since edited in the platform are kept.
        Qualification.objects.get_or_create(
            code=row["code"],
            defaults={"name": row["name"], "sort": int(row["sort"]), "active": row["active"] == "1"},
        )
    counts["qualifications"] = len(rows)

    SizeStandard = get_model("reference", "SizeStandard")
    SizeSector = get_model("reference", "SizeSector")
    n = 0
    for path in sorted(DATA_DIR.glob("sme_size_*.csv")):
        version = path.stem.removeprefix("sme_size_")
        with open(path, encoding="utf-8") as fh:
            description = "\n".join(line[1:].strip() for line in fh if line.startswith("#"))
        standard, _ = SizeStandard.objects.update_or_create(
            version=version, defaults={"source_file": path.name, "description": description}
        )
        for row in read_csv(path.name):
            SizeSector.objects.update_or_create(
                standard=standard,
                sector=row["sector"],
                defaults={
                    "name": row["name"],
                    "prefixes": row["prefixes"],
                    "measure_a": row["measure_a"],
                    "measure_b": row["measure_b"],
                    "sme_a_lt": _dec(row["sme_a_lt"]),
                    "sme_b_lt": _dec(row["sme_b_lt"]),
                    "medium_a_ge": _dec(row["medium_a_ge"]),
                    "medium_b_ge": _dec(row["medium_b_ge"]),
                    "small_a_ge": _dec(row["small_a_ge"]),
                    "small_b_ge": _dec(row["small_b_ge"]),
                },
            )
        n += 1
    counts["size_standards"] = n
    return counts
