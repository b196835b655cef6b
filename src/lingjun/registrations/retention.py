"""Retention: the personal data of old programmes is purged on schedule; anonymous figures stay (issue #8).

A trainee is purged once every programme they took part in is archived and more than
`settings.RETENTION_YEARS` years old (`LINGJUN_RETENTION_YEARS`, default 10: the alumni archive spans ten
years). What goes: the encrypted ID number and its look-up hash, the masked number, mobile, e-mail, political
status, ethnicity, education and position; the day and month of birth (the year stays, for age statistics);
the trainee's login; the phones and addresses recorded at check-in; leave reasons; the personal fields in the
audit entries about that registration. What stays: the name (the archive and every printed certificate carry
it, and `/verify/` must keep answering), gender, the registration (region, enterprise, class, status) and so
every count, rate and ranking the statistics show. Enterprises are legal persons: their rows and follow-up
reports are not personal data. Verification-log addresses older than `VERIFY_LOG_IP_DAYS` go too.

Idempotent; one transaction; one audit entry with the counts. `python -m lingjun purge_personal_data`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from lingjun.core import audit
from lingjun.core.scoping import scopes_disabled

PURGED_MASK = "已清除"
VERIFY_LOG_IP_DAYS = 90


def purgeable_trainees(today: datetime.date | None = None, years: int | None = None):
    """Trainees all of whose programmes are archived and older than the retention period, not yet purged."""
    from lingjun.registrations.models import Registration, Trainee

    today = today or timezone.localdate()
    years = settings.RETENTION_YEARS if years is None else years
    last_year = today.year - years - 1  # a 2014 programme with 10 years' retention goes in 2025
    recent = Registration.objects.filter(trainee=OuterRef("pk")).filter(
        ~Q(programme__status="archived") | Q(programme__year__gt=last_year)
    )
    took_part = Registration.objects.filter(trainee=OuterRef("pk"))
    return (
        Trainee.objects.filter(Exists(took_part))
        .exclude(Exists(recent))
        .exclude(id_number_masked=PURGED_MASK)
    )


def purge_personal_data(
    actor=None, today: datetime.date | None = None, years: int | None = None, dry_run: bool = False
) -> dict:
    """→ counts of what was (or, with dry_run, would be) purged."""
    from lingjun.attendance.models import AttendanceRecord, DeviceCheckin, LeaveRequest
    from lingjun.certificates.models import VerificationLog
    from lingjun.core.models import AuditEntry
    from lingjun.registrations.models import Invitation, Registration, Trainee

    with scopes_disabled(), transaction.atomic():
        trainees = list(purgeable_trainees(today, years).select_related("user"))
        trainee_ids = [t.pk for t in trainees]
        reg_ids = list(Registration.objects.filter(trainee_id__in=trainee_ids).values_list("pk", flat=True))
        old_logs = VerificationLog.objects.filter(
            ip__isnull=False, at__lt=timezone.now() - datetime.timedelta(days=VERIFY_LOG_IP_DAYS)
        )
        counts = {
            "trainees": len(trainees),
            "registrations": len(reg_ids),
            "accounts": sum(1 for t in trainees if t.user_id),
            "verification_ips": old_logs.count(),
        }
        if dry_run:
            return counts
        for t in trainees:
            Trainee.objects.filter(pk=t.pk).update(
                id_number_encrypted="",
                id_number_hash=f"purged:{t.pk}",
                id_number_masked=PURGED_MASK,
                mobile="",
                email="",
                political_status="",
                ethnicity="",
                education="",
                position="",
                birth_date=datetime.date(t.birth_date.year, 1, 1),
                user=None,
            )
            if t.user_id:
                user = t.user
                user.set_unusable_password()
                user.is_active = False
                user.display_name = ""
                user.email = ""
                user.save(update_fields=["password", "is_active", "display_name", "email"])
                user.api_tokens.all().delete()
        counts["check_ins"] = (
            AttendanceRecord.objects.filter(registration_id__in=reg_ids)
            .exclude(device_id="", client_ip=None)
            .update(device_id="", client_ip=None)
        )
        DeviceCheckin.objects.filter(registration_id__in=reg_ids).delete()
        counts["leave_reasons"] = (
            LeaveRequest.objects.filter(registration_id__in=reg_ids)
            .exclude(reason=PURGED_MASK)
            .update(reason=PURGED_MASK, reject_reason="")
        )
        Invitation.objects.filter(registration_id__in=reg_ids).delete()
        counts["audit_entries"] = (
            AuditEntry.objects.filter(
                Q(object_type="registration", object_id__in=[str(i) for i in reg_ids])
                | Q(object_type="trainee", object_id__in=[str(i) for i in trainee_ids])
            )
            .exclude(before=None, after=None)
            .update(before=None, after=None)
        )
        old_logs.update(ip=None)
        audit.record(
            actor,
            "retention.purge",
            object_type="programme",
            object_id="*",
            label="个人信息定期清理",
            after={**counts, "retention_years": settings.RETENTION_YEARS if years is None else years},
        )
    return counts
