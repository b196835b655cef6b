"""Live programme figures for the pages (SPEC R7, §3.8): read-only aggregates, never a rule and never
blocking anything. National totals come from services.programme_figures; everything counted from
registrations themselves goes through the scoped manager, so a region officer's counts are their region's."""

from __future__ import annotations

from django.db.models import Count, Q

from lingjun.programmes.models import Quota
from lingjun.reference.models import Qualification

from . import services
from .models import SEAT_STATUSES, Registration, SizeClass

REVIEWED = ("approved", "enrolled", "completed", "not_completed")


def programme_figures(programme, user) -> dict:
    f = services.programme_figures(programme)
    share, minimum = f["manufacturing_share"], f["min_manufacturing_share"]
    f["below_minimum"] = share is not None and minimum is not None and share < minimum
    f["over_target"] = f["total"] > f["target"]
    f["target_ratio"] = min(100, round(100 * f["total"] / f["target"])) if f["target"] else 0
    f["warnings"] = services.programme_warnings(programme)

    national = user.role in ("bureau", "centre")
    per_region = {}
    if national:
        per_region = {
            r["region_id"]: r
            for r in Registration.objects.filter(programme=programme)
            .order_by()
            .values("region_id")
            .annotate(
                submitted=Count("id", filter=Q(status="submitted")),
                approved=Count("id", filter=Q(status__in=REVIEWED)),
            )
        }
    rows = []
    for q in Quota.objects.filter(programme=programme).select_related("region").order_by("region_id"):
        if not (q.amount or q.used):
            continue
        counts = per_region.get(q.region_id, {})
        rows.append(
            {
                "region": q.region,
                "amount": q.amount,
                "used": q.used,
                "left": max(0, q.amount - q.used),
                "ratio": min(100, round(100 * q.used / q.amount)) if q.amount else 100,
                "submitted": counts.get("submitted", 0),
                "approved": counts.get("approved", 0),
                "own": user.role == "region" and q.region_id == user.region_id,
            }
        )
    f["regions"] = rows
    f["regions_without_quota"] = Quota.objects.filter(programme=programme, amount=0, used=0).count()
    f["national_counts"] = national

    seats = Registration.objects.filter(programme=programme, status__in=SEAT_STATUSES)
    seat_total = seats.count()
    by_qual = dict(
        seats.order_by().values_list("enterprise__qualifications").annotate(n=Count("id", distinct=True))
    )
    mix = [
        {"name": q.name, "n": by_qual.get(q.code, 0)}
        for q in Qualification.objects.all()
        if q.active or by_qual.get(q.code)
    ]
    mix.append({"name": "无上述资质", "n": by_qual.get(None, 0)})
    for m in mix:
        m["pct"] = round(100 * m["n"] / seat_total) if seat_total else 0
    by_size = dict(seats.order_by().values_list("enterprise__size_class").annotate(n=Count("id")))
    sizes = [
        {
            "name": label,
            "n": by_size.get(value, 0),
            "pct": round(100 * by_size.get(value, 0) / seat_total) if seat_total else 0,
        }
        for value, label in SizeClass.choices
        if value != "large"
    ]
    f["mix"], f["sizes"], f["seat_total"] = mix, sizes, seat_total
    f["scope_label"] = (
        "全国" if national else (user.region.name if user.role == "region" and user.region else "")
    )
    return f
