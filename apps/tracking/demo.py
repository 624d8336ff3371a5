"""Demo tracking (idempotent): the shipped demo orders' parcels are registered at a local fake
17TRACK and their scans come back through it (gettrackinfo over HTTP), exactly as a real
provider's would — one parcel on its way, one whose delivery failed (an exception for the
customer and for logistics). `make run` then starts the fake (``manage.py fake_17track --demo``),
which carries on: every so often each parcel moves one step and is pushed, signed, to the app's
webhook, until it is Delivered. Orders already followed are left alone, so a second run adds
nothing."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.core.tenancy import staff_scope
from apps.orders.choices import OrderStatus
from apps.orders.models import Order

from .choices import ShipmentState
from .models import Shipment, TrackingEvent
from .news import shipments_sweep
from .providers.fake_17track import Fake17Track
from .providers.seventeentrack import SeventeenTrackClient
from .shipments import shipment_track, shipments_register

# (hours after the hand-over, sub-status, place, description); the second parcel's delivery fails.
ON_ITS_WAY = [
    (2, "InTransit_PickedUp", "Carson, CA", "Picked up by the carrier"),
    (6, "InTransit_Departure", "Los Angeles, CA", "Departed the carrier's facility"),
]
FAILED = [
    (2, "InTransit_PickedUp", "Carson, CA", "Picked up by the carrier"),
    (10, "DeliveryFailure_NoBody", "Austin, TX", "Delivery attempted: nobody at the address"),
]


def seed_tracking() -> int:
    """Follow the shipped DEMO- orders' parcels through an in-process fake 17TRACK; returns how
    many got their first scans."""
    with staff_scope():
        orders = list(
            Order.objects.filter(
                status=OrderStatus.SHIPPED, shipped_at__isnull=False, external_ref__startswith="DEMO-"
            ).order_by("shipped_at", "id")
        )
        fresh = [o for o in orders if not TrackingEvent.objects.filter(order=o).exists() and o.tracking_number]
        if not fresh:
            return 0
        with Fake17Track() as fake:
            client = SeventeenTrackClient(api_key=fake.api_key, api_base=fake.api_base, max_rps=50)
            try:
                for order in fresh:
                    shipment_track(order_id=order.pk)
                Shipment.objects.filter(order__in=fresh).update(state=ShipmentState.PENDING, next_attempt_at=None)
                shipments_register(provider=client)
                now = timezone.now()
                for index, order in enumerate(fresh):
                    # Demo parcels were handed over moments ago: spread the scans over the time since,
                    # a few seconds apart at least (the provider's times have whole seconds).
                    span = max(now - order.shipped_at, timedelta(seconds=12))
                    for hours, sub_status, place, text in ON_ITS_WAY if index % 2 == 0 else FAILED:
                        at = order.shipped_at + span * hours / 12
                        fake.add_event(order.tracking_number.upper(), sub_status, text, place, at=at)
                shipments_sweep(provider=client, hours=-1)  # everything is due: ask for it all now
            finally:
                client.close()
    return len(fresh)


def fake_load(fake: Fake17Track) -> int:
    """Give a freshly started fake the parcels the app follows, with their carrier scans, so its
    pushes continue their stories (the demo fake process starts after seed_demo)."""
    with staff_scope():
        shipments = list(Shipment.objects.filter(state=ShipmentState.REGISTERED).select_related("order"))
        for shipment in shipments:
            fake.register_one({"number": shipment.number, "carrier": shipment.carrier_code or 100002})
            events = TrackingEvent.objects.filter(order=shipment.order).exclude(provider_key="").order_by("occurred_at")
            for event in events:
                fake.add_event(
                    shipment.number, event.provider_status, event.description, event.location, at=event.occurred_at
                )
    return len(shipments)
