"""Order webhooks processed a batch at a time, the way the poll imports a page.

Every stored delivery has its own ``integrations.process_event`` task. The task first takes, in
one transaction, the received order events (orders/create, orders/updated) of the delivery's
connection from this one on — up to BATCH, skipping rows another worker holds (PostgreSQL's SKIP
LOCKED) — and imports their orders set-based (``inbox.orders_in``: the same rules and results as
one by one, a fixed number of statements for the new orders). The tasks of the events it took
find them processed and do nothing. A burst thus costs a few statements per order instead of a
few dozen, and a quiet shop's single delivery is a batch of one. Anything the batch cannot do —
another topic, a fulfillment-service connection, an unexpected error (the batch is rolled back
whole) — is left to the one-by-one path (``inbox.event_process``), which records it per event.
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.utils import timezone

from .choices import ConnectionMode, EventStatus
from .inbox import MAX_RESULT, connection_health, integration_actor_of, orders_in
from .models import PlatformEvent
from .rules import ORDER_TOPICS, NotAnOrder, Outcome, shopify_order

logger = logging.getLogger(__name__)

BATCH = 50


def events_batch_process(*, event_id: int) -> set[int]:
    """Process the batch this event starts (see the module); the ids of the events it processed —
    none when there is nothing to batch and the one-by-one path is to handle the event."""
    first = PlatformEvent.objects.select_related("connection", "connection__customer").filter(pk=event_id).first()
    if first is None or first.status != EventStatus.RECEIVED or first.topic not in ORDER_TOPICS:
        return set()
    connection = first.connection
    if connection.mode == ConnectionMode.FULFILLMENT_SERVICE:
        return set()
    try:
        with transaction.atomic():
            events = list(
                PlatformEvent.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(connection=connection, status=EventStatus.RECEIVED, topic__in=ORDER_TOPICS, pk__gte=event_id)
                .order_by("id")[:BATCH]
            )
            outcomes = _outcomes(connection, events)
            now = timezone.now()
            for event in events:
                outcome = outcomes[event.pk]
                event.status, event.result, event.error = outcome.status, outcome.result[:MAX_RESULT], ""
                event.attempts += 1
                event.processed_at = now
            PlatformEvent.objects.bulk_update(events, ["status", "result", "error", "attempts", "processed_at"])
    except Exception:  # noqa: BLE001 - rolled back whole: the one-by-one path records what fails
        logger.exception("batch of platform events from %s failed; processing them one by one", event_id)
        return set()
    if events:
        failed = [e for e in events if e.status == EventStatus.FAILED]
        last = failed[-1] if failed else events[-1]
        connection_health(connection, last.status, last.result)
    return {event.pk for event in events}


def _outcomes(connection, events) -> dict[int, Outcome]:
    outcomes, parsed = {}, []
    for event in events:
        try:
            parsed.append((event, shopify_order(json.loads(bytes(event.body)))))
        except (ValueError, UnicodeDecodeError) as exc:  # NotAnOrder is a ValueError, so is bad JSON
            text = str(exc) if isinstance(exc, NotAnOrder) else "The body is not JSON."
            outcomes[event.pk] = Outcome(EventStatus.FAILED, text)
    results = orders_in(connection, [order for _e, order in parsed], integration_actor_of(connection))
    outcomes.update({event.pk: outcome for (event, _o), outcome in zip(parsed, results, strict=True)})
    return outcomes
