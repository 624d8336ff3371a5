"""The reconciliation poll: what webhooks missed (Shopify gives up on a receiver after its retries,
WooCommerce never retries and disables a failing webhook, eBay has none to rely on) is fetched from
the shop and goes the webhooks' way in.

Each run asks the connection's adapter (adapters.py) for the orders updated since the connection's
cursor minus an overlap (so an order updated while the last run paged is not skipped), page by
page, and hands each page to the same import as a webhook (``inbox.orders_in``: ``order_in``
set-based, a fixed number of queries a page): the (connection, platform order id) link makes
webhook, poll and re-run converge on one order. The first run starts at the connection's import
start (or now, for a connection made without one), and only open, unfulfilled orders come in,
into Confirming — old orders are never shipped by surprise. The adapter's checks run first (what
they found or fixed goes on the connection's card). The cursor moves to the newest update seen
once the run has finished; a run that fails keeps the old cursor, so the next one asks again
(idempotent)."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from apps.core.actors import integration_actor

from .adapters import adapter_for
from .choices import BUILT, ConnectionMode, ConnectionStatus, EventStatus, ImportAction
from .errors import SecretsUnavailable
from .inbox import orders_in
from .models import Connection, SyncRun
from .platforms import Adapter, PlatformError

logger = logging.getLogger(__name__)
OVERLAP = datetime.timedelta(minutes=5)
MAX_PAGES = 1000  # 10,000 orders a run at 10 a page; the rest waits for the next run
MAX_NOTES = 20


def _start(connection: Connection) -> datetime.datetime:
    if connection.sync_cursor:
        return datetime.datetime.fromisoformat(connection.sync_cursor) - OVERLAP
    day = connection.import_since or timezone.localdate(connection.created_at)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def connection_sync(*, connection: Connection, adapter: Adapter | None = None, on_page=None) -> SyncRun:
    """Poll the shop once (see the module). Returns the run with its counts; a shop that refuses
    (a revoked token) marks the connection as needing attention. ``on_page(run)`` is called after
    each page (a job's progress)."""
    since = _start(connection)
    run = SyncRun.objects.create(connection=connection, since=since)
    own = adapter is None
    actor = integration_actor(
        platform=connection.get_platform_display(), name=connection.display_name, customer=connection.customer
    )
    newest, after = None, None
    try:
        adapter = adapter or adapter_for(connection)
        note = adapter.poll_checks()
        if note:
            now = timezone.now()
            Connection.objects.filter(pk=connection.pk).update(health_note=note[:500], health_note_at=now)
            connection.health_note, connection.health_note_at = note[:500], now
        for _page in range(MAX_PAGES):
            page = adapter.orders_page(since, after)
            for name, why in page.skipped:
                run.fetched += 1
                run.failed += 1
                _note(run, name, why)
            moments = [o.updated_at for o in page.orders if o.updated_at] + ([page.newest] if page.newest else [])
            if moments:
                newest = max([newest, *moments]) if newest else max(moments)
            run.fetched += len(page.orders)
            # The page in one go (a fixed number of queries a page), each order as a webhook's.
            results = orders_in(connection, page.orders, actor)
            for order, (status, result, action) in zip(page.orders, results, strict=True):
                if action == ImportAction.CREATED:
                    run.created += 1
                elif action:
                    run.updated += 1
                elif status == EventStatus.FAILED:
                    run.failed += 1
                    _note(run, order.name, result)
                else:
                    run.skipped += 1
            if on_page is not None:
                on_page(run)
            if page.next_after is None:
                break
            after = page.next_after
    except (PlatformError, SecretsUnavailable) as exc:
        run.error = getattr(exc, "message", str(exc))[:500]
        if not getattr(exc, "retryable", False):
            Connection.objects.filter(pk=connection.pk).update(
                status=ConnectionStatus.NEEDS_ATTENTION, status_reason=run.error[:300]
            )
        Connection.objects.filter(pk=connection.pk).update(last_error_at=timezone.now(), last_error=run.error)
    else:
        changes = {"last_success_at": timezone.now()}
        if newest is not None:
            changes["sync_cursor"] = newest.isoformat()
        elif not connection.sync_cursor:
            changes["sync_cursor"] = since.isoformat()
        Connection.objects.filter(pk=connection.pk).update(**changes)
    finally:
        if own and adapter is not None:
            adapter.close()
    run.finished_at = timezone.now()
    run.save()
    return run


def _note(run: SyncRun, name: str, why: str) -> None:
    if len(run.notes) < MAX_NOTES:
        run.notes.append({"order": name, "why": why[:300]})


def connections_sync() -> int:
    """The beat job: poll every active connection of a built platform that has its credentials
    and syncs orders (a Shopify fulfillment-service one is asked for its requests instead:
    fulfillment_service.py). How many were polled."""
    polled = 0
    connections = Connection.objects.filter(platform__in=BUILT, status=ConnectionStatus.ACTIVE).exclude(
        mode=ConnectionMode.FULFILLMENT_SERVICE
    )
    for connection in connections.select_related("customer", "default_warehouse"):
        try:  # one shop's trouble never stops the others' poll
            if any(connection.credentials().values()):
                connection_sync(connection=connection)
                polled += 1
        except Exception:  # noqa: BLE001 - logged; the next beat runs it again
            logger.exception("sync of connection %s failed", connection.pk)
    return polled
