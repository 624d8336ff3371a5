"""Demo tracking (idempotent): shipped demo orders get a couple of carrier scans (they stay Shipped:
the outbound demo already delivers one), so the public page and the staff page have something to
show. Orders that already have events are left alone, so a second run adds nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.core.tenancy import staff_scope
from apps.orders.choices import OrderStatus
from apps.orders.models import Order

from .choices import EventSource, TrackingStatus
from .models import TrackingEvent
from .services import tracking_event_add

# (hours after the hand-over, status, location, description); never later than now.
SCANS = [
    (3, TrackingStatus.IN_TRANSIT, "Los Angeles, CA", "Departed the carrier's facility"),
    (20, TrackingStatus.OUT_FOR_DELIVERY, "", "Out for delivery"),
]


def seed_tracking() -> int:
    """Add the demo scans to shipped DEMO- orders without events; returns how many orders got some."""
    seeded = 0
    with staff_scope():
        orders = list(
            Order.objects.filter(
                status=OrderStatus.SHIPPED, shipped_at__isnull=False, external_ref__startswith="DEMO-"
            ).order_by("shipped_at", "id")
        )
        with_events = set(TrackingEvent.objects.filter(order__in=orders).values_list("order_id", flat=True))
        fresh = [order for order in orders if order.pk not in with_events]
        for index, order in enumerate(fresh):
            now = timezone.now()
            # Spread the scans between the hand-over and now: demo orders were shipped moments ago.
            span = min(now - order.shipped_at, timedelta(hours=SCANS[-1][0] + 4))
            scans = SCANS if index % 2 == 0 else SCANS[:1]
            for hours, status, location, description in scans:
                at = order.shipped_at + span * hours / (SCANS[-1][0] + 4)
                tracking_event_add(
                    actor=None,
                    order=order,
                    occurred_at=at,
                    status=status,
                    location=location,
                    description=description,
                    source=EventSource.CARRIER,
                )
            seeded += 1
    return seeded
