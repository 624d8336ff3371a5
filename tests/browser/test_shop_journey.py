"""A seller's shop, end to end in a real browser: connect the local fake Shopify in the portal
(a Dev-Dashboard app's client id and secret, the client-credentials grant), see the shop's orders
arrive by webhook — the fake sends them to the subscription our connect made — submit one, and,
once the warehouse has handed it over, see the tracking sent to the shop; the fake holds the
fulfillment with our tracking number."""

import re

import pytest
from playwright.sync_api import expect

from apps.core.tenancy import customer_scope, staff_scope
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open
from apps.fulfillment.picking import wave_create
from apps.fulfillment.tests.conftest import floor  # noqa: F401 - the fixture, shared
from apps.fulfillment.tests.outbound_pages import pack, pick_all
from apps.integrations.shopify.fake_server import FakeShopify
from apps.orders.models import Order
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOMAIN = "journey-store.myshopify.com"


@pytest.fixture
def fake(settings):
    settings.INTEGRATION_ALLOW_API_BASE = True
    with FakeShopify(domain=DOMAIN) as shop:
        yield shop


def shop_sends(fake, order) -> None:
    """The shop tells every orders/create subscription about the order, signed with the app's secret."""
    uris = [s["uri"] for s in fake.subscriptions.values() if s["topic"] == "ORDERS_CREATE"]
    assert uris, "connecting made no orders/create subscription"
    for uri in uris:
        response = fake.send_webhook(uri, "orders/create", fake.webhook_payload(order), secret=fake.client_secret)
        assert response.status_code == 200, response.text


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


def test_connect_a_shop_see_its_orders_arrive_and_the_tracking_go_back(page, login, floor, fake):  # noqa: F811
    login(page, floor.user.email)
    page.goto("/integrations/shops/connect/shopify/")
    form = page.get_by_test_id("connect-form")
    form.get_by_label("Shop domain").fill(DOMAIN)
    form.get_by_label("Display name").fill("Journey store")
    form.get_by_label("Client ID").fill(fake.client_id)
    form.get_by_label("Client secret").fill(fake.client_secret)
    form.get_by_label("Default warehouse").select_option(label=f"{floor.warehouse.code} · {floor.warehouse.name}")
    form.get_by_label("Import orders created from").fill(f"{fake.clock:%Y-%m-%d}")  # the fake's calendar
    form.get_by_label("API base (advanced)").fill(fake.api_base)
    form.get_by_role("button", name="Check and connect").click()
    expect(page.get_by_test_id("flash").first).to_contain_text(
        "Journey store (journey-store.myshopify.com) is connected"
    )

    first, second = fake.add_order(sku="TEE", quantity=2), fake.add_order(sku="MUG", quantity=1)
    shop_sends(fake, first)
    shop_sends(fake, second)
    shop_sends(fake, first)  # Shopify delivers again: still one order

    page.goto("/orders/")
    rows = page.locator("tr", has_text=first["name"])
    expect(rows).to_have_count(1)
    expect(page.locator("tr", has_text=second["name"])).to_have_count(1)
    expect(rows.first).to_contain_text("Confirming")
    with customer_scope(floor.customer):
        number = Order.objects.get(external_ref=first["name"]).number

    page.goto(f"/orders/{number}/")
    expect(page.get_by_test_id("shop-order")).to_contain_text(f"Shopify {first['name']}")
    page.get_by_test_id("submit-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Pending Shipment")

    tracking = hand_over(floor, number)
    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_test_id("shop-tracking")).to_have_text(re.compile(r"Tracking sent to Shopify \d{4}-\d\d-\d\d"))
    expect(page.get_by_test_id("timeline")).to_contain_text(f"Tracking sent to Shopify: UPS {tracking}")
    sent = [f for f in fake.fulfillments if f["tracking_number"] == tracking]
    assert len(sent) == 1 and sent[0]["tracking_company"] == "UPS"
    assert sent[0]["fulfillment_order_ids"] == [first["fulfillmentOrders"][0]["id"]]
