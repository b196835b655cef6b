"""Programme dashboard (SPEC §3.8; API.md `GET /api/v1/programmes/{id}/stats`).

Every figure is an aggregate computed by the database (GROUP BY with conditional counts); Python only
merges a handful of grouped rows (37 regions, a few dozen classes or industry divisions), never the
registrations themselves, so the cost follows the number of groups, not the size of the history.

Counts are cumulative over live registrations: an enrolled trainee has also been submitted and approved;
rejected, withdrawn and drafts are not counted (a draft was never submitted).
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.utils import timezone

from lingjun.attendance.models import AttendanceRecord
from lingjun.classes.models import TimetableSession, TrainingClass
from lingjun.core import permissions
from lingjun.core.errors import NotFound
from lingjun.core.scoping import scopes_disabled
from lingjun.programmes.models import Programme, Quota
from lingjun.reference.models import IndustrySection, Qualification, Region
from lingjun.registrations.models import SizeClass

# Cumulative stages (registrations/models.py statuses). "returned" was submitted and still holds its seat.
SUBMITTED = ("submitted", "returned", "approved", "enrolled", "completed", "not_completed")
APPROVED = ("approved", "enrolled", "completed", "not_completed")
ENROLLED = ("enrolled", "completed", "not_completed")
COMPLETED = ("completed",)

STAGES = (("submitted", SUBMITTED), ("approved", APPROVED), ("enrolled", ENROLLED), ("completed", COMPLETED))


def _ratio(part, whole):
    return round(part / whole, 4) if whole else None


def get_programme(programme_id) -> Programme:
    p = Programme.objects.filter(pk=programme_id).first() if str(programme_id).isdigit() else None
    if p is None:
        raise NotFound("not_found", "该年度计划不存在。")
    return p


def _stage_counts(**extra):
    return {name: Count("id", filter=Q(status__in=statuses), **extra) for name, statuses in STAGES}


def by_region(programme: Programme) -> list[dict]:
    from lingjun.registrations.models import Registration

    quotas = dict(Quota.objects.filter(programme=programme).values_list("region_id", "amount"))
    counts = {
        row["region_id"]: row
        for row in Registration.objects.filter(programme=programme)
        .values("region_id")
        .annotate(**_stage_counts())
        .order_by()
    }
    names = dict(Region.objects.values_list("code", "name"))
    rows = []
    for code in sorted(set(quotas) | set(counts)):
        c = counts.get(code, {})
        row = {"region": code, "region_name": names.get(code, code), "quota": quotas.get(code, 0)}
        row.update({name: c.get(name, 0) for name, _ in STAGES})
        row["quota_used_share"] = _ratio(row["submitted"], row["quota"])
        rows.append(row)
    return rows


def _mix(programme: Programme) -> dict:
    from lingjun.registrations.models import Enterprise, Registration

    live = Registration.objects.filter(programme=programme, status__in=SUBMITTED)
    # R1 (a database constraint) allows one live registration per enterprise and programme, so counting the
    # programme's enterprises counts its registrations; starting from those enterprises (a semi-join) keeps
    # the cost to this programme's rows instead of joining the whole history's enterprises.
    firms = Enterprise.objects.filter(id__in=live.values("enterprise_id"))
    size_labels = dict(SizeClass.choices)
    size = [
        {"code": r["size_class"], "label": size_labels.get(r["size_class"], "未知"), "count": r["n"]}
        for r in firms.values("size_class").annotate(n=Count("id")).order_by("-n", "size_class")
    ]
    qual_names = dict(Qualification.objects.values_list("code", "name"))
    qualification = [
        {
            "code": r["qualifications"] or "none",
            "label": qual_names.get(r["qualifications"], "无资质"),
            "count": r["n"],
        }
        for r in firms.values("qualifications").annotate(n=Count("id")).order_by("-n", "qualifications")
    ]
    # Grouped by division in the database; the (at most ~97) division groups fold into GB/T 4754 sections.
    sections = list(IndustrySection.objects.all())
    folded: dict[str, dict] = {}
    for r in firms.values("industry_division").annotate(n=Count("id")).order_by():
        division = r["industry_division"] or ""
        number = int(division[:2]) if division[:2].isdigit() else -1
        sec = next((s for s in sections if s.division_from <= number <= s.division_to), None)
        key = sec.section if sec else "?"
        entry = folded.setdefault(key, {"code": key, "label": sec.name if sec else "未知行业", "count": 0})
        entry["count"] += r["n"]
    industry = sorted(folded.values(), key=lambda e: (-e["count"], e["code"]))
    return {"size": size, "qualification": qualification, "industry": industry}


def _class_rows(programme: Programme):
    """Classes of the programme with their trainee count. Driven from the programme's classes (joined to
    registrations through the class index) so the cost follows this programme, not the whole history."""
    return (
        TrainingClass.objects.filter(programme=programme)
        .exclude(status="cancelled")
        .select_related("institution")
        .order_by("number")
        .annotate(trainees=Count("registrations", filter=Q(registrations__status__in=ENROLLED)))
    )


def _classes(class_rows) -> list[dict]:
    return [
        {
            "class": c.pk,
            "number": c.number,
            "label": f"第{c.number}期（{c.city}）",
            "institution": c.institution.name,
            "capacity": c.capacity,
            "trainees": c.trainees,
            "fill": _ratio(c.trainees, c.capacity),
        }
        for c in class_rows
    ]


def _attendance(programme: Programme, class_rows, now=None) -> dict:
    """Share of required, already-ended sessions attended (present or late), over those sessions minus the
    excused ones — the completion rule's measure (SPEC §3.4). A session that ended without a record counts
    as absent, as in attendance.services.effective_status."""
    from lingjun.registrations.models import Registration

    now = timezone.localtime(now or timezone.now())
    ended = TimetableSession.objects.filter(training_class__programme=programme, required=True).filter(
        Q(date__lt=now.date()) | Q(date=now.date(), end__lte=now.time())
    )
    sessions = dict(
        ended.values("training_class_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("training_class_id", "n")
    )
    people = {c.pk: c.trainees for c in class_rows}
    expected = sum(n * people.get(cid, 0) for cid, n in sessions.items())
    # Semi-joins on this programme's ended sessions and placed registrations (both indexed on attendance),
    # never a join with the whole history's registrations.
    placed = Registration.objects.filter(programme=programme, status__in=ENROLLED).values("id")
    counts = AttendanceRecord.objects.filter(
        session_id__in=ended.values("id"), registration_id__in=placed
    ).aggregate(
        present=Count("id", filter=Q(status="present")),
        late=Count("id", filter=Q(status="late")),
        excused=Count("id", filter=Q(status="excused")),
    )
    attended = counts["present"] + counts["late"]
    due = expected - counts["excused"]
    return {
        "session_slots": expected,
        "present": counts["present"],
        "late": counts["late"],
        "excused": counts["excused"],
        "absent": max(0, due - attended),
        "rate": _ratio(attended, due),
    }


def programme_stats(actor, programme_id, now=None) -> dict:
    from lingjun.evaluations import services as evaluation_services

    """The dashboard. Bureau and centre see every region; a region officer sees its own row beside the
    national totals (never another region's row); other roles are refused (403)."""
    permissions.check(actor, "stats.view")
    programme = get_programme(programme_id)
    # Deliberately national: the totals are public to every permitted role; rows are filtered below.
    with scopes_disabled():
        from lingjun.registrations.models import Registration

        regions = by_region(programme)
        agg = Registration.objects.filter(programme=programme).aggregate(
            **_stage_counts(),
            not_completed=Count("id", filter=Q(status="not_completed")),
            manufacturing=Count("id", filter=Q(status__in=SUBMITTED, enterprise__is_manufacturing=True)),
        )
        quota_total = Quota.objects.filter(programme=programme).aggregate(t=Sum("amount"))["t"] or 0
        mix = _mix(programme)
        class_rows = list(_class_rows(programme))
        classes = _classes(class_rows)
        attendance = _attendance(programme, class_rows, now)
        satisfaction = evaluation_services.programme_satisfaction(programme)
    totals = {name: agg[name] for name, _ in STAGES}
    totals["quota"] = quota_total
    totals["not_completed"] = agg["not_completed"]
    finished = agg["completed"] + agg["not_completed"]
    minimum = programme.min_manufacturing_share
    share = _ratio(agg["manufacturing"], agg["submitted"])
    if actor.role == "region":
        regions = [r for r in regions if r["region"] == actor.region_id]
    capacity = sum(c["capacity"] for c in classes)
    seated = sum(c["trainees"] for c in classes)
    return {
        "programme": programme.pk,
        "year": programme.year,
        "title": programme.title,
        "target": programme.target_trainees,
        "target_share": _ratio(totals["submitted"], programme.target_trainees),
        "totals": totals,
        "manufacturing": agg["manufacturing"],
        "manufacturing_share": share,
        "min_manufacturing_share": float(minimum) if minimum is not None else None,
        "manufacturing_below_minimum": bool(
            minimum is not None and share is not None and share < float(minimum)
        ),
        "by_region": regions,
        "mix": mix,
        "classes": classes,
        "class_fill": {"capacity": capacity, "trainees": seated, "fill": _ratio(seated, capacity)},
        "attendance": attendance,
        "completion": {
            "finished": finished,
            "completed": agg["completed"],
            "not_completed": agg["not_completed"],
            "rate": _ratio(agg["completed"], finished),
        },
        "satisfaction": satisfaction,
        "generated_at": timezone.now(),
    }
