"""信息档案 (SPEC §3.7): every trainee who took part, with enterprise, class, outcome and certificate.

One row per participation (a person trained twice, e.g. re-trained, has two rows that share the person and
keep both histories). Region officers see their own region only: the rows come from Registration's scoped
manager, so a region filter for another region simply finds nothing. The search runs in the database and
only the requested page is read.
"""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from lingjun.certificates.models import Certificate
from lingjun.core import permissions
from lingjun.reference.models import IndustrySection
from lingjun.registrations.models import Registration

# Took part: placed in a class (whatever the outcome). Withdrawn or rejected people never trained.
ARCHIVE_STATUSES = ("enrolled", "completed", "not_completed")
OUTCOME_LABELS = {"enrolled": "在训", "completed": "已结业", "not_completed": "未结业"}


def archive(actor, *, region=None, q=None, qualification=None, industry=None, year=None):
    """The archive rows the actor may see, filtered, newest programme first (a queryset: page it)."""
    permissions.check(actor, "alumni.view")
    live_cert = (Certificate.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True)
                 .order_by("-issued_at").values("number")[:1])
    qs = (Registration.objects.filter(status__in=ARCHIVE_STATUSES)
          .select_related("trainee", "enterprise", "region", "programme", "training_class")
          .annotate(certificate_number=Subquery(live_cert)))
    if region:
        qs = qs.filter(region_id=str(region))
    if q:
        q = q.strip()
        qs = qs.filter(Q(trainee__name__contains=q) | Q(enterprise__name__contains=q)
                       | Q(enterprise__credit_code=q.upper()))
    if qualification:
        qs = qs.filter(enterprise__qualifications__code=qualification)
    if industry:
        industry = str(industry).strip().upper()
        section = IndustrySection.objects.filter(section=industry).first() if len(industry) == 1 else None
        if section is not None:
            qs = qs.filter(enterprise__industry_division__in=[f"{d:02d}" for d in range(section.division_from,
                                                                                        section.division_to + 1)])
        else:
            qs = qs.filter(enterprise__industry_division=industry)
    if year:
        qs = qs.filter(programme__year=int(year))
    return qs.order_by("-programme__year", "-id")


def row(reg) -> dict:
    t, e = reg.trainee, reg.enterprise
    tc = reg.training_class
    return {
        "registration": reg.pk,
        "year": reg.programme.year,
        "programme": reg.programme_id,
        "region": reg.region_id,
        "region_name": reg.region.name,
        "person": {"id": t.pk, "name": t.name, "gender": t.gender, "id_number": t.id_number_masked,
                   "position": t.position},
        "enterprise": {"credit_code": e.credit_code, "name": e.name, "industry_division": e.industry_division,
                       "size_class": e.size_class, "is_manufacturing": e.is_manufacturing},
        "classes": [{"id": tc.pk, "number": tc.number, "label": f"{reg.programme.year}年第{tc.number}期（{tc.city}）",
                     "start_date": tc.start_date, "end_date": tc.end_date}] if tc else [],
        "outcome": reg.status,
        "outcome_label": OUTCOME_LABELS.get(reg.status, reg.get_status_display()),
        "is_retraining": reg.is_retraining,
        "certificate_number": reg.certificate_number,
    }
