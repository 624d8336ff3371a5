"""Order webhooks a batch at a time (inbox_batch.py): deliveries stored while no worker ran are
processed by the first event's task in one go, with the results one by one would give — one
order per Shopify order however often it came, an edit applied, a bad body failed on its own —
and the tasks of the others find nothing left to do."""

import pytest
from django.urls import reverse

from apps.core.tenancy import customer_scope
from apps.integrations.choices import EventStatus
from apps.integrations.models import PlatformEvent
from apps.integrations.tasks import process_event
from apps.orders.models import Order

from .conftest import body_of, shopify_order_payload, signed

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(client, django_capture_on_commit_callbacks):
    """Deliveries stored as the webhook stores them, their tasks not run (no worker yet)."""

    def send(connection, payload, *, topic="orders/create", body=None):
        body = body if body is not None else body_of(payload)
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed(body, topic=topic).items()}
        headers["content_type"] = headers.pop("HTTP_CONTENT_TYPE")
        url = reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk})
        with django_capture_on_commit_callbacks(execute=False):
            response = client.post(url, data=body, **headers)
        assert response.status_code == 200
        return response.json()["event"]

    return send


def order_of(n, **changes):
    return shopify_order_payload(id=5_500_000_000 + n, name=f"#{1000 + n}", **changes)


def test_the_first_task_processes_the_waiting_order_events_in_one_go(shop, store, django_assert_max_num_queries):
    connection, _ = shop
    ids = [store(connection, order_of(n)) for n in range(1, 21)]
    ids.append(store(connection, order_of(3)))  # Shopify delivered #1003 again (a new event id)
    edited = order_of(5, updated_at="2026-12-01T11:00:00-05:00")
    edited["shipping_address"]["address1"] = "9 Edited Way"
    ids.append(store(connection, edited, topic="orders/updated"))
    ids.append(store(connection, None, body=b'{"not": "an order"}'))

    with django_assert_max_num_queries(120):  # one by one this is over 20 statements an order
        assert process_event(ids[0], customer_id=connection.customer_id) == EventStatus.PROCESSED
    with customer_scope(connection.customer):
        events = {e.pk: e for e in PlatformEvent.objects.all()}
        assert Order.objects.count() == 20
        assert Order.objects.get(external_ref="#1005").address1 == "9 Edited Way"
    assert [events[i].status for i in ids[:20]] == [EventStatus.PROCESSED] * 20
    assert events[ids[20]].status == EventStatus.IGNORED and "already order" in events[ids[20]].result
    assert events[ids[21]].status == EventStatus.PROCESSED and "updated" in events[ids[21]].result
    assert events[ids[22]].status == EventStatus.FAILED and "no id" in events[ids[22]].result
    assert all(e.attempts == 1 for e in events.values())

    for event_id in ids[1:]:  # their own tasks come later: nothing left to do
        process_event(event_id, customer_id=connection.customer_id)
    with customer_scope(connection.customer):
        assert Order.objects.count() == 20
        done = PlatformEvent.objects.exclude(status=EventStatus.FAILED)  # a failed one is tried again
        assert all(e.attempts == 1 for e in done)


def test_other_topics_go_one_by_one(shop, store):
    connection, _ = shop
    created = store(connection, order_of(1))
    cancelled = store(connection, order_of(1, cancelled_at="2026-12-01T12:00:00Z"), topic="orders/cancelled")
    process_event(created, customer_id=connection.customer_id)
    with customer_scope(connection.customer):
        assert PlatformEvent.objects.get(pk=cancelled).status == EventStatus.RECEIVED  # not in the batch
    assert process_event(cancelled, customer_id=connection.customer_id) == EventStatus.PROCESSED
    with customer_scope(connection.customer):
        assert Order.objects.get().status == "cancelled"
