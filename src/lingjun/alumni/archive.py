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
from lingjun.registrations.models import Enterprise, Registration, Trainee

# Took part: placed in a class (whatever the outcome). Withdrawn or rejected people never trained.
ARCHIVE_STATUSES = ("enrolled", "completed", "not_completed")
OUTCOME_LABELS = {"enrolled": "在训", "completed": "已结业", "not_completed": "未结业"}


def archive(actor, *, region=None, q=None, qualification=None, industry=None, year=None):
    """The archive rows the actor may see, filtered, newest programme first (a queryset: page it)."""
    permissions.check(actor, "alumni.view")
    live_cert = (
        Certificate.objects.filter(registration=OuterRef("pk"), revoked_at__isnull=True)
        .order_by("-issued_at")
        .values("number")[:1]
    )
    qs = (
        Registration.objects.filter(status__in=ARCHIVE_STATUSES)
        .select_related("trainee", "enterprise", "region", "programme", "training_class")
        .annotate(certificate_number=Subquery(live_cert))
    )
    if region:
        qs = qs.filter(region_id=str(region))
    if q and q.strip():
        qs = qs.filter(_search(q.strip()))
    if qualification:
        qs = qs.filter(enterprise__qualifications__code=qualification)
    if industry:
        industry = str(industry).strip().upper()
        section = IndustrySection.objects.filter(section=industry).first() if len(industry) == 1 else None
        if section is not None:
            qs = qs.filter(
                enterprise__industry_division__in=[
                    f"{d:02d}" for d in range(section.division_from, section.division_to + 1)
                ]
            )
        else:
            qs = qs.filter(enterprise__industry_division=industry)
    if year:
        qs = qs.filter(programme__year=int(year))
    return qs.order_by("-programme__year", "-id")


# Up to this many people or enterprises matching a search are looked up by id (index); beyond it the term is
# so common that scanning registrations in display order finds a page of matches at once.
SEARCH_ID_LIMIT = 1000


def _search(q: str) -> Q:
    """Name, enterprise name (substring) or credit code (exact). A substring search cannot use an index; the
    people and enterprise tables are scanned first (narrow rows) and registrations then found through their
    trainee and enterprise indexes, instead of reading every registration in year order — on SQLite with a
    100,000-registration history that is ~60 ms instead of ~400 ms for a rare term (bench/bench_history.py).
    Only ids are taken from these tables; which registrations show is still decided by the scoped query."""
    people = list(
        Trainee.objects.filter(name__contains=q).values_list("id", flat=True)[: SEARCH_ID_LIMIT + 1]
    )
    firms = list(
        Enterprise.objects.filter(Q(name__contains=q) | Q(credit_code=q.upper())).values_list(
            "id", flat=True
        )[: SEARCH_ID_LIMIT + 1]
    )
    if len(people) > SEARCH_ID_LIMIT or len(firms) > SEARCH_ID_LIMIT:
        return (
            Q(trainee__name__contains=q)
            | Q(enterprise__name__contains=q)
            | Q(enterprise__credit_code=q.upper())
        )
    return Q(trainee_id__in=people) | Q(enterprise_id__in=firms)


def row(reg) -> dict:
    t, e = reg.trainee, reg.enterprise
    tc = reg.training_class
    return {
        "registration": reg.pk,
        "year": reg.programme.year,
        "programme": reg.programme_id,
        "region": reg.region_id,
        "region_name": reg.region.name,
        "person": {
            "id": t.pk,
            "name": t.name,
            "gender": t.gender,
            "id_number": t.id_number_masked,
            "position": t.position,
        },
        "enterprise": {
            "credit_code": e.credit_code,
            "name": e.name,
            "industry_division": e.industry_division,
            "size_class": e.size_class,
            "is_manufacturing": e.is_manufacturing,
        },
        "classes": [
            {
                "id": tc.pk,
                "number": tc.number,
                "label": f"{reg.programme.year}年第{tc.number}期（{tc.city}）",
                "start_date": tc.start_date,
                "end_date": tc.end_date,
            }
        ]
        if tc
        else [],
        "outcome": reg.status,
        "outcome_label": OUTCOME_LABELS.get(reg.status, reg.get_status_display()),
        "is_retraining": reg.is_retraining,
        "certificate_number": reg.certificate_number,
    }
