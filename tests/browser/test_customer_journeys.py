"""Customer journeys in a real browser: registration, sign-out/sign-in, the 403 page for the back
office, API keys end to end, and the phone layout of the portal."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from apps.accounts.tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread: test data must be committed to be seen there.
    # (The flush after each test keeps the roles and levels: accounts re-creates them post_migrate.)
    pytest.mark.django_db(transaction=True),
]

MODULES = ["Products", "Inventory", "Orders", "Bills", "Integration", "Tracking"]


def url_is(base: str, path: str) -> re.Pattern:
    return re.compile("^" + re.escape(base + path) + r"(\?.*)?$")


def module_link(nav, title: str):
    """A nav link by its text; the accessible name also holds the icon font's glyph."""
    return nav.get_by_role("link", name=re.compile(r"(^|\s)" + re.escape(title) + "$"))


def api_get(base_url: str, path: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        base_url + path, headers={"Authorization": f"Token {key}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_register_sign_out_and_sign_in_again(page, live_server, login):
    page.goto(live_server.url + "/accounts/register/")
    form = page.get_by_test_id("register-form")
    form.locator("input[name=company_name]").fill("Gamma Trading")
    form.locator("input[name=contact_name]").fill("Grace Gamma")
    form.locator("input[name=email]").fill("grace@gamma.example")
    form.locator("input[name=phone]").fill("+1 555 0100")
    form.locator("input[name=password1]").fill(TEST_PASSWORD)
    form.locator("input[name=password2]").fill(TEST_PASSWORD)
    form.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(url_is(live_server.url, "/dashboard/"))
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("Welcome")
    expect(page.get_by_test_id("flash").first).to_contain_text(re.compile(r"customer code is C\d+"))
    nav = page.get_by_test_id("portal-nav")
    for title in MODULES:
        expect(module_link(nav, title)).to_be_visible()

    page.locator("button.dropdown-toggle:has(.bi-person-circle)").click()
    sign_out = page.locator(".dropdown-menu").get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    sign_out.click()
    expect(page).to_have_url(url_is(live_server.url, "/accounts/login/"))
    expect(page.get_by_test_id("flash")).to_contain_text("You have signed out.")

    # Signed out for real: the dashboard now asks for a login.
    page.goto(live_server.url + "/dashboard/")
    expect(page).to_have_url(re.compile(re.escape(live_server.url + "/accounts/login/") + r"\?next="))

    login(page, "grace@gamma.example", expect_path="/dashboard/")
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("Welcome")
    expect(page.get_by_test_id("flash")).to_contain_text("Signed in as grace@gamma.example")


def test_customer_is_kept_out_of_back_office_and_manages_api_keys(page, live_server, login, user_a):
    login(page, user_a.email, expect_path="/dashboard/")
    code = user_a.customer.code

    response = page.goto(live_server.url + "/staff/")
    assert response.status == 403
    expect(page.get_by_test_id("error-message")).to_contain_text("staff only")

    page.goto(live_server.url + "/dashboard/")
    module_link(page.get_by_test_id("portal-nav"), "Integration").click()
    expect(page).to_have_url(url_is(live_server.url, "/accounts/api-keys/"))
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()

    page.locator("input[name=name]").fill("ERP")
    page.get_by_role("button", name="Create key").click()
    new_key = page.get_by_test_id("new-api-key")
    expect(new_key).to_be_visible()
    expect(new_key).to_contain_text("ERP")
    raw_key = page.locator("#new-key").inner_text().strip()
    assert len(raw_key) > 20

    status, body = api_get(live_server.url, "/api/v1/me/", raw_key)
    assert status == 200, body
    assert body["customer"]["code"] == code
    assert body["email"] == user_a.email

    # The key is shown once: reloading the list does not show it again.
    page.goto(live_server.url + "/accounts/api-keys/")
    expect(page.get_by_test_id("new-api-key")).to_have_count(0)
    row = page.get_by_test_id("api-key-table").locator("tbody tr", has_text="ERP")
    expect(row).to_contain_text("Active")

    page.on("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_test_id("flash")).to_contain_text("revoked")
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button", name="Revoke")).to_have_count(0)

    status, body = api_get(live_server.url, "/api/v1/me/", raw_key)
    assert status == 401, body
    assert body["code"] == "api_key_revoked"


def test_phone_menu_opens_the_module_sidebar(phone_page, live_server, login, user_a):
    page = phone_page
    login(page, user_a.email, expect_path="/dashboard/")
    expect(page.get_by_test_id("dashboard-title")).to_be_visible()

    nav = page.get_by_test_id("portal-nav")
    expect(nav).to_be_hidden()  # below the lg breakpoint the sidebar is an offcanvas
    toggler = page.get_by_role("button", name="Menu")
    expect(toggler).to_be_visible()
    toggler.click()

    expect(page.locator("#sidebar")).to_have_class(re.compile(r"\bshow\b"))
    for title in MODULES:
        expect(module_link(nav, title)).to_be_visible()
    expect(module_link(nav, title)).to_be_in_viewport()

    module_link(nav, "Integration").click()
    expect(page).to_have_url(url_is(live_server.url, "/accounts/api-keys/"))
