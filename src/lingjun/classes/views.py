"""Pages of issue #4: classes of a programme, class detail with its week timetable and roster, the faculty
roster, placement, and the class documents. Views parse the request, call `services` (the only door that
changes state) or the read helpers in `queries`, and render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import F
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lingjun.core import permissions
from lingjun.core.errors import DomainError
from lingjun.core.forms import apply_error
from lingjun.core.pages import page
from lingjun.core.pdf import FontMissing
from lingjun.programmes import services as programme_services
from lingjun.reference.models import Topic

from . import documents, queries, services
from .forms import ClassForm, FacultyForm, SessionForm
from .models import Faculty, TrainingClass


def _show(form, exc: DomainError) -> None:
    """A refusal on the form: 403/404 go to the error page (@page); field errors on their fields, and a rule's
    own sentence on top (“与本班已有课程“…”（09:00—11:30）时间重叠。” says more than the field's note)."""
    if exc.status in (403, 404):
        raise exc
    apply_error(form, exc)
    if exc.status == 409 and exc.errors and exc.detail not in form.non_field_errors():
        form.add_error(None, exc.detail)


# --- classes of a programme ---------------------------------------------------------------------------


@page
def classes_current(request):
    return redirect("classes:list", programme_services.current_programme_or_404().pk)


@page
def class_list(request, pk):
    user = request.user
    permissions.check(user, "class.view")
    programme = programme_services.get_programme(pk)
    can_create = permissions.allowed(user, "class.create")
    form = None
    if can_create:
        suspended = queries.suspended_institutions(programme)
        initial = {
            "number": queries.next_number(programme),
            "track": (programme.tracks or [""])[0],
            "capacity": max(1, programme.target_trainees // max(1, programme.planned_classes)),
        }
        form = ClassForm(request.POST or None, programme=programme, suspended=suspended, initial=initial)
    if request.method == "POST":
        permissions.check(user, "class.create")
        if form.is_valid():
            try:
                tc = services.create_class(user, programme.pk, form.service_data())
            except DomainError as exc:
                _show(form, exc)
            else:
                messages.success(request, f"已开设第{tc.number}期（{tc.city}），现在可以安排课表。")
                return redirect("classes:detail", tc.pk)
    classes = queries.classes_of(programme)
    return render(
        request,
        "classes/list.html",
        {
            "programme": programme,
            "classes": classes,
            "totals": queries.class_totals(classes),
            "form": form,
            "can_assign": permissions.allowed(user, "class.assign"),
            "approved_waiting": queries.approved_count(programme.pk)
            if permissions.allowed(user, "class.assign")
            else 0,
        },
    )


@page
def class_edit(request, pk):
    user = request.user
    permissions.check(user, "class.edit")
    tc = services.get_class(user, pk)
    initial = {
        f: getattr(tc, f)
        for f in (
            "number",
            "track",
            "city",
            "venue",
            "capacity",
            "head_teacher",
            "head_teacher_phone",
            "status",
        )
    }
    initial.update(
        institution=str(tc.institution_id),
        start_date=tc.start_date.isoformat(),
        end_date=tc.end_date.isoformat(),
    )
    form = ClassForm(
        request.POST or None,
        programme=tc.programme,
        initial=initial,
        with_status=True,
        suspended=queries.suspended_institutions(tc.programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            tc = services.update_class(user, tc.pk, form.service_data())
        except DomainError as exc:
            _show(form, exc)
        else:
            messages.success(request, "班级信息已保存。")
            return redirect("classes:detail", tc.pk)
    return render(request, "classes/edit.html", {"tc": tc, "form": form})


# --- class detail: header, week timetable, roster, documents -------------------------------------------


def _session_initial(request, tc: TrainingClass, sessions) -> dict:
    wanted = request.GET.get("date", "")
    days = {
        (tc.start_date + datetime.timedelta(days=i)).isoformat()
        for i in range((tc.end_date - tc.start_date).days + 1)
    }
    if wanted in days:
        return {"date": wanted}
    return {"date": (sessions[-1].date if sessions else tc.start_date).isoformat()}


@page
def class_detail(request, pk):
    user = request.user
    permissions.check(user, "class.view")
    tc = services.get_class(user, pk)
    sessions = list(tc.sessions.select_related("topic", "faculty").order_by("date", "start"))
    can_edit = permissions.allowed(user, "timetable.edit")
    form = None
    if can_edit:
        form = SessionForm(
            request.POST or None, training_class=tc, initial=_session_initial(request, tc, sessions)
        )
    if request.method == "POST":
        permissions.check(user, "timetable.edit")
        if form.is_valid():
            try:
                s = services.add_session(user, tc.pk, form.service_data())
            except DomainError as exc:
                _show(form, exc)
            else:
                messages.success(
                    request,
                    f"已添加课程“{s.title}”（{queries.day_label(s.date)} {s.start:%H:%M}—{s.end:%H:%M}）。",
                )
                return redirect(
                    reverse("classes:detail", args=[tc.pk]) + f"?date={s.date.isoformat()}#timetable"
                )
    today = timezone.localdate()
    show_roster = user.role in ("bureau", "centre", "institution", "region")
    can_assign = permissions.allowed(user, "class.assign")
    return render(
        request,
        "classes/detail.html",
        {
            "tc": tc,
            "week": queries.week_view(tc, sessions, today),
            "sessions": sessions,
            "form": form,
            "can_edit": can_edit,
            "can_class_edit": permissions.allowed(user, "class.edit"),
            "can_documents": permissions.allowed(user, "class.documents"),
            "can_assign": can_assign,
            "show_roster": show_roster,
            "roster": queries.roster(tc) if show_roster else [],
            "fill": queries.fill_percent(tc.enrolled, tc.capacity),
            "fill_level": queries.fill_level(tc.enrolled, tc.capacity),
            "waiting": queries.waiting_for_class(tc.programme_id) if can_assign else [],
            "other_classes": (
                TrainingClass.objects.filter(programme_id=tc.programme_id, enrolled__lt=F("capacity"))
                .exclude(pk=tc.pk)
                .exclude(status="cancelled")
                .order_by("number")
                if can_assign
                else []
            ),
            "topics": Topic.objects.order_by("sort") if can_edit else [],
            "links": {
                "attendance": permissions.allowed(user, "attendance.view"),
                "project": permissions.allowed(user, "attendance.project"),
                "completion": permissions.allowed(user, "completion.manage"),
                "certificates": permissions.allowed(user, "certificate.issue"),
                "evaluation": permissions.allowed(user, "evaluation.view"),
            },
        },
    )


@page
@require_POST
def roster_action(request, pk):
    """Manual placement from the roster (centre): put a waiting trainee in, move one to another class, or
    take one out (back to 审核通过)."""
    user = request.user
    permissions.check(user, "class.assign")
    action, reg_id = request.POST.get("action", ""), request.POST.get("registration", "")
    back = redirect(reverse("classes:detail", args=[pk]) + "#roster")
    try:
        if action == "assign":
            reg = services.assign(user, reg_id, pk, note="人工编班")
            messages.success(request, f"已将{reg.trainee.name}编入第{reg.training_class.number}期。")
        elif action == "move":
            reg = services.assign(user, reg_id, request.POST.get("to_class", ""), note="人工调班")
            messages.success(request, f"已将{reg.trainee.name}调至第{reg.training_class.number}期。")
        elif action == "unassign":
            reg = services.unassign(user, reg_id)
            messages.success(request, f"已将{reg.trainee.name}移出本班，恢复为“审核通过”，可重新编班。")
        else:
            messages.error(request, "未知的操作。")
    except DomainError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.detail)
    return back


# --- timetable sessions ------------------------------------------------------------------------------


@page
def session_edit(request, pk):
    user = request.user
    permissions.check(user, "timetable.edit")
    s = services.get_session(user, pk)
    tc = services.get_class(user, s.training_class_id)
    initial = {
        "date": s.date.isoformat(),
        "start": f"{s.start:%H:%M}",
        "end": f"{s.end:%H:%M}",
        "title": s.title,
        "topic": s.topic_id,
        "format": s.format,
        "faculty": str(s.faculty_id or ""),
        "place": s.place,
        "required": s.required,
    }
    form = SessionForm(request.POST or None, training_class=tc, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.update_session(user, s.pk, form.service_data())
        except DomainError as exc:
            _show(form, exc)
        else:
            messages.success(request, f"课程“{s.title}”已保存。")
            return redirect(reverse("classes:detail", args=[tc.pk]) + f"?date={s.date.isoformat()}#timetable")
    return render(request, "classes/session_edit.html", {"tc": tc, "session": s, "form": form})


@page
@require_POST
def session_delete(request, pk):
    user = request.user
    s = services.get_session(user, pk)
    class_id, title = s.training_class_id, s.title
    services.delete_session(user, pk)
    messages.success(request, f"已删除课程“{title}”。")
    return redirect(reverse("classes:detail", args=[class_id]) + "#timetable")


# --- documents ---------------------------------------------------------------------------------------


@page
def class_document(request, pk, kind, fmt):
    try:
        return documents.class_document(
            request.user, pk, kind, fmt, session_id=request.GET.get("session"), host=request.get_host()
        )
    except FontMissing as exc:
        return render(
            request, "core/error.html", {"title": "暂时无法生成 PDF", "error": exc}, status=exc.status
        )


# --- faculty -----------------------------------------------------------------------------------------


@page
def faculty_list(request):
    user = request.user
    permissions.check(user, "faculty.view")
    can_create = permissions.allowed(user, "faculty.create")
    form = FacultyForm(request.POST or None) if can_create else None
    if request.method == "POST":
        permissions.check(user, "faculty.create")
        if form.is_valid():
            try:
                f = services.create_faculty(user, form.cleaned_data)
            except DomainError as exc:
                _show(form, exc)
            else:
                messages.success(request, f"已新增师资“{f.name}”。")
                return redirect("classes:faculty")
    from django.core.paginator import Paginator

    qs = Faculty.objects.prefetch_related("topics").order_by("name")
    q, topic = request.GET.get("q", "").strip(), request.GET.get("topic", "")
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(affiliation__icontains=q)
    if topic:
        qs = qs.filter(topics__code=topic)
    page_obj = Paginator(qs.distinct(), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "classes/faculty.html",
        {
            "form": form,
            "page_obj": page_obj,
            "q": q,
            "topic": topic,
            "topics": Topic.objects.order_by("sort"),
        },
    )


# --- placement ---------------------------------------------------------------------------------------


@page
def placement_current(request):
    return redirect("classes:placement", programme_services.current_programme_or_404().pk)


def _mapping(post) -> tuple[dict[int, int], dict[int, int | None], dict[int, str]]:
    """The submitted (possibly hand-edited) proposal: chosen class, proposed class and reason per registration."""
    chosen, proposed, reasons = {}, {}, {}
    for key, value in post.items():
        if not key.startswith("class_") or not key[6:].isdigit():
            continue
        reg = int(key[6:])
        p = post.get(f"proposed_{reg}", "")
        proposed[reg] = int(p) if p.isdigit() else None
        reasons[reg] = post.get(f"reason_{reg}", "")[:200]
        if value.isdigit():
            chosen[reg] = int(value)
    return chosen, proposed, reasons


@page
def placement(request, pk):
    user = request.user
    permissions.check(user, "class.assign")
    programme = programme_services.get_programme(pk)
    proposal = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "apply":
            chosen, proposed, reasons = _mapping(request.POST)
            if not chosen:
                messages.warning(request, "没有选择任何班级，未作编班。")
                return redirect("classes:placement", programme.pk)
            notes = queries.placement_notes(chosen, proposed, reasons)
            result = services.apply_placement(user, programme.pk, chosen, notes)
            messages.success(request, f"已编班 {result['assigned']} 人。")
            if result["refused"]:
                names = queries.registration_names([r["registration"] for r in result["refused"]])
                messages.error(request, f"{len(result['refused'])} 人未能编班，请调整后重新运行：")
                for r in result["refused"][:30]:
                    messages.error(
                        request, f"{names.get(r['registration'], r['registration'])}：{r['message']}"
                    )
                if len(result["refused"]) > 30:
                    messages.error(request, f"……另有 {len(result['refused']) - 30} 人。")
            return redirect("classes:placement", programme.pk)
        proposal = services.propose_placement(user, programme.pk)
    classes = [c for c in queries.classes_of(programme) if c.status != "cancelled"]
    proposed = {}
    rows = []
    if proposal is not None:
        numbers = {c.pk: c.number for c in classes}
        for r in proposal["rows"]:
            if r["class"]:
                proposed[r["class"]] = proposed.get(r["class"], 0) + 1
            r["preference_text"] = "、".join(f"第{n}期" for n in (r["preferences"] or [])) or "未填"
            r["class_number"] = numbers.get(r["class"])
            rows.append(r)
    return render(
        request,
        "classes/placement.html",
        {
            "programme": programme,
            "classes": classes,
            "summary": queries.placement_summary(classes, proposed),
            "proposal": proposal,
            "rows": rows,
            "waiting": queries.approved_count(programme.pk),
            "enrolled": sum(c.enrolled for c in classes),
            "capacity": sum(c.capacity for c in classes),
            "free": sum(max(0, c.capacity - c.enrolled) for c in classes),
        },
    )
