"""Orders created and moved by systems (an integration connection, a scheduled task) record that
actor on the timeline, not a person; the customer comes from the actor, carried explicitly."""

import pytest

from apps.core.actors import SYSTEM, SystemActor, actor_label, actor_person, integration_actor
from apps.core.errors import PermissionDenied
from apps.orders.choices import OrderSource, OrderStatus
from apps.orders.imports import Draft, orders_bulk_create
from apps.orders.services import order_cancel, order_create, order_submit

pytestmark = pytest.mark.django_db


def test_a_shop_connection_creates_and_submits_an_order_as_itself(world):
    shop = integration_actor(platform="Shopify", name="demo-store", customer=world.customer)
    order = order_create(actor=shop, data=world.data(external_ref="#1001"), source=OrderSource.SHOPIFY)
    order = order_submit(actor=shop, order=order)
    assert order.customer == world.customer and order.created_by is None
    assert order.status == OrderStatus.PENDING_SHIPMENT
    events = list(order.events.all())
    assert [e.by for e in events] == ["Shopify · demo-store", "Shopify · demo-store"]
    assert all(e.actor_id is None and e.actor_label == "Shopify · demo-store" for e in events)


def test_a_system_actor_without_a_customer_cannot_place_an_order(world):
    with pytest.raises(PermissionDenied):
        order_create(actor=SYSTEM, customer=world.customer, data=world.data())


def test_a_scheduled_task_shows_as_system_and_a_person_as_their_e_mail(world):
    order = order_create(actor=world.user, data=world.data())
    order_cancel(actor=SystemActor(customer=world.customer), order=order, reason="expired")
    assert [e.by for e in order.events.all()] == [world.user.email, "System"]


def test_the_bulk_twin_records_the_system_actor_too(world):
    shop = integration_actor(platform="WooCommerce", name="shop.example", customer=world.customer)
    draft = Draft(
        ref="W-1",
        rows=[2],
        recipient={"recipient_name": "Jane", "country": "US"},
        warehouse=world.warehouse,
        channel=None,
        note="",
        lines=[(world.products["TEE"], 1)],
        allocated="because",
    )
    (order,) = orders_bulk_create(actor=shop, customer=world.customer, drafts=[draft], source=OrderSource.WOOCOMMERCE)
    assert [(e.by, e.message) for e in order.events.all()] == [
        ("WooCommerce · shop.example", "Order created (WooCommerce)"),
        ("WooCommerce · shop.example", "Allocated warehouse LAX1: because"),
    ]


def test_actor_helpers(world):
    assert actor_person(world.user) == world.user and actor_label(world.user) == ""
    assert actor_person(SYSTEM) is None and actor_label(SYSTEM) == "System"
    assert actor_person(None) is None and actor_label(None) == "System"
    assert SystemActor("x", customer=world.customer).customer_id == world.customer.pk
