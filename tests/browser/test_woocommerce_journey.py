"""A seller's WooCommerce store, end to end in a real browser: “Connect with WooCommerce” sends the
seller to the local fake store's approval page; approving there makes the keys, which the store
POSTs to our callback, and brings the seller back connected. The store's orders then arrive by
the webhooks connecting made (signed, as WooCommerce sends them); one is submitted and, once the
warehouse has handed it over, the fake store holds one Shipment Tracking entry with our number
and the order is Completed there."""

import json
import re

import pytest
from playwright.sync_api import expect

from apps.core.tenancy import customer_scope
from apps.fulfillment.tests.conftest import floor  # noqa: F401 - the fixture, shared
from apps.integrations.woocommerce.fake_server import FakeWooCommerce
from apps.orders.models import Order
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared

from .test_shop_journey import hand_over

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORE = "journey-woo.example"


@pytest.fixture
def fake(settings):
    settings.INTEGRATION_ALLOW_API_BASE = True
    with FakeWooCommerce(name="Journey Woo") as store:
        yield store


def test_connect_a_store_see_its_orders_arrive_and_the_tracking_go_back(page, login, floor, fake):  # noqa: F811
    login(page, floor.user.email)
    page.goto("/integrations/shops/")
    page.get_by_test_id("connect-woocommerce").click()
    form = page.get_by_test_id("handshake-form")
    form.get_by_label("Store address").fill(f"https://{STORE}")
    form.get_by_label("Display name").fill("Journey Woo store")
    form.get_by_label("Default warehouse").select_option(label=f"{floor.warehouse.code} · {floor.warehouse.name}")
    form.get_by_label("API base (advanced)").fill(fake.url)
    form.get_by_role("button", name="Connect with WooCommerce").click()

    expect(page.get_by_role("heading", name="Fulfillment Hub would like to connect to Journey Woo")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("flash").first).to_contain_text(f"Journey Woo store ({STORE}) is connected")
    card = page.get_by_test_id("connection-card").filter(has_text=STORE)
    expect(card.get_by_test_id("woocommerce-guide")).to_be_attached()
    assert fake.handshakes[-1]["callback_status"] == 200 and len(fake.webhooks) == 3
    assert [p["status"] for p in fake.pings] == [200, 200, 200]

    first, second = fake.add_order(sku="TEE", quantity=2), fake.add_order(sku="MUG", quantity=1)
    assert [d["status"] for d in fake.deliveries] == [200, 200]
    page.goto("/orders/")
    rows = page.locator("tr", has_text=f"#{first['number']}")
    expect(rows).to_have_count(1)
    expect(page.locator("tr", has_text=f"#{second['number']}")).to_have_count(1)
    expect(rows.first).to_contain_text("Confirming")
    with customer_scope(floor.customer):
        number = Order.objects.get(external_ref=f"#{first['number']}").number

    page.goto(f"/orders/{number}/")
    expect(page.get_by_test_id("shop-order")).to_contain_text(f"WooCommerce #{first['number']}")
    page.get_by_test_id("submit-order").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Pending Shipment")

    fake.deliver_in_background = False  # its order.updated (completed) would write while this thread does (SQLite)
    tracking = hand_over(floor, number)
    page.reload()
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.get_by_test_id("shop-tracking")).to_have_text(
        re.compile(r"Tracking sent to WooCommerce \d{4}-\d\d-\d\d")
    )
    expect(page.get_by_test_id("timeline")).to_contain_text(
        f"Tracking sent to WooCommerce (Shipment Tracking): UPS {tracking}"
    )
    [entry] = fake.trackings[first["id"]]
    assert (entry["tracking_number"], entry["tracking_provider"]) == (tracking, "UPS")
    assert fake.orders[first["id"]]["status"] == "completed"
    assert [(w["topic"], json.loads(body)["status"]) for w, body in fake.held] == [("order.updated", "completed")]
