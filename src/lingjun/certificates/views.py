"""Pages: the public verification page (anyone, phones first) and the centre's certificate page per class."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from lingjun.classes.models import TrainingClass
from lingjun.core import permissions
from lingjun.core.errors import DomainError
from lingjun.core.middleware import client_ip
from lingjun.core.pages import page
from lingjun.registrations.models import Registration

from . import services
from .models import VerificationResult
from .pdf import cn_date

RESULT_TEXT = {
    VerificationResult.VALID: ("valid", "证书有效", "该证书由工业和信息化部人才交流中心颁发，真实有效。"),
    VerificationResult.REVOKED: ("revoked", "证书已撤销", "该证书曾经颁发，现已撤销，不再有效。"),
    VerificationResult.BAD_SIGNATURE: (
        "invalid",
        "验证未通过",
        "二维码中的信息与证书签名不符，可能被改动过。请按证书上印制的编号和姓名重新查询。",
    ),
}
NOT_FOUND = ("invalid", "未找到相符的证书", services.NOT_FOUND_DETAIL)


def _result_page(request, number: str, name: str, channel: str, signature=None):
    try:
        answer = services.verify(number, name, client_ip(request), signature=signature, channel=channel)
    except services.TooManyRequests as exc:
        return render(
            request,
            "certificates/verify.html",
            {"number": number, "name": name, "limited": exc.detail},
            status=429,
        )
    kind, title, text = RESULT_TEXT.get(answer["result"], NOT_FOUND)
    for key in ("issued_on", "revoked_on"):
        if answer.get(key):
            answer[key] = cn_date(answer[key])
    status = 200 if kind != "invalid" else 404
    return render(
        request,
        "certificates/verify_result.html",
        {"kind": kind, "title": title, "text": text, "answer": answer, "number": number},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def verify_page(request):
    """证书查询: number + name typed by hand (POST, so names stay out of address bars and logs)."""
    if request.method == "POST":
        number = request.POST.get("number", "").strip()
        name = request.POST.get("name", "").strip()
        if not number or not name:
            return render(
                request,
                "certificates/verify.html",
                {"number": number, "name": name, "error": "请填写证书编号和持证人姓名。"},
                status=422,
            )
        return _result_page(request, number, name, "page")
    return render(request, "certificates/verify.html", {"number": request.GET.get("number", "")})


def verify_link(request, number: str):
    """The QR code's link: number, name and the server's signature; shows 证书有效 only if all three match."""
    name = request.GET.get("name", "")
    signature = request.GET.get("s")
    if not name:
        return render(request, "certificates/verify.html", {"number": number})
    return _result_page(request, number, name, "qr", signature=signature if signature is not None else "")


@page
def index(request):
    """The centre's overview: classes with completed trainees and certificates issued."""
    permissions.check(request.user, "certificate.issue")
    classes = (
        TrainingClass.objects.select_related("programme", "institution")
        .annotate(
            completed=Count("registrations", filter=Q(registrations__status="completed"), distinct=True),
            valid=Count("certificates", filter=Q(certificates__revoked_at__isnull=True), distinct=True),
        )
        .order_by("-programme__year", "number")
    )
    classes = list(classes)
    for c in classes:
        c.pending = c.completed - c.valid  # completed trainees without a live certificate (approximately)
    return render(request, "certificates/index.html", {"classes": classes})


@page
@require_http_methods(["GET", "POST"])
def class_page(request, pk: int):
    """One class: completed trainees, their certificates, issue / revoke / re-issue, ZIP download."""
    permissions.check(request.user, "certificate.issue")
    if request.method == "POST":
        action = request.POST.get("action")
        number = request.POST.get("number", "")
        reason = request.POST.get("reason", "")
        base = services.public_base_url(request)
        try:
            if action == "issue":
                result = services.issue_for_class(request.user, pk, base_url=base)
                n = len(result["issued"])
                messages.success(
                    request, f"已颁发 {n} 份证书。" if n else "没有需要新颁发的证书（已结业学员均已持证）。"
                )
                for s in result["skipped"]:
                    messages.warning(request, f"报名 {s['registration']} 未颁发：{s['message']}")
            elif action == "revoke":
                cert = services.revoke(request.user, number, reason)
                messages.success(request, f"已撤销证书 {cert.number}。")
            elif action == "regrant":
                cert, _ = services.issue_for_registration(
                    request.user, request.POST.get("registration", ""), base_url=base, reason=reason
                )
                messages.success(request, f"已重新颁发证书 {cert.number}。")
            elif action == "reissue":
                new = services.reissue(request.user, number, reason, base_url=base)
                messages.success(request, f"已换发：原证书 {number} 撤销，新证书 {new.number}。")
            else:
                messages.warning(request, "未知操作。")
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            messages.warning(request, exc.detail)
        return redirect("certificates:class", pk=pk)
    tc, certs = services.class_certificates(request.user, pk)
    by_reg: dict[int, list] = {}
    for c in certs:
        by_reg.setdefault(c.registration_id, []).append(c)
    regs = (
        Registration.objects.filter(training_class=tc, status__in=("enrolled", "completed", "not_completed"))
        .select_related("trainee", "enterprise", "region")
        .order_by("region_id", "pk")
    )
    rows = []
    for reg in regs:
        history = by_reg.get(reg.pk, [])
        live = next((c for c in history if c.revoked_at is None), None)
        rows.append({"reg": reg, "live": live, "old": [c for c in history if c is not live]})
    completed = sum(1 for r in rows if r["reg"].status == "completed")
    issued = sum(1 for r in rows if r["live"])
    return render(
        request,
        "certificates/class.html",
        {
            "tc": tc,
            "rows": rows,
            "completed": completed,
            "issued": issued,
            "to_issue": sum(
                1 for r in rows if r["reg"].status == "completed" and not r["live"] and not r["old"]
            ),
            "font_ready": services.font_ready(),
        },
    )


@page
def class_zip(request, pk: int):
    try:
        tc, content, _ = services.class_zip(request.user, pk)
    except DomainError as exc:
        if exc.status != 409:
            raise
        messages.warning(request, exc.detail)
        return redirect("certificates:class", pk=pk)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=services.zip_filename(tc)
    )
    return response


@page
def certificate_pdf(request, number: str):
    cert = services.pdf_for(request.user, number)
    response = HttpResponse(bytes(cert.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=services.filename(cert)
    )
    return response
