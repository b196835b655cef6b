"""Registration pages (issue #3): the 附件4 form, the list and review queue, a registration's page with its
actions, the sheet upload, and the invitation a trainee opens on the phone. Views parse, call the services
and render; every rule lives in services.py / importer.py."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from lingjun.core import permissions
from lingjun.core.errors import DomainError, NotFound
from lingjun.core.middleware import client_ip
from lingjun.core.models import AuditEntry
from lingjun.core.pages import page
from lingjun.programmes import services as programme_services
from lingjun.programmes.models import ProgrammeStatus
from lingjun.reference.models import Qualification, Region

from . import exports, importer, services
from .api import ListFilter, filtered
from .forms import (
    ETHNICITIES,
    AcceptInvitationForm,
    ImportForm,
    RegistrationForm,
    industry_options,
    show_refusal,
)
from .models import EDITABLE_STATUSES, Registration, Status

PAGE_SIZE = 50
INVITE_SESSION_KEY = "registration_invite_urls"
ACTION_LABELS = {
    "registration.create": "登记",
    "registration.update": "修改",
    "registration.submit": "提交",
    "registration.invite": "生成邀请链接",
    "registration.confirm": "学员本人确认参训",
    "registration.approve": "审核通过",
    "registration.reject": "不予通过",
    "registration.return": "退回修改",
    "registration.withdraw": "撤回",
    "registration.enrol": "编班",
    "registration.complete": "结业",
}
STATUS_LABELS = dict(Status.choices)


def _refuse_unless_shown(exc: DomainError) -> None:
    """403/404/429 are pages of their own (core.pages); 409/422 are shown where they happened."""
    if exc.status in (403, 404, 429):
        raise exc


def _late(programme, user) -> bool:
    return user.role == "centre" and (
        programme.status == ProgrammeStatus.CLOSED or timezone.localdate() > programme.registration_deadline
    )


def _form_context(programme, form, **extra) -> dict:
    return {
        "programme": programme,
        "form": form,
        "industries": industry_options(),
        "ethnicities": ETHNICITIES,
        **extra,
    }


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# --- list / review queue --------------------------------------------------------------------------------


@page
def current(request):
    programme = programme_services.current_programme_or_404()
    url = reverse("registrations:list", args=[programme.pk])
    if request.user.role == "centre":
        url += "?status=submitted"
    return redirect(url)


def _filters(request) -> tuple[ListFilter, dict]:
    g = request.GET
    raw = {
        k: g.get(k, "").strip()
        for k in ("status", "region", "qualification", "manufacturing", "confirmed", "q")
    }
    if request.user.role == "region":
        raw["region"] = ""
    yes_no = {"1": True, "0": False}
    f = ListFilter(
        status=raw["status"] or None,
        region=raw["region"] or None,
        qualification=raw["qualification"] or None,
        manufacturing=yes_no.get(raw["manufacturing"]),
        confirmed=yes_no.get(raw["confirmed"]),
        q=raw["q"] or None,
    )
    return f, raw


@page
def registration_list(request, programme_id):
    permissions.check(request.user, "registration.view")
    if request.user.role == "trainee":
        return redirect("home")
    programme = services._programme(programme_id)
    f, raw = _filters(request)
    qs = filtered(programme.pk, f).select_related("region")
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in raw.items() if v})
    user = request.user
    counts = dict(
        Registration.objects.filter(programme=programme)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    )
    tabs = [
        (value, "待审核" if value == "submitted" and user.role == "centre" else label, counts.get(value, 0))
        for value, label in Status.choices
        if counts.get(value) or raw["status"] == value
    ]
    return render(
        request,
        "registrations/list.html",
        {
            "programme": programme,
            "page_obj": page_obj,
            "f": raw,
            "query": query,
            "statuses": Status.choices,
            "tabs": tabs,
            "total": sum(counts.values()),
            "regions": Region.objects.all() if user.role in ("bureau", "centre") else None,
            "qualifications": Qualification.objects.all(),
            "can_create": permissions.allowed(user, "registration.create"),
            "can_review": permissions.allowed(user, "registration.review"),
            "can_export": permissions.allowed(user, "registration.export"),
            "can_export_ids": permissions.allowed(user, "registration.export_ids"),
            "next": request.get_full_path(),
        },
    )


@page
@require_POST
def bulk_approve(request, programme_id):
    permissions.check(request.user, "registration.review")
    services._programme(programme_id)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    back = _back(request, reverse("registrations:list", args=[programme_id]))
    if not ids:
        messages.warning(request, "请先勾选要通过的报名。")
        return redirect(back)
    result = services.approve_many(request.user, ids, programme_id=int(programme_id))
    if result["approved"]:
        messages.success(request, f"已审核通过 {len(result['approved'])} 人。")
    if result["refused"]:
        names = dict(
            Registration.objects.filter(pk__in=[r["id"] for r in result["refused"]]).values_list(
                "pk", "trainee__name"
            )
        )
        for r in result["refused"]:
            messages.error(request, f"{names.get(r['id'], r['id'])}：{r['message']}")
    return redirect(back)


def _export(request, programme_id, unmasked: bool):
    permissions.check(request.user, "registration.export_ids" if unmasked else "registration.export")
    programme = services._programme(programme_id)
    f, _ = _filters(request)
    return exports.registrations_response(
        request.user, programme, filtered(programme.pk, f), unmasked=unmasked
    )


@page
def export_xlsx(request, programme_id):
    return _export(request, programme_id, unmasked=False)


@page
@require_POST
def export_ids_xlsx(request, programme_id):
    """The unmasked export is an audited action, hence a POST (a link or a prefetch never triggers it)."""
    return _export(request, programme_id, unmasked=True)


# --- form: new and edit ---------------------------------------------------------------------------------


@page
def registration_new(request, programme_id):
    permissions.check(request.user, "registration.create")
    programme = services._programme(programme_id)
    user = request.user
    choose_region = user.role == "centre"
    late = _late(programme, user)
    form = RegistrationForm(
        request.POST or None,
        programme=programme,
        choose_region=choose_region,
        late=late,
        initial=None if request.POST else {"region": request.GET.get("region", "")},
    )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            reg = services.create_registration(
                user,
                programme.pk,
                form.service_data(),
                submit=submit,
                source="form",
                region_code=form.cleaned_data.get("region") or None,
                late_reason=form.cleaned_data.get("late_reason") or "",
            )
        except DomainError as exc:
            _refuse_unless_shown(exc)
            show_refusal(form, exc)
        else:
            if submit:
                messages.success(
                    request, f"已提交{reg.trainee.name}的报名。请生成邀请链接，转发给学员本人确认参训。"
                )
            else:
                messages.success(request, f"已保存{reg.trainee.name}的报名草稿，尚未提交。")
            for w in reg.warnings:
                messages.warning(request, w["message"])
            return redirect("registrations:detail", reg.pk)
    closed = programme.status != ProgrammeStatus.OPEN
    return render(
        request,
        "registrations/form.html",
        _form_context(
            programme,
            form,
            reg=None,
            closed=closed,
            late=late,
            region=user.region if user.role == "region" else None,
        ),
    )


@page
def registration_edit(request, pk):
    permissions.check(request.user, "registration.create")
    reg = services.get_registration(request.user, pk)
    if reg.status not in EDITABLE_STATUSES:
        messages.error(request, f"报名状态为“{reg.get_status_display()}”，不能修改。")
        return redirect("registrations:detail", reg.pk)
    programme = reg.programme
    late = _late(programme, request.user)
    form = RegistrationForm(
        request.POST or None,
        programme=programme,
        late=late,
        id_on_file=reg.trainee.id_number_masked,
        initial=None if request.POST else RegistrationForm.initial_for(reg),
    )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        # An empty ID field keeps the number on file (the service does that; the page never shows it whole).
        saved = False
        try:
            reg = services.update_registration(request.user, reg.pk, form.service_data(""))
            saved = True
            if submit:
                reg = services.submit_registration(
                    request.user, reg.pk, form.cleaned_data.get("late_reason") or ""
                )
        except DomainError as exc:
            _refuse_unless_shown(exc)
            if saved:
                exc.detail = f"修改已保存，但未能提交：{exc.detail}"
            show_refusal(form, exc)
        else:
            messages.success(request, "已修改并提交。" if submit else "修改已保存。")
            return redirect("registrations:detail", reg.pk)
    return render(
        request,
        "registrations/form.html",
        _form_context(programme, form, reg=reg, closed=False, late=late, region=reg.region),
    )


# --- one registration ----------------------------------------------------------------------------------


@page
def registration_detail(request, pk):
    permissions.check(request.user, "registration.view")
    user = request.user
    reg = services.get_registration(user, pk)
    staff = user.role != "trainee"
    trail = []
    if staff:
        trail = list(
            AuditEntry.objects.filter(object_type="registration", object_id=str(reg.pk))
            .select_related("actor")
            .order_by("at", "id")
        )
        for e in trail:
            e.label = ACTION_LABELS.get(e.action, e.action)
            e.from_label = STATUS_LABELS.get(e.from_state, e.from_state)
            e.to_label = STATUS_LABELS.get(e.to_state, e.to_state)
    invite_url = request.session.get(INVITE_SESSION_KEY, {}).get(str(reg.pk))
    if invite_url:
        stored = request.session[INVITE_SESSION_KEY]
        stored.pop(str(reg.pk))
        request.session.modified = True
    live = reg.status not in ("rejected", "withdrawn", "completed", "not_completed")
    return render(
        request,
        "registrations/detail.html",
        {
            "reg": reg,
            "programme": reg.programme,
            "trail": trail,
            "staff": staff,
            "invite_url": invite_url,
            "qualifications": reg.enterprise.qualifications.all(),
            "can_edit": permissions.allowed(user, "registration.create") and reg.status in EDITABLE_STATUSES,
            "can_submit": permissions.allowed(user, "registration.submit")
            and reg.status in EDITABLE_STATUSES,
            "can_invite": permissions.allowed(user, "registration.invite") and live and not reg.confirmed,
            "has_invitation": reg.invitations.exists(),
            "can_withdraw": staff and permissions.allowed(user, "registration.withdraw") and live,
            "can_review": permissions.allowed(user, "registration.review") and reg.status == "submitted",
            "can_reject": permissions.allowed(user, "registration.review")
            and reg.status in ("submitted", "approved"),
            "late": _late(reg.programme, user),
        },
    )


def _act(request, pk, action, done: str):
    try:
        action()
    except DomainError as exc:
        _refuse_unless_shown(exc)
        messages.error(request, exc.detail)
    else:
        messages.success(request, done)
    return redirect("registrations:detail", pk)


@page
@require_POST
def registration_action(request, pk, action):
    user, p = request.user, request.POST
    reason = p.get("reason", "")
    actions = {
        "submit": (
            lambda: services.submit_registration(user, pk, p.get("late_reason", "")),
            "已提交，名额已占用。",
        ),
        "approve": (lambda: services.approve(user, pk, p.get("note", "")), "已审核通过。"),
        "reject": (lambda: services.reject(user, pk, reason), "已标记为不予通过，名额已释放。"),
        "return": (
            lambda: services.return_for_correction(user, pk, p.get("comment", "")),
            "已退回修改，地方主管部门将看到退回意见。",
        ),
        "withdraw": (lambda: services.withdraw(user, pk, reason), "已撤回，名额与企业已释放。"),
    }
    if action not in actions:
        raise NotFound()
    fn, done = actions[action]
    return _act(request, pk, fn, done)


@page
@require_POST
def registration_invite(request, pk):
    try:
        _, token = services.create_invitation(request.user, pk)
    except DomainError as exc:
        _refuse_unless_shown(exc)
        messages.error(request, exc.detail)
    else:
        urls = request.session.get(INVITE_SESSION_KEY, {})
        urls[str(pk)] = request.build_absolute_uri(services.invite_url(token))
        request.session[INVITE_SESSION_KEY] = urls
        messages.success(request, "邀请链接已生成。")
    return redirect("registrations:detail", pk)


# --- import --------------------------------------------------------------------------------------------


@page
def import_page(request, programme_id):
    permissions.check(request.user, "registration.import")
    programme = services._programme(programme_id)
    choose_region = request.user.role == "centre"
    form = ImportForm(request.POST or None, request.FILES or None, choose_region=choose_region)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is None:
            form.add_error("file", "请选择要上传的附件4工作簿（.xlsx）。")
        else:
            try:
                result = importer.import_workbook(
                    request.user,
                    programme.pk,
                    upload,
                    mode=form.cleaned_data.get("mode") or "partial",
                    region_code=form.cleaned_data.get("region") or None,
                )
            except DomainError as exc:
                _refuse_unless_shown(exc)
                form.add_error(None, exc.detail)
                for issue in exc.errors:
                    if issue.field in form.fields and issue.message != exc.detail:
                        form.add_error(issue.field, issue.message)
    return render(
        request,
        "registrations/import.html",
        {
            "programme": programme,
            "form": form,
            "result": result,
            "region": request.user.region if request.user.role == "region" else None,
        },
    )


@page
def import_template(request, programme_id):
    permissions.check(request.user, "registration.import")
    return exports.template_response(services._programme(programme_id))


@page
def import_errors(request, batch_id):
    return importer.error_workbook_response(request.user, batch_id)


# --- invitation (public) -------------------------------------------------------------------------------


def _mask_name(name: str) -> str:
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def invite(request, token):
    """学员本人确认参训: opened from WeChat on a phone, no login."""
    try:
        inv = services.invitation_for(token)
    except DomainError as exc:
        return render(request, "registrations/invite.html", {"error": exc}, status=exc.status)
    reg = inv.registration
    form = AcceptInvitationForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user, reg = services.accept_invitation(
                token, d["password"], d["id_number_last6"], client_ip(request)
            )
        except DomainError as exc:
            if exc.status == 429:
                status = 429
            placed = False
            for issue in exc.errors:
                field = {"password": "password", "id_number_last6": "id_number_last6"}.get(issue.field)
                if field:
                    form.add_error(field, issue.message)
                    placed = True
            if not placed:
                form.add_error(None, exc.detail)
        else:
            login(request, user)
            messages.success(
                request,
                f"确认成功！您已确认参加{reg.programme.year}年培训。以后请用手机号 {user.username} 和刚设置的密码登录。",
            )
            return redirect("home")
    expired = inv.expires_at <= timezone.now()
    return render(
        request,
        "registrations/invite.html",
        {
            "inv": inv,
            "reg": reg,
            "programme": reg.programme,
            "masked_name": _mask_name(reg.trainee.name),
            "form": form,
            "accepted": inv.accepted_at is not None,
            "expired": expired,
        },
        status=status,
    )
