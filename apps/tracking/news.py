"""What the tracking provider tells us about a parcel, from a push or the sweep, applied once.

Events are keyed by time + sub-status + place + description, so a push twice, or a push and the
sweep, add each scan once. The shipment's status follows the newest event by the event's own
time, never the order of arrival: an old push arriving late adds its events and moves nothing
back. Delivered → the order is Delivered (orders.outbound, the service staff's "Mark delivered"
uses); returned to the sender → Returned; a failure, an exception or an expired parcel opens a
delivery exception. The sweep asks for every unfinished shipment without news for 12 hours
(pushes are at most once) and opens "no news" and "waiting at a pick-up point" exceptions."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.task_names import task_send_on_commit
from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.orders.outbound import order_deliver, order_return
from apps.orders.transitions import order_lock

from .choices import EventSource, ExceptionKind, ShipmentState, TrackingStatus
from .exceptions import exception_open, exceptions_settle
from .models import Shipment, TrackingEvent
from .providers import MAX_BATCH, ProviderError, ProviderEvent, Refusal, Registration, TrackInfo, TrackingProvider
from .providers import provider_for as _provider_for
from .statuses import SETTLED_BY_DELIVERY, mapped

logger = logging.getLogger(__name__)
UNFINISHED = (ShipmentState.REGISTERED,)


def event_key(event: ProviderEvent) -> str:
    text = "|".join((event.at.isoformat(), event.sub_status or event.status, event.location, event.description))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class News:
    added: int
    status: str
    order_status: str


def _order_news(order, shipment: Shipment, status: str, kind: str | None, newest: ProviderEvent) -> None:
    words = newest.description or TrackingStatus(status).label
    place = f" at {newest.location}" if newest.location else ""
    if status == TrackingStatus.DELIVERED:
        shipment.delivered_at = shipment.delivered_at or newest.at
        shipment.state, shipment.stopped_at = ShipmentState.STOPPED, timezone.now()
        if order.status == OrderStatus.SHIPPED:
            message = f"Delivered (reported by the carrier{place}): {words}"[:500]
            order.status = order_deliver(actor=None, order=order, message=message).status
        exceptions_settle(order=order, kinds=SETTLED_BY_DELIVERY, why="the carrier reported the parcel delivered")
    elif status == TrackingStatus.RETURNED:
        shipment.state, shipment.stopped_at = ShipmentState.STOPPED, timezone.now()
        if order.status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            message = f"Returned to the sender (reported by the carrier): {words}"
            order.status = order_return(actor=None, order=order, message=message).status
        exceptions_settle(order=order, kinds=SETTLED_BY_DELIVERY, why="the carrier reported the parcel returned")
    elif kind is not None and order.status == OrderStatus.SHIPPED:
        exception_open(order=order, kind=kind, detail=f"{words}{place}")


def shipment_apply(*, shipment: Shipment, info: TrackInfo) -> News:
    """Add the provider's events of one parcel (each once) and follow its newest event."""
    with transaction.atomic(savepoint=False):  # a caller's savepoint (a burst of pushes) is enough
        # The lock order: the order, then its shipment. Only the order's row: the services that
        # move it (order_deliver, order_return) load what they need under this same lock.
        order = (
            Order.objects.select_for_update(of=("self",)).only("id", "status", "customer_id").get(pk=shipment.order_id)
        )
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        known = set(
            TrackingEvent.objects.filter(order=order).exclude(provider_key="").values_list("provider_key", flat=True)
        )
        fresh = []
        for event in info.events:
            key = event_key(event)
            if key in known:
                continue
            known.add(key)
            fresh.append(
                TrackingEvent(
                    order=order,
                    occurred_at=event.at,
                    status=mapped(event.status, event.sub_status)[0],
                    location=event.location[:120],
                    description=event.description[:300],
                    source=EventSource.CARRIER,
                    provider_key=key,
                    provider_status=(event.sub_status or event.status)[:60],
                )
            )
        TrackingEvent.objects.bulk_create(fresh)
        shipment.news_at = timezone.now()
        if info.carrier and not shipment.carrier_code:
            shipment.carrier_code = info.carrier
        newest = info.events[-1] if info.events else None
        if newest is not None and (shipment.latest_event_at is None or newest.at >= shipment.latest_event_at):
            status, kind = mapped(newest.status, newest.sub_status)
            shipment.latest_event_at, shipment.latest_status = newest.at, status
            shipment.provider_status = newest.status[:30]
            shipment.provider_sub_status = (newest.sub_status or "")[:60]
            was = shipment.state
            _order_news(order, shipment, status, kind, newest)
            if was != ShipmentState.STOPPED and shipment.state == ShipmentState.STOPPED:
                task_send_on_commit("tracking.stop", shipment_ids=[shipment.pk])
        elif not shipment.provider_status and info.status:
            shipment.provider_status, shipment.provider_sub_status = info.status[:30], info.sub_status[:60]
        shipment.save()
        return News(added=len(fresh), status=shipment.latest_status, order_status=order.status)


def shipment_stopped_by_provider(*, shipment: Shipment) -> None:
    """The provider stopped tracking (no change for 30 days): a parcel not delivered by then is
    an exception for logistics."""
    with transaction.atomic():
        order = order_lock(shipment.order)
        updated = Shipment.objects.filter(pk=shipment.pk).exclude(state=ShipmentState.STOPPED)
        if (
            updated.update(state=ShipmentState.STOPPED, stopped_at=timezone.now())
            and order.status == OrderStatus.SHIPPED
        ):
            exception_open(order=order, kind=ExceptionKind.EXPIRED, detail="17TRACK stopped tracking the parcel")


def _due(cutoff) -> Q:
    return Q(news_at__lt=cutoff) | Q(news_at__isnull=True)


def shipments_sweep(*, provider: TrackingProvider | None = None, hours: int | None = None, limit: int = 4000) -> dict:
    """gettrackinfo for every tracked, unfinished shipment without news for ``hours`` (batches
    of 40), each applied like a push; a number the provider no longer knows is registered again.
    Then the "no news for N days" and "waiting at a pick-up point" checks."""
    hours = settings.TRACKING_SWEEP_HOURS if hours is None else hours
    cutoff = timezone.now() - timedelta(hours=hours)
    own = provider is None
    provider = provider or _provider_for()
    totals = {"asked": 0, "updated": 0, "requests": 0, "reregister": 0}
    if provider is not None:
        try:
            due = list(
                Shipment.objects.filter(_due(cutoff), state__in=UNFINISHED)
                .select_related("order")
                .order_by(F("news_at").asc(nulls_first=True), "id")[:limit]
            )
            for start in range(0, len(due), MAX_BATCH):
                batch = due[start : start + MAX_BATCH]
                totals["requests"] += 1
                try:
                    result = provider.track_info([Registration(number=s.number, carrier=s.carrier_code) for s in batch])
                except ProviderError as exc:
                    logger.warning("17TRACK gettrackinfo failed: %s", exc.message)
                    if not exc.retryable:
                        break
                    continue
                by_number = {s.number: s for s in batch}
                totals["asked"] += len(batch)
                for info in result.found:
                    if info.number not in by_number:
                        continue
                    try:  # one shipment's trouble never stops the sweep (the next one asks again)
                        with transaction.atomic():
                            shipment_apply(shipment=by_number[info.number], info=info)
                    except Exception:  # noqa: BLE001 - logged; the next sweep asks again
                        logger.exception("tracking sweep: %s failed", info.number)
                        continue
                    totals["updated"] += 1
                lost = [by_number[r.number].pk for r in result.rejected if r.reason == Refusal.NOT_REGISTERED]
                totals["reregister"] += Shipment.objects.filter(pk__in=lost).update(
                    state=ShipmentState.PENDING, next_attempt_at=None, attempts=0
                )
        finally:
            if own:
                provider.close()
    totals.update(shipments_watch())
    return totals


def shipments_watch() -> dict:
    """Exceptions for silence: a shipped parcel with no event for its channel's ``no_news_days``
    (default 7) since its newest event (or the hand-over), and one waiting at a pick-up point for
    TRACKING_PICKUP_WAIT_DAYS."""
    now = timezone.now()
    opened = {"no_news": 0, "pickup_waiting": 0}
    quiet = (
        Shipment.objects.filter(state=ShipmentState.REGISTERED, order__status=OrderStatus.SHIPPED)
        .annotate(since=Coalesce("latest_event_at", "order__shipped_at"))
        .filter(since__lt=now - timedelta(days=1))  # no channel waits less than a day
        .select_related("order__channel")
        .order_by("id")
    )
    for shipment in quiet.iterator(chunk_size=500):
        order = shipment.order
        since = shipment.latest_event_at or order.shipped_at
        days = order.channel.no_news_days if order.channel_id else 7
        if since and since < now - timedelta(days=days):
            with transaction.atomic():
                if exception_open(
                    order=order, kind=ExceptionKind.NO_NEWS, detail=f"no tracking event since {since:%Y-%m-%d}"
                ):
                    opened["no_news"] += 1
        waiting = now - timedelta(days=settings.TRACKING_PICKUP_WAIT_DAYS)
        if shipment.latest_status == TrackingStatus.AVAILABLE_FOR_PICKUP and since and since < waiting:
            with transaction.atomic():
                if exception_open(
                    order=order, kind=ExceptionKind.PICKUP_WAITING, detail=f"waiting for pick-up since {since:%Y-%m-%d}"
                ):
                    opened["pickup_waiting"] += 1
    return opened
