"""Reads of tracking: an order's timeline for staff, the public answer for up to 40 numbers, and
the parcels still in delivery.

The hand-over is the first event of every shipped order, but it is not stored: the warehouse
(apps.fulfillment) sits below tracking and must not call it, so ``tracking_shipped`` builds that
event from ``Order.shipped_at`` whenever an order's events are read. Staff cannot record events
older than it (tracking.services refuses them); a carrier's may be (a label made before the
hand-over), so the timelines are sorted by time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.tenancy import staff_scope
from apps.orders.choices import STATUS_BADGES as ORDER_BADGES
from apps.orders.choices import WAYBILL_STATUSES, OrderStatus
from apps.orders.models import Order
from apps.shipping.models import MEASURED_AFTER, measured_days

from .choices import EventSource, TrackingStatus
from .models import DeliveryException, TrackingEvent
from .rules import is_order_number

# What the public page answers for; drafts, Abnormal and cancelled orders are "not found".
PUBLIC_STATUSES = (OrderStatus.PENDING_SHIPMENT, *WAYBILL_STATUSES)
_NEWEST_FIRST = ("-occurred_at", "-id")


def tracking_link(carrier, number: str) -> str | None:
    """The carrier's own tracking page for ``number``, when the carrier has a URL template."""
    template = getattr(carrier, "tracking_url", "") or ""
    if not number or "{number}" not in template or not template.startswith(("https://", "http://")):
        return None
    return template.replace("{number}", quote(number, safe=""))


def _place(warehouse) -> str:
    if warehouse is None:
        return ""
    return ", ".join(p for p in (warehouse.city, warehouse.state, warehouse.country) if p)


def tracking_shipped(order: Order) -> TrackingEvent | None:
    """The "Shipped: handed to <carrier>" event of a shipped order, built (not stored) from its
    ``shipped_at``; None before the hand-over. Needs ``channel__carrier`` and ``warehouse`` loaded."""
    if order.shipped_at is None:
        return None
    carrier = order.channel.carrier.name if order.channel_id else "the carrier"
    return TrackingEvent(
        order=order,
        occurred_at=order.shipped_at,
        status=TrackingStatus.IN_TRANSIT,
        location=_place(order.warehouse),
        description=f"Shipped: handed to {carrier}",
        source=EventSource.SYSTEM,
    )


# --- Staff ---------------------------------------------------------------------------------------


def _staff_orders() -> QuerySet[Order]:
    return Order.objects.select_related("customer", "warehouse", "channel__carrier")


def order_find(*, code: str) -> Order | None:
    """The order a staff user typed: its S-number, or its tracking number (the newest order
    carrying it). Call inside the staff scope."""
    code = (code or "").strip().upper()
    if not code:
        return None
    if is_order_number(code):
        return _staff_orders().filter(number=code).first()
    return _staff_orders().filter(tracking_number=code).order_by("-id").first()


def order_timeline(*, order: Order) -> list[TrackingEvent]:
    """The order's tracking events oldest first, the hand-over first of all."""
    stored = list(TrackingEvent.objects.filter(order=order).select_related("created_by").order_by("occurred_at", "id"))
    shipped = tracking_shipped(order)
    # A carrier's "info received" may predate the hand-over (the label was made first).
    return sorted([shipped, *stored], key=lambda e: e.occurred_at) if shipped else stored


def in_delivery(*, exceptions_only: bool = False) -> QuerySet[Order]:
    """Shipped orders not yet delivered or returned, each with its latest stored tracking event
    (``latest_status``, ``latest_at``, ``latest_location``); newest first by id for keyset pages."""
    latest = TrackingEvent.objects.filter(order=OuterRef("pk")).order_by(*_NEWEST_FIRST)
    qs = (
        Order.objects.filter(status=OrderStatus.SHIPPED)
        .select_related("customer", "channel__carrier")
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            latest_at=Subquery(latest.values("occurred_at")[:1]),
            latest_location=Subquery(latest.values("location")[:1]),
        )
    )
    if exceptions_only:
        qs = qs.filter(latest_status=TrackingStatus.EXCEPTION)
    return qs


# --- Public --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    status: str
    status_label: str
    badge: str
    location: str
    description: str


@dataclass(frozen=True)
class PublicTracking:
    """What anyone holding a number may see: never the customer, the recipient or the address."""

    number: str
    found: bool = False
    status: str | None = None
    status_label: str = ""
    badge: str = "secondary"
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    delivered_at: datetime | None = None
    events: tuple[PublicEvent, ...] = ()
    problem: str = ""  # a mistyped number: why (it was not looked up)


def _public_event(event: TrackingEvent) -> PublicEvent:
    return PublicEvent(
        at=event.occurred_at,
        status=event.status,
        status_label=event.get_status_display(),
        badge=event.badge,
        location=event.location,
        description=event.description,
    )


def _public(number: str, order: Order | None) -> PublicTracking:
    if order is None:
        return PublicTracking(number=number)
    status = OrderStatus(order.status)
    if order.shipped_at is None:  # packed perhaps, but not handed over: no carrier to follow yet
        return PublicTracking(
            number=number, found=True, status=status.value, status_label=status.label, badge=ORDER_BADGES[status]
        )
    carrier = order.channel.carrier if order.channel_id else None
    events = [_public_event(e) for e in order.tracking_events.all()]  # prefetched newest first
    events.append(_public_event(tracking_shipped(order)))
    events.sort(key=lambda e: e.at, reverse=True)  # a carrier's "info received" may predate the hand-over
    return PublicTracking(
        number=number,
        found=True,
        status=status.value,
        status_label=status.label,
        badge=ORDER_BADGES[status],
        carrier=carrier.name if carrier else None,
        tracking_number=order.tracking_number or None,
        tracking_url=tracking_link(carrier, order.tracking_number),
        delivered_at=order.delivered_at if status == OrderStatus.DELIVERED else None,
        events=tuple(events),
    )


def public_tracking(*, numbers: list[str]) -> list[PublicTracking]:
    """The public answer for each number (order number or tracking number), in the order asked,
    in two queries however many numbers there are.

    Tracking is public by design, so this read leaves the customer scope on purpose; it loads only
    the fields a public answer needs, and returns them as plain data, so no caller can reach the
    customer or the recipient through it."""
    by_number = [n for n in numbers if is_order_number(n)]
    by_tracking = [n for n in numbers if n not in by_number]
    with staff_scope():
        events = TrackingEvent.objects.order_by(*_NEWEST_FIRST).only(
            "order_id", "occurred_at", "status", "location", "description"
        )
        orders = list(
            Order.objects.filter(
                Q(number__in=by_number) | Q(tracking_number__in=by_tracking), status__in=PUBLIC_STATUSES
            )
            .select_related("warehouse", "channel__carrier")
            .only(
                "id",
                "number",
                "status",
                "tracking_number",
                "shipped_at",
                "delivered_at",
                "warehouse__city",
                "warehouse__state",
                "warehouse__country",
                "channel__carrier__name",
                "channel__carrier__tracking_url",
            )
            .prefetch_related(Prefetch("tracking_events", queryset=events))
            .order_by("id")
        )
    found: dict[str, Order] = {}
    for order in orders:  # oldest first, so a tracking number reused later answers with the newest order
        found[order.number] = order
        if order.tracking_number:
            found[order.tracking_number] = order
    return [_public(number, found.get(number)) for number in numbers]


# --- Delivery exceptions -------------------------------------------------------------------------


def exceptions_of_order(*, order: Order) -> list:
    """The order's open delivery exceptions, newest first (the customer's order page); runs in
    the caller's scope, so a customer only ever reads its own."""
    return list(DeliveryException.objects.filter(order=order, status="open").order_by("-opened_at", "-id"))


def exceptions_open_count(*, customer, cap: int = 100) -> int:
    """How many of the customer's orders have an open delivery exception (capped, for a badge)."""
    rows = DeliveryException.objects.filter(customer=customer, status="open").values("order_id").distinct()
    return len(rows[:cap])


def exception_queue(*, kind: str = "", carrier: str = "", older_than_days: int | None = None) -> QuerySet:
    """The TMS queue: open delivery exceptions, oldest first, filtered by kind, carrier code and
    age; with the order, customer and carrier loaded. Call inside the staff scope."""
    qs = DeliveryException.objects.filter(status="open").select_related(
        "order__customer", "order__channel__carrier", "customer"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if carrier:
        qs = qs.filter(order__channel__carrier__code=carrier)
    if older_than_days:
        qs = qs.filter(opened_at__lt=timezone.now() - timedelta(days=older_than_days))
    return qs.order_by("opened_at", "id")


# --- Transit-time truth --------------------------------------------------------------------------

# MEASURED_AFTER (deliveries before a lane's measured figure is trusted) is shipping's: its quotes
# use the figure from there on, and tracking imports shipping, never the reverse.


@dataclass(frozen=True)
class TransitLane:
    channel: str
    channel_name: str
    country: str
    deliveries: int
    p50_days: float
    p90_days: float
    quoted: str  # the channel's promised transit days, e.g. "3–5"

    @property
    def measured(self) -> bool:
        return self.deliveries >= MEASURED_AFTER

    @property
    def measured_quote(self) -> str:
        """What the quotes show for this lane once it is measured, e.g. "2–4"."""
        low, high = measured_days(self.p50_days, self.p90_days)
        return f"{low}–{high}" if low != high else f"{low}"


def _percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default), on sorted values."""
    if len(values) == 1:
        return values[0]
    rank = share * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def transit_times(*, days: int = 180) -> list[TransitLane]:
    """p50/p90 transit days (hand-over to delivery, the carrier's delivery time where the provider
    reported it) per channel and destination country, from orders delivered in the last ``days``:
    the staff page, and the daily job that gives them to the quotes (services.transit_times_publish).
    Call inside the staff scope."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Order.objects.filter(status__in=WAYBILL_STATUSES, shipped_at__isnull=False, channel__isnull=False)
        .annotate(arrived=Coalesce("tracked_shipment__delivered_at", "delivered_at"))
        .filter(arrived__isnull=False, arrived__gte=since)
        .values_list(
            "channel__code",
            "channel__name",
            "channel__transit_days_min",
            "channel__transit_days_max",
            "country",
            "shipped_at",
            "arrived",
        )
    )
    lanes: dict[tuple, list[float]] = {}
    names: dict[tuple, tuple[str, str]] = {}
    for code, name, low, high, country, shipped, arrived in rows.iterator(chunk_size=2000):
        key = (code, country or "—")
        lanes.setdefault(key, []).append(max((arrived - shipped).total_seconds(), 0) / 86400)
        names[key] = (name, f"{low}–{high}" if low != high else f"{low}")
    out = []
    for key, values in lanes.items():
        values.sort()
        out.append(
            TransitLane(
                channel=key[0],
                channel_name=names[key][0],
                country=key[1],
                deliveries=len(values),
                p50_days=round(_percentile(values, 0.5), 1),
                p90_days=round(_percentile(values, 0.9), 1),
                quoted=names[key][1],
            )
        )
    return sorted(out, key=lambda lane: (lane.channel, lane.country))
