"""Completion certificates (SPEC §3.5; API.md certificate rows). The only door that changes their state.

Issuing: the centre issues for the completed trainees of a class; numbers are `LJ<year>-<class>-<seq>` with the
sequence allocated under a lock on the class row and guarded by a unique constraint. Issuing again only
issues for trainees completed since (one live certificate per registration, enforced by the database).

Freezing: the data printed and the PDF bytes are stored at issue time and never regenerated. A correction is
an explicit re-issue: the old certificate is revoked with the reason and points to the new one, which gets a
new number from the current data. Every change is audited.

Verification is public: number + name → valid / revoked (masked name, class, dates); an unknown number, a
wrong name or a forged signature all answer the same 404. The QR code on the certificate carries
HMAC-SHA256(number|name|issue date) under a key derived from SECRET_KEY, so an altered link is detected.
Verifications are rate-limited per client address and all logged.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import io
import logging
import re
import unicodedata
import zipfile
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lingjun.classes.models import TrainingClass
from lingjun.core import audit, permissions
from lingjun.core.errors import DomainError, FieldIssue, NotFound, RuleViolation, ValidationFailed
from lingjun.core.scoping import scopes_disabled
from lingjun.institutions.models import Track
from lingjun.registrations.models import Registration

from . import fonts, pdf
from .models import Certificate, VerificationLog, VerificationResult

log = logging.getLogger("lingjun.certificates")

ISSUER = "工业和信息化部人才交流中心"
NUMBER_RE = re.compile(r"^LJ\d{4}-\d{2,}-\d{3,}$")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
MIDDLE_DOTS = str.maketrans({c: "\u00b7" for c in "\u30fb\uff65\u2022\u2027\u2219\uff0e"})


# --- numbers, names, signatures -------------------------------------------------------------------------


def format_number(year: int, class_number: int, sequence: int) -> str:
    """`LJ2027-01-005`: programme year, class number, sequence within the class."""
    return f"LJ{year}-{class_number:02d}-{sequence:03d}"


def normalize_number(value: str) -> str:
    return (value or "").strip().upper()[:40]


def normalize_name(value: str) -> str:
    """Names compare after Unicode composition, without spaces, with every middle-dot variant as “·”
    (维吾尔族等少数民族姓名). Compatibility folding (NFKC) is not used: it would turn CJK compatibility
    ideographs into other characters."""
    value = unicodedata.normalize("NFC", value or "").translate(MIDDLE_DOTS)
    return "".join(value.split())


def mask_name(name: str) -> str:
    """First character, then one * per remaining character: 张三丰 → 张**."""
    name = normalize_name(name)
    return name[:1] + "*" * max(len(name) - 1, 0)


def _key(secret: str | None = None) -> bytes:
    return hashlib.sha256(
        b"lingjun.certificates.signature:" + (secret or settings.SECRET_KEY).encode()
    ).digest()


def sign(number: str, name: str, issued_on: datetime.date | str, *, secret: str | None = None) -> str:
    """HMAC-SHA256 over number|name|issue date, first 80 bits, base32 (16 characters, QR-friendly)."""
    issued = issued_on if isinstance(issued_on, str) else issued_on.isoformat()
    message = f"{number}|{normalize_name(name)}|{issued}".encode()
    digest = hmac.new(_key(secret), message, hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode()


def _signed_by_us(cert) -> bool:
    """The stored record matches what was signed, under the current secret key or one it replaced
    (SECRET_KEY_FALLBACKS, env LINGJUN_SECRET_KEY_FALLBACKS): rotating the key must not turn every certificate
    already printed into a forgery."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        hmac.compare_digest(
            sign(cert.number, cert.data["name"], cert.data["issued_on"], secret=k), cert.signature
        )
        for k in keys
    )


def verify_url(base_url: str, number: str, name: str, signature: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{number}/?{urlencode({'name': name, 's': signature})}"


def public_base_url(request=None) -> str:
    """settings.PUBLIC_BASE_URL (env LINGJUN_PUBLIC_URL) when set — it is printed on every certificate, so
    production must set it — else the address of the current request, else the development server."""
    configured = getattr(settings, "PUBLIC_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return DEFAULT_BASE_URL


def track_label(code: str) -> str:
    return Track(code).label if code in Track.values else ""


def frozen_data(
    reg: Registration, tc: TrainingClass, number: str, issued_on: datetime.date, base_url: str
) -> dict:
    """Everything the certificate prints, as it stands at issue time."""
    name = normalize_name(reg.trainee.name)
    signature = sign(number, name, issued_on)
    return {
        "number": number,
        "name": name,
        "enterprise": reg.enterprise.name.strip(),
        "programme_year": tc.programme.year,
        "programme_title": tc.programme.title.strip(),
        "class_number": tc.number,
        "class_label": tc.label,
        "city": tc.city,
        "track": track_label(tc.track),
        "start_date": tc.start_date.isoformat(),
        "end_date": tc.end_date.isoformat(),
        "issued_on": issued_on.isoformat(),
        "issuer": ISSUER,
        "signature": signature,
        "verify_url": verify_url(base_url, number, name, signature),
        "template": pdf.TEMPLATE_VERSION,
    }


# --- issuing ---------------------------------------------------------------------------------------------


def _class(class_id, lock: bool = False) -> TrainingClass:
    qs = TrainingClass.objects.select_related("programme")
    if lock:
        qs = qs.select_for_update()
    tc = qs.filter(pk=class_id).first() if str(class_id).isdigit() else None
    if tc is None:
        raise NotFound("not_found", "班级不存在或不在您的管辖范围内。")
    return tc


def _not_completed(regs) -> RuleViolation:
    names = "、".join(r.trainee.name for r in regs[:5])
    more = f"等 {len(regs)} 人" if len(regs) > 5 else ""
    return RuleViolation(
        "not_completed",
        f"只能为已结业的学员颁发证书；{names}{more}尚未结业。",
        errors=[
            FieldIssue(
                f"registrations.{r.pk}",
                "not_completed",
                f"{r.trainee.name}：{r.get_status_display()}，未结业。",
            )
            for r in regs
        ],
    )


def _next_sequence(tc: TrainingClass) -> int:
    return (Certificate.objects.filter(training_class=tc).aggregate(m=Max("sequence"))["m"] or 0) + 1


def _data_for(reg: Registration, tc: TrainingClass, sequence: int, base_url: str, now) -> dict:
    return frozen_data(
        reg, tc, format_number(tc.programme.year, tc.number, sequence), timezone.localdate(now), base_url
    )


def _store(
    actor,
    reg: Registration,
    tc: TrainingClass,
    sequence: int,
    data: dict,
    content: bytes,
    now,
    reason: str = "",
) -> Certificate:
    cert = Certificate.objects.create(
        number=data["number"],
        registration=reg,
        training_class=tc,
        sequence=sequence,
        data=data,
        pdf=content,
        pdf_sha256=hashlib.sha256(content).hexdigest(),
        signature=data["signature"],
        template_version=pdf.TEMPLATE_VERSION,
        issued_on=data["issued_on"],
        issued_at=now,
        issued_by=actor,
    )
    cert.issued_on = datetime.date.fromisoformat(data["issued_on"])
    audit.record(
        actor,
        "certificate.issue",
        cert,
        label=f"{cert.number} {data['name']}",
        to_state="valid",
        after={k: data[k] for k in ("number", "name", "enterprise", "class_label", "issued_on")}
        | {"registration": reg.pk, "pdf_sha256": cert.pdf_sha256},
        reason=reason,
    )
    return cert


def _create(
    actor, reg: Registration, tc: TrainingClass, sequence: int, base_url: str, now, reason: str = ""
) -> Certificate:
    data = _data_for(reg, tc, sequence, base_url, now)
    content = pdf.render(data)  # MissingGlyphs (409) before anything is written
    return _store(actor, reg, tc, sequence, data, content, now, reason)


@transaction.atomic
def issue_for_class(
    actor, class_id, registration_ids: list[int] | None = None, base_url: str | None = None
) -> dict:
    """Issue for every completed trainee of the class that has never had a certificate (or for the listed
    registrations, all of which must be completed) → {"issued": [Certificate], "existing": [...],
    "skipped": [{"registration", "code", "message"}]}. Idempotent: calling again issues only for trainees
    completed since. A trainee whose certificate was revoked is skipped (`certificate_revoked`): a bulk
    action must never undo a revocation; granting again is `issue_for_registration` with a reason.

    A trainee whose name or enterprise has a character the font cannot print is skipped (listed with the
    reason); the others get their certificates. PDFs of a large batch are drawn by several processes
    (`pdf.render_many`), numbers and rows are written here, in order, in this transaction."""
    permissions.check(actor, "certificate.issue")
    face = fonts.face()  # FontMissing (503) for the whole request; parsed once per process, before the lock
    tc = _class(class_id, lock=True)  # serialises sequence allocation for this class
    regs = Registration.objects.filter(training_class=tc).select_related("trainee", "enterprise")
    if registration_ids is not None:
        wanted = {int(i) for i in registration_ids}
        regs = list(regs.filter(pk__in=wanted))
        unknown = wanted - {r.pk for r in regs}
        if unknown:
            raise NotFound("not_found", f"报名 {'、'.join(map(str, sorted(unknown)))} 不在该班。")
        pending = [r for r in regs if r.status != "completed"]
        if pending:
            raise _not_completed(pending)
    else:
        regs = list(regs.filter(status="completed"))
        if not regs:
            raise RuleViolation("not_completed", "该班还没有已确认结业的学员，不能颁发证书。请先确认结业。")
    live, revoked = {}, set()
    for c in Certificate.objects.filter(training_class=tc).only(
        "pk", "number", "registration_id", "revoked_at"
    ):
        if c.revoked_at is None:
            live[c.registration_id] = c
        else:
            revoked.add(c.registration_id)
    base = base_url or public_base_url()
    now = timezone.now()
    sequence = _next_sequence(tc)
    existing, skipped, todo = [], [], []
    for reg in sorted(regs, key=lambda r: r.pk):
        if reg.pk in live:
            existing.append(live[reg.pk])
            continue
        if reg.pk in revoked:
            skipped.append(
                {
                    "registration": reg.pk,
                    "code": "certificate_revoked",
                    "message": f"{reg.trainee.name}的证书已撤销，不随批量颁发重新颁发。",
                }
            )
            continue
        data = _data_for(reg, tc, sequence, base, now)
        missing = face.missing(pdf.all_text(data))
        if missing:  # refused before a number is taken
            exc = fonts.MissingGlyphs(missing)
            skipped.append({"registration": reg.pk, "code": exc.code, "message": exc.detail})
            continue
        todo.append((reg, sequence, data))
        sequence += 1
    contents = pdf.render_many([data for _, _, data in todo])
    issued = [
        _store(actor, reg, tc, seq, data, content, now)
        for (reg, seq, data), content in zip(todo, contents, strict=True)
    ]
    return {"issued": issued, "existing": existing, "skipped": skipped}


@transaction.atomic
def issue_for_registration(
    actor, registration_id, base_url: str | None = None, reason: str = ""
) -> tuple[Certificate, bool]:
    """One trainee's certificate → (certificate, created); the live one if there is one. 409 not_completed
    unless completed. After a revocation (with no successor) a new certificate is issued only with a
    reason (409 certificate_revoked otherwise), recorded in the audit entry."""
    permissions.check(actor, "certificate.issue")
    reg = (
        Registration.objects.select_related("trainee", "enterprise").filter(pk=registration_id).first()
        if str(registration_id).isdigit()
        else None
    )
    if reg is None:
        raise NotFound("not_found", "报名不存在或不在您的管辖范围内。")
    if reg.status != "completed" or reg.training_class_id is None:
        raise _not_completed([reg])
    fonts.face()
    tc = _class(reg.training_class_id, lock=True)
    live = Certificate.objects.filter(registration=reg, revoked_at__isnull=True).first()
    if live:
        return live, False
    reason = (reason or "").strip()[:500]
    if Certificate.objects.filter(registration=reg).exists() and not reason:
        raise RuleViolation(
            "certificate_revoked",
            f"{reg.trainee.name}的证书已撤销。如确需重新颁发，请填写理由。",
            errors=[FieldIssue("reason", "reason_required", "重新颁发须填写理由。")],
        )
    return _create(
        actor,
        reg,
        tc,
        _next_sequence(tc),
        base_url or public_base_url(),
        timezone.now(),
        reason=f"重新颁发：{reason}" if reason else "",
    ), True


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([FieldIssue("reason", "reason_required", "请填写理由。")])
    return reason[:500]


def get_certificate(actor, number, *, lock: bool = False) -> Certificate:
    """A certificate visible to the actor (scoped: trainees their own, regions their trainees'), else 404."""
    permissions.check(actor, "certificate.view")
    qs = Certificate.objects.select_related("training_class__programme", "registration")
    if lock:
        qs = qs.select_for_update()
    cert = qs.filter(number=normalize_number(number)).first()
    if cert is None:
        raise NotFound("not_found", "证书不存在或不在您的管辖范围内。")
    return cert


def _revoke(actor, cert: Certificate, reason: str, now) -> None:
    cert.revoked_at, cert.revoke_reason, cert.revoked_by = now, reason, actor
    cert.save(update_fields=["revoked_at", "revoke_reason", "revoked_by"])


@transaction.atomic
def revoke(actor, number, reason: str) -> Certificate:
    permissions.check(actor, "certificate.revoke")
    reason = _reason(reason)
    cert = get_certificate(actor, number, lock=True)
    if cert.revoked_at:
        raise RuleViolation(
            "already_revoked", f"证书 {cert.number} 已于 {timezone.localdate(cert.revoked_at)} 撤销。"
        )
    _revoke(actor, cert, reason, timezone.now())
    audit.record(actor, "certificate.revoke", cert, from_state="valid", to_state="revoked", reason=reason)
    return cert


@transaction.atomic
def reissue(actor, number, reason: str, base_url: str | None = None) -> Certificate:
    """Revoke a live certificate with the reason and issue a new one, with a new number, from current data."""
    permissions.check(actor, "certificate.reissue")
    reason = _reason(reason)
    old = get_certificate(actor, number, lock=True)
    if old.revoked_at:
        raise RuleViolation("already_revoked", "该证书已撤销，不能换发；如需补发请为该学员重新颁发。")
    reg = Registration.objects.select_related("trainee", "enterprise").get(pk=old.registration_id)
    if reg.status != "completed":
        raise _not_completed([reg])
    fonts.face()
    tc = _class(old.training_class_id, lock=True)
    now = timezone.now()
    _revoke(actor, old, f"换发：{reason}", now)
    new = _create(
        actor,
        reg,
        tc,
        _next_sequence(tc),
        base_url or public_base_url(),
        now,
        reason=f"换发 {old.number}：{reason}",
    )
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    audit.record(
        actor,
        "certificate.reissue",
        old,
        from_state="valid",
        to_state="revoked",
        reason=reason,
        before={"number": old.number, "name": old.data["name"], "enterprise": old.data["enterprise"]},
        after={"number": new.number, "name": new.data["name"], "enterprise": new.data["enterprise"]},
    )
    return new


def class_certificates(actor, class_id):
    permissions.check(actor, "certificate.view")
    tc = _class(class_id)
    return tc, Certificate.objects.filter(training_class=tc).select_related("registration", "superseded_by")


def pdf_for(actor, number) -> Certificate:
    """The stored PDF (never regenerated). Downloads of personal data are audited."""
    cert = get_certificate(actor, number)
    audit.record(actor, "certificate.download", cert, label=f"{cert.number} {cert.data['name']}")
    return cert


def filename(cert: Certificate) -> str:
    return f"{cert.number}_{cert.data['name']}.pdf"


def class_zip(actor, class_id) -> tuple[TrainingClass, bytes, int]:
    """The live certificates of a class as one ZIP (the stored PDFs)."""
    permissions.check(actor, "certificate.export")
    tc = _class(class_id)
    certs = list(Certificate.objects.filter(training_class=tc, revoked_at__isnull=True).order_by("sequence"))
    if not certs:
        raise RuleViolation("no_certificates", "该班还没有有效的证书。")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as zf:  # PDFs are compressed already
        for cert in certs:
            info = zipfile.ZipInfo(
                filename(cert), date_time=timezone.localtime(cert.issued_at).timetuple()[:6]
            )
            zf.writestr(info, bytes(cert.pdf))
    audit.record(
        actor,
        "certificate.export_zip",
        tc,
        object_type="trainingclass",
        label=f"{tc.label} 证书 {len(certs)} 份",
        after={"count": len(certs)},
    )
    return tc, buffer.getvalue(), len(certs)


def zip_filename(tc: TrainingClass) -> str:
    return f"{tc.programme.year}年第{tc.number}期_结业证书.zip"


# --- public verification ---------------------------------------------------------------------------------


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    detail = "查询过于频繁，请一分钟后再试。"


NOT_FOUND_DETAIL = "未找到与该编号和姓名相符的证书。请核对证书编号和持证人姓名。"


def _throttle(ip, number: str, channel: str) -> None:
    limit = int(getattr(settings, "CERTIFICATE_VERIFY_PER_MINUTE", 20))
    since = timezone.now() - datetime.timedelta(seconds=60)
    recent = VerificationLog.objects.filter(at__gte=since)
    recent = recent.filter(ip=ip) if ip else recent.filter(ip__isnull=True)
    if recent.count() >= limit:
        VerificationLog.objects.create(
            number=number, ip=ip, result=VerificationResult.RATE_LIMITED, channel=channel
        )
        raise TooManyRequests()


def verify(number: str, name: str, ip=None, *, signature: str | None = None, channel: str = "api") -> dict:
    """Public check of a certificate. Returns {"result", "certificate"?, public fields}; the caller shows
    valid / revoked and must answer every other result the same way (see `public_view`)."""
    number = normalize_number(number)
    name = normalize_name(name)[:60]
    with scopes_disabled():
        _throttle(ip, number, channel)
        cert = (
            Certificate.objects.filter(number=number).select_related("training_class").first()
            if NUMBER_RE.match(number)
            else None
        )
        if cert is None:
            result = VerificationResult.NOT_FOUND
        elif not name or not hmac.compare_digest(normalize_name(cert.data["name"]).encode(), name.encode()):
            result = VerificationResult.NAME_MISMATCH
        elif not _signed_by_us(cert):
            result = VerificationResult.BAD_SIGNATURE  # the stored record does not match what was signed
            log.error("certificate %s: stored signature does not match its data", cert.number)
        elif signature is not None and not hmac.compare_digest(
            signature.strip().upper().encode(), cert.signature.encode()
        ):
            result = VerificationResult.BAD_SIGNATURE
        else:
            result = VerificationResult.VALID if cert.revoked_at is None else VerificationResult.REVOKED
        VerificationLog.objects.create(
            number=number,
            ip=ip,
            result=result,
            channel=channel,
            certificate=cert if cert is not None else None,
        )
    out = {"result": result}
    if result in (VerificationResult.VALID, VerificationResult.REVOKED):
        out.update(public_view(cert))
    return out


def public_view(cert: Certificate) -> dict:
    """What the public may see: nothing beyond a masked name (SPEC §3.5)."""
    return {
        "status": cert.status,
        "number": cert.number,
        "name": mask_name(cert.data["name"]),
        "class": f"{cert.data['programme_title']}第{cert.data['class_number']}期"
        + (f"（{cert.data['city']}）" if cert.data.get("city") else ""),
        "issued_on": cert.data["issued_on"],
        "revoked_on": timezone.localdate(cert.revoked_at).isoformat() if cert.revoked_at else None,
    }


def verify_or_404(
    number: str, name: str, ip=None, *, signature: str | None = None, channel: str = "api"
) -> dict:
    """`verify` for the API: valid / revoked, else one 404 whatever the reason (unknown, wrong name, bad
    signature), so the answer never tells whether a number exists."""
    answer = verify(number, name, ip, signature=signature, channel=channel)
    if answer["result"] not in (VerificationResult.VALID, VerificationResult.REVOKED):
        raise NotFound("not_found", NOT_FOUND_DETAIL)
    return {k: v for k, v in answer.items() if k != "result"}


def font_ready() -> bool:
    """Whether the certificate font is installed (for the class page's warning)."""
    try:
        fonts.font_source()
    except DomainError:
        return False
    return True
