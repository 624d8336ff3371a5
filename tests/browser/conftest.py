"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Never run ``playwright install``: the tests use the system chromium (``CHROMIUM_PATH`` or
``chromium`` on PATH). Without it they skip locally and fail on CI (``CI`` set), so CI cannot
pass by skipping them.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from apps.accounts.tests.factories import TEST_PASSWORD

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Auto-waiting assertions give up after this long (ms); pages here are server-rendered and fast.
EXPECT_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if path and Path(path).is_file() and os.access(path, os.X_OK):
        return path
    return None


@pytest.fixture(scope="package")
def browser():
    """One chromium for this folder's tests.

    Package scope rather than session scope on purpose: while Playwright's sync API is started,
    this thread has a running asyncio loop, so Django's ORM raises SynchronousOnlyOperation unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. Both the loop and the variable must end with the browser
    tests: a session-wide variable leaks into subprocesses of later tests (``check --deploy``
    warns about it) and a session-wide loop breaks later tests' ORM calls.
    """
    path = _chromium_path()
    if path is None:
        reason = "chromium not found (set CHROMIUM_PATH or install Debian's chromium package)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; browser tests must not be skipped on CI", pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


def _new_page(browser, **context_options):
    context = browser.new_context(**context_options)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    return context, page


def _screenshot_on_failure(request, page):
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.\-\[\]]+", "_", request.node.name)
        try:
            page.screenshot(path=str(ARTIFACTS_DIR / f"{name}.png"), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the real failure
            print(f"could not save a screenshot for {request.node.nodeid}: {exc}")


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context (no cookies) per test; a screenshot is saved if the test fails."""
    context, page = _new_page(browser, base_url=live_server.url)
    yield page
    _screenshot_on_failure(request, page)
    context.close()


@pytest.fixture
def phone_page(request, browser, live_server):
    """Like ``page``, on a phone-sized touch viewport."""
    context, page = _new_page(
        browser,
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    _screenshot_on_failure(request, page)
    context.close()


@pytest.fixture
def login(live_server):
    """Sign in through the real login form and wait for the page it leads to."""
    from playwright.sync_api import expect

    def do_login(page, email: str, password: str = TEST_PASSWORD, *, expect_path: str | None = None):
        page.goto(live_server.url + "/accounts/login/")
        form = page.get_by_test_id("login-form")
        form.locator("input[name=username]").fill(email)
        form.locator("input[name=password]").fill(password)
        form.get_by_role("button", name="Sign in").click()
        if expect_path is not None:
            expect(page).to_have_url(re.compile(re.escape(live_server.url + expect_path) + r"$"))

    return do_login
