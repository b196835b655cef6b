"""Registration and review (SPEC §3.2; API.md “Registration and review”).

Each public function is one operation: it checks the rule, writes, and audits in one transaction.
R1 (one enterprise / one person per programme) is decided by partial unique indexes; R2 (quota) by a
conditional UPDATE of Quota.used with a CHECK used <= amount — never by counting in Python first.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from lingjun.accounts.models import User
from lingjun.core import audit, permissions
from lingjun.core.errors import (
    FieldIssue,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    RuleViolation,
    TooManyAttempts,
    ValidationFailed,
)
from lingjun.core.scoping import scopes_disabled
from lingjun.programmes.models import Programme, ProgrammeStatus, Quota
from lingjun.reference.models import Qualification, Region

from . import identity
from .models import (
    EDITABLE_STATUSES,
    LIVE_STATUSES,
    SEAT_STATUSES,
    TRANSITIONS,
    Enterprise,
    Invitation,
    Registration,
    Status,
    Trainee,
)
from .validation import CleanEnterprise, CleanRegistration, CleanTrainee, Context, clean_registration

STATUS_LABELS = dict(Status.choices)
INVITE_DAYS = 30
INVITE_MAX_FAILURES = 5


# --- look-ups ----------------------------------------------------------------------------------------


def get_registration(actor, registration_id, *, lock: bool = False) -> Registration:
    """A registration the actor may see (scoped in the ORM); anything else is 404."""
    if not str(registration_id).isdigit():
        raise NotFound("not_found", "报名记录不存在或不在您的管辖范围内。")
    qs = Registration.objects.select_related("trainee", "enterprise", "programme", "region")
    if lock:
        qs = qs.select_for_update(of=("self",))
    reg = qs.filter(pk=registration_id).first()
    if reg is None:
        raise NotFound("not_found", "报名记录不存在或不在您的管辖范围内。")
    if actor.role == "trainee" and reg.trainee.user_id != actor.pk:
        raise NotFound("not_found", "报名记录不存在或不在您的管辖范围内。")
    return reg


def _programme(programme_id) -> Programme:
    p = Programme.objects.filter(pk=programme_id).first() if str(programme_id).isdigit() else None
    if p is None:
        raise NotFound("not_found", "该年度计划不存在。")
    return p


def _region_for(actor, region_code) -> Region:
    if actor.role == "region":
        if region_code and str(region_code) != actor.region_id:
            raise NotFound("not_found", "只能为本地区推荐学员。")
        return actor.region
    region = Region.objects.filter(code=str(region_code or "")).first()
    if region is None:
        raise ValidationFailed([FieldIssue("region", "unknown_region", "请指定推荐地区（有效的地区代码）。")])
    return region


# --- deadline, status, quota --------------------------------------------------------------------------


def check_open_for_submission(actor, programme: Programme, late_reason: str = "") -> str:
    """R3: nothing is submitted after the deadline, except by the centre with a logged reason.
    Returns the reason to record ('' when on time)."""
    if programme.status in (ProgrammeStatus.DRAFT, ProgrammeStatus.ARCHIVED):
        raise RuleViolation(
            "programme_not_open",
            f"{programme.year}年度计划当前为“{programme.get_status_display()}”，不接受报名。",
        )
    late = (
        programme.status == ProgrammeStatus.CLOSED or timezone.localdate() > programme.registration_deadline
    )
    if not late:
        return ""
    if actor.role == "centre" and (late_reason or "").strip():
        return f"截止后补报：{late_reason.strip()}"
    deadline = programme.registration_deadline.strftime("%Y年%-m月%-d日")
    if actor.role == "centre":
        raise RuleViolation(
            "deadline_passed",
            f"报名已于{deadline}截止。如确需补报，请填写补报理由（late_reason）。",
            [FieldIssue("late_reason", "late_reason_required", "截止后补报须填写理由。")],
        )
    raise RuleViolation(
        "deadline_passed", f"报名已于{deadline}截止，不能再提交。如确需补报，请联系人才交流中心。"
    )


def _take_seat(programme_id: int, region_id: str, n: int = 1) -> bool:
    """R2: atomically take n seats of the region's quota; False when that would exceed it."""
    return bool(
        Quota.objects.filter(
            programme_id=programme_id, region_id=region_id, used__lte=F("amount") - n
        ).update(used=F("used") + n)
    )


def _release_seat(reg: Registration) -> None:
    if reg.holds_seat:
        Quota.objects.filter(programme_id=reg.programme_id, region_id=reg.region_id, used__gt=0).update(
            used=F("used") - 1
        )
        reg.holds_seat = False


def _leave_class(reg: Registration) -> None:
    """A withdrawn or rejected trainee gives their class seat back."""
    if reg.training_class_id:
        from lingjun.classes.models import TrainingClass

        TrainingClass.objects.filter(pk=reg.training_class_id, enrolled__gt=0).update(
            enrolled=F("enrolled") - 1
        )
        reg.training_class = None


def _quota_exceeded(programme_id, region: Region) -> RuleViolation:
    q = Quota.objects.filter(programme_id=programme_id, region=region).first()
    amount = q.amount if q else 0
    return RuleViolation(
        "quota_exceeded",
        f"{region.name}的名额（{amount}人）已用完，不能再提交。",
        [FieldIssue("region", "quota_exceeded", f"{region.name}名额已满（{amount}人）。")],
    )


# --- programme-level warnings (R7) and earlier training (R8) ----------------------------------------


def programme_figures(programme: Programme) -> dict:
    with scopes_disabled():
        agg = Registration.objects.filter(programme=programme, status__in=SEAT_STATUSES).aggregate(
            total=Count("id"), manufacturing=Count("id", filter=Q(enterprise__is_manufacturing=True))
        )
    total = agg["total"] or 0
    share = (agg["manufacturing"] / total) if total else None
    return {
        "total": total,
        "manufacturing": agg["manufacturing"] or 0,
        "manufacturing_share": share,
        "target": programme.target_trainees,
        "min_manufacturing_share": float(programme.min_manufacturing_share)
        if programme.min_manufacturing_share is not None
        else None,
    }


def programme_warnings(programme: Programme) -> list[dict]:
    """R7: programme figures are shown and warned on; they never block a registration."""
    f = programme_figures(programme)
    out = []
    if f["total"] > f["target"]:
        out.append(
            {
                "code": "total_exceeds_target",
                "message": f"全国报名 {f['total']} 人，已超过目标 {f['target']} 人。",
            }
        )
    if (
        f["min_manufacturing_share"] is not None
        and f["manufacturing_share"] is not None
        and f["manufacturing_share"] < f["min_manufacturing_share"]
    ):
        out.append(
            {
                "code": "manufacturing_share_below_minimum",
                "message": f"制造业企业学员占比 {f['manufacturing_share']:.1%}，低于要求的 {f['min_manufacturing_share']:.0%}。",
            }
        )
    return out


def _earlier_training(programme: Programme, credit_code: str) -> list[int]:
    with scopes_disabled():
        return sorted(
            set(
                Registration.objects.filter(
                    enterprise__credit_code=credit_code,
                    programme__year__lt=programme.year,
                    status__in=("enrolled", "completed", "not_completed"),
                ).values_list("programme__year", flat=True)
            )
        )


def _check_earlier_training(programme: Programme, credit_code: str, is_retraining: bool) -> list[dict]:
    """R8: an enterprise trained in an earlier year is warned about or refused (programme setting),
    except when invited to re-training."""
    if programme.earlier_training_policy == "allow" or is_retraining:
        return []
    years = _earlier_training(programme, credit_code)
    if not years:
        return []
    text = years_text(years)
    if programme.earlier_training_policy == "refuse":
        raise RuleViolation(
            "previously_trained",
            f"该企业已参加过{text}的培训，本年度不再接受报名（复训邀请除外）。",
            [FieldIssue("enterprise.credit_code", "previously_trained", f"该企业已参加过{text}的培训。")],
        )
    return [previously_trained_warning(years)]


def years_text(years) -> str:
    return "、".join(f"{y}年" for y in years)


def previously_trained_warning(years) -> dict:
    return {"code": "previously_trained", "message": f"该企业已参加过{years_text(years)}的培训。"}


# --- writing people and enterprises ------------------------------------------------------------------


def _upsert_enterprise(e: CleanEnterprise, region: Region, size_version: str) -> Enterprise:
    values = {
        "name": e.name,
        "region": region,
        "address": e.address,
        "industry_division": e.industry_division,
        "employees": e.employees,
        "revenue": e.revenue,
        "total_assets": e.total_assets,
        "size_class": e.size_class,
        "size_standard_id": size_version,
        "is_manufacturing": e.is_manufacturing,
    }
    with scopes_disabled():
        try:
            with transaction.atomic():
                ent, _ = Enterprise.objects.update_or_create(credit_code=e.credit_code, defaults=values)
        except IntegrityError:  # created concurrently by someone else: update theirs
            ent = Enterprise.objects.get(credit_code=e.credit_code)
            for k, v in values.items():
                setattr(ent, k, v)
            ent.save()
    ent.qualifications.set(Qualification.objects.filter(code__in=e.qualifications))
    return ent


def _upsert_trainee(t: CleanTrainee) -> Trainee:
    values = {
        "name": t.name,
        "gender": t.gender,
        "ethnicity": t.ethnicity,
        "birth_date": t.birth_date,
        "political_status": t.political_status,
        "education": t.education,
        "position": t.position,
        "mobile": t.mobile,
        "email": t.email,
        "id_number_masked": identity.mask_id_number(t.id_number),
    }
    h = identity.id_lookup_hash(t.id_number)
    trainee = Trainee.objects.filter(id_number_hash=h).first()
    if trainee is None:
        try:
            with transaction.atomic():
                return Trainee.objects.create(
                    id_number_hash=h, id_number_encrypted=identity.encrypt_id(t.id_number), **values
                )
        except IntegrityError:
            trainee = Trainee.objects.get(id_number_hash=h)
    for k, v in values.items():
        setattr(trainee, k, v)
    trainee.save()
    return trainee


def _duplicate(exc: IntegrityError, programme_id=None, credit_code=None) -> RuleViolation:
    """Word the refusal the database made (R1). When both the enterprise and the person are taken, the
    enterprise rule is the one officers know, so it is named first."""
    text = str(exc).lower()
    is_r1 = (
        "one_per_enterprise" in text
        or "one_per_trainee" in text
        or ("unique" in text and ("enterprise_id" in text or "trainee_id" in text))
    )
    if not is_r1:
        raise exc  # not the R1 rule: a real fault, never disguised as a duplicate registration
    enterprise_taken = False
    if programme_id and credit_code:
        with scopes_disabled():
            enterprise_taken = Registration.objects.filter(
                programme_id=programme_id, enterprise__credit_code=credit_code, status__in=LIVE_STATUSES
            ).exists()
    if "trainee" in text and "enterprise" not in text and not enterprise_taken:
        return RuleViolation(
            "trainee_already_registered",
            "该学员本年度已有有效报名，每人每年只能参加一期培训。",
            [FieldIssue("trainee.id_number", "trainee_already_registered", "该学员本年度已报名。")],
        )
    return RuleViolation(
        "enterprise_already_registered",
        "该企业本年度已有学员报名：每家企业每年只能一人参加一期培训。",
        [FieldIssue("enterprise.credit_code", "enterprise_already_registered", "该企业本年度已有报名。")],
    )


def snapshot(reg: Registration) -> dict:
    """What an audit entry records of a registration (IDs masked): enough to see what an edit changed."""
    t, e = reg.trainee, reg.enterprise
    return {
        "status": reg.status,
        "trainee": t.name,
        "id_number": t.id_number_masked,
        "ethnicity": t.ethnicity,
        "political_status": t.political_status,
        "education": t.education,
        "position": t.position,
        "mobile": t.mobile,
        "email": t.email,
        "enterprise": e.name,
        "credit_code": e.credit_code,
        "industry_division": e.industry_division,
        "employees": e.employees,
        "revenue": e.revenue,
        "total_assets": e.total_assets,
        "address": e.address,
        "size_class": e.size_class,
        "region": reg.region_id,
        "is_principal": reg.is_principal,
        "principal_justification": reg.principal_justification,
        "preferred_classes": reg.preferred_classes,
    }


# --- create, edit, submit ----------------------------------------------------------------------------


def _raise_if_errors(clean: CleanRegistration):
    if clean.errors:
        raise ValidationFailed(clean.errors)


@transaction.atomic
def create_registration(
    actor,
    programme_id,
    data: dict,
    *,
    submit: bool = True,
    region_code=None,
    late_reason: str = "",
    is_retraining: bool = False,
    source: str = "api",
) -> Registration:
    """Register one trainee (附件4 row). Region officers register for their own region; the centre names one."""
    permissions.check(actor, "registration.create")
    programme = _programme(programme_id)
    region = _region_for(actor, region_code)
    if is_retraining and actor.role != "centre":
        raise PermissionDenied("forbidden", "只有人才交流中心可以登记复训邀请。")
    reason = check_open_for_submission(actor, programme, late_reason) if submit else ""
    if not submit and programme.status != ProgrammeStatus.OPEN and actor.role != "centre":
        raise RuleViolation("programme_not_open", f"{programme.year}年度计划当前不接受报名。")
    ctx = Context(programme.size_standard_id)
    clean = clean_registration(data, ctx, require_declarations=submit)
    _raise_if_errors(clean)
    warnings = _check_earlier_training(programme, clean.enterprise.credit_code, is_retraining)
    enterprise = _upsert_enterprise(clean.enterprise, region, ctx.size_version)
    trainee = _upsert_trainee(clean.trainee)
    reg = Registration(
        programme=programme,
        trainee=trainee,
        enterprise=enterprise,
        region=region,
        status=Status.DRAFT,
        is_principal=clean.is_principal,
        principal_justification=clean.principal_justification,
        preferred_classes=clean.preferred_classes,
        declared_voluntary=clean.declarations["voluntary"],
        declared_no_bad_record=clean.declarations["no_bad_record"],
        declared_fit=clean.declarations["fit_to_attend"],
        is_retraining=is_retraining,
        source=source,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            reg.save()
    except IntegrityError as exc:
        raise _duplicate(exc, programme.pk, enterprise.credit_code) from None
    if not clean.is_principal:
        warnings.append(
            {"code": "not_principal", "message": "学员不是企业主要负责人（一把手），已附参训说明。"}
        )
    audit.record(actor, "registration.create", reg, after=snapshot(reg), to_state="draft")
    if submit:
        _submit(actor, reg, reason)
    reg.warnings = warnings
    Registration.objects.filter(pk=reg.pk).update(warnings=warnings)
    return reg


def _submit(actor, reg: Registration, reason: str) -> None:
    if not (reg.declared_voluntary and reg.declared_no_bad_record and reg.declared_fit):
        raise ValidationFailed(
            [
                FieldIssue(f"declarations.{k}", "declaration_required", "提交前须完成全部三项声明。")
                for k, v in (
                    ("voluntary", reg.declared_voluntary),
                    ("no_bad_record", reg.declared_no_bad_record),
                    ("fit_to_attend", reg.declared_fit),
                )
                if not v
            ]
        )
    if not reg.holds_seat:
        if not _take_seat(reg.programme_id, reg.region_id):
            raise _quota_exceeded(reg.programme_id, reg.region)
        reg.holds_seat = True
    before = reg.status
    reg.status = Status.SUBMITTED
    reg.submitted_at = timezone.now()
    reg.save(update_fields=["status", "holds_seat", "submitted_at", "updated_at"])
    audit.record(actor, "registration.submit", reg, from_state=before, to_state=reg.status, reason=reason)


@transaction.atomic
def submit_registration(actor, registration_id, late_reason: str = "") -> Registration:
    """draft/returned → submitted: deadline (R3) and quota (R2) are checked here."""
    permissions.check(actor, "registration.submit")
    reg = get_registration(actor, registration_id, lock=True)
    if reg.status not in ("draft", "returned"):
        raise InvalidTransition(reg.status, "submitted", STATUS_LABELS)
    reason = check_open_for_submission(actor, reg.programme, late_reason)
    _submit(actor, reg, reason)
    return reg


@transaction.atomic
def update_registration(actor, registration_id, data: dict) -> Registration:
    """Correct a draft or returned registration (the same validation as creation)."""
    permissions.check(actor, "registration.create")
    reg = get_registration(actor, registration_id, lock=True)
    if reg.status not in EDITABLE_STATUSES:
        raise RuleViolation("not_editable", f"报名状态为“{reg.get_status_display()}”，不能修改。")
    trainee_in = dict(data.get("trainee") or {})
    if not str(trainee_in.get("id_number") or "").strip():
        # Pages never show the full ID number: an edit that leaves it empty keeps the one on file.
        trainee_in["id_number"] = identity.decrypt_id(reg.trainee.id_number_encrypted)
        data = {**data, "trainee": trainee_in}
    ctx = Context(reg.programme.size_standard_id)
    clean = clean_registration(data, ctx, require_declarations=False)
    _raise_if_errors(clean)
    before = snapshot(reg)
    enterprise = _upsert_enterprise(clean.enterprise, reg.region, ctx.size_version)
    trainee = _upsert_trainee(clean.trainee)
    if trainee.pk != reg.trainee_id:
        reg.confirmed_at = None  # a different person must confirm personally (R6)
    reg.enterprise, reg.trainee = enterprise, trainee
    reg.is_principal, reg.principal_justification = clean.is_principal, clean.principal_justification
    reg.preferred_classes = clean.preferred_classes
    reg.declared_voluntary = clean.declarations["voluntary"]
    reg.declared_no_bad_record = clean.declarations["no_bad_record"]
    reg.declared_fit = clean.declarations["fit_to_attend"]
    try:
        with transaction.atomic():
            reg.save()
    except IntegrityError as exc:
        raise _duplicate(exc, reg.programme_id, enterprise.credit_code) from None
    b, a = audit.diff(before, snapshot(reg))
    audit.record(actor, "registration.update", reg, before=b, after=a)
    return reg


# --- review ------------------------------------------------------------------------------------------


def _transition(actor, reg: Registration, target: str, action: str, reason: str = "") -> Registration:
    if target not in TRANSITIONS[reg.status]:
        raise InvalidTransition(reg.status, target, STATUS_LABELS)
    before = reg.status
    reg.status = target
    if target in ("rejected", "withdrawn"):
        _release_seat(reg)
        _leave_class(reg)
    if target in ("approved", "rejected", "returned"):
        reg.reviewed_at = timezone.now()
        reg.review_note = reason
    reg.save(
        update_fields=["status", "holds_seat", "reviewed_at", "review_note", "training_class", "updated_at"]
    )
    audit.record(actor, action, reg, from_state=before, to_state=target, reason=reason)
    return reg


@transaction.atomic
def approve(actor, registration_id, note: str = "") -> Registration:
    """Centre approval; only after the trainee confirmed participation personally (R6, voluntary)."""
    permissions.check(actor, "registration.review")
    reg = get_registration(actor, registration_id, lock=True)
    if reg.status != "submitted":
        raise InvalidTransition(reg.status, "approved", STATUS_LABELS)
    if reg.confirmed_at is None:
        raise RuleViolation(
            "not_confirmed", "学员本人尚未确认参训（自愿参训原则），不能审核通过。请先发送邀请链接。"
        )
    return _transition(actor, reg, "approved", "registration.approve", note)


@transaction.atomic
def reject(actor, registration_id, reason: str) -> Registration:
    permissions.check(actor, "registration.review")
    if not (reason or "").strip():
        raise ValidationFailed([FieldIssue("reason", "reason_required", "请填写不予通过的理由。")])
    reg = get_registration(actor, registration_id, lock=True)
    return _transition(actor, reg, "rejected", "registration.reject", reason.strip())


@transaction.atomic
def return_for_correction(actor, registration_id, comment: str) -> Registration:
    permissions.check(actor, "registration.review")
    if not (comment or "").strip():
        raise ValidationFailed([FieldIssue("comment", "comment_required", "请填写退回修改的意见。")])
    reg = get_registration(actor, registration_id, lock=True)
    if reg.status != "submitted":
        raise InvalidTransition(reg.status, "returned", STATUS_LABELS)
    return _transition(actor, reg, "returned", "registration.return", comment.strip())


@transaction.atomic
def withdraw(actor, registration_id, reason: str = "") -> Registration:
    """Withdrawal at any time before completion; frees the quota seat and the enterprise."""
    permissions.check(actor, "registration.withdraw")
    reg = get_registration(actor, registration_id, lock=True)
    return _transition(actor, reg, "withdrawn", "registration.withdraw", (reason or "").strip())


def approve_many(actor, ids: list[int], programme_id=None) -> dict:
    """Bulk approval from the review queue: each one its own transaction, results per id. With
    `programme_id`, ids of other programmes are refused as not found."""
    approved, refused = [], []
    for rid in ids:
        try:
            if (
                programme_id is not None
                and not Registration.objects.filter(pk=rid, programme_id=programme_id).exists()
            ):
                raise NotFound("not_found", "报名记录不存在或不在您的管辖范围内。")
            approve(actor, rid)
            approved.append(rid)
        except (RuleViolation, NotFound) as exc:
            refused.append({"id": rid, "code": exc.code, "message": exc.detail})
    return {"approved": approved, "refused": refused}


# --- invitation and personal confirmation (R6) -------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_invitation(actor, registration_id) -> tuple[Invitation, str]:
    permissions.check(actor, "registration.invite")
    reg = get_registration(actor, registration_id, lock=True)
    if reg.status not in LIVE_STATUSES or reg.status in ("completed", "not_completed"):
        raise InvalidTransition(reg.status, "invite", STATUS_LABELS)
    if reg.confirmed_at is not None:
        raise RuleViolation("already_confirmed", "学员本人已确认参训，无需再次邀请。")
    token = secrets.token_urlsafe(24)
    inv = Invitation.objects.create(
        registration=reg,
        token_hash=_hash_token(token),
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=INVITE_DAYS),
    )
    audit.record(actor, "registration.invite", reg)
    return inv, token


def invitation_for(token: str) -> Invitation:
    with scopes_disabled():
        inv = (
            Invitation.objects.select_related(
                "registration__trainee", "registration__enterprise", "registration__programme"
            )
            .filter(token_hash=_hash_token(token or ""))
            .first()
        )
    if inv is None:
        raise NotFound("invite_not_found", "邀请链接无效，请向推荐您的地方主管部门索取新的链接。")
    return inv


def accept_invitation(
    token: str, password: str, id_number_last6: str, client_ip=None
) -> tuple[User, Registration]:
    """The trainee proves identity with the last six ID digits, sets a password and confirms (R6)."""
    with scopes_disabled():
        inv = invitation_for(token)
        if inv.accepted_at is not None:
            raise RuleViolation("invite_used", "该邀请链接已使用。请直接用手机号登录。")
        if inv.expires_at <= timezone.now():
            raise RuleViolation("invite_expired", "邀请链接已过期，请向推荐您的地方主管部门索取新的链接。")
        if inv.failed_attempts >= INVITE_MAX_FAILURES:
            raise TooManyAttempts(detail="身份核验失败次数过多，该链接已锁定，请联系地方主管部门重新发送。")
        reg = inv.registration
        trainee = reg.trainee
        number = identity.decrypt_id(trainee.id_number_encrypted)
        given = identity.normalise_id_number(id_number_last6)
        if len(given) != 6 or not secrets.compare_digest(given, number[-6:]):
            # Counted outside the failing transaction, so the count survives the refusal.
            Invitation.objects.filter(pk=inv.pk).update(failed_attempts=F("failed_attempts") + 1)
            raise ValidationFailed(
                [FieldIssue("id_number_last6", "id_number_mismatch", "身份证号后六位不正确。")]
            )
        with transaction.atomic():
            inv = Invitation.objects.select_for_update().get(pk=inv.pk)
            if inv.accepted_at is not None:
                raise RuleViolation("invite_used", "该邀请链接已使用。请直接用手机号登录。")
            user = trainee.user
            if user is None:
                existing = User.objects.filter(username=trainee.mobile).first()
                if existing is not None:
                    raise RuleViolation("username_taken", "该手机号已被其他账户使用，请联系地方主管部门。")
                user = User(
                    username=trainee.mobile, role="trainee", display_name=trainee.name, email=trainee.email
                )
            try:
                validate_password(password or "", user)
            except DjangoValidationError as exc:
                raise ValidationFailed(
                    [FieldIssue("password", "weak_password", "密码强度不足：" + "；".join(exc.messages))]
                ) from None
            user.set_password(password)
            user.save()
            if trainee.user_id != user.pk:
                Trainee.objects.filter(pk=trainee.pk).update(user=user)
            now = timezone.now()
            Invitation.objects.filter(pk=inv.pk).update(accepted_at=now)
            Registration.objects.filter(pk=reg.pk).update(confirmed_at=now)
            reg.confirmed_at = now
            audit.record(user, "registration.confirm", reg, reason="学员本人通过邀请链接确认参训")
    return user, reg


def invite_url(token: str) -> str:
    return f"/invite/{token}/"
