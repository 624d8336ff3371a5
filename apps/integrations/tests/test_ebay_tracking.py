"""Tracking out to eBay, end to end over real HTTP: an order polled from the fake eBay is
submitted, picked, packed and handed over here, and the fake gets one shipping fulfillment with
our carrier as eBay's code — also when the first attempt timed out after eBay had taken it."""

import time

import pytest

from apps.core.outbox import outbox_sweep
from apps.core.tenancy import customer_scope, staff_scope
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open
from apps.fulfillment.picking import wave_create
from apps.fulfillment.tests.conftest import floor  # noqa: F401 - the fixture, shared
from apps.fulfillment.tests.outbound_pages import pack, pick_all
from apps.integrations.connect import ConnectOptions
from apps.integrations.connect_ebay import ebay_connect_tokens
from apps.integrations.models import OrderLink
from apps.integrations.sync import connection_sync
from apps.integrations.tracking_out import delivered_send
from apps.orders.models import Order
from apps.orders.outbound import order_deliver
from apps.orders.services import order_submit
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared

from .ebay_fixtures import START, fresh

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ebay_floor(floor, fake_ebay):  # noqa: F811 - uses the imported fixture
    token, refresh = fake_ebay.token_issue()
    with customer_scope(floor.customer):
        connection = ebay_connect_tokens(
            actor=floor.user,
            access_token=token,
            refresh_token=refresh,
            expires_in=7200,
            options=ConnectOptions(default_warehouse=floor.warehouse, import_since=START),
        ).connection
    return floor, fake_ebay, connection


def _arrive_and_ship(site, fake, connection):
    ebay_order = fake.add_order(sku="TEE", quantity=1)
    with customer_scope(site.customer):
        assert connection_sync(connection=fresh(connection)).created == 1
        order = Order.objects.get(external_ref=ebay_order["orderId"])
        order = order_submit(actor=site.user, order=order)
        assert order.status == "pending_shipment", order.abnormal_message
    with staff_scope():
        pick_all(site, wave_create(actor=site.clerk, warehouse=site.warehouse))
        parcel = pack(site, order)
        manifest = manifest_open(actor=site.clerk, warehouse=site.warehouse, carrier=site.ground.carrier)
        manifest_add(actor=site.clerk, manifest=manifest, code=parcel.tracking_number)
        manifest_close(actor=site.clerk, manifest=manifest)  # Shipped: the outbox sends the tracking
        order.refresh_from_db()
    return ebay_order, order


def test_the_tracking_reaches_ebay_once_after_hand_over(ebay_floor):
    site, fake, connection = ebay_floor
    ebay_order, order = _arrive_and_ship(site, fake, connection)
    assert order.status == "shipped"
    line_id = ebay_order["lineItems"][0]["lineItemId"]
    assert [(p["orderId"], p["shippingCarrierCode"], p["trackingNumber"], p["lineItems"]) for p in fake.posted] == [
        (ebay_order["orderId"], "UPS", order.tracking_number, [{"lineItemId": line_id, "quantity": 1}])
    ]
    assert fake.posted[0]["shippedDate"].endswith("Z")
    with customer_scope(site.customer):
        link = OrderLink.objects.get(order=order)
        assert link.tracking_sent_at is not None and link.tracking_error == ""
        assert order.events.filter(message=f"Tracking sent to eBay: UPS {order.tracking_number}").exists()
    requests = len(fake.requests)
    with staff_scope():
        order_deliver(actor=site.clerk, order=order)  # eBay learns it from the carrier: nothing is sent
    with customer_scope(site.customer):
        assert delivered_send(order_id=order.pk) == "not taken by this platform"
        assert OrderLink.objects.get(order=order).delivered_sent_at is None
    assert len(fake.posted) == 1 and len(fake.requests) == requests  # not one call to eBay


def test_a_timed_out_post_that_ebay_took_is_not_posted_again(ebay_floor, settings):
    site, fake, connection = ebay_floor
    settings.EBAY_TIMEOUT_SECONDS = 0.5
    fake.post_delay = 1.5  # eBay creates the fulfillment, but its answer comes after we gave up
    _ebay_order, order = _arrive_and_ship(site, fake, connection)
    assert len(fake.posted) == 1  # taken by eBay; we saw a timeout, so the message waits in the outbox
    with customer_scope(site.customer):
        assert OrderLink.objects.get(order=order).tracking_sent_at is None
    time.sleep(1.2)  # the fake's late answer is gone
    fake.post_delay = 0
    with staff_scope():
        outbox_sweep(grace_seconds=0)  # beat sends it again: the retry looks at the order's fulfillments first
    assert len(fake.posted) == 1
    posts = [r for r in fake.requests if r["method"] == "POST" and r["path"].endswith("/shipping_fulfillment")]
    assert len(posts) == 1
    with customer_scope(site.customer):
        link = OrderLink.objects.get(order=order)
        assert link.tracking_sent_at is not None
        assert order.events.filter(message=f"eBay shows tracking {order.tracking_number} on the order already").exists()
