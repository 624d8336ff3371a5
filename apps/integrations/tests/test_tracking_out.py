"""Tracking out, end to end over real HTTP: an order that came from the fake Shopify by webhook
is submitted, picked, packed and handed over here, and the fake gets its fulfillment with our
tracking — also when the fake failed first; a refusal lands on the order's timeline."""

import pytest
from django.urls import reverse

from apps.core.tenancy import customer_scope, staff_scope
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open
from apps.fulfillment.picking import wave_create
from apps.fulfillment.tests.conftest import floor  # noqa: F401 - the fixture, shared
from apps.fulfillment.tests.outbound_pages import pack, pick_all
from apps.integrations.models import Connection, OrderLink
from apps.integrations.platforms import PlatformError
from apps.integrations.services import connection_create
from apps.integrations.shopify.fake_server import FakeShopify
from apps.integrations.tracking_out import delivered_send
from apps.orders.models import Order
from apps.orders.outbound import order_deliver
from apps.orders.services import order_submit
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared

SECRET, TOKEN = "shpss_tracking_test", "shpat_tracking_test"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop_floor(floor, live_server):  # noqa: F811 - uses the imported fixture
    with FakeShopify(token=TOKEN, domain="floor-store.myshopify.com") as fake:
        with customer_scope(floor.customer):
            connection = connection_create(
                actor=floor.user,
                platform="shopify",
                shop_domain=fake.domain,
                webhook_secret=SECRET,
                token=TOKEN,
                api_base=fake.api_base,
                default_warehouse=floor.warehouse,
            )
        url = live_server.url + reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk})
        yield floor, fake, connection, url


def _arrive_and_ship(site, fake, url):
    shop_order = fake.add_order(sku="TEE", quantity=1)
    assert fake.send_webhook(url, "orders/create", fake.webhook_payload(shop_order), secret=SECRET).status_code == 200
    with customer_scope(site.customer):
        order = Order.objects.get(external_ref=shop_order["name"])
        order = order_submit(actor=site.user, order=order)
        assert order.status == "pending_shipment", order.abnormal_message
    with staff_scope():
        pick_all(site, wave_create(actor=site.clerk, warehouse=site.warehouse))
        parcel = pack(site, order)
        manifest = manifest_open(actor=site.clerk, warehouse=site.warehouse, carrier=site.ground.carrier)
        manifest_add(actor=site.clerk, manifest=manifest, code=parcel.tracking_number)
        manifest_close(actor=site.clerk, manifest=manifest)  # Shipped: the outbox sends the tracking
        order.refresh_from_db()
    return shop_order, order


def test_the_tracking_reaches_the_shop_after_hand_over_even_after_two_failures(shop_floor):
    site, fake, connection, url = shop_floor
    fake.fail_next(2)  # the shop answers 500 twice; the adapter backs off and sends again
    shop_order, order = _arrive_and_ship(site, fake, url)
    assert order.status == "shipped"
    assert [(f["tracking_company"], f["tracking_number"]) for f in fake.fulfillments] == [
        ("UPS", order.tracking_number)
    ]
    assert fake.fulfillments[0]["fulfillment_order_ids"] == [shop_order["fulfillmentOrders"][0]["id"]]
    with customer_scope(site.customer):
        link = OrderLink.objects.get(order=order)
        assert link.tracking_sent_at is not None and link.tracking_error == ""
        assert order.events.filter(message=f"Tracking sent to Shopify: UPS {order.tracking_number}").exists()


def test_a_refused_fulfillment_is_on_the_orders_timeline(shop_floor):
    site, fake, connection, url = shop_floor
    fake.refuse_fulfillments("Fulfillment order is on hold.")
    _shop_order, order = _arrive_and_ship(site, fake, url)
    with customer_scope(site.customer):
        link = OrderLink.objects.get(order=order)
        assert link.tracking_sent_at is None and "on hold" in link.tracking_error
        assert order.events.filter(message__startswith="Tracking not sent to Shopify:").exists()
        assert Connection.objects.get(pk=connection.pk).status == "active"


def test_a_delivered_order_is_a_delivered_event_on_the_shops_fulfillment_once(shop_floor):
    site, fake, _connection, url = shop_floor
    _shop_order, order = _arrive_and_ship(site, fake, url)
    with staff_scope():
        order_deliver(actor=site.clerk, order=order, message="Delivered (carrier scan)")  # the outbox tells the shop
    [fulfillment] = fake.fulfillments
    assert [e["status"] for e in fulfillment["events"]] == ["DELIVERED"]
    with customer_scope(site.customer):
        link = OrderLink.objects.get(order=order)
        assert link.delivered_sent_at is not None
        assert order.events.filter(message=f"Shopify told the parcel was delivered: tracking {order.tracking_number}")
        assert delivered_send(order_id=order.pk) == "already sent"
        OrderLink.objects.filter(pk=link.pk).update(delivered_sent_at=None)  # a retry after a lost answer
        assert delivered_send(order_id=order.pk) == "sent"
    assert [e["status"] for e in fulfillment["events"]] == ["DELIVERED"]  # the shop's event was seen: not twice


def test_delivery_waits_for_the_tracking_and_is_not_sent_when_the_shop_refused_it(shop_floor):
    site, fake, _connection, url = shop_floor
    fake.refuse_fulfillments("Fulfillment order is on hold.")
    _shop_order, order = _arrive_and_ship(site, fake, url)
    with customer_scope(site.customer):
        assert delivered_send(order_id=order.pk) == "the shop never took the tracking"
        OrderLink.objects.filter(order=order).update(tracking_error="")
        with pytest.raises(PlatformError, match="not taken the tracking yet"):  # the task retries later
            delivered_send(order_id=order.pk)
