"""Enterprise size class by 《中小企业划型标准规定》, read from the versioned standard (SizeStandard rows).

The standard's rule, per sector: an enterprise is an SME when measure A is below its SME ceiling OR
measure B is below its ceiling (single-measure sectors: A only). Among SMEs: medium when A and B reach the
medium floors, small when they reach the small floors, otherwise micro. The sector is the one whose
GB/T 4754 code prefix is the longest match for the enterprise's industry code; "*" matches anything."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

SIZE_LABELS = {"medium": "中型", "small": "小型", "micro": "微型", "large": "非中小企业"}


@dataclass(frozen=True)
class Sector:
    sector: str
    name: str
    prefixes: tuple[str, ...]
    measure_a: str
    measure_b: str
    sme_a_lt: Decimal
    sme_b_lt: Decimal | None
    medium_a_ge: Decimal
    medium_b_ge: Decimal | None
    small_a_ge: Decimal
    small_b_ge: Decimal | None


@lru_cache(maxsize=8)
def sectors(version: str) -> tuple[Sector, ...]:
    from .models import SizeSector

    rows = SizeSector.objects.filter(standard_id=version).order_by("id")
    return tuple(
        Sector(
            r.sector,
            r.name,
            tuple(r.prefixes.split()),
            r.measure_a,
            r.measure_b,
            r.sme_a_lt,
            r.sme_b_lt,
            r.medium_a_ge,
            r.medium_b_ge,
            r.small_a_ge,
            r.small_b_ge,
        )
        for r in rows
    )


def latest_version() -> str:
    from .models import SizeStandard

    return SizeStandard.objects.order_by("-version").values_list("version", flat=True).first()


@lru_cache(maxsize=4096)
def sector_for(version: str, industry_code: str) -> Sector:
    best, best_len = None, -1
    for s in sectors(version):
        for p in s.prefixes:
            if p == "*":
                if best_len < 0:
                    best, best_len = s, 0
            elif industry_code.startswith(p) and len(p) > best_len:
                best, best_len = s, len(p)
    if best is None:
        raise LookupError(f"size standard {version} has no sector for {industry_code}")
    return best


def classify(version: str, industry_code: str, employees, revenue, total_assets) -> str:
    """→ 'medium' | 'small' | 'micro' | 'large' (not an SME)."""
    s = sector_for(version, industry_code)
    measures = {"employees": employees or 0, "revenue": revenue or 0, "total_assets": total_assets or 0}
    a = measures[s.measure_a]
    b = measures[s.measure_b] if s.measure_b else None
    is_sme = a < s.sme_a_lt or (b is not None and s.sme_b_lt is not None and b < s.sme_b_lt)
    if not is_sme:
        return "large"

    def reaches(a_ge, b_ge):
        return a >= a_ge and (b is None or b_ge is None or b >= b_ge)

    if reaches(s.medium_a_ge, s.medium_b_ge):
        return "medium"
    if reaches(s.small_a_ge, s.small_b_ge):
        return "small"
    return "micro"
