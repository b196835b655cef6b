"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Never run `playwright install`: the browser is the distribution's /usr/bin/chromium (scripts/test.sh
installs it). Screenshots go to test-artifacts/screenshots/ (gitignored) for people to look at.
"""

from __future__ import annotations

import datetime
import itertools
import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop registered on this thread; Django would then refuse ORM calls
# made by the (purely synchronous) test body as "called from an async context". Nothing here is async.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "Test-pass-9876"
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
_seq = itertools.count(1)


@pytest.fixture
def browser(live_server):
    """A Chromium per test, started *after* the test database is set up.

    While Playwright's sync API is active its asyncio loop counts as running on this thread, and Django then
    keeps database connections per context instead of per thread: ORM calls in the test body get a connection
    of their own. So the browser must not exist yet when pytest-django restores the reference data
    (serialized rollback, on the thread's connection), and that extra connection is closed before the
    database is flushed."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()


@pytest.fixture(autouse=True)
def _unscoped_test_body():
    """The test body sets up and checks rows directly; the live server's requests get their user's scope
    from the middleware, as in production (see src/lingjun/conftest.py)."""
    from lingjun.core.scoping import scopes_disabled

    with scopes_disabled():
        yield


@pytest.fixture
def make_user(live_server):
    """Users are created through the ORM *before* the browser logs in (the live server shares the DB)."""
    from lingjun.accounts.models import User
    from lingjun.institutions.models import Institution

    def make(role: str, region: str | None = None, display_name: str = "", username: str | None = None):
        institution = None
        if role == "region" and region is None:
            region = "110000"
        if role == "institution":
            institution = Institution.objects.create(name=f"浏览器测试机构{next(_seq)}", kind="university")
        return User.objects.create_user(
            username=username or f"{role}{next(_seq)}",
            password=PASSWORD,
            role=role,
            region_id=region,
            institution=institution,
            display_name=display_name,
        )

    return make


@pytest.fixture
def programme(live_server):
    from lingjun.programmes.models import Programme
    from lingjun.programmes.services import _ensure_quota_rows

    p = Programme.objects.create(
        year=2030,
        title="2030年中小企业经营管理领军人才培训",
        notice_number="工信厅企业函〔2030〕1号",
        target_trainees=800,
        min_manufacturing_share="0.300",
        registration_deadline=datetime.date.today() + datetime.timedelta(days=40),
        planned_classes=10,
        days_per_class=4,
        tracks=["specialized", "integration"],
        status="open",
    )
    _ensure_quota_rows(p)
    return p


class Pages:
    """Opens browser pages against the live server and records what the console complained about."""

    def __init__(self, browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.problems: list[str] = []

    def open(self, phone: bool = False):
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **(PHONE if phone else DESKTOP),
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        return page

    def close(self):
        for c in self.contexts:
            c.close()

    @staticmethod
    def login(page, username: str, password: str = PASSWORD) -> None:
        """Sign in through the login page, as a person would."""
        page.goto("/")
        page.wait_for_url("**/login/**")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    @staticmethod
    def shot(page, name: str) -> Path:
        """The whole page; for a long page also what the first screen shows (`<name>-top.png`)."""
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if page.evaluate("document.documentElement.scrollHeight > 2.5 * window.innerHeight"):
            page.screenshot(path=str(SCREENSHOT_DIR / f"{name}-top.png"))
        return path

    @staticmethod
    def overflow(page) -> int:
        """How many CSS pixels the page is wider than its viewport (0 = no sideways scrolling)."""
        return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def pages(browser, live_server):
    p = Pages(browser, live_server.url)
    yield p
    p.close()
    # A CSP violation (an inline script or a CDN asset) or a script error shows up here.
    assert not p.problems, p.problems
