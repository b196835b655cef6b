"""我的培训: what the trainee's own page shows — classes, timetable with my attendance, certificates."""

from __future__ import annotations

from lingjun.attendance.models import AttendanceRecord, AttendanceStatus
from lingjun.attendance.services import effective_status
from lingjun.certificates.models import Certificate
from lingjun.classes.models import TimetableSession
from lingjun.registrations.models import Registration


def my_training(actor) -> list[Registration]:
    """The trainee's registrations (scoped in the ORM to their own), newest first, each with `sessions`
    (the class timetable, each session carrying `my_status`) and `live_certificates`."""
    regs = list(
        Registration.objects.select_related("programme", "enterprise", "region", "training_class")
        .filter(trainee__user=actor)
        .order_by("-programme__year", "-id")
    )
    class_ids = [r.training_class_id for r in regs if r.training_class_id]
    sessions_by_class: dict[int, list] = {}
    for s in TimetableSession.objects.filter(training_class_id__in=class_ids).select_related(
        "faculty", "topic"
    ):
        sessions_by_class.setdefault(s.training_class_id, []).append(s)
    statuses = dict(
        ((a.registration_id, a.session_id), a.status)
        for a in AttendanceRecord.objects.filter(registration__in=regs)
    )
    labels = dict(AttendanceStatus.choices)
    certs: dict[int, list] = {}
    for c in Certificate.objects.filter(registration__in=regs, revoked_at__isnull=True):
        certs.setdefault(c.registration_id, []).append(c)
    for r in regs:
        r.sessions = []
        for s in sessions_by_class.get(r.training_class_id, []):
            # As the attendance grid says it: an ended session with no record is an absence.
            status = effective_status(statuses.get((r.pk, s.pk)), s)
            s.my_status = labels.get(status, "")
            r.sessions.append(s)
        r.live_certificates = certs.get(r.pk, [])
    return regs
