from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.orders.models import Order, OrderEvent
from apps.tracking.choices import EventSource, TrackingStatus
from apps.tracking.demo import seed_tracking
from apps.tracking.models import DeliveryException, TrackingEvent
from apps.tracking.selectors import order_timeline, public_tracking, tracking_shipped
from apps.tracking.services import tracking_event_add, tracking_mark_delivered

HOUR = timedelta(hours=1)


def add(order, actor=None, status=TrackingStatus.IN_TRANSIT, ago=HOUR, **kwargs):
    return tracking_event_add(
        actor=actor,
        order=order,
        occurred_at=timezone.now() - ago,
        status=status,
        location=kwargs.pop("location", "Phoenix, AZ"),
        description=kwargs.pop("description", "Arrived at the hub"),
        source=kwargs.pop("source", EventSource.CARRIER),
    )


def refused(code, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        add(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_an_event_is_recorded_and_the_order_stays_shipped(shipped, make_staff):
    staff = make_staff("logistics")
    event = add(shipped, actor=staff, source=EventSource.STAFF)
    assert (event.status, event.location, event.source, event.created_by) == (
        "in_transit",
        "Phoenix, AZ",
        "staff",
        staff,
    )
    assert Order.objects.get(pk=shipped.pk).status == "shipped"


def test_delivered_moves_the_order_once_and_a_second_delivered_event_does_not_fail(shipped):
    add(shipped, status=TrackingStatus.DELIVERED, ago=HOUR * 2, description="Left at the front door")
    order = Order.objects.get(pk=shipped.pk)
    assert order.status == "delivered" and order.delivered_at is not None
    timeline = OrderEvent.objects.filter(order=order, to_status="delivered")
    assert timeline.count() == 1 and "Left at the front door" in timeline.get().message

    add(order, status=TrackingStatus.DELIVERED, ago=HOUR)  # the carrier reports it again
    assert Order.objects.get(pk=shipped.pk).status == "delivered"
    assert TrackingEvent.objects.filter(order=order, status="delivered").count() == 2
    assert OrderEvent.objects.filter(order=order, to_status="delivered").count() == 1


def test_returned_moves_a_shipped_or_delivered_order_to_returned(make_order):
    shipped, delivered = make_order(tracking="T-SHIPPED1"), make_order(status="delivered", tracking="T-DELIV01")
    add(shipped, status=TrackingStatus.RETURNED)
    add(delivered, status=TrackingStatus.RETURNED)
    add(delivered, status=TrackingStatus.RETURNED)  # the same news twice moves it once
    assert set(Order.objects.filter(pk__in=[shipped.pk, delivered.pk]).values_list("status", flat=True)) == {"returned"}
    assert OrderEvent.objects.filter(order=delivered, to_status="returned").count() == 1


@pytest.mark.parametrize("status", ["confirming", "pending_shipment", "cancelled", "abnormal"])
def test_orders_not_handed_over_are_refused(make_order, status):
    order = make_order(status=status)
    error = refused("order_not_shipped", order=order)
    assert "has not been handed to the carrier yet" in error.message and error.http_status == 409
    assert not TrackingEvent.objects.exists()


def test_future_events_and_events_before_the_hand_over_are_refused(shipped):
    refused("event_in_future", order=shipped, ago=-HOUR)
    refused("event_before_shipment", order=shipped, ago=timedelta(days=3))
    refused("event_before_shipment", order=shipped, status=TrackingStatus.DELIVERED, ago=timedelta(days=3))
    assert not TrackingEvent.objects.exists()
    assert Order.objects.get(pk=shipped.pk).status == "shipped"


def test_a_returned_order_cannot_be_delivered(make_order):
    order = make_order(status="returned", tracking="T-RETURN01")
    error = refused("order_returned", order=order, status=TrackingStatus.DELIVERED)
    assert "returned to the sender" in error.message
    assert not TrackingEvent.objects.exists()


def test_bad_status_and_too_long_text_are_refused(shipped):
    refused("unknown_status", order=shipped, status="lost_in_space")
    refused("too_long", order=shipped, description="x" * 301)
    assert not TrackingEvent.objects.exists()


def test_mark_delivered_once(shipped, make_staff):
    staff = make_staff("customer_service")
    event = tracking_mark_delivered(actor=staff, order=shipped)
    assert event.status == "delivered" and event.created_by == staff
    with pytest.raises(ApplicationError) as caught:
        tracking_mark_delivered(actor=staff, order=shipped)
    assert caught.value.code == "already_delivered"
    assert TrackingEvent.objects.filter(order=shipped).count() == 1


def test_the_hand_over_is_the_first_event_without_being_stored(shipped):
    first = tracking_shipped(shipped)
    assert first.pk is None and first.occurred_at == shipped.shipped_at
    assert first.description == "Shipped: handed to UPS" and first.location == "Carson, CA, US"
    assert [e.description for e in order_timeline(order=shipped)] == ["Shipped: handed to UPS"]
    add(shipped)
    assert [e.description for e in order_timeline(order=shipped)] == ["Shipped: handed to UPS", "Arrived at the hub"]
    assert tracking_shipped(Order(number="S1", shipped_at=None)) is None


def test_public_tracking_runs_two_queries_for_forty_numbers(make_order, world):
    world.ground.carrier.tracking_url = "https://www.ups.com/track?tracknum={number}"
    world.ground.carrier.save()
    orders = [make_order(tracking=f"1ZTEST{i:08d}") for i in range(20)]
    for order in orders:
        add(order)
    numbers = [o.number for o in orders[:10]] + [o.tracking_number for o in orders[10:]]
    numbers += [f"NOPE{i:06d}" for i in range(40 - len(numbers))]
    with CaptureQueriesContext(connection) as queries:
        results = public_tracking(numbers=numbers)
    assert len(queries) == 2
    assert [r.number for r in results] == numbers
    assert sum(r.found for r in results) == 20
    first = results[0]
    assert first.tracking_url == f"https://www.ups.com/track?tracknum={orders[0].tracking_number}"
    assert [e.description for e in first.events] == ["Arrived at the hub", "Shipped: handed to UPS"]


def test_demo_seed_adds_events_once(make_order):
    orders = [
        make_order(tracking=f"1ZDEMO{i:08d}", ref=f"DEMO-{i}", shipped_ago=timedelta(minutes=5)) for i in range(3)
    ]
    other = make_order(tracking="1ZNOTDEMO0001", ref="REAL-1")
    assert seed_tracking() == 3
    count = TrackingEvent.objects.count()
    assert count >= 4 and not TrackingEvent.objects.filter(order=other).exists()
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == {"shipped"}
    assert not TrackingEvent.objects.filter(occurred_at__gt=timezone.now()).exists()
    assert not TrackingEvent.objects.filter(provider_key="").exists()  # every scan came through the fake 17TRACK
    assert DeliveryException.objects.filter(order=orders[1], kind="delivery_failure").exists()
    assert seed_tracking() == 0 and TrackingEvent.objects.count() == count
