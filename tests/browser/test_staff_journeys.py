"""Back-office staff in a real browser: each role signs in and sees exactly its sections."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread: test data must be committed to be seen there.
    pytest.mark.django_db(transaction=True),
]

# role -> (sections in the staff nav, a desk it may open with its title, a desk it may not open)
ROLES = {
    "sales": (
        {"customers", "all_orders", "sales", "warehouses", "shipping", "billing"},
        ("sales", "Sales"),
        "warehouse",
    ),
    "customer_service": (
        {
            "customers",
            "all_orders",
            "service",
            "products",
            "inventory",
            "warehouses",
            "inbound",
            "outbound",
            "shipping",
            "billing",
            "tracking",
            "shop_connections",
        },
        ("service", "Customer service"),
        "finance",
    ),
    "order_group": (
        {
            "customers",
            "all_orders",
            "orders",
            "products",
            "inventory",
            "warehouses",
            "inbound",
            "outbound",
            "shipping",
            "billing",
            "tracking",
            "shop_connections",
        },
        ("orders", "Order group (OMS)"),
        "sales",
    ),
    "warehouse": (
        {"warehouse", "all_orders", "products", "inventory", "warehouses", "inbound", "outbound", "shipping"},
        ("warehouse", "Warehouse"),
        "finance",
    ),
    "logistics": (
        {
            "logistics",
            "all_orders",
            "products",
            "inventory",
            "warehouses",
            "inbound",
            "outbound",
            "shipping",
            "tracking",
        },
        ("logistics", "Logistics (TMS)"),
        "orders",
    ),
    "finance": (
        {"customers", "all_orders", "finance", "inventory", "shipping", "billing"},
        ("finance", "Finance (FMS)"),
        "logistics",
    ),
    "admin": (
        {
            "customers",
            "products",
            "inventory",
            "warehouses",
            "inbound",
            "outbound",
            "all_orders",
            "sales",
            "service",
            "orders",
            "warehouse",
            "logistics",
            "finance",
            "shipping",
            "billing",
            "tracking",
            "shop_connections",
        },
        ("finance", "Finance (FMS)"),
        None,  # admin may open every desk
    ),
}


@pytest.mark.parametrize("role", list(ROLES))
def test_staff_role_sees_only_its_sections(page, live_server, login, make_staff, role):
    sections, (allowed_desk, allowed_title), forbidden_desk = ROLES[role]
    user = make_staff(role)

    login(page, user.email, expect_path="/staff/")
    nav = page.get_by_test_id("staff-nav")
    expect(nav).to_be_visible()
    links = nav.locator("a[data-section]")
    expect(links).to_have_count(len(sections))
    shown = {links.nth(i).get_attribute("data-section") for i in range(links.count())}
    assert shown == sections

    response = page.goto(live_server.url + f"/staff/desk/{allowed_desk}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(allowed_title)
    expect(page).to_have_title(re.compile("^" + re.escape(allowed_title) + " · "))

    if forbidden_desk is not None:
        response = page.goto(live_server.url + f"/staff/desk/{forbidden_desk}/")
        assert response.status == 403
        expect(page.get_by_test_id("error-message")).to_contain_text("Your role does not include")
