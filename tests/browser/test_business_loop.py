"""The whole business loop in a real browser, across roles in one run: a customer creates a SKU
and an inbound reservation; the warehouse receives and shelves it; the customer tops up and
finance approves; the customer creates and submits an order; the warehouse picks, packs (one wrong
scan refused), labels and hands over; the customer sees the order Shipped with its tracking
number, the freight in the Transaction Record, and the shipped units gone from the inventory."""

import io
import re
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from apps.billing.models import LevelPrice, PaymentAccount
from apps.orders.tests.conftest import priced_channel
from apps.shipping.models import Carrier
from apps.warehouses.models import BinLocation, Warehouse
from apps.warehouses.services import customer_warehouses_set

from .conftest import _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    BinLocation.objects.create(warehouse=warehouse, code="A-01-01")
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    priced_channel(warehouse, "ups-ground", "UPS Ground", Carrier.objects.create(code="ups", name="UPS"), "6.00")
    LevelPrice.objects.update_or_create(
        level=user_a.customer.level,
        defaults={"fulfilment_fee_per_order": Decimal("2.50"), "fulfilment_fee_per_extra_unit": Decimal("0.50")},
    )
    PaymentAccount.objects.create(method="wire", currency="USD", details="Demo Bank, account 000123")
    return warehouse


def staff_page(browser, live_server, login, make_staff, role):
    context, page = _new_page(browser, base_url=live_server.url)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, make_staff(role).email)
    return context, page


def scan(page, testid, code):
    field = page.get_by_test_id(testid).locator("input[name=code]")
    field.fill(code)
    field.press("Enter")


def voucher_png(tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    path = tmp_path / "voucher.png"
    path.write_bytes(out.getvalue())
    return path


def test_from_a_new_sku_to_a_shipped_parcel(page, browser, live_server, login, user_a, make_staff, setup, tmp_path):
    # --- Customer: a SKU and an inbound reservation -------------------------------------------------
    login(page, user_a.email)
    page.goto("/products/new/")
    page.get_by_label("SKU", exact=True).fill("LOOP-TEE")
    page.get_by_label("Product name").fill("Loop T-shirt")
    page.get_by_label("Declared value").fill("12")
    page.get_by_label("Weight (g)").first.fill("250")
    page.get_by_role("button", name="OK", exact=True).click()
    expect(page.get_by_test_id("flash").first).to_contain_text("Product LOOP-TEE created.")

    page.goto("/inventory/inbound/new/")
    page.get_by_label("Warehouse").select_option(str(setup.pk))
    page.get_by_label("SKU", exact=True).first.fill("LOOP-TEE")
    page.get_by_label("Quantity").first.fill("10")
    page.get_by_role("button", name="Next").click()
    number = re.search(r"IN\d{11}", page.get_by_test_id("flash").first.inner_text()).group(0)
    page.get_by_test_id("edit-packing").click()
    page.get_by_role("tab", name="Mixed boxes").click()
    mixed = page.get_by_test_id("pack-mixed")
    mixed.get_by_label("LOOP-TEE units in the box").first.fill("10")
    mixed.get_by_label("Weight").first.fill("3")
    mixed.get_by_role("button", name="Save packing list").click()
    shipping = page.get_by_test_id("shipping-form")
    shipping.get_by_label("Carrier").fill("DHL")
    shipping.get_by_label("Tracking number").fill("JD0146")
    shipping.get_by_label("Transport mode").select_option("express")
    shipping.get_by_label("Ship date").fill("2026-11-20")
    page.get_by_test_id("save-and-submit").click()
    expect(page.get_by_test_id("inbound-status")).to_have_text("Submitted (in transit)")

    # --- Warehouse: receive and shelve ---------------------------------------------------------------
    context, clerk = staff_page(browser, live_server, login, make_staff, "warehouse")
    try:
        clerk.goto("/staff/inbound/")
        scan(clerk, "inbound-scan-form", number)
        clerk.get_by_test_id("mark-arrived").click()
        expect(clerk.get_by_test_id("inbound-status")).to_contain_text("Arrived")
        clerk.goto(f"/staff/inbound/{number}/boxes/1/")
        clerk.get_by_test_id("box-counts-form").get_by_label("Good units of LOOP-TEE").fill("10")
        clerk.get_by_test_id("save-box").click()
        expect(clerk.get_by_test_id("flash").first).to_contain_text(f"Box 1 of {number} counted: LOOP-TEE 10")
        clerk.goto(f"/staff/inbound/{number}/")
        clerk.get_by_test_id("finish-receiving").click()
        form = clerk.get_by_test_id("shelve-form")
        form.get_by_label("Bin code").fill("A-01-01")
        form.get_by_label("SKU or UPC").fill("LOOP-TEE")
        form.get_by_label("Quantity").fill("10")
        clerk.get_by_test_id("shelve-submit").click()
        expect(clerk.get_by_test_id("flash").first).to_contain_text("Shelved 10 × LOOP-TEE")
        expect(clerk.get_by_test_id("inbound-status")).to_contain_text("Completed")
    finally:
        context.close()

    # --- Customer tops up; finance approves ----------------------------------------------------------
    page.goto("/bills/topup/?method=wire&currency=USD&paid=1")
    form = page.get_by_test_id("topup-form")
    form.get_by_label("Payer").fill("Alpha Goods Inc")
    form.get_by_label("Amount paid").fill("50")
    form.get_by_label("Paid date").fill("2026-11-24")
    form.get_by_label("Transaction reference").fill("WIRE-778")
    form.get_by_label("Payment voucher").set_input_files(str(voucher_png(tmp_path)))
    form.get_by_role("button", name="Submit top-up").click()
    expect(page.get_by_test_id("flash").first).to_be_visible()
    topup = re.search(r"TU\d{11}", page.get_by_test_id("flash").first.inner_text()).group(0)

    context, finance = staff_page(browser, live_server, login, make_staff, "finance")
    try:
        finance.goto("/staff/billing/topups/")
        finance.get_by_test_id(f"topup-{topup}").get_by_role("button", name="Approve").click()
        expect(finance.get_by_test_id("flash").first).to_contain_text(f"Top-up {topup} approved: 50.00 USD")
    finally:
        context.close()

    # --- Customer: an order, submitted ---------------------------------------------------------------
    page.goto("/orders/create/")
    for label, value in (
        ("Recipient name", "Jane Doe"),
        ("Phone", "+1 415-555-0142"),
        ("Address line 1", "500 Market St"),
        ("City", "San Francisco"),
        ("State / province", "CA"),
        ("Postal code", "94105"),
    ):
        page.get_by_role("textbox", name=label).fill(value)
    page.get_by_role("combobox", name="Country").select_option("US")
    page.get_by_label("SKU", exact=True).first.fill("LOOP-TEE")
    page.get_by_label("Quantity").first.fill("3")
    page.get_by_test_id("submit-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Pending Shipment")
    order_number = page.get_by_test_id("order-number").inner_text()

    # --- Warehouse: pick, pack (one wrong scan refused), label, hand over ------------------------------
    context, clerk = staff_page(browser, live_server, login, make_staff, "warehouse")
    try:
        clerk.goto("/staff/outbound/waves/")
        clerk.get_by_test_id("make-wave").click()
        pick = clerk.get_by_test_id("pick-form")
        pick.get_by_label("1. Scan the bin").fill("A-01-01")
        pick.get_by_label("2. Scan the item").fill("LOOP-TEE")
        pick.get_by_label("2. Scan the item").press("Enter")
        expect(clerk.get_by_test_id("wave-done")).to_be_visible()

        clerk.goto("/staff/outbound/pack/")
        scan(clerk, "pack-find-form", order_number)
        scan(clerk, "pack-scan-form", "WRONG-ITEM")
        expect(clerk.get_by_test_id("refused")).to_contain_text("WRONG ITEM")
        for count in range(1, 4):  # a scanner waits for each beep: so does the test, for each swap
            scan(clerk, "pack-scan-form", "LOOP-TEE")
            expect(clerk.get_by_test_id("scanned-LOOP-TEE")).to_have_text(str(count))
        clerk.get_by_label("Weight (g)").fill("820")
        clerk.get_by_test_id("pack-complete").click()
        tracking = clerk.get_by_test_id("tracking-number").inner_text().strip()
        assert tracking
        label = clerk.request.get(clerk.get_by_test_id("print-label").get_attribute("href"))
        assert label.ok and label.body().startswith(b"%PDF")

        clerk.goto("/staff/outbound/handover/")
        clerk.get_by_test_id("open-ups").click()
        scan(clerk, "manifest-scan-form", tracking)
        expect(clerk.get_by_test_id("manifest-parcels")).to_contain_text(tracking)
        clerk.get_by_test_id("hand-over").click()
        clerk.get_by_test_id("confirm-hand-over").get_by_role("button").click()
        expect(clerk.get_by_test_id("manifest-status")).to_contain_text("Handed over")
    finally:
        context.close()

    # --- Customer: Shipped, tracking, the freight charged, stock gone ----------------------------------
    page.goto(f"/orders/{order_number}/")
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_test_id("tracking-number")).to_have_text(tracking)
    expect(page.get_by_test_id("actual-cost")).to_contain_text("USD")

    page.goto(f"/bills/transactions/?search={order_number}")
    table = page.get_by_test_id("transactions-table")
    expect(table).to_contain_text("Freight")
    expect(table).to_contain_text("-6.00")
    expect(table).to_contain_text("Fulfilment fee")

    page.goto("/inventory/")
    row = page.get_by_test_id("inventory-table").locator("tr", has=page.get_by_role("link", name="LOOP-TEE"))
    expect(row.locator("td").nth(3)).to_have_text("7")  # on hand
    expect(row.locator("td").nth(4)).to_have_text("0")  # allocated
