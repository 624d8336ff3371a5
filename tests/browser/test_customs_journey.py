"""An international parcel at the pack station, in a real browser (issue 18 item 2): the page says
the parcel leaves the country, the clerk scans and weighs it, and the packed page prints the
customs form beside the label — a CN 22 naming the parcel's tracking number."""

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from apps.catalog.services import product_update
from apps.core.tenancy import customer_scope
from apps.fulfillment.tests.conftest import floor  # noqa: F401 - the fixture, shared
from apps.fulfillment.tests.outbound_pages import picked
from apps.orders.services import order_create, order_submit
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BERLIN = {"address1": "Hauptstr. 1", "city": "Berlin", "state": "", "postal_code": "10115", "country": "DE"}


def test_the_pack_station_prints_the_customs_form_with_the_label(page, login, floor):  # noqa: F811
    with customer_scope(floor.customer):
        product_update(
            actor=floor.user,
            product=floor.products["TEE"],
            data={"customs_name": "Cotton T-shirt", "hs_code": "610910", "origin_country": "BD"},
        )
        order = order_create(actor=floor.user, data=floor.data(recipient=BERLIN, lines=[(floor.products["TEE"], 2)]))
        order = order_submit(actor=floor.user, order=order)
    assert order.status == "pending_shipment", order.abnormal_message
    picked(floor, order)

    login(page, floor.clerk.email)
    page.goto("/staff/outbound/pack/")
    field = page.get_by_test_id("pack-find-form").locator("input[name=code]")
    field.fill(order.number)
    field.press("Enter")
    expect(page.get_by_test_id("customs-notice")).to_contain_text("International parcel (US → DE)")
    for count in (1, 2):
        scan = page.get_by_test_id("pack-scan-form").locator("input[name=code]")
        scan.fill("TEE")
        scan.press("Enter")
        expect(page.get_by_test_id("scanned-TEE")).to_have_text(str(count))
    page.get_by_label("Weight (g)").fill("480")
    page.get_by_test_id("pack-complete").click()
    tracking = page.get_by_test_id("tracking-number").inner_text().strip()
    expect(page.get_by_test_id("print-label")).to_be_visible()
    expect(page.get_by_test_id("print-customs")).to_be_visible()

    form = page.request.get(page.get_by_test_id("print-customs").get_attribute("href"))
    assert form.ok and form.body().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=form.body(), capture_output=True, check=True).stdout
        text = text.decode()
        assert "CN 22" in text and "2 × Cotton T-shirt" in text and tracking in text
