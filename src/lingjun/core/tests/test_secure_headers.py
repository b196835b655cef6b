"""Secure headers on every page, pages that work under the Content-Security-Policy, CSRF on every form.

Every web page (every URL pattern outside /api/v1/) is fetched as the centre, a region officer, an institution's
staff, the trainee, another region's officer, another institution's staff and an anonymous visitor, with real
objects behind its parameters (the permission matrix's world); the last three must never be shown the
registration's personal data. Whatever the answer (a page, a redirect to login, a 403, a download), it must carry the security
headers. The HTML pages must not need anything the CSP forbids (inline scripts, event-handler attributes,
scripts from another origin), and every POST form they render must be refused without its CSRF token.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from lingjun.core.tests.test_permission_matrix import _leaked, fixed_clock, world  # noqa: F401  (fixtures)

ROLES = ("C", "R", "I", "T", "r", "i", "-")
OUTSIDERS = ("r", "i", "-")  # another region's officer, another institution's staff, anonymous
CJK = re.compile(r"[\u4e00-\u9fff]")


def page_patterns():
    """(route pattern text, URLPattern) of every page, API excluded."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith("api/"):
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    return list(walk(get_resolver().url_patterns))


def _kwargs(route: str, pattern: URLPattern, values: dict) -> dict:
    """Real objects for a page's parameters; `pk` means the object the path names."""
    names = list(pattern.pattern.regex.groupindex)
    pk_for = [
        ("classes/sessions/", "session_id"),
        ("certificates/classes/", "class_id"),
        ("^classes/", "class_id"),
        ("classes/", "class_id"),
        ("programmes/", "programme_id"),
        ("registrations/", "registration_id"),
    ]
    fixed = {
        "region": values["region"],
        "kind": "timetable",
        "fmt": "xlsx",
        "action": "approve",
        "table": "regions",
        "token": values["token"],
        "number": values["number"],
    }
    out = {}
    for name in names:
        if name == "pk":
            out[name] = next(values[key] for prefix, key in pk_for if route.startswith(prefix))
        elif name in fixed:
            out[name] = fixed[name]
        else:
            out[name] = values[name]
    return out


def _path(route: str, pattern: URLPattern, values: dict) -> str:
    kwargs = _kwargs(route, pattern, values)
    path = route
    if route.startswith("^"):  # re_path: substitute the named groups
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), route[1:].rstrip("$"))
        return "/" + path.replace("\\.", ".")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), path)


@pytest.fixture
def pages(world):  # noqa: F811
    values, _api_clients, _programme, _reg = world
    from lingjun.accounts.models import User
    from lingjun.registrations.models import Registration

    users = {  # the world's users, looked up by the role and scope they were made with
        "C": User.objects.filter(role="centre").first(),
        "R": User.objects.filter(role="region", region_id="330000").first(),
        "I": User.objects.filter(role="institution", institution_id=values["institution"]).first(),
        "T": Registration.objects.get(pk=values["registration_id"]).trainee.user,
        "r": User.objects.filter(role="region", region_id="110000").first(),
        "i": User.objects.filter(role="institution").exclude(institution_id=values["institution"]).first(),
    }
    clients = {}
    for col in ROLES:
        client = Client()
        if col != "-":
            client.force_login(users[col])
        clients[col] = client
    paths = [_path(route, p, values) for route, p in page_patterns()]
    return paths, clients, values


def test_every_page_pattern_gets_real_parameters(pages):
    paths, _clients, _values = pages
    assert len(paths) >= 55
    assert not [p for p in paths if "<" in p or "(?P" in p], paths


def _assert_secure_headers(path, response):
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((d.split(" ", 1) + [""])[:2] for d in (x.strip() for x in csp.split(";")) if d)
    assert directives.get("script-src") == "'self'", (path, csp)  # no inline or foreign script
    assert directives.get("object-src") == "'none'", (path, csp)
    assert directives.get("frame-ancestors") == "'none'", (path, csp)
    assert directives.get("form-action") == "'self'", (path, csp)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert response.headers.get("Referrer-Policy") == "same-origin", path


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_ATTR = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
SCRIPT_SRC = re.compile(r"<script[^>]*\bsrc=\"([^\"]+)\"", re.I)
JS_URL = re.compile(r"(?:href|src|action)=\"\s*javascript:", re.I)
POST_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.I | re.S)


def test_every_page_carries_the_security_headers_and_needs_nothing_the_csp_forbids(pages):
    paths, clients, _values = pages
    html_pages = 0
    for col, client in clients.items():
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, (col, path, response.status_code)
            _assert_secure_headers(path, response)
            # SPEC §5: nobody sees beyond their scope. The invitation page is exempt: its link is a secret sent
            # to the trainee only, who checks their own registration there before confirming it.
            if col in OUTSIDERS and response.status_code == 200 and not path.startswith("/invite/"):
                assert not _leaked(response, _values["secrets"]), (
                    col,
                    path,
                    _leaked(response, _values["secrets"]),
                )
            if "text/html" not in response.headers.get("Content-Type", "") or response.status_code != 200:
                continue
            html_pages += 1
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), (col, path, INLINE_SCRIPT.search(html).group(0))
            assert not EVENT_ATTR.search(html), (col, path, EVENT_ATTR.search(html).group(0))
            assert not JS_URL.search(html), (col, path)
            for src in SCRIPT_SRC.findall(html):
                assert src.startswith("/static/"), (col, path, src)  # same origin, no CDN (intranets)
    assert html_pages >= 60  # the pages were really rendered, not only redirected to the login


def test_the_api_and_downloads_carry_the_headers_too(pages, api_as):
    _paths, clients, values = pages
    centre = clients["C"]
    for path in (
        "/api/v1/regions",
        f"/api/v1/programmes/{values['programme_id']}/quotas.xlsx",
        "/healthz",
        "/api/v1/openapi.json",
    ):
        response = centre.get(path)
        assert response.status_code == 200, path
        _assert_secure_headers(path, response)


def test_the_interactive_api_docs_work_under_the_csp(pages):
    _paths, clients, _values = pages
    response = clients["C"].get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert all(src.startswith("/static/") for src in SCRIPT_SRC.findall(html)), SCRIPT_SRC.findall(html)


def test_every_post_form_is_refused_without_its_csrf_token(pages):
    """Collect the POST forms every role is shown; each posted without the token answers 403 in Chinese, and
    nothing is changed."""
    paths, clients, _values = pages
    forms = {}
    for col, client in clients.items():
        for path in paths:
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.headers.get("Content-Type", ""):
                continue
            for attrs, inner in POST_FORM.findall(response.content.decode()):
                if not re.search(r"method=\"post\"", attrs, re.I):
                    continue
                assert "csrfmiddlewaretoken" in inner, (col, path, attrs)  # the page itself sends the token
                action = re.search(r"action=\"([^\"]*)\"", attrs)
                target = (action.group(1) if action and action.group(1) else path).replace("&amp;", "&")
                forms.setdefault((col, target.split("#")[0]), path)
    assert len({t for _c, t in forms}) >= 20, sorted(forms)
    from lingjun.accounts.models import User

    before = _state_fingerprint()
    for (col, target), page in sorted(forms.items()):
        client = Client(enforce_csrf_checks=True)
        if col != "-":
            user = User.objects.get(pk=int(clients[col].session["_auth_user_id"]))
            client.force_login(user)
        response = client.post(target, {"reason": "x", "comment": "x"})
        assert response.status_code == 403, (col, page, target, response.status_code)
        assert CJK.search(response.content.decode()), (col, target)
    assert _state_fingerprint() == before


def _state_fingerprint():
    from lingjun.classes.models import TimetableSession, TrainingClass
    from lingjun.core.models import AuditEntry
    from lingjun.registrations.models import Registration

    return (
        AuditEntry.objects.count(),
        list(Registration.objects.values_list("pk", "status")),
        TrainingClass.objects.count(),
        TimetableSession.objects.count(),
    )


def test_hsts_is_sent_over_https_only(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", secure=True)
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "0 False"),
        ({"LINGJUN_SECURE_COOKIES": "1"}, "31536000 False"),
        (
            {"LINGJUN_SECURE_COOKIES": "1", "LINGJUN_HSTS_SECONDS": "600", "LINGJUN_SSL_REDIRECT": "1"},
            "600 True",
        ),
    ],
)
def test_a_tls_deployment_turns_hsts_on_from_the_environment(env, expected, tmp_path):
    import os

    code = "import lingjun.settings as s; print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT)"
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LINGJUN_SECURE", "LINGJUN_HSTS", "LINGJUN_SSL"))
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "LINGJUN_STATIC_ROOT": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")[-2]
    assert out == expected


def test_the_api_refuses_a_cookie_authenticated_post_without_csrf_token(make_user):
    """The API also accepts the browser's session cookie (the pages call it): a cross-site form posting to it
    with that cookie must be refused like any page form."""
    from lingjun.programmes.models import Programme

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("bureau"))
    r = client.post(
        "/api/v1/programmes",
        data={
            "year": 2031,
            "title": "跨站伪造",
            "target_trainees": 1,
            "registration_deadline": "2031-08-31",
            "planned_classes": 1,
        },
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert not Programme.objects.filter(title="跨站伪造").exists()
    assert client.get("/api/v1/programmes").status_code == 200  # reading with the cookie is fine
