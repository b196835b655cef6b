"""Training institutions (SPEC §3.3)."""

from django.db import IntegrityError, transaction

from lingjun.core import audit, permissions
from lingjun.core.errors import FieldIssue, RuleViolation, ValidationFailed

from .models import Institution, InstitutionKind, Track


def _validate(name: str, kind: str, tracks) -> tuple[str, str, list[str]]:
    errors = []
    name = (name or "").strip()
    if not name:
        errors.append(FieldIssue("name", "required", "请填写机构名称。"))
    elif len(name) > 100:
        errors.append(FieldIssue("name", "too_long", "机构名称不能超过100个字。"))
    if kind not in InstitutionKind.values:
        errors.append(
            FieldIssue("kind", "invalid_choice", "机构类别须为：高等院校、行业协会、人才交流中心或其他。")
        )
    tracks = list(dict.fromkeys(tracks or []))
    bad = [t for t in tracks if t not in Track.values]
    if bad:
        errors.append(FieldIssue("tracks", "invalid_choice", f"未知的培训方向：{'、'.join(map(str, bad))}。"))
    if errors:
        raise ValidationFailed(errors)
    return name, kind, tracks


@transaction.atomic
def create_institution(actor, *, name: str, kind: str, tracks=None) -> Institution:
    permissions.check(actor, "institution.create")
    name, kind, tracks = _validate(name, kind, tracks)
    try:
        with transaction.atomic():
            institution = Institution.objects.create(name=name, kind=kind, tracks=tracks)
    except IntegrityError:
        raise RuleViolation(
            "institution_exists",
            f"机构“{name}”已存在。",
            [FieldIssue("name", "institution_exists", "同名机构已存在。")],
        ) from None
    audit.record(
        actor, "institution.create", institution, after={"name": name, "kind": kind, "tracks": tracks}
    )
    return institution
