"""Read-only views of classes for the pages: the class table with its fill, the timetable as a week grid,
rosters, the placement summary and an institution's week. Nothing here changes state (that is `services`);
every query goes through the scoped managers, so institution staff only ever see their own classes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count

from lingjun.institutions.models import InstitutionYearStatus
from lingjun.registrations.models import Registration

from .exports import class_registrations
from .models import TimetableSession, TrainingClass

WEEKDAYS = "一二三四五六日"
SLOT = 15  # minutes per row of the week grid


def fill_percent(enrolled: int, capacity: int) -> int:
    return min(100, round(100 * enrolled / capacity)) if capacity else 0


def fill_level(enrolled: int, capacity: int) -> str:
    """For the colour of the fill bar: empty, low (< 50 %), mid, full."""
    if enrolled >= capacity > 0:
        return "full"
    share = enrolled / capacity if capacity else 0
    return "empty" if enrolled == 0 else ("low" if share < 0.5 else "mid")


def classes_of(programme) -> list[TrainingClass]:
    classes = list(
        TrainingClass.objects.filter(programme=programme)
        .select_related("institution")
        .annotate(session_count=Count("sessions"))
        .order_by("number")
    )
    for c in classes:
        c.fill = fill_percent(c.enrolled, c.capacity)
        c.fill_level = fill_level(c.enrolled, c.capacity)
    return classes


def class_totals(classes) -> dict:
    live = [c for c in classes if c.status != "cancelled"]
    capacity = sum(c.capacity for c in live)
    enrolled = sum(c.enrolled for c in live)
    return {
        "count": len(live),
        "capacity": capacity,
        "enrolled": enrolled,
        "fill": fill_percent(enrolled, capacity),
        "fill_level": fill_level(enrolled, capacity),
    }


def suspended_institutions(programme) -> set[int]:
    return set(
        InstitutionYearStatus.objects.filter(programme=programme, status="suspended").values_list(
            "institution_id", flat=True
        )
    )


def next_number(programme) -> int:
    last = (
        TrainingClass.objects.filter(programme=programme)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return (last or 0) + 1


def day_label(d: datetime.date) -> str:
    return f"{d.month}月{d.day}日 星期{WEEKDAYS[d.weekday()]}"


def _minutes(t: datetime.time) -> int:
    return t.hour * 60 + t.minute


@dataclass
class Day:
    date: datetime.date
    number: int | None  # 第N天 of the class; None for a day outside the class dates
    column: int
    today: bool
    sessions: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return day_label(self.date)


def week_view(tc: TrainingClass, sessions: list[TimetableSession], today: datetime.date) -> dict:
    """The timetable as a grid: one column per day of the class, one row per quarter hour from the earliest
    hour to the latest (at least 8:00–18:00). Each session gets `row_start`/`row_end`/`column` for CSS grid
    placement; a phone shows the same blocks as a list per day."""
    class_days = [
        tc.start_date + datetime.timedelta(days=i) for i in range((tc.end_date - tc.start_date).days + 1)
    ]
    dates = sorted(set(class_days) | {s.date for s in sessions})
    days = {
        d: Day(d, class_days.index(d) + 1 if d in class_days else None, i + 2, d == today)
        for i, d in enumerate(dates)
    }
    top, bottom = 8 * 60, 18 * 60
    if sessions:
        top = min(top, min(_minutes(s.start) for s in sessions) // 60 * 60)
        bottom = max(bottom, -(-max(_minutes(s.end) for s in sessions) // 60) * 60)
    for s in sessions:
        s.row_start = 2 + (_minutes(s.start) - top) // SLOT
        s.row_end = 2 + -(-(_minutes(s.end) - top) // SLOT)
        s.column = days[s.date].column
        days[s.date].sessions.append(s)
    hours = [{"label": f"{m // 60:02d}:00", "row": 2 + (m - top) // SLOT} for m in range(top, bottom, 60)]
    return {
        "days": list(days.values()),
        "hours": hours,
        "rows": (bottom - top) // SLOT,
        "columns": len(days),
        "hour_span": 60 // SLOT,
        "empty": not sessions,
    }


def roster(tc: TrainingClass) -> list[Registration]:
    return list(class_registrations(tc))


def waiting_for_class(programme_id) -> list[Registration]:
    """Approved registrations of the programme not yet in a class (manual assignment)."""
    return list(
        Registration.objects.filter(programme_id=programme_id, status="approved")
        .select_related("trainee", "enterprise", "region")
        .order_by("region_id", "trainee__name")
    )


def placement_summary(classes: list[TrainingClass], proposed: dict[int, int]) -> list[dict]:
    """Per class: capacity, already enrolled, proposed now (class id → count) and what would be left."""
    out = []
    for c in classes:
        n = proposed.get(c.pk, 0)
        total = c.enrolled + n
        out.append(
            {
                "cls": c,
                "proposed": n,
                "total": total,
                "left": c.capacity - total,
                "fill": fill_percent(total, c.capacity),
                "fill_level": fill_level(total, c.capacity),
                "over": total > c.capacity,
            }
        )
    return out


def approved_count(programme_id) -> int:
    return Registration.objects.filter(programme_id=programme_id, status="approved").count()


def institution_week(today: datetime.date) -> dict:
    """An institution's home: its classes running this week (Monday to Sunday), today's sessions, and the next
    classes to come. Scoped by the ORM to the signed-in institution."""
    monday = today - datetime.timedelta(days=today.weekday())
    sunday = monday + datetime.timedelta(days=6)
    week = list(
        TrainingClass.objects.filter(start_date__lte=sunday, end_date__gte=monday)
        .exclude(status="cancelled")
        .select_related("programme")
        .order_by("start_date", "number")
    )
    upcoming = list(
        TrainingClass.objects.filter(start_date__gt=sunday)
        .exclude(status="cancelled")
        .select_related("programme")
        .order_by("start_date", "number")[:5]
    )
    for c in week + upcoming:
        c.fill = fill_percent(c.enrolled, c.capacity)
        c.fill_level = fill_level(c.enrolled, c.capacity)
    sessions = list(
        TimetableSession.objects.filter(date=today)
        .select_related("training_class", "topic", "faculty")
        .order_by("start", "training_class__number")
    )
    return {
        "monday": monday,
        "sunday": sunday,
        "week_classes": week,
        "today_sessions": sessions,
        "upcoming_classes": upcoming,
        "week_session_count": TimetableSession.objects.filter(date__range=(monday, sunday)).count(),
    }


def placement_notes(chosen: dict[int, int], proposed: dict[int, int | None], reasons: dict[int, str]) -> dict:
    """The note stored with each placement: the optimiser's reason where its proposal was kept, otherwise
    “人工调整” (with the preference rank when the chosen class was one of the trainee's wishes)."""
    changed = [r for r, c in chosen.items() if proposed.get(r) != c]
    numbers = dict(TrainingClass.objects.filter(pk__in=set(chosen.values())).values_list("pk", "number"))
    prefs = dict(Registration.objects.filter(pk__in=changed).values_list("pk", "preferred_classes"))
    notes = {}
    for reg, cls in chosen.items():
        if reg not in changed:
            notes[reg] = reasons.get(reg) or "优化编班"
            continue
        wishes = list(prefs.get(reg) or [])
        number = numbers.get(cls)
        notes[reg] = f"人工调整（第{wishes.index(number) + 1}志愿）" if number in wishes else "人工调整"
    return notes


def registration_names(ids) -> dict[int, str]:
    return {
        r.pk: f"{r.trainee.name}（{r.enterprise.name}）"
        for r in Registration.objects.filter(pk__in=ids).select_related("trainee", "enterprise")
    }
