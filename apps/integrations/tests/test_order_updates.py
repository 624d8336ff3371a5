"""A shop's change to an order already imported (updates.py): applied while the order is still
Confirming or Abnormal, flagged for customer service once it is not; each version once; a
cancellation after packing flagged, not lost. Orders arrive through ``order_in``, the door both
the webhooks and the poll use."""

import copy

import pytest

from apps.core.actors import integration_actor
from apps.integrations.choices import EventStatus, ImportAction
from apps.integrations.inbox import order_in
from apps.integrations.models import OrderLink, WaitingLine
from apps.integrations.rules import shopify_order
from apps.integrations.selectors import links_needing_review
from apps.integrations.services import connection_create
from apps.integrations.updates import link_review_clear
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.models import Order
from apps.orders.services import order_submit
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared

from .conftest import shopify_order_payload


@pytest.fixture
def shop(world):  # noqa: F811 - uses the imported fixture
    connection = connection_create(
        actor=world.user,
        platform="shopify",
        shop_domain="demo-store.myshopify.com",
        webhook_secret="shpss_updates",
        token="shpat_updates",
        default_warehouse=world.warehouse,
    )
    actor = integration_actor(platform="Shopify", name=connection.display_name, customer=world.customer)

    def send(payload):
        return order_in(connection, shopify_order(payload), actor)

    first = shopify_order_payload(updated_at="2026-12-01T10:00:00-05:00")
    assert send(first).action == ImportAction.CREATED
    return world, connection, send, first


def version(payload, minute, **changes):
    later = copy.deepcopy(payload)
    later.update(changes, updated_at=f"2026-12-01T10:{minute:02d}:00-05:00")
    return later


def moved(payload, minute, **address):
    later = version(payload, minute)
    later["shipping_address"].update(address)
    return later


def timeline(order):
    return [event.message for event in order.events.order_by("id")]


def test_a_change_while_confirming_is_applied_and_says_what_changed(shop):
    site, connection, send, first = shop
    later = moved(first, 5, address1="1 New St", zip="94107")
    later["line_items"][0]["quantity"] = 3
    outcome = send(later)
    order = Order.objects.get()
    assert (outcome.status, outcome.action) == (EventStatus.PROCESSED, ImportAction.UPDATED)
    assert f"order {order.number} updated" in outcome.result
    assert (order.address1, order.postal_code, order.status) == ("1 New St", "94107", OrderStatus.CONFIRMING)
    assert {(line.product.sku, line.quantity) for line in order.lines.all()} == {("TEE", 3), ("MUG", 1)}
    assert any("Address line 1" in m and "SKUs" in m for m in timeline(order))
    assert not OrderLink.objects.get().needs_review


def test_each_version_is_applied_once_and_an_older_one_is_ignored(shop):
    site, connection, send, first = shop
    newer, older = moved(first, 9, city="Oakland", zip="94607"), moved(first, 4, city="Berkeley", zip="94704")
    assert send(newer).action == ImportAction.UPDATED
    entries = len(timeline(Order.objects.get()))
    again, late = send(newer), send(older)
    assert (again.status, again.action) == (EventStatus.IGNORED, "")
    assert (late.status, late.action) == (EventStatus.IGNORED, "")
    assert "not newer" in late.result
    order = Order.objects.get()
    assert order.city == "Oakland"
    assert len(timeline(order)) == entries


def test_a_change_to_nothing_we_take_changes_nothing(shop):
    site, connection, send, first = shop
    outcome = send(version(first, 3, tags="vip, gift", financial_status="refunded_partially"))
    assert outcome.status == EventStatus.IGNORED
    assert "nothing this order takes from it changed" in outcome.result
    assert len(timeline(Order.objects.get())) == 1


def test_an_item_added_on_the_shop_that_maps_to_nothing_waits_in_abnormal(shop):
    site, connection, send, first = shop
    later = version(first, 6)
    later["line_items"].append({"id": 903, "sku": "HAT-9", "variant_id": 44009, "quantity": 1, "title": "Hat"})
    assert send(later).action == ImportAction.UPDATED
    order = Order.objects.get()
    assert (order.status, order.abnormal_code) == (OrderStatus.ABNORMAL, AbnormalReason.UNKNOWN_SKU)
    assert "HAT-9" in order.abnormal_message
    assert WaitingLine.objects.get().quantity == 1


def test_a_change_after_submit_is_not_applied_but_flagged_for_customer_service(shop):
    site, connection, send, first = shop
    order = order_submit(actor=site.user, order=Order.objects.get())
    assert order.status == OrderStatus.PENDING_SHIPMENT, order.abnormal_message
    outcome = send(moved(first, 7, address1="9 Elsewhere Ave"))
    order.refresh_from_db()
    assert (outcome.status, outcome.action) == (EventStatus.PROCESSED, ImportAction.FLAGGED)
    assert order.address1 == "500 Market St"
    assert order.status == OrderStatus.PENDING_SHIPMENT
    note = timeline(order)[-1]
    assert "Changed on Shopify (Address line 1)" in note and "Pending Shipment" in note
    link = links_needing_review().get()
    assert link.order == order and link.review_since is not None
    assert send(moved(first, 7, address1="9 Elsewhere Ave")).status == EventStatus.IGNORED  # no second note
    assert timeline(order)[-1] == note

    link_review_clear(actor=site.user, link=link, note="Seller says ship to the old address")
    assert not links_needing_review().exists()
    assert "Seller says ship to the old address" in timeline(order)[-1]


def test_a_cancel_on_the_shop_before_packing_cancels_and_after_shipping_is_flagged(shop):
    site, connection, send, first = shop
    outcome = send(version(first, 8, cancelled_at="2026-12-01T10:08:00-05:00"))
    assert (outcome.action, Order.objects.get().status) == (ImportAction.CANCELLED, OrderStatus.CANCELLED)

    second = shopify_order_payload(id=5_500_000_002, name="#1002", updated_at="2026-12-01T11:00:00-05:00")
    send(second)
    order = order_submit(actor=site.user, order=Order.objects.get(external_ref="#1002"))
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)  # past packing
    outcome = send(version(second, 9, cancelled_at="2026-12-01T11:09:00-05:00"))
    assert outcome.action == ImportAction.FLAGGED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    assert links_needing_review().get().order_id == order.pk
