from django.conf import settings

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
