"""The single mapping of errors to HTTP answers in API.md's error model."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from .errors import DomainError, FieldIssue, ValidationFailed

log = logging.getLogger("lingjun.api")

# Chinese names of fields, so every message says which field is wrong.
FIELD_LABELS = {
    "username": "用户名",
    "password": "密码",
    "role": "角色",
    "region": "地区",
    "institution": "机构",
    "display_name": "姓名/单位",
    "year": "年度",
    "title": "名称",
    "notice_number": "文号",
    "target_trainees": "目标培训人数",
    "min_manufacturing_share": "制造业企业最低占比",
    "registration_deadline": "报名截止日期",
    "planned_classes": "计划期数",
    "days_per_class": "每期天数",
    "tracks": "培训方向",
    "status": "状态",
    "quotas": "名额",
    "total": "总名额",
    "weights": "权重",
    "name": "名称",
    "kind": "类别",
    "department": "单位名称",
    "leader_name": "分管负责人姓名",
    "leader_position": "分管负责人职务",
    "leader_phone": "分管负责人办公电话",
    "liaison_name": "联系人姓名",
    "liaison_position": "联系人职务",
    "liaison_phone": "联系人办公电话",
    "liaison_mobile": "联系人手机",
    "liaison_email": "联系人电子邮箱",
    "reason": "理由",
    "limit": "每页条数",
    "offset": "起始位置",
}

TYPE_CODES = {
    "missing": ("required", "必填，请填写。"),
    "int_parsing": ("invalid_integer", "须为整数。"),
    "int_type": ("invalid_integer", "须为整数。"),
    "int_from_float": ("invalid_integer", "须为整数。"),
    "float_parsing": ("invalid_number", "须为数字。"),
    "float_type": ("invalid_number", "须为数字。"),
    "decimal_parsing": ("invalid_number", "须为数字。"),
    "decimal_type": ("invalid_number", "须为数字。"),
    "finite_number": ("invalid_number", "须为有限的数字。"),
    "date_parsing": ("invalid_date", "须为有效日期，格式 YYYY-MM-DD。"),
    "date_from_datetime_parsing": ("invalid_date", "须为有效日期，格式 YYYY-MM-DD。"),
    "date_from_datetime_inexact": ("invalid_date", "须为日期，不含时间。"),
    "date_type": ("invalid_date", "须为有效日期，格式 YYYY-MM-DD。"),
    "time_parsing": ("invalid_time", "须为有效时间，格式 HH:MM。"),
    "time_type": ("invalid_time", "须为有效时间，格式 HH:MM。"),
    "bool_parsing": ("invalid_boolean", "须为 true 或 false。"),
    "bool_type": ("invalid_boolean", "须为 true 或 false。"),
    "string_type": ("invalid_string", "须为文本。"),
    "string_too_long": ("too_long", "内容过长。"),
    "string_too_short": ("required", "不能为空。"),
    "literal_error": ("invalid_choice", "取值不在允许范围内。"),
    "enum": ("invalid_choice", "取值不在允许范围内。"),
    "dict_type": ("invalid_object", "须为对象。"),
    "model_type": ("invalid_object", "须为对象。"),
    "model_attributes_type": ("invalid_object", "须为对象。"),
    "list_type": ("invalid_list", "须为列表。"),
    "greater_than_equal": ("out_of_range", "数值过小。"),
    "less_than_equal": ("out_of_range", "数值过大。"),
    "greater_than": ("out_of_range", "数值过小。"),
    "less_than": ("out_of_range", "数值过大。"),
    "json_invalid": ("malformed_json", "不是有效的 JSON。"),
    "extra_forbidden": ("unknown_field", "不是可接受的字段。"),
}
_SKIP = {"body", "query", "path", "form", "file", "header", "cookie", "payload", "data", "filters"}


def _field(loc) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in _SKIP:
        parts.pop(0)
    return ".".join(parts)


def translate_pydantic(errors: list[dict]) -> ValidationFailed:
    issues = []
    for err in errors:
        field = _field(err.get("loc", ()))
        code, message = TYPE_CODES.get(err.get("type", ""), ("invalid", "格式不正确。"))
        if err.get("type") == "literal_error" and err.get("ctx", {}).get("expected"):
            message = f"须为以下之一：{err['ctx']['expected']}。"
        if err.get("type") == "string_too_long" and err.get("ctx", {}).get("max_length"):
            message = f"不能超过 {err['ctx']['max_length']} 个字符。"
        label = FIELD_LABELS.get(field.split(".")[-1], field) if field else "请求内容"
        issues.append(FieldIssue(field or "body", code, f"{label}：{message}"))
    return ValidationFailed(
        issues, detail=("请求内容有误：" + issues[0].message) if len(issues) == 1 else None
    )


def install(api) -> None:
    def respond(request, error: DomainError, headers=None):
        response = api.create_response(request, error.body(), status=error.status)
        for k, v in (headers or {}).items():
            response[k] = v
        return response

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return respond(request, exc, {"Retry-After": "60"} if exc.status == 429 else None)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        return respond(request, translate_pydantic(exc.errors))

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return respond(
            request,
            DomainError("not_authenticated", "请先登录，或提供有效的访问令牌。", status=401),
            {"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        return respond(request, DomainError("too_many_requests", "请求过于频繁，请稍后再试。", status=429))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 400:
            return respond(request, DomainError("malformed_json", "请求体不是有效的 JSON。", status=400))
        if exc.status_code == 403:
            return respond(
                request,
                DomainError("forbidden", "没有权限（如使用网页登录，请检查 CSRF 令牌）。", status=403),
            )
        return respond(
            request, DomainError("http_error", str(exc) or "请求无法处理。", status=exc.status_code)
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, DomainError("not_found", "对象不存在或不在您的管辖范围内。", status=404))

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return respond(
            request,
            DomainError(
                "request_too_large",
                f"请求内容过大（超过 {limit} MB）。上传工作簿请使用文件上传，单个文件不超过 10 MB。",
                status=413,
            ),
        )

    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(SuspiciousOperation)
    def malformed_request(request, exc):
        return respond(request, DomainError("malformed_request", "请求格式不正确，无法解析。", status=400))

    @api.exception_handler(DataError)
    def data_error(request, exc):
        # A value the database cannot store (a NUL character in a form field, a number beyond its column):
        # the input's fault, not the server's. Logged, since a validator should have caught it first.
        log.warning("database refused a value in %s %s: %s", request.method, request.path, exc)
        return respond(
            request,
            DomainError(
                "invalid_value", "提交的内容含有无法保存的字符或超出范围的数值，请检查后重试。", status=422
            ),
        )

    @api.exception_handler(Exception)
    def server_error(request, exc):
        log.exception("unhandled error in %s %s", request.method, request.path)
        return respond(request, DomainError("server_error", "服务器内部错误，请稍后重试。", status=500))
