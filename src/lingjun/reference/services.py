"""Qualifications (企业资质) are reference data the bureau extends or renames (SPEC §3.2): tiers are renamed
from time to time, so codes stay and names change; a retired tier is deactivated, never deleted (old
registrations keep it)."""

import re

from django.db import IntegrityError, transaction

from lingjun.core import audit, permissions
from lingjun.core.errors import FieldIssue, NotFound, RuleViolation, ValidationFailed
from lingjun.core.validators import check_required

from .models import Qualification

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def _clean(data: dict, partial: bool) -> dict:
    errors, out = [], {}
    if not partial or "name" in data:
        out["name"] = check_required(errors, "name", data.get("name"), "资质名称", 60)
    if "sort" in data and data["sort"] is not None:
        try:
            out["sort"] = int(data["sort"])
        except (TypeError, ValueError):
            errors.append(FieldIssue("sort", "invalid_integer", "排序须为整数。"))
    if "active" in data and data["active"] is not None:
        out["active"] = bool(data["active"])
    if errors:
        raise ValidationFailed(errors)
    return out


@transaction.atomic
def create_qualification(actor, code: str, data: dict) -> Qualification:
    permissions.check(actor, "qualification.manage")
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationFailed(
            [FieldIssue("code", "invalid_code", "代码须为小写字母开头的字母、数字或下划线，2—40位。")]
        )
    values = _clean(data, partial=False)
    try:
        with transaction.atomic():
            q = Qualification.objects.create(code=code, **values)
    except IntegrityError:
        raise RuleViolation("qualification_exists", "该资质代码或名称已存在。") from None
    audit.record(actor, "qualification.create", q, after={"code": code, **values})
    return q


@transaction.atomic
def update_qualification(actor, code: str, data: dict) -> Qualification:
    permissions.check(actor, "qualification.manage")
    q = Qualification.objects.select_for_update().filter(code=code).first()
    if q is None:
        raise NotFound("not_found", "该资质不存在。")
    values = _clean(data, partial=True)
    before = {k: getattr(q, k) for k in values}
    for k, v in values.items():
        setattr(q, k, v)
    try:
        with transaction.atomic():
            q.save()
    except IntegrityError:
        raise RuleViolation("qualification_exists", "该资质名称已存在。") from None
    audit.record(actor, "qualification.update", q, before=before, after=values)
    return q
