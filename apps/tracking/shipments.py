"""Handed-over parcels at the tracking provider: registered in batches of at most 40 within its
request rate, with the provider's carrier code (and the postal code where the carrier needs it);
"already registered" counts as success; "carrier not detected" is tried again with our carrier's
code once we know it, else the parcel lands in the exception queue. Delivered and returned
parcels stop being tracked. The provider's quota is read daily for the logistics desk.

A batch is claimed in a short transaction (skip-locked, so two workers never send one number
twice) and the HTTP call runs outside any transaction."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.orders.choices import OrderStatus
from apps.orders.models import Order

from .choices import ExceptionKind, ShipmentState
from .exceptions import exception_open
from .models import ProviderQuota, Shipment
from .providers import MAX_BATCH, ProviderError, Refusal, Registration, TrackingProvider, provider_for
from .statuses import NEEDS_POSTAL_CODE, carrier_code

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a claimed batch whose worker died is claimed again after this
MAX_ATTEMPTS = 8


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2**attempts, 12 * 60))


def _carrier_of(order: Order) -> int | None:
    carrier = order.channel.carrier.code if order.channel_id else ""
    return carrier_code(carrier, settings.SEVENTEENTRACK_CARRIER_CODES)


def shipment_track(*, order_id: int) -> Shipment | None:
    """Start following a shipped order's parcel (idempotent: one Shipment per order); None when
    the order has no tracking number or is not shipped."""
    order = Order.objects.select_related("channel__carrier").filter(pk=order_id).first()
    if order is None or not order.tracking_number or order.status != OrderStatus.SHIPPED:
        return None
    shipment, _ = Shipment.objects.get_or_create(
        order=order, defaults={"number": order.tracking_number.strip().upper(), "carrier_code": _carrier_of(order)}
    )
    return shipment


def _registration(shipment: Shipment, *, with_param: bool = False) -> Registration:
    order = shipment.order
    param = ""
    if with_param or shipment.carrier_code in NEEDS_POSTAL_CODE:
        param = (order.postal_code or "").replace(" ", "")
    return Registration(number=shipment.number, carrier=shipment.carrier_code, param=param, tag=order.number)


def _claim(limit: int) -> list[Shipment]:
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Shipment.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=ShipmentState.PENDING)
            .exclude(next_attempt_at__gt=now)
            .select_related("order__channel__carrier")
            .order_by("id")[:limit]
        )
        Shipment.objects.filter(pk__in=[s.pk for s in rows]).update(next_attempt_at=now + LEASE)
    return rows


def _fail(shipment: Shipment, *, why: str, final: bool) -> None:
    """A refusal: try again later with backoff, or (final, or too many tries) give up and open a
    "not tracked" exception for logistics."""
    attempts = shipment.attempts + 1
    if final or attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            Shipment.objects.filter(pk=shipment.pk).update(
                state=ShipmentState.FAILED, attempts=attempts, last_error=why[:300], next_attempt_at=None
            )
            exception_open(order=shipment.order, kind=ExceptionKind.NOT_TRACKED, detail=why)
        return
    Shipment.objects.filter(pk=shipment.pk).update(
        attempts=attempts, last_error=why[:300], next_attempt_at=timezone.now() + _backoff(attempts)
    )


def _register_batch(provider: TrackingProvider, batch: list[Shipment]) -> dict:
    outcome = {"registered": 0, "retry": 0, "failed": 0}
    by_number = {s.number: s for s in batch}
    try:
        result = provider.register([_registration(s) for s in batch])
    except ProviderError as exc:
        logger.warning("17TRACK register of %s numbers failed: %s", len(batch), exc.message)
        for shipment in batch:  # a whole-request failure is the account's, not the parcel's: wait, never give up
            Shipment.objects.filter(pk=shipment.pk).update(
                last_error=exc.message[:300],
                next_attempt_at=timezone.now() + (_backoff(shipment.attempts + 1) if not exc.retryable else LEASE),
            )
        outcome["retry"] += len(batch)
        return outcome
    now = timezone.now()
    accepted = [by_number[n] for n in result.accepted if n in by_number]
    Shipment.objects.filter(pk__in=[s.pk for s in accepted], state=ShipmentState.PENDING).update(
        state=ShipmentState.REGISTERED, registered_at=now, next_attempt_at=None, last_error="", news_at=now
    )
    outcome["registered"] += len(accepted)
    for rejection in result.rejected:
        shipment = by_number.get(rejection.number)
        if shipment is None:
            continue
        why = f"17TRACK: {rejection.message}"
        if rejection.reason == Refusal.CARRIER_NOT_DETECTED:
            code = _carrier_of(shipment.order)
            if code and code != shipment.carrier_code:  # send our carrier's code next time
                Shipment.objects.filter(pk=shipment.pk).update(carrier_code=code, next_attempt_at=None, last_error=why)
                outcome["retry"] += 1
            else:
                _fail(shipment, why=f"{why} (no 17TRACK carrier code is known for this carrier)", final=True)
                outcome["failed"] += 1
        elif rejection.reason in (Refusal.NEEDS_POSTAL_CODE, Refusal.NEEDS_PHONE) and shipment.carrier_code:
            if shipment.order.postal_code and rejection.reason == Refusal.NEEDS_POSTAL_CODE:
                retry = provider.register([_registration(shipment, with_param=True)])
                if shipment.number in retry.accepted:
                    Shipment.objects.filter(pk=shipment.pk).update(
                        state=ShipmentState.REGISTERED, registered_at=now, next_attempt_at=None, news_at=now
                    )
                    outcome["registered"] += 1
                    continue
            _fail(shipment, why=why, final=True)
            outcome["failed"] += 1
        else:
            _fail(shipment, why=why, final=False)
            outcome["retry"] += 1
    return outcome


def shipments_register(*, provider: TrackingProvider | None = None, limit: int = 40 * MAX_BATCH) -> dict:
    """Register every parcel waiting for it, 40 to a request (the client keeps to the provider's
    rate); what happened, counted. Without a configured provider nothing is sent."""
    own = provider is None
    provider = provider or provider_for()
    totals = {"registered": 0, "retry": 0, "failed": 0, "requests": 0}
    if provider is None:
        return totals
    try:
        while totals["requests"] * MAX_BATCH < limit:
            batch = _claim(MAX_BATCH)
            if not batch:
                break
            totals["requests"] += 1
            for key, value in _register_batch(provider, batch).items():
                totals[key] += value
    finally:
        if own:
            provider.close()
    return totals


def shipments_stop(*, shipment_ids: list[int], provider: TrackingProvider | None = None) -> int:
    """Tell the provider to stop tracking finished parcels (delivered or returned): nothing more
    will change on them. Best effort: 17TRACK stops a delivered number by itself after 15 days."""
    own = provider is None
    provider = provider or provider_for()
    if provider is None:
        return 0
    stopped = 0
    try:
        shipments = list(Shipment.objects.filter(pk__in=shipment_ids).select_related("order").order_by("id"))
        for start in range(0, len(shipments), MAX_BATCH):
            batch = shipments[start : start + MAX_BATCH]
            try:
                result = provider.stop([Registration(number=s.number, carrier=s.carrier_code) for s in batch])
            except ProviderError as exc:
                logger.info("17TRACK stoptrack failed: %s", exc.message)
                continue
            stopped += len(result.accepted)
    finally:
        if own:
            provider.close()
    return stopped


def quota_read(*, provider: TrackingProvider | None = None) -> ProviderQuota | None:
    """Read the provider's quota and keep it for the logistics desk."""
    own = provider is None
    provider = provider or provider_for()
    if provider is None:
        return None
    try:
        quota = provider.quota()
    finally:
        if own:
            provider.close()
    row, _ = ProviderQuota.objects.update_or_create(
        provider=provider.name,
        defaults={"total": quota.total, "used": quota.used, "remaining": quota.remaining, "read_at": timezone.now()},
    )
    return row


def quota_low(row: ProviderQuota | None) -> bool:
    """Whether the quota runs low (below TRACKING_QUOTA_WARN_PERCENT of the total)."""
    if row is None or row.total <= 0:
        return False
    return row.remaining * 100 < row.total * settings.TRACKING_QUOTA_WARN_PERCENT
