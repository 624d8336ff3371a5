"""Pushes from the tracking provider: the webhook checks the signature over the raw body (401 when
it fails), stores the body once (the same body twice is one row) and answers at once; Celery
processes it through the outbox, so a stored push is never lost. Processing applies the number's
tracking like the sweep does (news.py), so duplicates and late pushes converge."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.outbox import outbox_emit

from .choices import PushStatus, ShipmentState
from .errors import PushForbidden, TrackingInvalid
from .models import ProviderPush, Shipment
from .news import event_key, shipment_apply, shipment_stopped_by_provider
from .providers import ProviderError, ProviderEvent, TrackInfo
from .providers.seventeentrack import parse_push, verify

logger = logging.getLogger(__name__)
PROCESS_TASK = "tracking.process_push"


def push_receive(*, provider: str, body: bytes, signature: str) -> tuple[ProviderPush, bool]:
    """Verify and store one push; (the row, whether it is new). Raises PushForbidden when the
    signature does not match, TrackingInvalid when the signed body is not a push."""
    if provider != "17track":
        raise PushForbidden(f"No tracking provider is called {provider!r}.", code="unknown_provider")
    if not verify(body, signature, settings.SEVENTEENTRACK_SECURITY_KEY):
        raise PushForbidden("The push signature does not match.", code="bad_signature")
    try:
        push = parse_push(body)
        text = body.decode()
    except (ProviderError, UnicodeDecodeError) as exc:
        raise TrackingInvalid("The push is not a 17TRACK tracking push.", code="bad_push") from exc
    digest = hashlib.sha256(body).hexdigest()
    existing = ProviderPush.objects.filter(digest=digest).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = ProviderPush.objects.create(
                provider=provider, event=push.event[:40], number=push.number[:60], body=text, digest=digest
            )
            outbox_emit(kind="tracking_push", task=PROCESS_TASK, payload={"push_id": row.pk}, key=f"push:{row.pk}")
    except IntegrityError:  # the same push, stored by a concurrent delivery
        return ProviderPush.objects.get(digest=digest), False
    return row, True


BATCH = 50  # pushes one task takes together: a burst is applied shipment by shipment, not push by push


def push_process(*, push_id: int) -> str:
    """Apply a stored push, with up to 49 more waiting ones (skip-locked, so two workers never take
    the same push): grouped by number, each shipment's events applied once, in order id order (the
    lock order). Idempotent: a processed push is left alone. Call in the staff scope."""
    waiting = ProviderPush.objects.filter(pk=push_id).values_list("status", flat=True).first()
    if waiting != PushStatus.RECEIVED:  # the usual case in a burst: an earlier task's batch took it
        return waiting or "missing"
    with transaction.atomic():
        first = ProviderPush.objects.select_for_update(skip_locked=True).filter(pk=push_id).first()
        if first is None:
            row = ProviderPush.objects.filter(pk=push_id).only("status").first()
            return row.status if row else "missing"  # locked: another worker's batch has it
        if first.status != PushStatus.RECEIVED:
            return first.status
        others = (
            ProviderPush.objects.select_for_update(skip_locked=True)
            .filter(status=PushStatus.RECEIVED)
            .exclude(pk=first.pk)
            .order_by("id")[: BATCH - 1]
        )
        batch = [first, *others]
        outcomes = _apply_batch(batch)
        now = timezone.now()
        for push in batch:
            push.status, push.error = outcomes[push.pk][0], outcomes[push.pk][1][:300]
            push.processed_at = now
        ProviderPush.objects.bulk_update(batch, ["status", "error", "processed_at"])
    return first.status


def _merged(infos: list[TrackInfo]) -> TrackInfo:
    """One number's pushes as one: every event once (by its key), oldest first."""
    events: dict[str, ProviderEvent] = {}
    for info in infos:
        for event in info.events:
            events.setdefault(event_key(event), event)
    ordered = sorted(events.values(), key=lambda e: e.at)  # stable: ties keep the provider's order
    return replace(infos[-1], events=tuple(ordered))


def _apply_batch(batch: list[ProviderPush]) -> dict[int, tuple[str, str]]:
    outcomes: dict[int, tuple[str, str]] = {}
    groups: dict[str, list[tuple[ProviderPush, object]]] = {}
    for push in batch:
        try:
            parsed = parse_push(push.body.encode())
        except ProviderError as exc:
            outcomes[push.pk] = (PushStatus.FAILED, exc.message)
            continue
        groups.setdefault(parsed.number.strip().upper(), []).append((push, parsed))
    shipments = {}
    newest = {}  # number → the newest shipment under it (numbers may be reused years apart), in one query
    for shipment in Shipment.objects.filter(number__in=list(groups)).order_by("id"):
        newest[shipment.number] = shipment
    for number in groups:
        shipment = newest.get(number)
        if shipment is None:
            for push, _parsed in groups[number]:
                outcomes[push.pk] = (PushStatus.IGNORED, "no shipment is tracked under this number")
        else:
            shipments[number] = shipment
    for number, shipment in sorted(shipments.items(), key=lambda item: item[1].order_id):
        pushes = groups[number]
        try:
            with transaction.atomic():
                words = _apply(shipment, [parsed for _push, parsed in pushes])
        except Exception as exc:  # noqa: BLE001 - one shipment's failure must not stop the others
            logger.exception("tracking push for %s failed", number)
            words = (PushStatus.FAILED, f"{type(exc).__name__}: {exc}")
        for push, _parsed in pushes:
            outcomes[push.pk] = words
    return outcomes


def _apply(shipment: Shipment, parsed: list) -> tuple[str, str]:
    if any(p.event == "TRACKING_STOPPED" for p in parsed):
        shipment_stopped_by_provider(shipment=shipment)
    infos = [p.info for p in parsed if p.info is not None]
    if not infos:
        return PushStatus.PROCESSED, "tracking stopped"
    if shipment.state == ShipmentState.PENDING:  # pushed before our register answer came back
        Shipment.objects.filter(pk=shipment.pk, state=ShipmentState.PENDING).update(
            state=ShipmentState.REGISTERED, registered_at=timezone.now(), next_attempt_at=None
        )
    news = shipment_apply(shipment=shipment, info=_merged(infos))
    return PushStatus.PROCESSED, f"{news.added} new events"
