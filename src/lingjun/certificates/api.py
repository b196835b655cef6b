import datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema

from lingjun.core.middleware import client_ip
from lingjun.core.schemas import ERRORS, Int

from . import services

router = Router(tags=["结业证书"])


class IssueIn(Schema):
    registrations: list[Int] | None = Field(
        None, description="只为这些报名颁发（须均已结业）；省略则为全班已结业学员颁发"
    )


class IssuedOut(Schema):
    number: str
    registration: int


class SkippedOut(Schema):
    registration: int
    code: str
    message: str


class IssueOut(Schema):
    issued: list[IssuedOut]
    existing: list[IssuedOut]
    skipped: list[SkippedOut]


def _issued(cert) -> dict:
    return {"number": cert.number, "registration": cert.registration_id}


@router.post(
    "/classes/{class_id}/certificates",
    response={200: IssueOut, 201: IssueOut, **ERRORS},
    summary="为本班已结业学员颁发证书（幂等：只为新结业的学员颁发）",
)
def issue_for_class(request, class_id: int, payload: IssueIn | None = None):
    result = services.issue_for_class(
        request.auth,
        class_id,
        payload.registrations if payload else None,
        base_url=services.public_base_url(request),
    )
    body = {
        "issued": [_issued(c) for c in result["issued"]],
        "existing": [_issued(c) for c in result["existing"]],
        "skipped": result["skipped"],
    }
    return (201 if result["issued"] else 200), body


class CertificateOut(Schema):
    number: str
    registration: int
    training_class: int = Field(..., alias="class")
    status: str
    name: str
    enterprise: str
    class_label: str
    start_date: datetime.date
    end_date: datetime.date
    issued_on: datetime.date
    issued_at: datetime.datetime
    revoked_at: datetime.datetime | None
    revoke_reason: str
    superseded_by: str | None
    supersedes: str | None
    verify_url: str
    pdf_sha256: str


def certificate_out(cert) -> dict:
    d = cert.data
    supersedes = getattr(cert, "supersedes", None) if hasattr(cert, "supersedes") else None
    return {
        "number": cert.number,
        "registration": cert.registration_id,
        "class": cert.training_class_id,
        "status": cert.status,
        "name": d["name"],
        "enterprise": d["enterprise"],
        "class_label": d["class_label"],
        "start_date": d["start_date"],
        "end_date": d["end_date"],
        "issued_on": cert.issued_on,
        "issued_at": cert.issued_at,
        "revoked_at": cert.revoked_at,
        "revoke_reason": cert.revoke_reason,
        "superseded_by": cert.superseded_by.number if cert.superseded_by_id else None,
        "supersedes": supersedes.number if supersedes else None,
        "verify_url": d["verify_url"],
        "pdf_sha256": cert.pdf_sha256,
    }


class CertificateList(Schema):
    items: list[CertificateOut]
    count: int


@router.get(
    "/classes/{class_id}/certificates",
    response={200: CertificateList, **ERRORS},
    by_alias=True,
    summary="本班证书（含已撤销的）",
)
def list_for_class(request, class_id: int, status: str | None = None):
    _, qs = services.class_certificates(request.auth, class_id)
    if status == "valid":
        qs = qs.filter(revoked_at__isnull=True)
    elif status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    items = [certificate_out(c) for c in qs]
    return {"items": items, "count": len(items)}


@router.get(
    "/classes/{class_id}/certificates.zip",
    response={200: None, **ERRORS},
    summary="本班全部有效证书（ZIP，内含颁发时保存的 PDF）",
)
def class_zip(request, class_id: int):
    tc, content, _ = services.class_zip(request.auth, class_id)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=services.zip_filename(tc)
    )
    return response


class IssueOneIn(Schema):
    reason: str = Field("", description="该学员的证书曾被撤销、现须重新颁发时的理由（必填）")


@router.post(
    "/registrations/{registration_id}/certificate",
    response={200: CertificateOut, 201: CertificateOut, **ERRORS},
    by_alias=True,
    summary="为一名已结业学员颁发证书（幂等；证书被撤销后重新颁发须填写理由）",
)
def issue_for_registration(request, registration_id: int, payload: IssueOneIn | None = None):
    cert, created = services.issue_for_registration(
        request.auth,
        registration_id,
        base_url=services.public_base_url(request),
        reason=payload.reason if payload else "",
    )
    return (201 if created else 200), certificate_out(cert)


@router.get(
    "/certificates/{number}.pdf", response={200: None, **ERRORS}, summary="证书 PDF（颁发时保存的原件）"
)
def certificate_pdf(request, number: str):
    cert = services.pdf_for(request.auth, number)
    response = HttpResponse(bytes(cert.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=services.filename(cert)
    )
    response["X-Content-SHA256"] = cert.pdf_sha256
    return response


@router.get(
    "/certificates/{number}", response={200: CertificateOut, **ERRORS}, by_alias=True, summary="证书详情"
)
def certificate_detail(request, number: str):
    return certificate_out(services.get_certificate(request.auth, number))


class ReasonIn(Schema):
    reason: str = ""


@router.post(
    "/certificates/{number}/revoke",
    response={200: CertificateOut, **ERRORS},
    by_alias=True,
    summary="撤销证书（须填写原因）",
)
def revoke(request, number: str, payload: ReasonIn):
    return certificate_out(services.revoke(request.auth, number, payload.reason))


@router.post(
    "/certificates/{number}/reissue",
    response={201: CertificateOut, **ERRORS},
    by_alias=True,
    summary="换发证书：撤销原证书并按当前信息颁发新编号的证书（须填写原因）",
)
def reissue(request, number: str, payload: ReasonIn):
    return 201, certificate_out(
        services.reissue(request.auth, number, payload.reason, base_url=services.public_base_url(request))
    )


class VerifyOut(Schema):
    status: str = Field(..., description="valid 或 revoked")
    number: str
    name: str = Field(..., description="脱敏姓名，如 张*")
    training_class: str = Field(..., alias="class")
    issued_on: datetime.date
    revoked_on: datetime.date | None


@router.get(
    "/verify/{number}",
    auth=None,
    response={200: VerifyOut, **ERRORS},
    by_alias=True,
    summary="公开验证证书（编号 + 姓名）；编号不存在与姓名不符同样回答 404；按客户端限流",
)
def verify(request, number: str, name: str = "", s: str | None = None):
    return services.verify_or_404(number, name, client_ip(request), signature=s, channel="api")
