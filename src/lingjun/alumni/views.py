"""Pages: programme dashboard, alumni archive, enterprise follow-up, re-training, my personal data."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lingjun.core import permissions
from lingjun.core.errors import DomainError
from lingjun.core.pages import page
from lingjun.programmes import services as programme_services
from lingjun.programmes.models import Programme
from lingjun.reference.models import IndustrySection, Qualification, Region

from . import archive as archive_q
from . import charts, exports, services, stats
from .api import personal_data_download, xlsx_bytes_response
from .models import ServiceKind


def _bar(value, top):
    return round(100 * value / top, 1) if top else 0


@page
def stats_current(request):
    permissions.check(request.user, "stats.view")
    return redirect("alumni:stats", programme_services.current_programme_or_404().pk)


@page
def stats_page(request, programme_id):
    data = stats.programme_stats(request.user, programme_id)
    top = max([r["quota"] for r in data["by_region"]] + [r["submitted"] for r in data["by_region"]] + [1])
    for r in data["by_region"]:
        r["bar_quota"] = _bar(r["quota"], top)
        r["bar_submitted"] = _bar(r["submitted"], top)
        r["bar_completed"] = _bar(r["completed"], top)
    for key in ("size", "qualification", "industry"):
        biggest = max([e["count"] for e in data["mix"][key]] + [1])
        for e in data["mix"][key]:
            e["bar"] = _bar(e["count"], biggest)
    for c in data["classes"]:
        c["bar"] = _bar(c["trainees"], c["capacity"])
    return render(
        request,
        "alumni/stats.html",
        {
            "s": data,
            "programme": Programme.objects.get(pk=data["programme"]),
            "programmes": Programme.objects.order_by("-year"),
            "target_bar": min(100, _bar(data["totals"]["submitted"], data["target"])),
        },
    )


@page
def stats_xlsx(request, programme_id, table):
    data = stats.programme_stats(request.user, programme_id)
    return exports.stats_response(data, table)


ARCHIVE_FILTERS = ("q", "region", "qualification", "industry", "year")


@page
def archive_page(request):
    f = {k: request.GET.get(k, "").strip() for k in ARCHIVE_FILTERS}
    year = int(f["year"]) if f["year"].isdigit() else None
    qs = archive_q.archive(
        request.user,
        region=f["region"] or None,
        q=f["q"] or None,
        qualification=f["qualification"] or None,
        industry=f["industry"] or None,
        year=year,
    )
    page_obj = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "alumni/archive.html",
        {
            "f": f,
            "page_obj": page_obj,
            "rows": [archive_q.row(r) for r in page_obj.object_list],
            "regions": Region.objects.all() if request.user.role != "region" else [],
            "qualifications": Qualification.objects.filter(active=True),
            "sections": IndustrySection.objects.all(),
            "years": Programme.objects.order_by("-year").values_list("year", flat=True),
            "can_retrain": permissions.allowed(request.user, "retraining.invite"),
            "later_programmes": Programme.objects.filter(status__in=("open", "closed", "draft")).order_by(
                "-year"
            ),
        },
    )


@page
def enterprise_page(request, credit_code):
    ctx = services.enterprise_page(request.user, credit_code)
    reports = ctx["reports"]
    labels = [r.period for r in reports]
    ctx["charts"] = [
        charts.trend("营业收入", labels, [r.revenue for r in reports], unit="万元"),
        charts.trend("从业人员", labels, [r.employees for r in reports], kind="bar", unit="人"),
        charts.trend("研发投入", labels, [r.rnd_spend for r in reports], unit="万元"),
        charts.trend("专利数", labels, [r.patents for r in reports], kind="bar", unit="件"),
    ]
    if any(r.export_revenue is not None for r in reports):
        ctx["charts"].append(charts.trend("出口额", labels, [r.export_revenue for r in reports], unit="万元"))
    if any(r.financing is not None for r in reports):
        ctx["charts"].append(
            charts.trend("融资额", labels, [r.financing for r in reports], kind="bar", unit="万元")
        )
    ctx["can_edit"] = permissions.allowed(request.user, "followup.edit")
    ctx["service_kinds"] = ServiceKind.choices
    ctx["report_form"] = request.session.pop("report_form", {})
    ctx["service_form"] = request.session.pop("service_form", {})
    return render(request, "alumni/enterprise.html", ctx)


def _back(credit_code):
    return redirect(reverse("alumni:enterprise", args=[credit_code]))


@page
@require_POST
def enterprise_add_report(request, credit_code):
    data = {k: request.POST.get(k, "") for k in services.REPORT_LABELS}
    try:
        report = services.add_report(request.user, credit_code, data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        request.session["report_form"] = {
            "data": data,
            "errors": [e.message for e in exc.errors] or [exc.detail],
        }
        messages.error(request, exc.detail)
        return _back(credit_code)
    messages.success(request, f"已保存 {report.period} 的经营情况。")
    return _back(credit_code)


@page
@require_POST
def enterprise_import_reports(request, credit_code):
    upload = request.FILES.get("file")
    try:
        reports = services.import_reports(request.user, credit_code, upload.read() if upload else b"")
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        request.session["report_form"] = {
            "data": {},
            "errors": [e.message for e in exc.errors] or [exc.detail],
        }
        messages.error(request, exc.detail)
        return _back(credit_code)
    messages.success(request, f"已导入 {len(reports)} 个报告期的经营情况。")
    return _back(credit_code)


@page
def enterprise_report_template(request, credit_code):
    services.get_enterprise(request.user, credit_code, "followup.edit")
    return xlsx_bytes_response("企业经营情况模板.xlsx", services.report_template())


@page
@require_POST
def enterprise_add_service(request, credit_code):
    data = {k: request.POST.get(k, "") for k in ("date", "kind", "description", "outcome")}
    try:
        services.add_service(request.user, credit_code, data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        request.session["service_form"] = {
            "data": data,
            "errors": [e.message for e in exc.errors] or [exc.detail],
        }
        messages.error(request, exc.detail)
        return _back(credit_code)
    messages.success(request, "已登记助企服务。")
    return _back(credit_code)


@page
@require_POST
def retrain(request, registration_id):
    try:
        reg = services.invite_to_retraining(request.user, registration_id, request.POST.get("programme", ""))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.detail)
        return redirect(reverse("alumni:archive"))
    messages.success(
        request,
        f"已为 {reg.trainee.name} 建立 {reg.programme.year} 年度复训报名（草稿），"
        "请推荐地区补全声明并提交，学员本人确认后由中心审核。",
    )
    return redirect(reverse("registrations:detail", args=[reg.pk]))


@page
def my_personal_data(request):
    return personal_data_download(services.personal_data(request.user))


@page
def my_data_page(request):
    """我的信息: what the platform holds about me, with the download (the download is audited)."""
    permissions.check(request.user, "personal_data.export_own")
    trainee = getattr(request.user, "trainee", None)
    return render(request, "alumni/my_data.html", {"trainee": trainee})


@page
def enterprise_list(request):
    """企业跟踪: the trained enterprises to follow up, with the latest report and the services offered."""
    q = request.GET.get("q", "").strip()
    without = request.GET.get("without") == "1"
    qs = services.followed_list(request.user, q=q, without_reports=without)
    page_obj = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "alumni/enterprise_list.html", {"page_obj": page_obj, "q": q, "without": without})
