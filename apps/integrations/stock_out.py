"""Stock out (optional per connection): the available quantity of every mapped SKU is set on one
location of the shop (WooCommerce: as each product's or variation's stock quantity,
woocommerce/stock.py), so the shop does not sell what we cannot ship.

- Which stock: on hand − allocated in the connection's default warehouse (or, without one, summed
  over the warehouses of the customer's plan). A mapped SKU without a balance row has 0 available
  and is sent as 0.
- When: an incremental push after stock changes — the beat looks every minute for stock moves past
  the connection's cursor (the newest StockMove id the last push covered) and pushes at most once a
  minute per connection, so a receiving session of many moves makes one push; and a full pass of
  every mapped SKU each night (and when the seller turns it on), which also repairs drift on the
  shop. Moves that commit late with a lower id are caught by looking back `OVERLAP` as well.
- What: incremental pushes send only what differs from the quantity the shop last took
  (`SkuMapping.stock_sent`): running it twice sends nothing the second time. Batches of at most 250
  quantities; each carries an idempotency key made from the connection, location, cursor and its
  contents, so a retry of the same push is answered by Shopify without being applied twice.
- Errors: a quantity the shop refuses (an item not stocked at the location) is reported and the rest
  of its batch sent again without it; throttling is waited out by the client, and a push the shop
  still refuses keeps the cursor, so the next minute tries again. The connection keeps the time of
  the last push and its error for the seller to see.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.core.errors import ValidationFailed
from apps.core.outbox import outbox_emit
from apps.inventory.models import StockMove
from apps.inventory.selectors import available_stock
from apps.warehouses.selectors import customer_warehouses

from .choices import ConnectionStatus, Platform
from .errors import SecretsUnavailable
from .models import Connection, SkuMapping
from .platforms import PlatformError
from .shopify.client import ShopifyClient, ShopifyError
from .shopify.inventory import MAX_QUANTITIES, Quantity, locations, set_available, variant_gid, variant_items
from .tokens import client_for
from .woocommerce.adapter import client_of as woo_client_of
from .woocommerce.stock import items_where, stock_set

logger = logging.getLogger(__name__)
OVERLAP = datetime.timedelta(minutes=5)
MIN_INTERVAL = datetime.timedelta(minutes=1)  # incremental pushes per connection, at most
MAX_NOTES = 20
RETRY_KEY = "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"
STOCK_PLATFORMS = (Platform.SHOPIFY, Platform.WOOCOMMERCE)
# WooCommerce keeps one stock quantity per product: no location to choose.
WOO_LOCATION = ("store", "the store (each product's stock quantity)")


@dataclass
class StockPushResult:
    sent: int = 0  # quantities the shop took
    unchanged: int = 0  # mapped SKUs whose quantity the shop has already
    skipped: int = 0  # mapped SKUs without an inventory item to set (no variant, deleted, not tracked)
    errors: int = 0  # quantities the shop refused, or left unsent when the push stopped
    calls: int = 0  # inventorySetQuantities calls
    notes: list[str] = field(default_factory=list)
    error: str = ""  # why the push stopped, when it did


def stock_warehouse_ids(connection: Connection) -> list[int]:
    if connection.default_warehouse_id:
        return [connection.default_warehouse_id]
    return list(customer_warehouses(customer=connection.customer).values_list("pk", flat=True))


# --- Turning it on and off ---------------------------------------------------------------------


def location_choose(shop_locations, warehouse=None):
    """The location to set stock on: the active one named like the warehouse (a fulfillment
    service's location carries its name), else the only active one, else the first active one
    that fulfils online orders. None when the shop has no active location."""
    active = [loc for loc in shop_locations if loc.active]
    if warehouse is not None:
        names = {warehouse.name.strip().lower(), warehouse.code.strip().lower()}
        named = [loc for loc in active if loc.name.strip().lower() in names]
        if named:
            return named[0]
    online = [loc for loc in active if loc.fulfills_online_orders]
    return (active if len(active) == 1 else online or active or [None])[0]


def stock_sync_enable(*, actor, connection: Connection, client: ShopifyClient | None = None) -> Connection:
    """Send stock levels to the shop from now on: find the location to set them on (a clear
    refusal, nothing changed, when the shop cannot say), then queue a full push."""
    if connection.platform not in STOCK_PLATFORMS:
        raise ValidationFailed(
            f"{connection.get_platform_display()} connections cannot take stock levels yet.", code="platform_not_built"
        )
    if connection.status == ConnectionStatus.DISCONNECTED:
        raise ValidationFailed("This connection is disconnected.", code="connection_disconnected")
    if connection.platform == Platform.WOOCOMMERCE:
        return _stock_on(actor, connection, *WOO_LOCATION)
    own = client is None
    try:
        client = client or client_for(connection)
        found = location_choose(locations(client), connection.default_warehouse)
    except (ShopifyError, SecretsUnavailable) as exc:
        why = getattr(exc, "message", str(exc))
        raise ValidationFailed(f"Could not read the shop's locations: {why}", code="locations_unavailable") from exc
    finally:
        if own and client is not None:
            client.close()
    if found is None:
        raise ValidationFailed("The shop has no active location to set stock on.", code="no_location")
    return _stock_on(actor, connection, found.id, found.name)


def _stock_on(actor, connection: Connection, location_id: str, location_name: str) -> Connection:
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(
            stock_sync=True, stock_location_id=location_id, stock_location_name=location_name[:255], stock_error=""
        )
        outbox_emit(
            kind="integrations.stock_out",
            task="integrations.stock_out",
            payload={"connection_id": connection.pk, "full": True, "customer_id": connection.customer_id},
            key=f"integrations.stock_out:{connection.pk}:full",
        )
    connection.stock_sync, connection.stock_location_id = True, location_id
    connection.stock_location_name = location_name[:255]
    logger.info("stock out on for connection %s (location %s) by %s", connection.pk, location_id, actor)
    return connection


def stock_sync_disable(*, actor, connection: Connection) -> Connection:
    """Stop sending stock levels. The shop keeps the last ones; the next enable sends all again."""
    Connection.objects.filter(pk=connection.pk).update(stock_sync=False)
    SkuMapping.objects.filter(connection=connection).update(stock_sent=None)
    connection.stock_sync = False
    return connection


# --- Pushing -----------------------------------------------------------------------------------


def stock_push_due() -> list[tuple[int, int]]:
    """(connection id, customer id) of the active connections sending stock with moves to push:
    past their cursor, or in the look-back after their last push, or items never sent."""
    due = []
    active = Connection.objects.filter(platform__in=STOCK_PLATFORMS, status=ConnectionStatus.ACTIVE, stock_sync=True)
    for c in active:
        moves = StockMove.objects.filter(customer_id=c.customer_id)
        recent = Q(pk__gt=c.stock_cursor)
        if c.stock_pushed_at:
            recent |= Q(created_at__gte=c.stock_pushed_at - OVERLAP)
        unsent = SkuMapping.objects.filter(connection=c, product__isnull=False, stock_sent__isnull=True)
        if moves.filter(recent).exists() or unsent.exists():
            due.append((c.pk, c.customer_id))
    return due


def stock_push_claim(*, connection_id: int, full: bool = False) -> bool:
    """Claim the push of this connection: an incremental one at most once a `MIN_INTERVAL` (the
    claim is one guarded UPDATE, so two workers never both win); a full pass always."""
    now = timezone.now()
    rows = Connection.objects.filter(pk=connection_id, stock_sync=True)
    if not full:
        rows = rows.filter(Q(stock_pushed_at__isnull=True) | Q(stock_pushed_at__lte=now - MIN_INTERVAL))
    return rows.update(stock_pushed_at=now) == 1


def stock_push(*, connection: Connection, full: bool = False, client: ShopifyClient | None = None) -> StockPushResult:
    """Push the connection's stock to its shop once (see the module); what it did."""
    result = StockPushResult()
    connection.refresh_from_db()
    if not connection.stock_sync or not connection.stock_location_id:
        result.notes.append("Stock levels are not sent for this connection.")
        return result
    started = timezone.now()
    high = StockMove.objects.filter(customer_id=connection.customer_id).aggregate(top=Max("pk"))["top"] or 0
    mappings = _candidates(connection, full=full, high=high, started=started)
    if connection.platform == Platform.WOOCOMMERCE:
        return _push_woo(connection, mappings, result, full=full, high=high, started=started, client=client)
    own = client is None
    stopped, total = False, 0
    try:
        client = client or client_for(connection)
        _resolve_items(client, mappings, result)
        wanted = _wanted(connection, [m for m in mappings if m.inventory_item_id], result, full=full)
        items = sorted(wanted)
        total = len(items)
        for start in range(0, len(items), MAX_QUANTITIES):
            batch = [(item, *wanted[item]) for item in items[start : start + MAX_QUANTITIES]]
            _send(client, connection, batch, result, salt=f"{high}:{'full:' + started.isoformat() if full else ''}")
    except (ShopifyError, SecretsUnavailable) as exc:
        stopped = True
        result.error = getattr(exc, "message", str(exc))[:500]
        result.errors += max(0, total - result.sent - result.errors)  # what the push did not get to
        if not getattr(exc, "retryable", False):  # a refused token: a person must act, as for the poll
            Connection.objects.filter(pk=connection.pk).update(
                status=ConnectionStatus.NEEDS_ATTENTION, status_reason=result.error[:300]
            )
    finally:
        if own and client is not None:
            client.close()
    return _pushed(connection, result, started=started, high=high, stopped=stopped)


def _pushed(connection: Connection, result: StockPushResult, *, started, high: int, stopped: bool) -> StockPushResult:
    changes = {"stock_pushed_at": started, "stock_error": result.error or "; ".join(result.notes)[:500]}
    if not stopped:
        changes["stock_cursor"] = max(high, connection.stock_cursor)
    Connection.objects.filter(pk=connection.pk).update(**changes)
    return result


def _wanted(connection: Connection, sendable: list[SkuMapping], result: StockPushResult, *, full: bool) -> dict:
    """{item: (available units, [its mappings])} of the items whose quantity the shop should take
    (all of them on a full pass; else those that differ from what it took last)."""
    stock = available_stock(
        customer=connection.customer,
        warehouse_ids=stock_warehouse_ids(connection),
        product_ids={m.product_id for m in sendable},
    )
    per_product: dict[int, int] = {}
    for (product_id, _warehouse_id), units in stock.items():
        per_product[product_id] = per_product.get(product_id, 0) + units
    wanted: dict[str, tuple[int, list[SkuMapping]]] = {}
    for mapping in sendable:
        units = per_product.get(mapping.product_id, 0)
        if not full and mapping.stock_sent == units:
            result.unchanged += 1
            continue
        _units, group = wanted.setdefault(mapping.inventory_item_id, (units, []))
        group.append(mapping)
    return wanted


def _push_woo(connection, mappings, result: StockPushResult, *, full: bool, high: int, started, client=None):
    """WooCommerce's push: where each item sits is asked once (woocommerce/stock.py), then each
    item's stock quantity is set, 100 a call; refusals are reported, the rest goes."""
    own, stopped, total = client is None, False, 0
    try:
        client = client or woo_client_of(connection)
        missing = [m for m in mappings if not m.inventory_item_id]
        where = items_where(client, [m.variant_id for m in missing if m.variant_id]) if missing else {}
        resolved = []
        for mapping in missing:
            mapping.inventory_item_id = where.get(mapping.variant_id, "")
            if mapping.inventory_item_id:
                resolved.append(mapping)
            else:
                result.skipped += 1
                _note(result, f"{mapping.platform_sku or mapping.title}: the store has no such product or variation")
        SkuMapping.objects.bulk_update(resolved, ["inventory_item_id"])
        wanted = _wanted(connection, [m for m in mappings if m.inventory_item_id], result, full=full)
        total = len(wanted)
        done, refused, result.calls = stock_set(client, {item: units for item, (units, _g) in wanted.items()})
        for text in refused:
            _note(result, f"WooCommerce refused {text}")
        sent = []
        for item in done:
            units, group = wanted[item]
            for mapping in group:
                mapping.stock_sent = units
                sent.append(mapping)
        SkuMapping.objects.bulk_update(sent, ["stock_sent"])
        result.sent, result.errors = len(done), len(refused)
    except (PlatformError, SecretsUnavailable) as exc:
        stopped = True
        result.error = getattr(exc, "message", str(exc))[:500]
        result.errors += max(0, total - result.sent - result.errors)
        if not getattr(exc, "retryable", False):
            Connection.objects.filter(pk=connection.pk).update(
                status=ConnectionStatus.NEEDS_ATTENTION, status_reason=result.error[:300]
            )
    finally:
        if own and client is not None:
            client.close()
    return _pushed(connection, result, started=started, high=high, stopped=stopped)


def _candidates(connection: Connection, *, full: bool, high: int, started) -> list[SkuMapping]:
    mapped = SkuMapping.objects.filter(connection=connection, product__isnull=False).order_by("pk")
    if full:
        return list(mapped)
    moved = StockMove.objects.filter(customer_id=connection.customer_id, pk__lte=high).filter(
        Q(pk__gt=connection.stock_cursor) | Q(created_at__gte=(connection.stock_pushed_at or started) - OVERLAP)
    )
    moved = moved.filter(warehouse_id__in=stock_warehouse_ids(connection)).values("product_id")
    return list(mapped.filter(Q(product_id__in=moved) | Q(stock_sent__isnull=True)))


def _resolve_items(client: ShopifyClient, mappings: list[SkuMapping], result: StockPushResult) -> None:
    """Fill in the inventory item of the mappings that lack one, from their variants (one call a
    250); the ones the shop cannot set are skipped, with a note."""
    missing = [m for m in mappings if not m.inventory_item_id]
    for mapping in [m for m in missing if not m.variant_id]:
        result.skipped += 1
        _note(result, f"{mapping.platform_sku or mapping.title}: no variant id to find its inventory item")
    looked_up = [m for m in missing if m.variant_id]
    found = variant_items(client, [m.variant_id for m in looked_up]) if looked_up else {}
    resolved = []
    for mapping in looked_up:
        item = found.get(variant_gid(mapping.variant_id))
        if item is None or not item.tracked:
            result.skipped += 1
            why = "the shop has no such variant" if item is None else "the shop does not track its inventory"
            _note(result, f"{mapping.platform_sku or mapping.variant_id}: {why}")
            continue
        mapping.inventory_item_id = item.inventory_item_id
        resolved.append(mapping)
    SkuMapping.objects.bulk_update(resolved, ["inventory_item_id"])


def push_key(connection: Connection, batch: list[Quantity], salt: str) -> str:
    """The same connection, location, cursor and contents give the same key (a retry); any
    other push another one."""
    text = "|".join(
        [str(connection.pk), connection.stock_location_id, salt]
        + [f"{q.inventory_item_id}={q.quantity}" for q in batch]
    )
    return str(uuid.UUID(hashlib.sha256(text.encode()).hexdigest()[:32]))


def _send(client, connection: Connection, batch, result: StockPushResult, *, salt: str) -> None:
    """One call for the batch; refused quantities are reported and the others sent again once."""
    quantities = [Quantity(inventory_item_id=item, quantity=units) for item, units, _group in batch]
    for attempt in range(2):
        key = push_key(connection, quantities, salt + ("" if attempt == 0 else ":again"))
        answer = set_available(client, location_id=connection.stock_location_id, quantities=quantities, key=key)
        result.calls += 1
        if not answer.errors:
            break
        if attempt == 0 and all(e.code == RETRY_KEY for e in answer.errors):
            continue  # this key failed before (an earlier push): the same contents under a new key
        refused = {e.index for e in answer.errors if e.index is not None}
        for error in answer.errors:
            where = f"{quantities[error.index].inventory_item_id}: " if error.index is not None else ""
            _note(result, f"Shopify refused {where}{error.message}")
        if not refused or attempt == 1:  # nothing to tell apart, or refused again: none of the batch went
            result.errors += len(quantities)
            return
        result.errors += len(refused)
        batch = [entry for position, entry in enumerate(batch) if position not in refused]
        quantities = [q for position, q in enumerate(quantities) if position not in refused]
        if not quantities:
            return
    sent = []
    for _item, units, group in batch:
        for mapping in group:
            mapping.stock_sent = units
            sent.append(mapping)
    SkuMapping.objects.bulk_update(sent, ["stock_sent"])
    result.sent += len(quantities)


def _note(result: StockPushResult, text: str) -> None:
    if len(result.notes) < MAX_NOTES:
        result.notes.append(text[:300])
