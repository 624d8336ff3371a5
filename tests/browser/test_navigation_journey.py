"""Navigation in a real browser (issue 18 item 5): Inventory's screens under their guide names,
the portal's Tracking kept inside the portal, and every module in the sidebar leading to a page
that is built (none to a "not switched on" placeholder)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sub_link(nav, title: str):
    return nav.get_by_test_id("nav-sub").filter(has_text=re.compile("^" + re.escape(title) + "$"))


def test_inventory_screens_tracking_and_modules_in_the_sidebar(page, live_server, login, user_a):
    login(page, user_a.email, expect_path="/dashboard/")
    nav = page.get_by_test_id("portal-nav")

    # Inventory's screens, named as the operations guide names them, each a click away.
    for title, path, heading in (
        ("Inbound Order", "/inventory/inbound/", "Inbound Order"),
        ("Add Reservation Inbound", "/inventory/inbound/new/", None),
        ("Damage/Gain Slip", "/inventory/inbound/slips/", "Damage/Gain Slip"),
        ("Inventory List", "/inventory/", "Inventory list"),
    ):
        sub_link(nav, title).click()
        expect(page).to_have_url(re.compile("^" + re.escape(live_server.url + path) + r"(\?.*)?$"))
        expect(sub_link(page.get_by_test_id("portal-nav"), title)).to_have_class(re.compile(r"\bactive\b"))
        if heading:
            expect(page.locator("main h1")).to_have_text(heading)
        nav = page.get_by_test_id("portal-nav")

    # Tracking stays in the portal: the sidebar and the user menu are still there after a search.
    nav.get_by_role("link", name=re.compile(r"(^|\s)Tracking$")).click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url + "/track/") + "$"))
    page.get_by_test_id("track-form").locator("textarea, input[type=text]").first.fill("S00000000000000, bad#no")
    page.get_by_test_id("track-form").get_by_role("button", name="Inquire").click()
    expect(page).to_have_url(re.compile(re.escape(live_server.url + "/track/") + r"\?"))
    expect(page.get_by_test_id("track-results")).to_be_visible()
    # A mistyped number is answered on its own line; the other is still looked up (issue 18 item 8).
    expect(page.get_by_test_id("track-result")).to_have_count(2)
    expect(page.locator('[data-testid="track-result"][data-problem="yes"]')).to_have_count(1)
    bad = page.locator('[data-testid="track-result"][data-problem="yes"]')
    expect(bad).to_contain_text("BAD#NO")
    expect(bad.get_by_test_id("track-problem")).to_contain_text("use letters, digits and dashes only")
    expect(page.get_by_test_id("portal-nav")).to_be_visible()
    expect(page.get_by_test_id("customer-code")).to_contain_text(user_a.customer.code)
    expect(page.get_by_test_id("portal-nav").get_by_role("link", name=re.compile("Tracking$"))).to_have_class(
        re.compile(r"\bactive\b")
    )

    # Every module in the sidebar answers with a page of its own, none with a placeholder.
    hrefs = page.get_by_test_id("portal-nav").locator("a.nav-link").evaluate_all("els => els.map(e => e.href)")
    assert len(hrefs) >= 10
    for href in hrefs:
        response = page.goto(href)
        assert response.status == 200, href
        expect(page.locator("main")).not_to_contain_text("not switched on")
    expect(page.get_by_test_id("portal-nav")).not_to_contain_text("Support")


def test_the_staff_header_labels_the_time_zone_and_fits_a_phone(phone_page, page, live_server, login, make_staff):
    from apps.warehouses.models import Warehouse

    Warehouse.objects.create(
        code="LAX1", name="LA", address1="1 Dock", city="LA", country="US", timezone="America/Los_Angeles"
    )
    Warehouse.objects.create(
        code="NJ1", name="NJ", address1="1 Pier", city="NJ", country="US", timezone="America/New_York"
    )
    staff = make_staff("warehouse")

    login(page, staff.email)
    page.goto(live_server.url + "/staff/")
    label = page.get_by_test_id("staff-time-zone")
    expect(label).to_contain_text("America/Los_Angeles")
    label.locator("select").select_option("NJ1")
    label.get_by_role("button", name="Set").click()
    expect(page.get_by_test_id("staff-time-zone")).to_contain_text("America/New_York")
    expect(page.get_by_test_id("flash")).to_contain_text("NJ1")

    login(phone_page, staff.email)
    phone_page.goto(live_server.url + "/staff/")
    expect(phone_page.get_by_test_id("staff-time-zone-short")).to_contain_text("LAX1 UTC−0")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the staff header scrolls sideways on a phone ({width} px)"
