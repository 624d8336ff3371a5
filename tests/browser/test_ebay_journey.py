"""A seller's eBay account, end to end in a real browser: Connect with eBay in the portal, agree on
the local fake eBay's consent page and come back connected, see an eBay order arrive with Sync now,
submit it, and once the warehouse has handed it over see the tracking sent to eBay; the fake
holds one shipping fulfillment with our carrier code and tracking number."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.core.tenancy import customer_scope, staff_scope
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open
from apps.fulfillment.picking import wave_create
from apps.fulfillment.tests.conftest import floor  # noqa: F401 - the fixture, shared
from apps.fulfillment.tests.outbound_pages import pack, pick_all
from apps.integrations.ebay.fake_server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_RU_NAME, FakeEbay
from apps.orders.models import Order
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake(settings, live_server):
    with FakeEbay(accept_url=live_server.url + reverse("integrations:ebay-oauth-callback")) as ebay:
        settings.EBAY_CLIENT_ID, settings.EBAY_CLIENT_SECRET = DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
        settings.EBAY_RU_NAME, settings.EBAY_ENVIRONMENT, settings.EBAY_API_BASE = DEFAULT_RU_NAME, "sandbox", ebay.url
        yield ebay


def hand_over(site, number):
    """The warehouse's part (its own journeys are tested in the browser elsewhere)."""
    with staff_scope():
        order = Order.objects.get(number=number)
        pick_all(site, wave_create(actor=site.clerk, warehouse=site.warehouse))
        parcel = pack(site, order)
        manifest = manifest_open(actor=site.clerk, warehouse=site.warehouse, carrier=site.ground.carrier)
        manifest_add(actor=site.clerk, manifest=manifest, code=parcel.tracking_number)
        manifest_close(actor=site.clerk, manifest=manifest)
        return parcel.tracking_number


def test_connect_ebay_through_its_consent_see_an_order_arrive_and_the_tracking_go_back(page, login, floor, fake):  # noqa: F811
    login(page, floor.user.email)
    page.goto("/integrations/shops/")
    page.get_by_test_id("connect-ebay").click()
    form = page.get_by_test_id("ebay-connect-form")
    form.get_by_label("Display name").fill("Journey eBay")
    form.get_by_label("Default warehouse").select_option(label=f"{floor.warehouse.code} · {floor.warehouse.name}")
    form.get_by_label("Import orders created from").fill(f"{fake.clock:%Y-%m-%d}")  # the fake's calendar
    form.get_by_test_id("ebay-consent").click()
    expect(page.get_by_role("heading", name="Grant application access: fake_seller")).to_be_visible()
    page.get_by_role("link", name="Agree and continue").click()
    expect(page.get_by_test_id("flash").first).to_contain_text("eBay account fake_seller is connected")
    card = page.get_by_test_id("connection-card").filter(has_text="Journey eBay")
    expect(card).to_contain_text("OAuth install")
    expect(card.get_by_test_id("ebay-guide")).to_be_attached()

    placed = fake.add_order(sku="TEE", quantity=2)
    card.get_by_role("button", name="Sync now").click()
    page.goto("/orders/")
    rows = page.locator("tr", has_text=placed["orderId"])
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Confirming")
    with customer_scope(floor.customer):
        number = Order.objects.get(external_ref=placed["orderId"]).number

    page.goto(f"/orders/{number}/")
    expect(page.get_by_test_id("shop-order")).to_contain_text(f"eBay {placed['orderId']}")
    page.get_by_test_id("submit-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Pending Shipment")

    tracking = hand_over(floor, number)
    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_test_id("shop-tracking")).to_have_text(re.compile(r"Tracking sent to eBay \d{4}-\d\d-\d\d"))
    expect(page.get_by_test_id("timeline")).to_contain_text(f"Tracking sent to eBay: UPS {tracking}")
    sent = [p for p in fake.posted if p["trackingNumber"] == tracking]
    assert len(sent) == 1 and sent[0]["shippingCarrierCode"] == "UPS" and sent[0]["orderId"] == placed["orderId"]
