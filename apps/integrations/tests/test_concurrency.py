"""One Shopify order delivered several times at once (PostgreSQL only): threads with their own
connections processing orders/create and orders/updated events of the same order together."""

import pytest

from apps.core.tenancy import customer_scope
from apps.core.testing import require_postgresql, run_concurrently
from apps.integrations.choices import EventStatus
from apps.integrations.inbox import event_process
from apps.integrations.models import OrderLink, PlatformEvent
from apps.orders.models import Order

from .conftest import body_of, shopify_order_payload

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_deliveries_of_one_order_make_one_order(shop):
    require_postgresql()
    connection, _ = shop
    body = body_of(shopify_order_payload())
    with customer_scope(connection.customer):  # stored as webhook_receive stores them, not yet processed
        events = [
            PlatformEvent.objects.create(
                connection=connection, event_id=f"evt-{i}", topic=topic, body=body, headers={"x-shopify-topic": topic}
            ).pk
            for i, topic in enumerate(["orders/create"] + ["orders/updated"] * 5)
        ]
    feed = iter(events)

    def one():
        with customer_scope(connection.customer):
            return event_process(event_id=next(feed)).status

    statuses = sorted(run_concurrently(one, threads=len(events)))
    assert statuses == [EventStatus.IGNORED] * 5 + [EventStatus.PROCESSED]
    with customer_scope(connection.customer):
        assert Order.objects.count() == 1
        assert OrderLink.objects.get().order == Order.objects.get()
