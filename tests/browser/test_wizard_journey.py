"""Issue 18 items 6, 7 and 10 in a real browser: the inbound wizard's rough edges (Add a SKU after
the last line was removed, the packing-list import reporting every bad row, a refused step 4 that
keeps what was typed, steps locked by the submit, shipping changes on the timeline); the shelving
page keeping the cursor in the scan field and forgetting a refused quantity; and the inbound,
pack station and order pages fitting a 390 px phone without sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope, staff_scope
from apps.documents.toolkit.xlsx import write_xlsx
from apps.fulfillment.tests.conftest import floor, submitted  # noqa: F401 - the fixtures, shared
from apps.fulfillment.tests.outbound_pages import picked
from apps.inbound.receiving import inbound_count_box, inbound_finish_receiving, inbound_mark_arrived
from apps.inbound.services import BoxSpec, inbound_create, inbound_pack, inbound_set_shipping, inbound_submit
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared
from apps.warehouses.models import BinLocation, Warehouse
from apps.warehouses.services import customer_warehouses_set

from .conftest import _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PACKING_HEADERS = ("Box no", "SKU", "Quantity", "Length (cm)", "Width (cm)", "Height (cm)", "Weight (kg)")
PHONE_WIDTH = 390


@pytest.fixture
def setup(user_a):
    warehouse = Warehouse.objects.create(
        code="LAX1", name="Los Angeles", address1="1 Dock Rd", city="Carson", country="US"
    )
    for code in ("A-01-01", "A-01-02"):
        BinLocation.objects.create(warehouse=warehouse, code=code)
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    with customer_scope(user_a.customer):
        tee = product_create(
            actor=user_a,
            data={"sku": "TEE", "name": "T-shirt", "declared_value": "9", "upc": "012345678905", "weight_g": 200},
        )
        mug = product_create(actor=user_a, data={"sku": "MUG", "name": "Mug", "declared_value": "4"})
    return warehouse, tee, mug


def upload(page, testid_or_selector, name, rows):
    page.locator(testid_or_selector).set_input_files(
        {
            "name": name,
            "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "buffer": write_xlsx(PACKING_HEADERS, rows, sheet_title="Packing list"),
        }
    )


def page_width(page) -> int:
    return page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")


def test_the_inbound_wizard_from_an_empty_line_table_to_a_changed_shipment(page, live_server, login, user_a, setup):
    login(page, user_a.email)
    page.goto(live_server.url + "/inventory/inbound/new/")
    page.get_by_label("Warehouse").select_option(str(setup[0].pk))

    # Step 1: the only line removed, then Add a SKU still adds one.
    page.get_by_role("button", name="Remove line").click()
    expect(page.get_by_label("SKU", exact=True)).to_have_count(0)
    page.get_by_test_id("add-line").click()
    expect(page.get_by_label("SKU", exact=True)).to_have_count(1)
    expect(page.get_by_label("SKU", exact=True)).to_be_focused()
    page.get_by_label("SKU", exact=True).fill("TEE")
    page.get_by_label("Quantity").fill("30")
    page.get_by_test_id("add-line").click()
    page.get_by_label("SKU", exact=True).nth(1).fill("MUG")
    page.get_by_label("Quantity").nth(1).fill("10")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("saved as a draft")
    number = re.search(r"IN\d{11}", page.get_by_test_id("flash").first.inner_text()).group(0)

    # Step 3 by file: a file with several bad rows is refused with all of them listed.
    page.get_by_test_id("edit-packing").click()
    page.get_by_role("tab", name="Mixed boxes").click()
    mixed = page.get_by_test_id("pack-mixed")
    mixed.get_by_role("button", name="Remove box").click()
    expect(mixed.get_by_label("TEE units in the box")).to_have_count(0)
    mixed.get_by_test_id("add-box").click()
    mixed.get_by_test_id("add-box").click()
    expect(mixed.get_by_label("TEE units in the box")).to_have_count(2)
    expect(mixed.locator(".box-no")).to_have_text(["1", "2"])
    page.get_by_role("tab", name="Batch import").click()
    bad = [
        (1, "TEE", 20, 40, 30, 30, 1),  # 20 × 200 g cannot weigh 1 kg
        (1, "HAT", 2, "", "", "", ""),  # not a SKU of the customer
        (3, "MUG", 10, "", "", "", ""),  # box 2 missing
    ]
    upload(page, "#pack-import input[type=file]", "packing.xlsx", bad)
    page.get_by_role("button", name="Import packing list").click()
    expect(page.get_by_test_id("flash")).to_have_count(1)
    expect(page.get_by_test_id("flash")).to_contain_text("Nothing was imported: 3 rows of 3 have problems.")
    problems = page.get_by_test_id("import-problem-table")
    expect(problems.locator("tbody tr")).to_have_count(4)
    for text in (
        "their catalogue weights",
        "“HAT” is not one of your SKUs",
        "box 2 is missing",
        "TEE: the boxes hold 20",
    ):
        expect(problems).to_contain_text(text)
    with page.expect_download() as download:
        page.get_by_test_id("import-marked-file").click()
    assert download.value.suggested_filename == "packing-errors.xlsx"

    upload(
        page,
        "#pack-import input[type=file]",
        "packing.xlsx",
        [(1, "TEE", 30, 40, 30, 30, 7), (2, "MUG", 10, "", "", "", 4)],
    )
    page.get_by_role("button", name="Import packing list").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("Packing list saved: 2 boxes.")

    # Step 4: a refusal keeps what was typed and shows only the error.
    shipping = page.get_by_test_id("shipping-form")
    shipping.get_by_label("Carrier").fill("DHL")
    shipping.get_by_label("Tracking number").fill("JD014600")
    shipping.get_by_label("Transport mode").select_option("express")
    shipping.get_by_label("Ship date").fill("2026-11-25")
    shipping.get_by_label("ETA").fill("2026-11-21")
    shipping.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("flash")).to_have_count(1)
    expect(page.get_by_test_id("flash")).to_have_text(
        re.compile(r"Nothing saved: The ETA cannot be before the ship date")
    )
    shipping = page.get_by_test_id("shipping-form")
    expect(shipping.get_by_label("Carrier")).to_have_value("DHL")
    expect(shipping.get_by_label("Tracking number")).to_have_value("JD014600")
    expect(shipping.get_by_label("Transport mode")).to_have_value("express")
    expect(shipping.get_by_label("Ship date")).to_have_value("2026-11-25")
    expect(shipping.get_by_label("ETA")).to_have_value("2026-11-21")
    expect(shipping.get_by_test_id("shipping-error")).to_have_text("before the ship date")
    expect(page.get_by_test_id("submit-problems")).to_have_count(0)  # only the error, not the whole to-do list
    shipping.get_by_label("ETA").fill("2026-11-28")
    page.get_by_test_id("save-and-submit").click()
    expect(page.get_by_test_id("inbound-status")).to_have_text("Submitted (in transit)")

    # Locked steps: read-only, with the reason.
    expect(page.get_by_test_id("lines-locked")).to_contain_text(f"Inbound {number} was submitted on")
    expect(page.get_by_test_id("packing-locked")).to_contain_text("the packing list can no longer change")
    page.goto(page.url.split("#")[0] + "packing/")
    expect(page.get_by_test_id("step-locked")).to_contain_text("Only the shipping information may change")
    expect(page.get_by_test_id("packing-readonly")).to_contain_text("TEE × 30")
    expect(page.get_by_test_id("pack-mixed")).to_have_count(0)
    page.get_by_role("link", name=f"Back to {number}").click()

    # A shipping change after the submit goes on the timeline.
    page.get_by_test_id("shipping-form").get_by_label("Tracking number").fill("JD014699")
    page.get_by_test_id("shipping-form").get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("flash")).to_have_text(re.compile("Shipping information saved"))
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "Shipping information changed: tracking number JD014600 → JD014699"
    )


@pytest.fixture
def received(user_a, setup, make_staff):
    """An inbound received in full: TEE 30 and MUG 10 to shelve."""
    warehouse, tee, mug = setup
    clerk = make_staff("warehouse")
    with customer_scope(user_a.customer):
        inbound = inbound_create(actor=user_a, warehouse=warehouse, lines=[(tee, 30), (mug, 10)])
        inbound_pack(actor=user_a, inbound=inbound, method="mixed", boxes=[BoxSpec(items=[(tee, 30), (mug, 10)])])
        inbound_set_shipping(
            actor=user_a,
            inbound=inbound,
            data={"carrier": "DHL", "tracking_number": "1", "transport_mode": "air", "ship_date": "2026-11-20"},
        )
        inbound_submit(actor=user_a, inbound=inbound)
    with staff_scope():
        inbound_mark_arrived(actor=clerk, inbound=inbound)
        box = inbound.boxes.get()
        inbound_count_box(actor=clerk, inbound=inbound, box=box, counts={tee.pk: (30, 0), mug.pk: (10, 0)})
        inbound_finish_receiving(actor=clerk, inbound=inbound)
    return inbound, clerk


def test_shelving_keeps_the_cursor_in_the_scan_field_and_never_reuses_a_refused_quantity(
    page, live_server, login, received
):
    inbound, clerk = received
    login(page, clerk.email)
    page.goto(f"{live_server.url}/staff/inbound/{inbound.number}/")
    form = page.get_by_test_id("shelve-form")
    bin_field, code, quantity = (
        form.get_by_label("Bin code"),
        form.get_by_label("SKU or UPC"),
        form.get_by_label("Quantity"),
    )
    expect(bin_field).to_be_focused()
    page.keyboard.type("A-01-01")
    page.keyboard.press("Enter")  # the scanner's Enter moves on to the SKU
    expect(code).to_be_focused()

    page.keyboard.type("012345678905")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("flash").first).to_contain_text("Shelved 1 × TEE into A-01-01. TEE: 29 left")
    expect(code).to_be_focused()
    expect(code).to_have_value("")
    expect(bin_field).to_have_value("A-01-01")
    expect(quantity).to_have_value("")

    # A typed quantity with a wrong scan: refused, the quantity cleared, the cursor back in the
    # scan field with the wrong code selected, so the next scan replaces it.
    quantity.fill("25")
    code.fill("MUGG")
    code.press("Enter")
    expect(page.get_by_test_id("flash").first).to_contain_text("Nothing shelved: “MUGG” is not a SKU or UPC")
    expect(code).to_be_focused()
    expect(quantity).to_have_value("")
    assert code.evaluate("e => [e.selectionStart, e.selectionEnd]") == [0, 4]
    page.keyboard.type("MUG")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("flash").first).to_contain_text("Shelved 1 × MUG into A-01-01. MUG: 9 left")
    expect(code).to_be_focused()

    # Too many for what is left: refused, and the 25 is not kept for the next scan either.
    quantity.fill("25")
    page.keyboard.press("Shift+Tab")  # back to the SKU field, as a clerk would
    code.fill("MUG")
    code.press("Enter")
    expect(page.get_by_test_id("flash").first).to_contain_text("Only 9 of MUG are left to shelve")
    expect(quantity).to_have_value("")
    expect(code).to_be_focused()
    page.keyboard.type("MUG")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("flash").first).to_contain_text("Shelved 1 × MUG into A-01-01. MUG: 8 left")


# --- Phone width (item 10) -----------------------------------------------------------------------


@pytest.fixture
def long_names_inbound(floor):  # noqa: F811 - the imported fixture
    """A submitted inbound with boxes, for the customer's inbound detail page."""
    tee, mug = floor.products["TEE"], floor.products["MUG"]
    with customer_scope(floor.customer):
        inbound = inbound_create(actor=floor.user, warehouse=floor.warehouse, lines=[(tee, 12), (mug, 3)])
        inbound_pack(
            actor=floor.user,
            inbound=inbound,
            method="mixed",
            boxes=[
                BoxSpec(items=[(tee, 6), (mug, 3)], length_cm="60", width_cm="40", height_cm="40", weight_kg="12.5"),
                BoxSpec(items=[(tee, 6)], length_cm="60", width_cm="40", height_cm="40", weight_kg="4.25"),
            ],
        )
        inbound_set_shipping(
            actor=floor.user,
            inbound=inbound,
            data={
                "carrier": "DHL Global Forwarding",
                "tracking_number": "JD0146000012345678901234",
                "transport_mode": "sea",
                "ship_date": "2026-11-20",
            },
        )
        inbound_submit(actor=floor.user, inbound=inbound)
    return inbound


def test_inbound_pack_station_and_order_pages_fit_a_phone(
    browser,
    phone_page,
    live_server,
    login,
    make_staff,
    floor,  # noqa: F811 - the imported fixture
    submitted,  # noqa: F811 - the imported fixture
    long_names_inbound,
):
    Warehouse.objects.create(  # the pack station's warehouse picker lists a long name, as the demo's does
        code="SEA9", name="Seattle Cross-Dock and Returns Centre", address1="9 Port St", city="Seattle", country="US"
    )
    with staff_scope():
        order = submitted(lines=[("TEE", 2), ("MUG", 1)])
        picked(floor, order)
    login(phone_page, floor.user.email)
    for path in (
        f"/inventory/inbound/{long_names_inbound.pk}/",
        f"/inventory/inbound/{long_names_inbound.pk}/packing/",
        "/inventory/inbound/",
        "/orders/",
        f"/orders/{order.number}/",
        "/orders/create/",
    ):
        phone_page.goto(live_server.url + path)
        expect(phone_page.locator("main")).to_be_visible()
        assert page_width(phone_page) <= PHONE_WIDTH, path

    staff_pages = (
        (floor.clerk, ("/staff/outbound/pack/", f"/staff/outbound/pack/{order.number}/")),
        (floor.clerk, (f"/staff/inbound/{long_names_inbound.number}/",)),
        (make_staff("order_group"), ("/staff/orders/", f"/staff/orders/{order.number}/", "/staff/orders/abnormal/")),
    )
    for user, paths in staff_pages:
        context, staff = _new_page(
            browser,
            base_url=live_server.url,
            viewport={"width": PHONE_WIDTH, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        try:
            login(staff, user.email)
            for path in paths:
                staff.goto(live_server.url + path)
                expect(staff.locator("main")).to_be_visible()
                if path == f"/staff/outbound/pack/{order.number}/":  # the order really is at the pack station
                    expect(staff.get_by_test_id("pack-scan-form")).to_be_visible()
                assert page_width(staff) <= PHONE_WIDTH, path
        finally:
            context.close()
