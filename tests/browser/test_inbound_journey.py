"""The whole inbound flow in a real browser, customer and warehouse side by side: a reservation
with a mixed box and a single-SKU box, box marks downloaded, submitted; the warehouse receives
one unit short and one damaged and shelves; the customer sees the stock, no more in transit,
and the Damage/Gain slip."""

import re

import pytest
from playwright.sync_api import expect

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.warehouses.models import BinLocation, Warehouse
from apps.warehouses.services import customer_warehouses_set

from .conftest import _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(user_a):
    warehouse = Warehouse.objects.create(
        code="LAX1", name="Los Angeles", address1="1 Dock Rd", city="Carson", country="US"
    )
    for code in ("A-01-01", "A-01-02"):
        BinLocation.objects.create(warehouse=warehouse, code=code)
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    with customer_scope(user_a.customer):
        product_create(
            actor=user_a, data={"sku": "TEE", "name": "T-shirt", "declared_value": "9", "upc": "012345678905"}
        )
        product_create(actor=user_a, data={"sku": "MUG", "name": "Mug", "declared_value": "4"})
    return warehouse


def row_of(page, sku):
    return page.get_by_test_id("inventory-table").locator("tr", has=page.get_by_role("link", name=sku, exact=True))


def test_inbound_from_reservation_to_shelved_stock(page, browser, live_server, login, user_a, make_staff, setup):
    # --- Customer: steps 1 to 4 ------------------------------------------------------------------
    login(page, user_a.email)
    page.goto(live_server.url + "/inventory/inbound/")
    page.get_by_test_id("add-reservation").click()
    page.get_by_label("Warehouse").select_option(str(setup.pk))
    page.get_by_label("SKU", exact=True).first.fill("TEE")
    page.get_by_label("Quantity").first.fill("30")
    page.get_by_test_id("add-line").click()
    page.get_by_label("SKU", exact=True).nth(1).fill("MUG")
    page.get_by_label("Quantity").nth(1).fill("10")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("saved as a draft")
    number = re.search(r"IN\d{11}", page.get_by_test_id("flash").first.inner_text()).group(0)

    page.get_by_test_id("edit-packing").click()
    page.get_by_role("tab", name="Mixed boxes").click()
    mixed = page.get_by_test_id("pack-mixed")
    mixed.get_by_label("TEE units in the box").first.fill("10")
    mixed.get_by_label("MUG units in the box").first.fill("10")
    mixed.get_by_test_id("add-box").click()
    mixed.get_by_label("TEE units in the box").nth(1).fill("20")
    mixed.get_by_label("Weight").nth(1).fill("5")
    mixed.get_by_role("button", name="Save packing list").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("Packing list saved: 2 boxes.")

    with page.expect_download() as download:
        page.get_by_test_id("download-box-marks-100x100").click()
    assert download.value.suggested_filename == f"{number}-box-marks.pdf"

    shipping = page.get_by_test_id("shipping-form")
    shipping.get_by_label("Carrier").fill("DHL")
    shipping.get_by_label("Tracking number").fill("JD014600")
    shipping.get_by_label("Transport mode").select_option("express")
    shipping.get_by_label("Ship date").fill("2026-11-20")
    page.get_by_test_id("save-and-submit").click()
    expect(page.get_by_test_id("inbound-status")).to_have_text("Submitted (in transit)")

    page.goto(live_server.url + "/inventory/")
    expect(row_of(page, "TEE").get_by_test_id("in-transit")).to_have_text("30")

    # --- Warehouse: arrive, count (MUG: 1 short, 1 damaged), finish, shelve ------------------------
    clerk = make_staff("warehouse")
    context, staff = _new_page(browser, base_url=live_server.url)
    staff.on("dialog", lambda dialog: dialog.accept())  # "Finish receiving?" asks to confirm
    try:
        login(staff, clerk.email)
        staff.goto(live_server.url + "/staff/inbound/")
        scan = staff.get_by_test_id("inbound-scan-form")
        scan.locator("input[name=code]").fill(number)
        scan.locator("input[name=code]").press("Enter")
        staff.get_by_test_id("mark-arrived").click()
        expect(staff.get_by_test_id("inbound-status")).to_contain_text("Arrived")

        staff.get_by_test_id("box-links").get_by_role("link", name=re.compile(r"\b1\b")).first.click()
        counts = staff.get_by_test_id("box-counts-form")
        counts.get_by_label("Good units of TEE").fill("10")
        counts.get_by_label("Good units of MUG").fill("8")
        counts.get_by_label("Damaged units of MUG").fill("1")
        staff.get_by_test_id("save-box").click()
        expect(staff.get_by_test_id("flash").first).to_contain_text(f"Box 1 of {number} counted: MUG 8 + 1 damaged")

        staff.goto(f"{live_server.url}/staff/inbound/{number}/boxes/2/")
        box_scan = staff.get_by_test_id("box-scan-form").locator("input[name=code]")
        for count in range(1, 4):  # a few scans of TEE's UPC, then the rest typed
            box_scan.fill("012345678905")
            box_scan.press("Enter")
            expect(staff.get_by_test_id("total-good")).to_have_text(f"{count} good")  # wait for the swap
        staff.reload()  # the clerk comes back to the box later; no scan is still settling on the page
        expect(staff.get_by_test_id("total-good")).to_have_text("3 good")
        staff.get_by_test_id("box-counts-form").get_by_label("Good units of TEE").fill("20")
        staff.get_by_test_id("save-box").click()
        # The save's own message: a scan's message is on the page already, and leaving before the
        # save answers would cancel it.
        expect(staff.get_by_test_id("flash").first).to_contain_text(f"Box 2 of {number} counted: TEE 20")

        staff.goto(f"{live_server.url}/staff/inbound/{number}/")
        staff.get_by_test_id("finish-receiving").click()
        expect(staff.get_by_test_id("slip")).to_contain_text("MUG")

        for sku, bin_code, quantity in (("TEE", "A-01-01", "30"), ("MUG", "A-01-02", "8")):
            form = staff.get_by_test_id("shelve-form")
            form.get_by_label("Bin code").fill(bin_code)
            form.get_by_label("SKU or UPC").fill(sku)
            form.get_by_label("Quantity").fill(quantity)
            staff.get_by_test_id("shelve-submit").click()
            # Wait for this shelving's own message: the previous page's flash is visible already.
            expect(staff.get_by_test_id("flash").first).to_contain_text(f"Shelved {quantity} × {sku}")
        expect(staff.get_by_test_id("inbound-status")).to_contain_text("Completed")
    except Exception:
        staff.screenshot(path="test-artifacts/inbound-journey-staff.png", full_page=True)
        raise
    finally:
        context.close()

    # --- Customer: stock in, nothing in transit, the slip ---------------------------------------
    page.goto(live_server.url + "/inventory/")
    tee, mug = row_of(page, "TEE"), row_of(page, "MUG")
    expect(tee.locator("td").nth(3)).to_have_text("30")  # on hand
    expect(mug.locator("td").nth(3)).to_have_text("8")
    expect(mug.locator("td").nth(6)).to_have_text("1")  # damaged
    expect(tee.get_by_test_id("in-transit")).to_have_text("0")

    page.goto(live_server.url + "/inventory/inbound/slips/")
    page.get_by_test_id("slip-table").get_by_role("link", name="Details").first.click()
    lines = page.get_by_test_id("slip-lines")
    expect(lines.locator("tbody tr")).to_have_count(2)
    expect(lines).to_contain_text("Damaged")
    expect(lines).to_contain_text("Short")
