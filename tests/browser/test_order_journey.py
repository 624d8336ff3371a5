"""An order by hand in a real browser: paste an address for Auto-recognition, add a SKU from the
search (with its available stock), pick the cheapest shipping method from the quote table (its days
measured from 20 deliveries), submit, see Pending Shipment and the stock allocated; cancel and see
the stock released. And a batch file: a wrong header refused on the form, then a file with a bad
row, its job's outcome, valid only."""

import re

import pytest
from playwright.sync_api import expect

from apps.billing.services import credit
from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.documents.toolkit.xlsx import Column, write_xlsx
from apps.inventory.services import stock_receive
from apps.orders.batch_files import REGULAR_COLUMNS
from apps.orders.tests.conftest import priced_channel
from apps.shipping.models import Carrier
from apps.shipping.services import MeasuredLane, measured_transit_replace
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "Jane Doe\n500 Market St Apt 4\nSan Francisco, CA 94105\nUnited States\n+1 415-555-0142"


@pytest.fixture
def setup(user_a):
    warehouse = Warehouse.objects.create(
        code="LAX1",
        name="Los Angeles",
        address1="1 Dock Rd",
        city="Carson",
        state="CA",
        postal_code="90810",
        country="US",
    )
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    ups, dhl = Carrier.objects.create(code="ups", name="UPS"), Carrier.objects.create(code="dhl", name="DHL")
    priced_channel(warehouse, "dhl-express", "DHL Express", dhl, "20.00", transit=(1, 2))
    priced_channel(warehouse, "ups-ground", "UPS Ground", ups, "6.00")
    # 20 deliveries to the US measured by the daily tracking job: p50 2.0, p90 3.4 days.
    measured_transit_replace(actor=None, lanes=[MeasuredLane("ups-ground", "US", 20, 2.0, 3.4)])
    with customer_scope(user_a.customer):
        tee = product_create(
            actor=user_a, data={"sku": "TEE", "name": "T-shirt", "declared_value": "9", "weight_g": 200}
        )
        stock_receive(actor=None, product=tee, warehouse=warehouse, quantity=10)
        credit(customer=user_a.customer, amount="100", idempotency_key="journey-topup")
    return warehouse


def inventory_row(page):
    page.goto("/inventory/")
    return page.get_by_test_id("inventory-table").locator("tr", has=page.get_by_role("link", name="TEE", exact=True))


def test_create_an_order_by_hand_submit_it_and_cancel_it(page, live_server, login, user_a, setup):
    login(page, user_a.email)
    page.goto("/orders/")
    page.get_by_test_id("create-order").click()

    page.get_by_test_id("auto-recognition").click()
    page.get_by_test_id("recognize-text").fill(ADDRESS)
    page.get_by_test_id("recognize-button").click()
    expect(page.get_by_label("Recipient name")).to_have_value("Jane Doe")
    expect(page.get_by_label("Postal code")).to_have_value("94105")
    expect(page.get_by_label("City")).to_have_value("San Francisco")
    expect(page.get_by_label("Country")).to_have_value("US")

    page.get_by_test_id("sku-search").fill("tee")
    page.get_by_test_id("add-sku").click()
    result = page.get_by_test_id("sku-results").get_by_role("button", name=re.compile("TEE"))
    expect(result).to_contain_text("10 available")
    result.click()
    expect(page.get_by_label("SKU", exact=True).first).to_have_value("TEE")

    page.get_by_test_id("quote-button").click()
    table = page.get_by_test_id("quote-table")
    expect(table.locator("tbody tr").first).to_contain_text("UPS Ground · cheapest")
    # DHL: its channel's days
    expect(table.get_by_test_id("quote-days")).to_have_text(["2–4 days · measured", "1–2 days"])
    table.get_by_role("radio", name="UPS Ground").check()
    expect(page.get_by_test_id("channel-chosen")).to_contain_text("UPS Ground")

    page.get_by_test_id("submit-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Pending Shipment")
    expect(page.get_by_test_id("order-channel")).to_have_text("UPS Ground")
    expect(page.get_by_test_id("flash").first).to_contain_text("held until it ships")
    number = page.get_by_test_id("order-number").inner_text()

    row = inventory_row(page)
    expect(row.locator("td").nth(4)).to_have_text("1")  # allocated

    page.goto(f"/orders/{number}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("cancel-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Cancelled")
    expect(page.get_by_test_id("flash").first).to_contain_text("released")

    row = inventory_row(page)
    expect(row.locator("td").nth(4)).to_have_text("0")
    expect(row.locator("td").nth(5)).to_have_text("10")


def _regular_file(path, rows):
    recipient = {
        "name": "Jane Doe",
        "address1": "500 Market St",
        "city": "San Francisco",
        "state": "CA",
        "postal_code": "94105",
        "country": "US",
        "phone": "+1 415-555-0142",
    }
    path.write_bytes(
        write_xlsx(REGULAR_COLUMNS, [[{**recipient, **row}.get(c.key, "") for c in REGULAR_COLUMNS] for row in rows])
    )
    return str(path)


def test_a_batch_file_is_checked_at_upload_then_imported_by_its_job(page, live_server, login, user_a, setup, tmp_path):
    login(page, user_a.email)
    page.goto("/orders/batch/")
    wrong = tmp_path / "wrong.xlsx"
    wrong.write_bytes(write_xlsx([Column("ref", "Order"), Column("sku", "SKU")], [["#1", "TEE"]]))
    page.get_by_label("Order file (.xlsx)").set_input_files(str(wrong))
    page.get_by_test_id("batch-upload").click()
    expect(page.get_by_test_id("batch-form")).to_contain_text("does not match the template")  # refused on the form

    rows = [{"order_ref": "#1", "sku": "TEE", "quantity": 1}, {"order_ref": "#2", "sku": "GHOST", "quantity": 1}]
    page.get_by_label("Order file (.xlsx)").set_input_files(_regular_file(tmp_path / "orders.xlsx", rows))
    page.get_by_label("Submit the created orders at once (Submit Shipment)").check()
    page.get_by_test_id("batch-upload").click()
    # The laptop default runs the job eagerly: the job's page shows its outcome.
    expect(page.get_by_test_id("job-message")).to_contain_text("Nothing was created: 1 row of 2 has problems")
    expect(page.get_by_test_id("batch-problem-table")).to_contain_text("GHOST")
    page.get_by_test_id("batch-valid-only").click()
    expect(page.get_by_test_id("job-message")).to_contain_text("Created the 1 valid order")
    expect(page.get_by_test_id("batch-pending")).to_have_text("1")
