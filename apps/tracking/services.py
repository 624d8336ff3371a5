"""Every write of tracking: one event at a time, for staff, carrier feeds and the demo alike.

A delivered or returned event is also the order's news: it moves the order through
orders.outbound (the one way its status changes), in the same transaction as the event."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.orders.choices import WAYBILL_STATUSES, OrderStatus
from apps.orders.models import Order
from apps.orders.outbound import order_deliver, order_return
from apps.shipping.services import MeasuredLane, measured_transit_replace

from .choices import EventSource, TrackingStatus
from .errors import TrackingInvalid, TrackingRefused
from .models import TrackingEvent
from .selectors import transit_times

# Carrier clocks and a form's minute precision: "now" typed on the page may be a little ahead.
CLOCK_SLACK = timedelta(minutes=2)
LIMITS = {"location": 120, "description": 300}


def _person(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_time(order: Order, occurred_at: datetime) -> datetime:
    if not isinstance(occurred_at, datetime):
        raise TrackingInvalid(
            "Give the date and time the event happened.",
            code="event_time_missing",
            extra={"occurred_at": ["Enter a date and time."]},
        )
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now() + CLOCK_SLACK:
        raise TrackingInvalid(
            f"{occurred_at:%Y-%m-%d %H:%M} is in the future; record events once they happened.",
            code="event_in_future",
            extra={"occurred_at": ["This time is in the future."]},
        )
    # The hand-over time has seconds; a time typed to the minute of the hand-over still counts.
    if occurred_at < order.shipped_at.replace(second=0, microsecond=0):
        raise TrackingInvalid(
            f"{occurred_at:%Y-%m-%d %H:%M} is before {order.number} was handed to the carrier "
            f"({order.shipped_at:%Y-%m-%d %H:%M}).",
            code="event_before_shipment",
            extra={"occurred_at": ["This time is before the hand-over."]},
        )
    return occurred_at


def _apply_to_order(*, actor, order: Order, status: str, message: str) -> Order:
    """A delivered or returned event moves the order; the same news twice moves it once."""
    if status == TrackingStatus.DELIVERED:
        if order.status == OrderStatus.SHIPPED:
            return order_deliver(actor=actor, order=order, message=message)
        if order.status == OrderStatus.RETURNED:
            raise TrackingRefused(
                f"Order {order.number} was returned to the sender; it cannot be delivered now.", code="order_returned"
            )
    elif status == TrackingStatus.RETURNED and order.status != OrderStatus.RETURNED:
        return order_return(actor=actor, order=order, message=message)
    return order


@transaction.atomic
def tracking_event_add(
    *,
    actor,
    order: Order,
    occurred_at: datetime,
    status: str,
    location: str = "",
    description: str = "",
    source: str = EventSource.STAFF,
) -> TrackingEvent:
    """Record what happened to a handed-over parcel (Shipped, Delivered or Returned orders only,
    never in the future or before the hand-over); delivered → the order is Delivered, returned →
    Returned, through orders.outbound."""
    if status not in TrackingStatus.values:
        raise TrackingInvalid(
            f"“{status}” is not a tracking status.", code="unknown_status", extra={"status": ["Choose a status."]}
        )
    if source not in EventSource.values:
        raise TrackingInvalid(f"“{source}” is not an event source.", code="unknown_source")
    location, description = (location or "").strip(), (description or "").strip()
    for name, text in (("location", location), ("description", description)):
        if len(text) > LIMITS[name]:
            raise TrackingInvalid(
                f"The {name} is {len(text)} characters long; keep it to {LIMITS[name]}.",
                code="too_long",
                extra={name: [f"At most {LIMITS[name]} characters."]},
            )
    # Lock the order: two delivered events at once must move it once.
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.status not in WAYBILL_STATUSES or order.shipped_at is None:
        raise TrackingRefused(
            f"Order {order.number} is {order.get_status_display()}: it has not been handed to the carrier yet, "
            "so it has no tracking events.",
            code="order_not_shipped",
        )
    occurred_at = _check_time(order, occurred_at)
    label = TrackingStatus(status).label
    message = (
        f"Tracking: {label}" + (f" at {location}" if location else "") + (f" — {description}" if description else "")
    )
    _apply_to_order(actor=actor, order=order, status=status, message=message[:500])
    return TrackingEvent.objects.create(
        order=order,
        occurred_at=occurred_at,
        status=status,
        location=location,
        description=description,
        source=source,
        created_by=_person(actor),
    )


@transaction.atomic
def tracking_mark_delivered(*, actor, order: Order) -> TrackingEvent:
    """Staff's "Mark delivered": a delivered event now, in the staff user's name; refused when the
    order is Delivered already, so a second click records nothing twice."""
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.status == OrderStatus.DELIVERED:
        raise TrackingRefused(f"Order {order.number} is Delivered already.", code="already_delivered")
    return tracking_event_add(
        actor=actor,
        order=order,
        occurred_at=timezone.now(),
        status=TrackingStatus.DELIVERED,
        description="Marked delivered by Fulfillment Hub staff",
        source=EventSource.STAFF,
    )


def transit_times_publish(*, days: int = 180) -> dict:
    """The daily job: the transit times of the staff page (``transit_times``, the one computation)
    written to shipping's measured-transit table, which the quotes read. Idempotent: it recomputes
    and replaces. Call inside the staff scope."""
    lanes = [
        MeasuredLane(
            channel=lane.channel,
            country=lane.country,
            deliveries=lane.deliveries,
            p50_days=lane.p50_days,
            p90_days=lane.p90_days,
        )
        for lane in transit_times(days=days)
    ]
    return measured_transit_replace(actor=None, lanes=lanes)
