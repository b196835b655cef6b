import datetime

from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import permissions
from .models import AuditEntry
from .pages import page


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@page
def home(request):
    """Each role's first page (SPEC §4): the current programme and what needs this person's attention."""
    from django.db.models import Count, Q

    from lingjun.programmes import services as programme_services
    from lingjun.programmes.models import Quota, WorkInfo
    from lingjun.reference.models import Region
    from lingjun.registrations import services as registration_services
    from lingjun.registrations.models import Registration

    user = request.user
    programme = programme_services.current_programme()
    ctx = {"programme": programme}
    if user.role == "trainee":
        # Scoped in the ORM to the trainee's own registrations; with timetable and certificates.
        from lingjun.alumni.mine import my_training

        ctx["registrations"] = my_training(user)
        from lingjun.evaluations import services as evaluation_services

        for r in ctx["registrations"]:
            if r.training_class_id and r.status in evaluation_services.TRAINED_STATUSES:
                r.evaluation_state = (
                    "done" if hasattr(r, "evaluation") else evaluation_services.window_state(r.training_class)
                )
    if programme is not None:
        today = timezone.localdate()
        ctx["days_left"] = (programme.registration_deadline - today).days
        totals = programme_services.programme_totals(programme)
        ctx["totals"] = totals
        if user.role in ("bureau", "centre"):
            quotas = Quota.objects.filter(programme=programme)
            ctx["regions_without_quota"] = quotas.filter(amount=0).count()
            ctx["workinfo_submitted"] = WorkInfo.objects.filter(programme=programme).count()
            ctx["workinfo_missing"] = Region.objects.count() - ctx["workinfo_submitted"]
            # Positive: quotas still to hand out; negative: more handed out than the target.
            ctx["target_gap"] = programme.target_trainees - totals["quota_total"]
            ctx["target_over"] = -ctx["target_gap"]
            figures = registration_services.programme_figures(programme)
            share, minimum = figures["manufacturing_share"], figures["min_manufacturing_share"]
            figures["below_minimum"] = share is not None and minimum is not None and share < minimum
            ctx["figures"] = figures
        if user.role == "centre":
            ctx["queue"] = Registration.objects.filter(programme=programme, status="submitted").aggregate(
                confirmed=Count("id", filter=Q(confirmed_at__isnull=False)),
                unconfirmed=Count("id", filter=Q(confirmed_at__isnull=True)),
            )
        if user.role == "region":
            ctx["quota"] = Quota.objects.filter(programme=programme, region_id=user.region_id).first()
            ctx["quota_left"] = (ctx["quota"].amount - ctx["quota"].used) if ctx["quota"] else 0
            ctx["workinfo"] = WorkInfo.objects.filter(programme=programme, region_id=user.region_id).first()
            # Scoped in the ORM to the officer's region.
            mine = Registration.objects.filter(programme=programme)
            ctx["returned"] = list(
                mine.filter(status="returned").select_related("trainee", "enterprise")[:20]
            )
            ctx["reg_counts"] = mine.aggregate(
                drafts=Count("id", filter=Q(status="draft")),
                unconfirmed=Count("id", filter=Q(status="submitted", confirmed_at__isnull=True)),
                approved=Count("id", filter=Q(status__in=("approved", "enrolled"))),
            )
    if user.role == "assessor" and programme is not None:
        from lingjun.evaluations import services as evaluation_services

        rows = evaluation_services.assessments(user, programme.pk)
        ctx["to_assess"] = [r for r in rows if r["score"] is None]
        ctx["assessed"] = len(rows) - len(ctx["to_assess"])
    if user.role == "institution":
        # Its classes this week and today's sessions (scoped in the ORM to the user's institution).
        from lingjun.classes import queries as class_queries

        ctx.update(class_queries.institution_week(timezone.localdate()))
    return render(request, f"core/home_{user.role}.html", ctx)


@page
def audit_page(request):
    permissions.check(request.user, "audit.view")
    qs = AuditEntry.objects.all()
    q_object = request.GET.get("object", "").strip()
    q_action = request.GET.get("action", "").strip()
    q_actor = request.GET.get("actor", "").strip()
    q_date = request.GET.get("date", "").strip()
    if q_object:
        kind, _, ident = q_object.partition(":")
        qs = qs.filter(object_type=kind, object_id=ident) if ident else qs.filter(object_type=kind)
    if q_action:
        qs = qs.filter(action__startswith=q_action)
    if q_actor:
        qs = qs.filter(actor_label__icontains=q_actor)
    if q_date:
        try:
            qs = qs.filter(at__date=datetime.date.fromisoformat(q_date))
        except ValueError:
            pass
    paginator = Paginator(qs.select_related("actor"), 50)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit.html",
        {
            "page_obj": page_obj,
            "q_object": q_object,
            "q_action": q_action,
            "q_actor": q_actor,
            "q_date": q_date,
        },
    )
