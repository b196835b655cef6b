from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lingjun.core import permissions
from lingjun.core.errors import DomainError
from lingjun.core.exports import xlsx_response
from lingjun.core.forms import apply_error
from lingjun.core.pages import page

from . import exports, services
from .forms import ProgrammeForm, WorkInfoForm
from .models import STATUS_FLOW, ProgrammeStatus

STATUS_ACTIONS = {"open": "开放报名", "closed": "截止报名", "archived": "归档"}


@page
def programme_list(request):
    permissions.check(request.user, "programme.view")
    programmes = list(services.visible_programmes(request.user))
    for p in programmes:
        p.totals = services.programme_totals(p)
    return render(
        request,
        "programmes/list.html",
        {"programmes": programmes, "can_create": permissions.allowed(request.user, "programme.create")},
    )


def _programme_form_page(request, programme=None):
    initial = None
    if programme is not None:
        initial = {f: getattr(programme, f) for f in services.PROGRAMME_FIELDS if f != "status"}
        if programme.min_manufacturing_share is not None:
            # Stored as 0.300; the form asks for a percentage with one decimal (30.0), and must accept its own
            # initial value when saved unchanged.
            initial["min_manufacturing_share"] = (programme.min_manufacturing_share * 100).quantize(
                Decimal("0.1")
            )
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if programme is None:
                programme = services.create_programme(request.user, form.service_data())
                messages.success(request, f"已创建{programme.year}年度计划。")
            else:
                programme = services.update_programme(request.user, programme.pk, form.service_data())
                messages.success(request, "已保存。")
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return redirect("programmes:detail", programme.pk)
    return render(request, "programmes/form.html", {"form": form, "programme": programme})


@page
def programme_create(request):
    permissions.check(request.user, "programme.create")
    return _programme_form_page(request)


@page
def programme_edit(request, pk):
    permissions.check(request.user, "programme.edit")
    return _programme_form_page(request, services.get_programme(pk))


@page
def programme_detail(request, pk):
    permissions.check(request.user, "programme.view")
    programme = services.get_visible_programme(request.user, pk)
    totals = services.programme_totals(programme)
    transitions = [
        (s, STATUS_ACTIONS[s]) for s in ("open", "closed", "archived") if s in STATUS_FLOW[programme.status]
    ]
    figures = None
    if request.user.role in ("bureau", "centre", "region"):
        from lingjun.registrations.figures import programme_figures

        figures = programme_figures(programme, request.user)
    return render(
        request,
        "programmes/detail.html",
        {
            "figures": figures,
            "can_register": permissions.allowed(request.user, "registration.create"),
            "can_view_registrations": permissions.allowed(request.user, "registration.view")
            and request.user.role != "trainee",
            "programme": programme,
            "totals": totals,
            "transitions": transitions if permissions.allowed(request.user, "programme.edit") else [],
            "can_edit": permissions.allowed(request.user, "programme.edit"),
            "show_quotas": request.user.role in ("bureau", "centre", "region"),
            "can_export": permissions.allowed(request.user, "quota.export"),
            "can_track": permissions.allowed(request.user, "workinfo.track"),
            "quota_warnings": services.quota_warnings(programme, totals["quota_total"]),
        },
    )


@page
@require_POST
def programme_status(request, pk):
    try:
        services.update_programme(
            request.user,
            pk,
            {"status": request.POST.get("status", "")},
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.detail)
    else:
        messages.success(request, "状态已变更。")
    return redirect("programmes:detail", pk)


@page
def quotas_current(request):
    return redirect("programmes:quotas", services.current_programme_or_404().pk)


def _count_or_none(raw: str):
    """What a person typed into a quota cell: blank is 0, a whole number is itself (full-width digits too);
    anything else is None, which the service refuses with its own message for that region."""
    value = raw.strip()
    if value == "":
        return 0
    sign, digits = (value[0], value[1:]) if value[0] in "+-" else ("", value)
    if digits.isdecimal():
        return int(sign + digits)
    return None


@page
def quotas(request, pk):
    permissions.check(request.user, "quota.view")
    programme = services.get_programme(pk)
    can_edit = (
        permissions.allowed(request.user, "quota.edit") and programme.status != ProgrammeStatus.ARCHIVED
    )
    rows = services.quota_table(programme)
    values = {q.region_id: str(q.amount) for q in rows}
    weights = {}
    errors: dict[str, str] = {}
    weight_errors: dict[str, str] = {}
    error_detail = None
    proposal_total = request.POST.get("proposal_total", "")
    if request.method == "POST":
        permissions.check(request.user, "quota.edit")
        values = {q.region_id: request.POST.get(f"quota_{q.region_id}", "").strip() for q in rows}
        weights = {q.region_id: request.POST.get(f"weight_{q.region_id}", "").strip() for q in rows}
        try:
            if request.POST.get("action") == "propose":
                total = _count_or_none(proposal_total) if proposal_total.strip() else None
                total = -1 if total is None else total
                parsed = {}
                for code, w in weights.items():
                    try:
                        parsed[code] = float(w) if w else 0.0
                    except ValueError:
                        parsed[code] = w
                proposal = services.propose_quotas(total, parsed)
                values = {code: str(v) for code, v in proposal.items()}
                messages.info(
                    request, f"已按权重建议名额，合计 {sum(proposal.values())} 人。核对后请点击“保存名额”。"
                )
            else:
                raw = {code: _count_or_none(v) for code, v in values.items()}
                result = services.set_quotas(
                    request.user, programme.pk, raw, reason=request.POST.get("reason", "")
                )
                messages.success(request, f"名额已保存，合计 {result['total']} 人。")
                for w in result["warnings"]:
                    messages.warning(request, w["message"])
                return redirect("programmes:quotas", programme.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error_detail = exc.detail
            for issue in exc.errors:  # "quotas.110000", "weights.110000", "total", "weights"
                kind, _, code = issue.field.partition(".")
                (weight_errors if kind == "weights" and code else errors)[code or kind] = issue.message
    table = [
        {
            "quota": q,
            "value": values.get(q.region_id, ""),
            "weight": weights.get(q.region_id, ""),
            "error": errors.get(q.region_id),
            "weight_error": weight_errors.get(q.region_id),
        }
        for q in rows
    ]
    total = sum(n for n in (_count_or_none(str(v)) for v in values.values()) if n and n > 0)
    return render(
        request,
        "programmes/quotas.html",
        {
            "programme": programme,
            "table": table,
            "total": total,
            "used_total": sum(q.used for q in rows),
            "can_edit": can_edit,
            "error_detail": error_detail,
            "errors": errors,
            "proposal_total": proposal_total or programme.target_trainees,
            "can_export": permissions.allowed(request.user, "quota.export"),
            "show_weights": any(weights.values())
            or bool(weight_errors)
            or "total" in errors
            or "weights" in errors,
        },
    )


@page
def quotas_xlsx(request, pk):
    permissions.check(request.user, "quota.export")
    programme = services.get_programme(pk)
    return xlsx_response(f"附件2_{programme.year}年名额分配表.xlsx", [exports.quota_sheet(programme)])


@page
def workinfo_current(request):
    return redirect("programmes:workinfo", services.current_programme_or_404().pk)


@page
def workinfo(request, pk):
    user = request.user
    if user.role == "region":
        return redirect("programmes:workinfo_form", pk, user.region_id)
    permissions.check(user, "workinfo.track")
    programme = services.get_programme(pk)
    all_rows = services.work_info_tracking(programme)
    show = request.GET.get("show", "")
    if show == "missing":
        rows = [r for r in all_rows if r[1] is None]
    elif show == "submitted":
        rows = [r for r in all_rows if r[1] is not None]
    else:
        show, rows = "", all_rows
    submitted = sum(1 for r in all_rows if r[1] is not None)
    return render(
        request,
        "programmes/workinfo_tracking.html",
        {
            "programme": programme,
            "rows": rows,
            "submitted": submitted,
            "missing": len(all_rows) - submitted,
            "regions": len(all_rows),
            "show": show,
        },
    )


@page
def workinfo_form(request, pk, region):
    programme, region_obj, info = services.get_work_info(request.user, pk, region)
    can_edit = (
        permissions.allowed(request.user, "workinfo.edit", region_obj)
        and programme.status != ProgrammeStatus.ARCHIVED
    )
    form = WorkInfoForm(request.POST or None, initial=services.work_info_dict(info) if info else None)
    if request.method == "POST":
        permissions.check(request.user, "workinfo.edit", region_obj)
        if form.is_valid():
            try:
                services.save_work_info(request.user, programme.pk, region_obj.code, form.cleaned_data)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, "工作信息已提交。")
                return redirect(reverse("programmes:workinfo_form", args=[programme.pk, region_obj.code]))
    return render(
        request,
        "programmes/workinfo_form.html",
        {
            "programme": programme,
            "region": region_obj,
            "info": info,
            "form": form,
            "can_edit": can_edit,
            "can_track": permissions.allowed(request.user, "workinfo.track"),
        },
    )


@page
def workinfo_xlsx(request, pk):
    programme, sheet = services.export_work_info(request.user, pk)
    return xlsx_response(f"附件3_{programme.year}年工作信息表.xlsx", [sheet])
