"""Tracking out to WooCommerce, end to end over real HTTP: an order from the fake store is shipped
here and the store gets the tracking — as a Shipment Tracking entry when it has the extension,
else as a note to the customer — once, also when the task runs again or the store failed first;
then the order is completed there (unless the connection says not to)."""

import pytest

from apps.core.tenancy import customer_scope, staff_scope
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open
from apps.fulfillment.picking import wave_create
from apps.fulfillment.tests.conftest import floor  # noqa: F401 - the fixture, shared
from apps.fulfillment.tests.outbound_pages import pack, pick_all
from apps.integrations.connect_woocommerce import WooOptions
from apps.integrations.models import OrderLink
from apps.integrations.tracking_out import delivered_send, tracking_send
from apps.integrations.woocommerce.fake_server import FakeWooCommerce
from apps.orders.models import Order
from apps.orders.outbound import order_deliver
from apps.orders.services import order_submit
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared

from .woo import connect, fresh

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def store_floor(floor, live_server):  # noqa: F811 - uses the imported fixture
    def make(*, tracking_extension=True, complete_on_ship=True):
        fake = FakeWooCommerce(tracking_extension=tracking_extension).start()
        fake.deliver_in_background = False  # the order.updated of completing it: not while this thread writes
        made.append(fake)
        result = connect(
            floor.user, fake, live_server, warehouse=floor.warehouse, woo=WooOptions(complete_on_ship=complete_on_ship)
        )
        return floor, fake, fresh(result.connection)

    made = []
    yield make
    for fake in made:
        fake.stop()


def _arrive_and_ship(site, fake):
    placed = fake.add_order(sku="TEE", quantity=1)
    with customer_scope(site.customer):
        order = Order.objects.get(external_ref=f"#{placed['id']}")
        order = order_submit(actor=site.user, order=order)
        assert order.status == "pending_shipment", order.abnormal_message
    with staff_scope():
        pick_all(site, wave_create(actor=site.clerk, warehouse=site.warehouse))
        parcel = pack(site, order)
        manifest = manifest_open(actor=site.clerk, warehouse=site.warehouse, carrier=site.ground.carrier)
        manifest_add(actor=site.clerk, manifest=manifest, code=parcel.tracking_number)
        manifest_close(actor=site.clerk, manifest=manifest)  # Shipped: the outbox sends the tracking
        order.refresh_from_db()
    return placed, order


def _send_again(site, order):
    """The task once more, as a retry after a lost answer would: the link forgets it was sent."""
    with customer_scope(site.customer):
        OrderLink.objects.filter(order=order).update(tracking_sent_at=None)
        return tracking_send(order_id=order.pk)


def test_with_the_extension_the_tracking_is_one_entry_and_the_order_completed(store_floor):
    site, fake, _connection = store_floor()
    fake.fail_next(1)  # the store answers 500 once; the client backs off and sends again
    placed, order = _arrive_and_ship(site, fake)
    assert order.status == "shipped"
    [entry] = fake.trackings[placed["id"]]
    assert (entry["tracking_number"], entry["tracking_provider"]) == (order.tracking_number, "UPS")
    assert fake.orders[placed["id"]]["status"] == "completed"
    assert fake.notes.get(placed["id"], []) == []
    with customer_scope(site.customer):
        link = OrderLink.objects.get(order=order)
        assert link.tracking_sent_at is not None and link.tracking_error == ""
        said = f"Tracking sent to WooCommerce (Shipment Tracking): UPS {order.tracking_number}"
        assert order.events.filter(message=f"{said}; the order is completed there").exists()
    assert _send_again(site, order) == "sent"
    assert len(fake.trackings[placed["id"]]) == 1  # looked first: not sent twice
    with customer_scope(site.customer):
        assert order.events.filter(message=f"WooCommerce already shows tracking {order.tracking_number}").exists()


def test_without_the_extension_the_tracking_is_one_note_to_the_customer(store_floor):
    site, fake, _connection = store_floor(tracking_extension=False)
    placed, order = _arrive_and_ship(site, fake)
    [note] = fake.notes[placed["id"]]
    assert note["customer_note"] is True
    assert "UPS" in note["note"] and order.tracking_number in note["note"]
    assert fake.orders[placed["id"]]["status"] == "completed"
    assert placed["id"] not in fake.trackings
    assert _send_again(site, order) == "sent"
    assert len(fake.notes[placed["id"]]) == 1


def test_complete_on_ship_off_leaves_the_order_processing(store_floor):
    site, fake, _connection = store_floor(complete_on_ship=False)
    placed, _order = _arrive_and_ship(site, fake)
    assert len(fake.trackings[placed["id"]]) == 1
    assert fake.orders[placed["id"]]["status"] == "processing"


def test_an_order_deleted_on_the_store_is_a_refusal_on_the_timeline(store_floor):
    site, fake, _connection = store_floor(tracking_extension=False)
    placed = fake.add_order(sku="TEE", quantity=1)
    with fake.lock:
        fake.orders.pop(placed["id"])  # gone without a webhook
    with customer_scope(site.customer):
        order = Order.objects.get(external_ref=f"#{placed['id']}")
        OrderLink.objects.filter(order=order).update(tracking_sent_at=None)
        Order.objects.filter(pk=order.pk).update(tracking_number="1ZTEST")
    with customer_scope(site.customer):
        assert tracking_send(order_id=order.pk) == "refused"
        link = OrderLink.objects.get(order=order)
        assert "Invalid order ID" in link.tracking_error
        assert order.events.filter(message__startswith="Tracking not sent to WooCommerce:").exists()


def test_a_delivered_order_is_one_note_to_the_customer(store_floor):
    site, fake, _connection = store_floor()
    placed, order = _arrive_and_ship(site, fake)
    with staff_scope():
        order_deliver(actor=site.clerk, order=order)  # the outbox tells the store
    delivered = [n for n in fake.notes[placed["id"]] if "delivered" in n["note"]]
    assert [n["customer_note"] for n in delivered] == [True]
    assert order.tracking_number in delivered[0]["note"]
    with customer_scope(site.customer):
        OrderLink.objects.filter(order=order).update(delivered_sent_at=None)  # a retry after a lost answer
        assert delivered_send(order_id=order.pk) == "sent"
        assert order.events.filter(message__startswith="WooCommerce already has a delivery note").exists()
    assert len([n for n in fake.notes[placed["id"]] if "delivered" in n["note"]]) == 1
