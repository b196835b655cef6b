"""Domain errors: a stable machine code, a Chinese sentence, optional per-field errors.

Every refusal in the platform is one of these. They are mapped to HTTP in exactly one place
(`lingjun.api`) and shown on pages by `lingjun.core.forms`. The body shape is API.md's error model.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldIssue:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "code": self.code, "message": self.message}


class DomainError(Exception):
    status = 409
    code = "rule_violation"
    detail = "操作不符合规则。"

    def __init__(
        self, code: str | None = None, detail: str | None = None, errors=(), status: int | None = None
    ):
        self.code = code or self.code
        self.detail = detail or self.detail
        self.errors = list(errors)
        if status is not None:
            self.status = status
        super().__init__(f"{self.code}: {self.detail}")

    def body(self) -> dict:
        return {"code": self.code, "detail": self.detail, "errors": [e.as_dict() for e in self.errors]}


class RuleViolation(DomainError):
    """A well-formed request that a business rule refuses (HTTP 409)."""

    status = 409


class ValidationFailed(DomainError):
    """One or more fields are not well-formed (HTTP 422). `code` is the first field's code."""

    status = 422
    code = "validation_error"
    detail = "提交的内容有误，请按提示修改。"

    def __init__(self, errors, detail: str | None = None, code: str | None = None):
        errors = list(errors)
        super().__init__(code or (errors[0].code if errors else None), detail or _summary(errors), errors)


def _summary(errors) -> str:
    if len(errors) == 1:
        return errors[0].message
    return f"提交的内容有 {len(errors)} 处错误，请按提示修改。" if errors else ValidationFailed.detail


def field_error(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldIssue(field, code, message)])


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    detail = "您的角色无权进行此操作。"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    detail = "对象不存在或不在您的管辖范围内。"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    detail = "请先登录，或提供有效的访问令牌。"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    detail = "尝试次数过多，请稍后再试。"


class InvalidTransition(RuleViolation):
    code = "invalid_transition"

    def __init__(self, current: str, target: str, labels: dict | None = None):
        labels = labels or {}
        super().__init__(
            detail=f"当前状态“{labels.get(current, current)}”不能变更为“{labels.get(target, target)}”。"
        )
        self.current, self.target = current, target
