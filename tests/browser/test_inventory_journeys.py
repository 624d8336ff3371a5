"""Inventory in a real browser: the list, the Sold out tab, a SKU's movements, a low-stock level."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inventory.services import stock_allocate, stock_receive
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stock(user_a):
    warehouse = Warehouse.objects.create(code="LAX1", name="LA", address1="1 Dock", city="LA", country="US")
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    with customer_scope(user_a.customer):
        mug = product_create(actor=user_a, data={"sku": "MUG", "name": "Mug", "declared_value": "3"})
        cap = product_create(actor=user_a, data={"sku": "CAP", "name": "Cap", "declared_value": "3"})
    with scopes_disabled():
        stock_receive(actor=None, product=mug, warehouse=warehouse, quantity=9, reference="Opening stock")
        stock_receive(actor=None, product=cap, warehouse=warehouse, quantity=2)
        stock_allocate(actor=None, product=cap, warehouse=warehouse, quantity=2)
    return mug, cap


def test_inventory_tabs_movements_and_low_stock_level(page, live_server, login, user_a, stock):
    login(page, user_a.email)
    page.goto(live_server.url + "/inventory/")
    table = page.get_by_test_id("inventory-table")
    expect(table).to_contain_text("MUG")
    expect(table).to_contain_text("CAP")

    page.get_by_test_id("inventory-tabs").get_by_role("link", name="Sold out").click()
    expect(table).to_contain_text("CAP")
    expect(table).not_to_contain_text("MUG")

    page.get_by_test_id("inventory-tabs").get_by_role("link", name="All").click()
    table.get_by_role("link", name="MUG").click()
    expect(page.get_by_test_id("move-table")).to_contain_text("Opening stock")
    page.get_by_label("Warn at this many available or fewer").fill("10")
    page.get_by_test_id("threshold-form").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("MUG shows as low stock at 10")

    page.goto(live_server.url + "/inventory/?view=low_stock")
    expect(page.get_by_test_id("inventory-table")).to_contain_text("MUG")
