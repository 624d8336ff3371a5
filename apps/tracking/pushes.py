"""Pushes from the tracking provider: the webhook checks the signature over the raw body (401 when
it fails), stores the body once (the same body twice is one row) and answers at once; Celery
processes it through the outbox, so a stored push is never lost. Processing applies the number's
tracking like the sweep does (news.py), so duplicates and late pushes converge."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.outbox import outbox_emit

from .choices import PushStatus, ShipmentState
from .errors import PushForbidden, TrackingInvalid
from .models import ProviderPush, Shipment
from .news import shipment_apply, shipment_stopped_by_provider
from .providers import ProviderError
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


def _shipment_of(number: str) -> Shipment | None:
    """The newest shipment followed under this number (numbers may be reused years apart)."""
    number = (number or "").strip().upper()
    return Shipment.objects.filter(number=number).select_related("order").order_by("-id").first() if number else None


def push_process(*, push_id: int) -> str:
    """Apply one stored push (idempotent: a processed push is left alone). Call in the staff scope."""
    with transaction.atomic():
        push = ProviderPush.objects.select_for_update().filter(pk=push_id).first()
        if push is None or push.status != PushStatus.RECEIVED:
            return push.status if push else "missing"
        outcome = _apply(push)
        push.status, push.processed_at = outcome[0], timezone.now()
        push.error = outcome[1][:300]
        push.save(update_fields=["status", "processed_at", "error"])
    return push.status


def _apply(push: ProviderPush) -> tuple[str, str]:
    try:
        parsed = parse_push(push.body.encode())
    except ProviderError as exc:
        return PushStatus.FAILED, exc.message
    shipment = _shipment_of(parsed.number)
    if shipment is None:
        return PushStatus.IGNORED, "no shipment is tracked under this number"
    if parsed.event == "TRACKING_STOPPED":
        shipment_stopped_by_provider(shipment=shipment)
        return PushStatus.PROCESSED, ""
    if parsed.info is None:
        return PushStatus.IGNORED, f"event {parsed.event!r} is not handled"
    if shipment.state == ShipmentState.PENDING:  # pushed before our register answer came back
        Shipment.objects.filter(pk=shipment.pk, state=ShipmentState.PENDING).update(
            state=ShipmentState.REGISTERED, registered_at=timezone.now(), next_attempt_at=None
        )
    news = shipment_apply(shipment=shipment, info=parsed.info)
    return PushStatus.PROCESSED, f"{news.added} new events"
