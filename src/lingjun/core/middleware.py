import json
import re

from django.conf import settings
from django.http import HttpResponse

from . import audit, scoping


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For is trusted only for the configured number of proxies."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")


class ScopeMiddleware:
    """Activates the request user's row scope (lazily, so API bearer tokens count) and the client IP for
    audit entries, and always resets both when the request ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope_token = scoping.activate_for_request(request)
        ip_token = audit.set_client_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            audit.reset_client_ip(ip_token)
            scoping.deactivate(scope_token)


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


API_PREFIX = "/api/v1/"
_GENERIC_API_ERRORS = {
    400: ("malformed_request", "请求格式不正确，无法解析。"),
    404: ("not_found", "接口不存在，请核对地址（参见 /api/v1/docs）。"),
    405: ("method_not_allowed", "该接口不支持此请求方法。"),
    413: ("request_too_large", "请求内容过大。"),
}


class ApiErrorBodyMiddleware:
    """Answers that Django or ninja produce before any handler runs (an unknown API address, a method the
    route does not have, a request Django refuses) are plain text or HTML; under /api/v1/ they are rewritten
    into API.md's error model, so a client only ever parses {code, detail, errors}."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
            and not getattr(response, "streaming", False)
        ):
            code, detail = _GENERIC_API_ERRORS.get(response.status_code, ("http_error", "请求无法处理。"))
            body = json.dumps({"code": code, "detail": detail, "errors": []}, ensure_ascii=False)
            replaced = HttpResponse(
                body, status=response.status_code, content_type="application/json; charset=utf-8"
            )
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response


# A JSON escape of U+0000: an odd number of backslashes before u0000 (an even number is a literal backslash).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_ERROR = {
    "code": "invalid_characters",
    "detail": "提交的内容含有空字符（\\0），请删除后重试。",
    "errors": [],
}


class ApiInputGuardMiddleware:
    """Refuses API input that contains U+0000 anywhere (path, query, JSON body), with 422 in the error model.
    SQLite would store it silently inside a name; PostgreSQL refuses it with an error that surfaced as a 500
    (found by core/tests/test_fuzz_api.py on PostgreSQL). Web forms refuse it already (Django's form fields)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX) and self._has_nul(request):
            return HttpResponse(
                json.dumps(NUL_ERROR, ensure_ascii=False),
                status=422,
                content_type="application/json; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.content_type == "application/json" and request.method in (
            "POST",
            "PUT",
            "PATCH",
            "DELETE",
        ):
            try:
                body = request.body
            except Exception:  # noqa: BLE001 - too large a body: the API answers that itself
                return False
            return b"\x00" in body or bool(_JSON_NUL.search(body))
        return False
