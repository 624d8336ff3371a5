"""The transactional outbox (DESIGN §3, STYLE rule 9).

A service whose change must set off work elsewhere (a higher app's task, another process) calls
``outbox_emit`` inside its own transaction: the message row commits or rolls back with the change.
After commit the message is sent to Celery by task name — so a lower app never imports the app
whose task it names — and marked published once the broker (or, in eager mode, the task run
in-process) took it. Whatever was not published is sent again by ``outbox_sweep`` (Celery beat)
after a grace period, so the receiving tasks must be idempotent: a message may arrive twice, never
zero times.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# Give up on the broker quickly: the sweep sends the message again later, and an after-commit
# publish should not keep a request waiting while the broker is away.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


class _Publish:
    """The after-commit callback of one message; it carries its key so that a transaction that
    emits the same key again finds it waiting and writes no second row."""

    def __init__(self, message_id: int, key: str):
        self.message_id, self.key = message_id, key

    def __call__(self) -> None:
        message = OutboxMessage.objects.filter(pk=self.message_id, published_at__isnull=True).first()
        if message is not None:
            with contextlib.suppress(BrokerAway):  # logged; the sweep sends it once the broker is back
                outbox_send(message)


def _waiting(key: str) -> bool:
    return any(isinstance(entry[1], _Publish) and entry[1].key == key for entry in connection.run_on_commit)


def outbox_emit(*, kind: str, task: str, payload: dict, key: str) -> OutboxMessage | None:
    """Write a message in the caller's transaction and publish it after commit. A second message
    with the same key in the same transaction adds nothing (many stock moves of one customer in a
    receiving session make one retry); returns the new row, or None when it coalesced."""
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_emit must run inside the transaction of the change it announces")
    if _waiting(key):
        return None
    message = OutboxMessage.objects.create(kind=kind, task=task, payload=payload, key=key[:120])
    transaction.on_commit(_Publish(message.pk, message.key))
    return message


def _registered(name: str) -> bool:
    """Whether this process knows the task. Nothing here imports the app that owns it, so let
    Celery's autodiscovery import every app's tasks module the first time a name is missing."""
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return name in current_app.tasks


class BrokerAway(Exception):
    """The broker did not take a message: later ones would fail the same way."""


def outbox_send(message: OutboxMessage) -> bool | None:
    """Hand the message to Celery by its task name and record the outcome on the row; None when
    another publisher claimed it first. A task known to this process goes through its own
    apply_async (eager mode runs it here and now)."""
    # Claim the row by its attempt count, so an after-commit publish and a sweep (or two sweeps)
    # racing for one message send it once; a process dying after the claim leaves it to the sweep.
    claimed = OutboxMessage.objects.filter(pk=message.pk, published_at__isnull=True, attempts=message.attempts).update(
        attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    try:
        if not _registered(message.task) and current_app.conf.task_always_eager:
            raise LookupError(f"no task named {message.task}")  # eager mode has no worker to ask
        current_app.signature(message.task, kwargs=message.payload).apply_async(retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as exc:  # noqa: BLE001 - any failure leaves the row for the sweep
        logger.warning("outbox message %s (%s) not published: %s", message.pk, message.task, exc)
        OutboxMessage.objects.filter(pk=message.pk).update(last_error=f"{type(exc).__name__}: {exc}"[:300])
        if isinstance(exc, OperationalError | OSError):
            raise BrokerAway from exc
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(published_at=timezone.now(), last_error="")
    return True


def outbox_sweep(*, grace_seconds: int | None = None, limit: int = 500) -> dict:
    """Send again the messages still unpublished after the grace period (oldest first), stopping
    when the broker is still away; then forget published messages older than OUTBOX_KEEP_DAYS.
    Safe to run twice: a published message is never sent again by the sweep."""
    grace = settings.OUTBOX_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    sent = failed = 0
    waiting = OutboxMessage.objects.filter(published_at__isnull=True, created_at__lte=cutoff).order_by("id")[:limit]
    for message in list(waiting):
        try:
            outcome = outbox_send(message)
        except BrokerAway:
            failed += 1
            break
        sent += outcome is True
        failed += outcome is False  # the task itself failed (eager mode): the next message may not
    purged, _ = OutboxMessage.objects.filter(
        published_at__lt=timezone.now() - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    ).delete()
    return {"sent": sent, "failed": failed, "purged": purged}
