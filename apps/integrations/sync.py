"""The reconciliation poll: what webhooks missed (Shopify gives up on a receiver after its retries,
and a delivery can be lost) is fetched from the shop and goes the webhooks' way in.

Each run asks for the orders updated since the connection's cursor minus an overlap (so an order
updated while the last run paged is not skipped), page by page, and hands each page to the same
import as a webhook (``inbox.orders_in``: ``order_in`` set-based, a fixed number of queries a page):
the (connection, Shopify order id) link makes webhook, poll and re-run converge on one order. The
first run starts at the connection's import start (or now, for a connection made without one), and
only open, unfulfilled orders come in, into Confirming — old orders are never shipped by surprise.
The cursor moves to the newest update seen once the run has finished; a run that fails keeps the
old cursor, so the next one asks again (idempotent)."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from apps.core.actors import integration_actor

from .choices import ConnectionMode, ConnectionStatus, EventStatus, ImportAction, Platform
from .errors import SecretsUnavailable
from .inbox import orders_in
from .models import Connection, SyncRun
from .rules import PlatformLine, PlatformOrder
from .shopify.client import ShopifyClient, ShopifyError, ShopifyOrder
from .tokens import connection_token

logger = logging.getLogger(__name__)
OVERLAP = datetime.timedelta(minutes=5)
MAX_PAGES = 1000  # 10,000 orders a run at 10 a page; the rest waits for the next run
MAX_NOTES = 20


def _numeric(gid: str) -> str:
    """Shopify's GraphQL id (gid://shopify/Order/5500000001) as the webhooks' numeric id."""
    return (gid or "").rsplit("/", 1)[-1]


def platform_order(order: ShopifyOrder) -> PlatformOrder:
    """A polled order in the same terms as a webhook's (``rules.shopify_order``)."""
    address = order.shipping_address
    name = " ".join(p for p in (address.first_name, address.last_name) if p) if address else ""
    recipient = {
        "name": (name or (address.name if address else ""))[:255],
        "company": address.company if address else "",
        "phone": address.phone if address else "",
        "email": order.email or "",
        "address1": address.address1 if address else "",
        "address2": address.address2 if address else "",
        "city": address.city if address else "",
        "state": (address.province_code or address.province) if address else "",
        "postal_code": address.zip if address else "",
        "country": address.country_code if address else "",
    }
    lines = [
        PlatformLine(
            line_id=_numeric(item.id),
            sku=item.sku,
            variant_id=_numeric(item.variant_id),
            quantity=item.quantity,
            title=item.title,
        )
        for item in order.line_items
    ]
    fulfilled = order.fulfillment_status.upper() in {"FULFILLED", "PARTIALLY_FULFILLED", "RESTOCKED"}
    return PlatformOrder(
        order_id=_numeric(order.id),
        name=order.name,
        created_at=order.created_at,
        recipient=recipient,
        lines=lines,
        financial_status=order.financial_status.lower(),
        fulfillment_status="fulfilled" if fulfilled else "",
        cancelled=order.cancelled_at is not None,
        updated_at=order.updated_at,
    )


def client_for(connection: Connection) -> ShopifyClient:
    """The connection's client, its token renewed first when it is about to expire (tokens.py)."""
    return ShopifyClient(
        shop=connection.shop_domain,
        access_token=connection_token(connection),
        api_base=connection.api_base or None,
    )


def _start(connection: Connection) -> datetime.datetime:
    if connection.sync_cursor:
        return datetime.datetime.fromisoformat(connection.sync_cursor) - OVERLAP
    day = connection.import_since or timezone.localdate(connection.created_at)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def connection_sync(*, connection: Connection, client: ShopifyClient | None = None, on_page=None) -> SyncRun:
    """Poll the shop once (see the module). Returns the run with its counts; a shop that refuses
    (a revoked token) marks the connection as needing attention. ``on_page(run)`` is called after
    each page (a job's progress)."""
    if connection.platform != Platform.SHOPIFY:
        raise ValueError("Only Shopify connections are polled yet.")
    since = _start(connection)
    run = SyncRun.objects.create(connection=connection, since=since)
    own = client is None
    actor = integration_actor(
        platform=connection.get_platform_display(), name=connection.display_name, customer=connection.customer
    )
    newest, after = None, None
    try:
        client = client or client_for(connection)  # a missing token or lost keys end the run below
        for _page in range(MAX_PAGES):
            page = client.orders_updated_since(since, after=after)
            whole = []
            for order in page.orders:
                run.fetched += 1
                newest = max(newest, order.updated_at) if newest else order.updated_at
                if order.lines_truncated:
                    run.failed += 1
                    _note(run, order.name, "more lines than one page holds; import it by hand")
                    continue
                whole.append(order)
            # The page in one go (a fixed number of queries a page), each order as a webhook's.
            results = orders_in(connection, [platform_order(order) for order in whole], actor)
            for order, (status, result, action) in zip(whole, results, strict=True):
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
            if not page.has_next:
                break
            after = page.end_cursor
    except (ShopifyError, SecretsUnavailable) as exc:
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
        if own and client is not None:
            client.close()
    run.finished_at = timezone.now()
    run.save()
    return run


def _note(run: SyncRun, name: str, why: str) -> None:
    if len(run.notes) < MAX_NOTES:
        run.notes.append({"order": name, "why": why[:300]})


def connections_sync() -> int:
    """The beat job: poll every active Shopify connection that has a token and syncs orders (a
    fulfillment-service one is asked for its requests instead: fulfillment_service.py). How many
    were polled."""
    polled = 0
    connections = Connection.objects.filter(platform=Platform.SHOPIFY, status=ConnectionStatus.ACTIVE).exclude(
        mode=ConnectionMode.FULFILLMENT_SERVICE
    )
    for connection in connections.select_related("customer", "default_warehouse"):
        try:  # one shop's trouble never stops the others' poll
            if connection.credentials().get("access_token"):
                connection_sync(connection=connection)
                polled += 1
        except Exception:  # noqa: BLE001 - logged; the next beat runs it again
            logger.exception("sync of connection %s failed", connection.pk)
    return polled
