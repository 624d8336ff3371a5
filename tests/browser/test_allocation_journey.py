"""Warehouse allocation in a real browser: sales mark the default in the logistics plan,
logistics fill a zone table, the customer reads both on Integration → Warehouses & allocation."""

import re

import pytest
from playwright.sync_api import expect

from apps.warehouses.models import Warehouse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make(code):
    return Warehouse.objects.create(code=code, name=f"{code} centre", address1=f"1 {code} Road", city="X", country="US")


def sign_out(page, live_server):
    page.context.clear_cookies()


def test_sales_logistics_and_customer_see_one_plan(page, live_server, login, make_staff, user_a):
    make("LAX1"), make("NJ1")
    login(page, make_staff("sales").email, expect_path="/staff/")
    page.goto(f"{live_server.url}/staff/customers/{user_a.customer.code}/warehouses/")
    plan = page.get_by_test_id("plan-form")
    plan.get_by_label("LAX1 LAX1 centre").first.check()
    plan.get_by_label("NJ1 NJ1 centre").first.check()
    plan.locator("input[name=default]").nth(2).check()  # the radio list starts with "None marked"
    plan.get_by_role("button", name="Save plan").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("may now use: LAX1, NJ1. Default: NJ1.")

    sign_out(page, live_server)
    login(page, make_staff("logistics").email, expect_path="/staff/")
    page.goto(f"{live_server.url}/staff/warehouses/NJ1/zones/")
    form = page.get_by_test_id("zones-form")
    form.locator("textarea[name=zones]").fill("CA 1\nUS 2\nnowhere")
    form.get_by_role("button", name="Save zones").click()
    expect(page.get_by_test_id("zones-form")).to_contain_text("line 3")
    page.get_by_test_id("zones-form").locator("textarea[name=zones]").fill("CA 1\nUS 2")
    page.get_by_test_id("zones-form").get_by_role("button", name="Save zones").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("Zone table of NJ1 saved: 2 countries.")
    expect(page.get_by_test_id("zone-table")).to_contain_text("CA")

    sign_out(page, live_server)
    login(page, user_a.email, expect_path="/dashboard/")
    page.get_by_test_id("portal-nav").get_by_role("link", name=re.compile(r"Integration$")).click()
    page.get_by_test_id("integration-nav").get_by_role("link", name="Warehouses & allocation").click()
    expect(page.get_by_test_id("allocation-rule")).to_contain_text("nearest to the destination country")
    default_row = page.get_by_test_id("warehouse-table").locator("tr", has=page.get_by_test_id("default-badge"))
    expect(default_row).to_contain_text("NJ1")
    expect(default_row).to_contain_text("CA 1, US 2")
    expect(page.locator("main form")).to_have_count(0)
