"""Pages: the trainee's evaluation form (phones first), class and year reports, the assessor's form and the
ranking with its confirmation. Every decision is `services`'; pages parse, call and render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lingjun.classes.models import TimetableSession
from lingjun.classes.services import get_class
from lingjun.core import permissions
from lingjun.core.errors import DomainError, PermissionDenied
from lingjun.core.pages import page
from lingjun.programmes.models import Programme
from lingjun.programmes.services import current_programme_or_404, get_programme

from . import reports, services
from .models import DIMENSIONS

SCALE = [(5, "非常满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "很不满意")]


def _errors_by_field(exc: DomainError) -> dict:
    return {e.field: e.message for e in exc.errors}


@page
@require_http_methods(["GET", "POST"])
def evaluate(request, pk):
    """学员评价: four questions of five choices, optional per-session stars, a comment. Refused answers keep
    everything the trainee chose."""
    permissions.check(request.user, "evaluation.submit")
    tc = get_class(request.user, pk)
    registration = services.trainee_registration(request.user, tc)
    if registration is None:
        raise PermissionDenied("not_in_class", "您不是该班学员，不能评价本班。")
    sessions = list(
        TimetableSession.objects.filter(training_class=tc).select_related("faculty").order_by("date", "start")
    )
    done = hasattr(registration, "evaluation")
    policy = services.policy_for(tc.programme_id)
    state = services.window_state(tc, policy)
    opens, closes = services.window(tc, policy)
    values, error, field_errors = {}, None, {}
    if request.method == "POST" and not done:
        values = {field: request.POST.get(field, "") for field, _ in DIMENSIONS}
        values["comments"] = request.POST.get("comments", "")
        session_scores = [
            {"session": s.pk, "score": request.POST.get(f"session_{s.pk}")}
            for s in sessions
            if request.POST.get(f"session_{s.pk}")
        ]
        try:
            services.submit(request.user, tc.pk, {**values, "sessions": session_scores})
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error, field_errors = exc, _errors_by_field(exc)
        else:
            messages.success(request, "感谢您的评价！您的评价以匿名汇总的方式提供给培训机构。")
            return redirect("evaluations:evaluate", tc.pk)
        for s in sessions:
            s.chosen = request.POST.get(f"session_{s.pk}", "")
    questions = [
        {"field": f, "label": label, "value": str(values.get(f, "")), "error": field_errors.get(f)}
        for f, label in DIMENSIONS
    ]
    return render(
        request,
        "evaluations/evaluate.html",
        {
            "tc": tc,
            "done": done,
            "state": state,
            "opens": opens,
            "closes": closes,
            "questions": questions,
            "scale": SCALE,
            "sessions": sessions,
            "comments": values.get("comments", ""),
            "error": error,
            "session_errors": {k: v for k, v in field_errors.items() if k.startswith("sessions")},
        },
        status=422 if error else 200,
    )


@page
def class_summary(request, pk):
    """本班评价汇总 for the centre, the bureau and the class's institution, with the reminder list."""
    tc = services.readable_class(request.user, pk)
    data = services.class_summary(request.user, tc)
    waiting = services.class_pending(request.user, tc)
    dims = [
        {"label": label, "value": data[f], "distribution": (data["distribution"] or {}).get(f)}
        for f, label in DIMENSIONS
    ]
    return render(
        request, "evaluations/class_summary.html", {"tc": tc, "data": data, "dims": dims, "waiting": waiting}
    )


@page
def report(request, pk):
    data = services.report(request.user, pk)
    programme = get_programme(pk)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return reports.xlsx(data)
    if fmt == "pdf":
        return reports.pdf(data)
    return render(
        request,
        "evaluations/report.html",
        {
            "programme": programme,
            "data": data,
            "years": Programme.objects.order_by("-year").values("pk", "year"),
            "perms_ranking": permissions.allowed(request.user, "ranking.view"),
        },
    )


@page
def report_current(request):
    return redirect("evaluations:report", current_programme_or_404().pk)


@page
@require_http_methods(["GET", "POST"])
def assessments(request, pk):
    """第三方评估: the assessor scores each institution of the year; the bureau and the centre read."""
    programme = get_programme(pk)
    typed, errors = {}, {}
    if request.method == "POST":
        institution = request.POST.get("institution", "")
        typed = {
            "institution": institution,
            "score": request.POST.get("score", ""),
            "notes": request.POST.get("notes", ""),
        }
        try:
            services.set_assessment(
                request.user,
                pk,
                int(institution) if institution.isdigit() else 0,
                typed["score"],
                typed["notes"],
            )
        except DomainError as exc:
            if exc.status in (403,):
                raise
            errors = {"institution": institution, "message": exc.detail}
        else:
            messages.success(request, "评估得分已保存。")
            return redirect("evaluations:assessments", pk)
    rows = services.assessments(request.user, pk)
    for row in rows:
        if typed and str(row["institution"]) == typed["institution"]:
            row["typed_score"], row["typed_notes"] = typed["score"], typed["notes"]
            row["error"] = errors.get("message")
    return render(
        request,
        "evaluations/assessments.html",
        {
            "programme": programme,
            "rows": rows,
            "can_edit": permissions.allowed(request.user, "assessment.edit"),
            "frozen": hasattr(programme, "ranking_decision"),
        },
        status=422 if errors else 200,
    )


@page
def assessments_current(request):
    return redirect("evaluations:assessments", current_programme_or_404().pk)


@page
@require_http_methods(["GET", "POST"])
def ranking(request, pk):
    """机构排名: every component beside the composite, the weights, the proposal and the bureau's decision."""
    permissions.check(request.user, "ranking.view")
    policy_error = confirm_error = None
    policy_values = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm":
                next_id = request.POST.get("next_programme", "")
                _, created = services.confirm_ranking(
                    request.user, pk, int(next_id) if next_id.isdigit() else None
                )
                messages.success(
                    request,
                    "排名已确认，末位机构已在下一年度暂停。" if created else "排名此前已确认，无变化。",
                )
                return redirect("evaluations:ranking", pk)
            if action == "policy":
                policy_values = {
                    k: request.POST.get(k, "")
                    for k in (
                        "weight_trainee",
                        "weight_assessment",
                        "weight_completion",
                        "min_answers",
                        "close_days",
                        "suspend_bottom",
                    )
                }
                services.set_policy(request.user, pk, policy_values)
                messages.success(request, "评价与排名规则已保存。")
                return redirect("evaluations:ranking", pk)
        except DomainError as exc:
            if exc.status == 403:
                raise
            if action == "confirm":
                confirm_error = exc
            else:
                policy_error = exc
    result = services.ranking(request.user, pk)  # after a change, so the page shows its effect
    programme = result["programme"]
    later = Programme.objects.filter(year__gt=programme.year).order_by("year")
    return render(
        request,
        "evaluations/ranking.html",
        {
            "programme": programme,
            "result": result,
            "years": Programme.objects.order_by("-year").values("pk", "year"),
            "policy": result["policy"],
            "later": later,
            "policy_values": policy_values,
            "policy_error": policy_error,
            "confirm_error": confirm_error,
            "can_confirm": permissions.allowed(request.user, "ranking.confirm"),
            "can_edit_policy": permissions.allowed(request.user, "evaluation.policy"),
        },
        status=422 if (policy_error or confirm_error) else 200,
    )


@page
def ranking_current(request):
    return redirect("evaluations:ranking", current_programme_or_404().pk)
