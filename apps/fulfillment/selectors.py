"""Reads for the warehouse's outbound pages: the dashboard's counts per channel, the pick lists, the
pack station's queue and the hand-over's manifests. Each returns what its page renders in a fixed
number of queries, however many orders there are.

Staff reads across customers: callers have checked the permission and run outside the customer
scope."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from apps.inbound.choices import InboundStatus
from apps.inbound.models import InboundOrder
from apps.orders.choices import OrderStatus
from apps.orders.models import PACKED, Order
from apps.shipping.models import Carrier, Channel
from apps.warehouses.models import Warehouse

from .choices import WAVE_ORDER_ACTIVE as ACTIVE
from .choices import EventSubject, ManifestStatus, ParcelStatus, PickStatus, WaveOrderStatus, WaveStatus
from .models import FulfillmentEvent, Manifest, Parcel, Wave, WaveOrder

STEPS = ("to_pick", "picking", "to_pack", "to_hand_over", "shipped_today")


def outbound_warehouses() -> list[Warehouse]:
    return list(Warehouse.objects.filter(is_active=True).order_by("code"))


def start_of_day(warehouse: Warehouse, now: datetime | None = None) -> datetime:
    """Midnight of today in the warehouse's time zone (the floor's "today")."""
    try:
        tz = zoneinfo.ZoneInfo(warehouse.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_current_timezone()
    today = (now or timezone.now()).astimezone(tz).date()
    return datetime.combine(today, time.min, tzinfo=tz)


# --- Dashboard ------------------------------------------------------------------------------------


@dataclass
class StepCounts:
    to_pick: int = 0  # Pending Shipment, not packed, on no pick list still working on it
    picking: int = 0  # on a pick list, being picked
    to_pack: int = 0  # picked, waiting at the pack station
    to_hand_over: int = 0  # packed and labelled, not shipped yet
    shipped_today: int = 0

    def add(self, other: StepCounts) -> None:
        for step in STEPS:
            setattr(self, step, getattr(self, step) + getattr(other, step))


@dataclass
class ChannelRow:
    channel: Channel | None
    counts: StepCounts


@dataclass
class OutboundBoard:
    warehouse: Warehouse
    since: datetime
    rows: list[ChannelRow] = field(default_factory=list)
    total: StepCounts = field(default_factory=StepCounts)
    inbound_submitted: int = 0
    inbound_arrived: int = 0
    open_waves: int = 0
    open_manifests: int = 0


def outbound_board(*, warehouse: Warehouse, now: datetime | None = None) -> OutboundBoard:
    """The warehouse's outbound work per channel, the inbound about to arrive, the open waves and
    manifests — five queries."""
    since = start_of_day(warehouse, now)
    wave_status = Subquery(
        WaveOrder.objects.filter(order=OuterRef("pk"), status__in=ACTIVE).order_by("-id").values("status")[:1]
    )
    pending = Q(status=OrderStatus.PENDING_SHIPMENT)
    unpacked = pending & ~PACKED
    per_channel = (
        Order.objects.filter(warehouse=warehouse)
        .filter(pending | Q(shipped_at__gte=since))
        .annotate(wave_status=wave_status)
        .values("channel_id")
        .order_by("channel_id")
        .annotate(
            to_pick=Count("pk", filter=unpacked & Q(wave_status__isnull=True)),
            picking=Count("pk", filter=unpacked & Q(wave_status=WaveOrderStatus.PICKING)),
            to_pack=Count("pk", filter=unpacked & Q(wave_status=WaveOrderStatus.PICKED)),
            to_hand_over=Count("pk", filter=pending & PACKED),
            shipped_today=Count("pk", filter=Q(shipped_at__gte=since)),
        )
    )
    counts = {row["channel_id"]: StepCounts(**{step: row[step] for step in STEPS}) for row in per_channel}
    board = OutboundBoard(warehouse=warehouse, since=since)
    for channel in Channel.objects.filter(warehouse=warehouse).select_related("carrier").order_by("name"):
        found = counts.pop(channel.pk, None)
        if found is not None or channel.is_active:
            board.rows.append(ChannelRow(channel, found or StepCounts()))
    if None in counts:  # orders without a channel (should not happen after submission, but say so)
        board.rows.append(ChannelRow(None, counts.pop(None)))
    for row in board.rows:
        board.total.add(row.counts)
    inbound = InboundOrder.objects.filter(warehouse=warehouse).aggregate(
        submitted=Count("pk", filter=Q(status=InboundStatus.SUBMITTED)),
        arrived=Count("pk", filter=Q(status=InboundStatus.ARRIVED)),
    )
    board.inbound_submitted, board.inbound_arrived = inbound["submitted"], inbound["arrived"]
    board.open_waves = Wave.objects.filter(warehouse=warehouse, status=WaveStatus.PICKING).count()
    board.open_manifests = Manifest.objects.filter(warehouse=warehouse, status=ManifestStatus.OPEN).count()
    return board


def channels_of(warehouse: Warehouse) -> QuerySet[Channel]:
    return Channel.objects.filter(warehouse=warehouse, is_active=True).select_related("carrier").order_by("name")


# --- Pick lists -----------------------------------------------------------------------------------


def _with_progress(qs: QuerySet[Wave]) -> QuerySet[Wave]:
    return qs.select_related("warehouse", "created_by").annotate(
        order_count=Count("orders", distinct=True),
        line_count=Count("orders__picks"),
        open_lines=Count(
            "orders__picks", filter=Q(orders__picks__status=PickStatus.OPEN, orders__status=WaveOrderStatus.PICKING)
        ),
        units=Sum("orders__picks__quantity"),
        picked_units=Sum("orders__picks__picked"),
    )


def wave_list(*, warehouse: Warehouse, before: int | None = None, limit: int = 30) -> tuple[list, list, int | None]:
    """(open waves, the latest finished waves, the id to page on from or None): open ones first,
    all of them; finished ones newest first, ``limit`` at a time, by keyset."""
    waves = Wave.objects.filter(warehouse=warehouse)
    open_waves = list(_with_progress(waves.filter(status=WaveStatus.PICKING)).order_by("id"))
    done = waves.exclude(status=WaveStatus.PICKING)
    if before:
        done = done.filter(pk__lt=before)
    done = list(_with_progress(done).order_by("-id")[: limit + 1])
    more = done[limit - 1].pk if len(done) > limit else None
    return open_waves, done[:limit], more


def wave_get(*, number: str) -> Wave | None:
    return Wave.objects.select_related("warehouse", "created_by").filter(number=number.strip().upper()).first()


def wave_slots(*, wave: Wave) -> list[WaveOrder]:
    """The cart's slots: each order of the wave with its units to pick and picked."""
    return list(
        wave.orders.select_related("order")
        .annotate(units=Sum("picks__quantity"), picked=Sum("picks__picked"))
        .order_by("slot")
    )


# --- Pack station ---------------------------------------------------------------------------------


def pack_queue(*, warehouse: Warehouse, limit: int = 50) -> list[WaveOrder]:
    """Picked orders waiting at the pack station, oldest pick list first."""
    return list(
        WaveOrder.objects.filter(
            wave__warehouse=warehouse, status=WaveOrderStatus.PICKED, order__status=OrderStatus.PENDING_SHIPMENT
        )
        .select_related("wave", "order", "order__channel")
        .order_by("wave_id", "slot")[:limit]
    )


def parcel_of_order(*, number: str) -> Parcel | None:
    return (
        Parcel.objects.select_related(
            "order", "order__customer", "channel", "channel__carrier", "warehouse", "manifest", "packed_by"
        )
        .filter(order__number=number.strip().upper())
        .first()
    )


# --- Hand-over ------------------------------------------------------------------------------------


@dataclass
class CarrierDesk:
    carrier: Carrier
    waiting: int  # packed parcels on no manifest yet
    manifest: Manifest | None  # the open one


def handover_board(*, warehouse: Warehouse) -> tuple[list[CarrierDesk], list[Manifest]]:
    """Per carrier that ships from the warehouse: its open manifest and the packed parcels waiting
    for one; then the latest manifests handed over."""
    carriers = list(Carrier.objects.filter(channels__warehouse=warehouse).distinct().order_by("name"))
    open_manifests = {
        m.carrier_id: m
        for m in _with_parcels(Manifest.objects.filter(warehouse=warehouse, status=ManifestStatus.OPEN)).select_related(
            "created_by"
        )
    }
    waiting = dict(
        Parcel.objects.filter(
            warehouse=warehouse, status=ParcelStatus.PACKED, order__status=OrderStatus.PENDING_SHIPMENT
        )
        .values("channel__carrier_id")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("channel__carrier_id", "n")
    )
    desks = [
        CarrierDesk(c, waiting.get(c.pk, 0), open_manifests.get(c.pk))
        for c in carriers
        if c.is_active or c.pk in open_manifests or waiting.get(c.pk)
    ]
    closed = list(
        _with_parcels(
            Manifest.objects.filter(warehouse=warehouse, status__in=[ManifestStatus.CLOSING, ManifestStatus.CLOSED])
        )
        .select_related("carrier", "closed_by")
        .order_by(F("closed_at").desc(nulls_first=True), "-id")[:20]
    )
    return desks, closed


def _with_parcels(qs: QuerySet[Manifest]) -> QuerySet[Manifest]:
    return qs.annotate(
        parcel_count=Count("parcels"),
        shipped_count=Count("parcels", filter=Q(parcels__status=ParcelStatus.SHIPPED)),
        weight_g=Sum("parcels__weight_g"),
    )


def manifest_get(*, number: str) -> Manifest | None:
    return (
        _with_parcels(Manifest.objects.filter(number=number.strip().upper()))
        .select_related("warehouse", "carrier", "created_by", "closed_by")
        .first()
    )


def manifest_parcels(*, manifest: Manifest) -> list[Parcel]:
    """The parcels on the manifest, the last one scanned first."""
    return list(manifest.parcels.select_related("order", "order__customer", "channel").order_by("-id"))


# --- Events ---------------------------------------------------------------------------------------


def events_of(obj) -> QuerySet[FulfillmentEvent]:
    """The status changes of a wave, wave order, pick line, parcel or manifest, oldest first."""
    return FulfillmentEvent.objects.filter(subject=obj.event_subject, object_id=obj.pk)


def history(obj, *, limit: int = 100) -> list[FulfillmentEvent]:
    """What a page shows of an object's events, newest first, each with ``what`` it is about;
    a pick list's include its slots' (its lines' are too many to list). Two queries at most."""
    names = {(obj.event_subject, obj.pk): EventSubject(obj.event_subject).label}
    where = Q(subject=obj.event_subject, object_id=obj.pk)
    if isinstance(obj, Wave):
        slots = dict(obj.orders.values_list("pk", "slot"))
        names.update({(EventSubject.WAVE_ORDER, pk): f"Slot {slot}" for pk, slot in slots.items()})
        where |= Q(subject=EventSubject.WAVE_ORDER, object_id__in=list(slots))
    events = list(FulfillmentEvent.objects.filter(where).order_by("-created_at", "-id")[:limit])
    for event in events:
        event.what = names[(event.subject, event.object_id)]
    return events
