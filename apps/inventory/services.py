"""The stock ledger. Every change of stock is a StockMove written in the same transaction as the
guarded UPDATE of its balance (STYLE rules 6 and 7): the UPDATE only matches when the result keeps
available = on_hand − allocated at or above zero, so concurrent callers can never oversell, and
the database's check constraints stand behind it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.db.models.functions import Now
from django.utils import timezone

from apps.core.outbox import outbox_emit

from .choices import MoveKind
from .errors import InsufficientStock, InvalidMove, ReasonRequired
from .models import BinStock, StockBalance, StockInTransit, StockMove


@dataclass(frozen=True)
class Effect:
    on_hand: int
    allocated: int
    damaged: int
    bin: int


MAX_QUANTITY = 10_000_000

# What one unit of each kind does (adjust takes its sign from the quantity).
EFFECTS = {
    MoveKind.RECEIVE: Effect(1, 0, 0, 1),
    MoveKind.GAIN: Effect(1, 0, 0, 1),
    MoveKind.DAMAGE: Effect(-1, 0, 1, -1),
    MoveKind.ALLOCATE: Effect(0, 1, 0, 0),
    MoveKind.RELEASE: Effect(0, -1, 0, 0),
    MoveKind.SHIP: Effect(-1, -1, 0, -1),
    MoveKind.ADJUST: Effect(1, 0, 0, 1),
}


def shortage_message(kind, sku: str, warehouse_code: str, on_hand: int, allocated: int, quantity: int) -> str:
    """The sentence for a move the stock cannot take (the one wording, whoever checks)."""
    where = f"{sku} in {warehouse_code}"
    if kind == MoveKind.RELEASE or (kind == MoveKind.SHIP and allocated < quantity):
        return f"Only {allocated} of {where} are allocated; cannot {kind} {quantity}."
    return (
        f"Only {on_hand - allocated} of {where} are available ({on_hand} on hand, {allocated} allocated); "
        f"cannot {kind} {quantity}."
    )


def describe_shortage(kind, product, warehouse, quantity, bin=None) -> str:
    balance = StockBalance.objects.filter(product=product, warehouse=warehouse).first()
    on_hand, allocated = (balance.on_hand, balance.allocated) if balance else (0, 0)
    return shortage_message(kind, product.sku, warehouse.code, on_hand, allocated, quantity)


# The orders app retries the customer's orders that were Abnormal for insufficient stock when the
# available stock grows. Inventory sits below orders, so it names the task, imports nothing of it.
RETRY_AFTER_STOCK = "orders.retry_after_stock"


def stock_increased(customer_id: int) -> None:
    """Announce, in the caller's transaction, that the customer's available stock grew; many moves
    of one customer in one transaction (a receiving session, a seed) make one message."""
    outbox_emit(
        kind="stock_increased",
        task=RETRY_AFTER_STOCK,
        payload={"customer_id": customer_id},
        key=f"stock_increased:{customer_id}",
    )


def _post(*, kind: str, product, quantity: int, **fields) -> StockMove:
    effect = EFFECTS[kind]
    whole = isinstance(quantity, int) and not isinstance(quantity, bool)  # else _post_move refuses it
    frees = whole and (quantity if kind == MoveKind.ADJUST else effect.on_hand * quantity) > effect.allocated * quantity
    if not frees:
        return _post_move(kind=kind, product=product, quantity=quantity, **fields)
    with transaction.atomic():  # the move and its message commit together, or neither does
        move = _post_move(kind=kind, product=product, quantity=quantity, **fields)
        stock_increased(product.customer_id)
        return move


def _post_move(
    *,
    kind: str,
    actor,
    product,
    warehouse,
    quantity: int,
    bin=None,
    reason: str = "",
    reference_type: str = "",
    reference_id: str = "",
    reference: str = "",
    idempotency_key: str | None = None,
) -> StockMove:
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise InvalidMove("The quantity must be a whole number.")
    if abs(quantity) > MAX_QUANTITY:
        raise InvalidMove(f"At most {MAX_QUANTITY:,} units in one move.")
    if kind == MoveKind.ADJUST:
        if quantity == 0:
            raise InvalidMove("An adjustment of 0 changes nothing.")
        if not reason.strip():
            raise ReasonRequired(
                "Give a reason for the adjustment (it is kept in the audit trail).", extra={"reason": ["is required"]}
            )
    elif quantity <= 0:
        raise InvalidMove("The quantity must be more than 0.")
    if bin is not None and bin.warehouse_id != warehouse.pk:
        raise InvalidMove(f"Bin {bin.code} is not in warehouse {warehouse.code}.")
    effect = EFFECTS[kind]
    d_on_hand, d_allocated, d_damaged = (
        effect.on_hand * quantity,
        effect.allocated * quantity,
        effect.damaged * quantity,
    )
    if kind == MoveKind.ADJUST:
        d_on_hand = quantity
    d_bin = (d_on_hand if kind == MoveKind.ADJUST else effect.bin * quantity) if bin is not None else 0
    fields = {
        "customer_id": product.customer_id,
        "product_id": product.pk,
        "warehouse_id": warehouse.pk,
        "kind": kind,
        "quantity": quantity,
        "on_hand_delta": d_on_hand,
        "allocated_delta": d_allocated,
        "damaged_delta": d_damaged,
        "reason": reason.strip(),
        "reference_type": reference_type,
        "reference_id": str(reference_id or ""),
        "reference": reference,
        "actor_id": getattr(actor, "pk", None),
    }
    if d_on_hand == 0 and d_damaged == 0 and bin is None and not idempotency_key and connection.vendor == "postgresql":
        return _post_allocation_fast(fields, product, warehouse, quantity)
    if idempotency_key:
        existing = StockMove.objects.filter(customer_id=product.customer_id, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing  # posted before: posting it again changes nothing

    try:
        with transaction.atomic():
            move = StockMove.objects.create(
                customer_id=product.customer_id,
                product=product,
                warehouse=warehouse,
                bin=bin,
                kind=kind,
                quantity=quantity,
                on_hand_delta=d_on_hand,
                allocated_delta=d_allocated,
                damaged_delta=d_damaged,
                reason=reason.strip(),
                reference_type=reference_type,
                reference_id=str(reference_id or ""),
                reference=reference,
                actor=actor if getattr(actor, "pk", None) else None,
                idempotency_key=idempotency_key,
            )
            if d_on_hand > 0:  # stock may arrive for the first time: make sure the row exists
                StockBalance.objects.bulk_create(
                    [StockBalance(customer_id=product.customer_id, product=product, warehouse=warehouse)],
                    ignore_conflicts=True,
                )
            updated = StockBalance.objects.filter(
                product=product,
                warehouse=warehouse,
                on_hand__gte=F("allocated") + (d_allocated - d_on_hand),
                allocated__gte=-d_allocated,
                damaged__gte=-d_damaged,
            ).update(
                on_hand=F("on_hand") + d_on_hand,
                allocated=F("allocated") + d_allocated,
                damaged=F("damaged") + d_damaged,
                updated_at=Now(),
            )
            if not updated:
                raise InsufficientStock(describe_shortage(kind, product, warehouse, quantity, bin))
            if d_bin:
                _move_bin(product=product, bin=bin, delta=d_bin)
            elif d_on_hand < 0:
                _check_loose(product=product, warehouse=warehouse)
            return move
    except IntegrityError:
        if idempotency_key:
            existing = StockMove.objects.filter(
                customer_id=product.customer_id, idempotency_key=idempotency_key
            ).first()
            if existing is not None:
                return existing  # a concurrent caller posted the same move first
        raise


def _check_loose(*, product, warehouse) -> None:
    """Units leaving without a bin must come from stock not put away: bins never hold more than
    is on hand."""
    on_hand = (
        StockBalance.objects.filter(product=product, warehouse=warehouse).values_list("on_hand", flat=True).first()
    )
    binned = BinStock.objects.filter(product=product, bin__warehouse=warehouse).aggregate(total=Sum("quantity"))[
        "total"
    ]
    if binned and binned > (on_hand or 0):
        raise InvalidMove(f"{product.sku} in {warehouse.code} is shelved in bins: name the bin the units come from.")


# Allocate or release many (product, warehouse) lines in one statement: each balance's guarded
# UPDATE (by its lines' sum) and a ledger row per line, written only for the balances the guard
# let through. The one PostgreSQL write path for allocations (a single line is a list of one).
_ALLOCATE_SQL = """
WITH wanted (ord, customer_id, product_id, warehouse_id, kind, quantity, d_allocated, reason, reference_type,
             reference_id, reference, actor_id) AS (VALUES {rows}),
sums AS (
    SELECT product_id::bigint AS product_id, warehouse_id::bigint AS warehouse_id, SUM(d_allocated::integer) AS d
      FROM wanted GROUP BY 1, 2
),
locked AS (
    SELECT sb.id, sums.d, sb.on_hand >= sb.allocated + sums.d AND sb.allocated + sums.d >= 0 AS fits
      FROM inventory_stockbalance sb
      JOIN sums ON sb.product_id = sums.product_id AND sb.warehouse_id = sums.warehouse_id
     ORDER BY sb.product_id, sb.warehouse_id
       FOR UPDATE OF sb
),
ok AS (
    SELECT COUNT(*) FILTER (WHERE fits) = (SELECT COUNT(*) FROM sums) AS all_fit FROM locked
),
guarded AS (
    UPDATE inventory_stockbalance sb
       SET allocated = sb.allocated + locked.d, updated_at = NOW()
      FROM locked, ok
     WHERE sb.id = locked.id AND ok.all_fit
       AND sb.on_hand >= sb.allocated + locked.d AND sb.allocated + locked.d >= 0
 RETURNING sb.id
)
INSERT INTO inventory_stockmove (customer_id, product_id, warehouse_id, bin_id, kind, quantity, on_hand_delta,
       allocated_delta, damaged_delta, reason, reference_type, reference_id, reference, actor_id,
       idempotency_key, created_at)
SELECT w.customer_id::bigint, w.product_id::bigint, w.warehouse_id::bigint, NULL, w.kind, w.quantity::integer, 0,
       w.d_allocated::integer, 0, w.reason, w.reference_type, w.reference_id, w.reference, w.actor_id::bigint, NULL,
       %s
  FROM wanted w
 WHERE (SELECT COUNT(*) FROM guarded) = (SELECT COUNT(*) FROM sums)
 ORDER BY w.ord
RETURNING id
"""

ALLOCATION_FIELDS = (
    "customer_id",
    "product_id",
    "warehouse_id",
    "kind",
    "quantity",
    "allocated_delta",
    "reason",
    "reference_type",
    "reference_id",
    "reference",
    "actor_id",
)


def allocations_statement(rows: list[dict]) -> tuple[str, list]:
    """The SQL text and parameters that allocate or release ``rows`` (see ``post_allocations``)."""
    values = ", ".join(["(" + ", ".join(["%s"] * (len(ALLOCATION_FIELDS) + 1)) + ")"] * len(rows))
    params: list = []
    for ord_, row in enumerate(rows):
        params += [ord_, *(row[name] for name in ALLOCATION_FIELDS)]
    return _ALLOCATE_SQL.format(rows=values), [*params, timezone.now()]


def post_allocations(rows: list[dict]) -> list[int] | None:
    """Allocate or release many lines (StockMove fields) on PostgreSQL in one statement: every
    balance they touch is locked in the ledger's order (product, then warehouse), checked by
    the sum of its lines, and only when all of them fit are the balances updated and a move
    written per line. The one PostgreSQL write path of allocations (one line is a list of one).
    The new move ids in row order, or None when a balance could not take its lines (nothing
    written, nothing to undo: no savepoint needed)."""
    sql, params = allocations_statement(rows)
    with connection.cursor() as cursor:  # one statement: atomic on its own, or part of the caller's transaction
        cursor.execute(sql, params)
        ids = [row_id for (row_id,) in cursor.fetchall()]
    return ids or None


def _post_allocation_fast(fields: dict, product, warehouse, quantity: int) -> StockMove:
    """Allocate or release one line on PostgreSQL in one statement, so the row lock is held for
    the shortest time."""
    ids = post_allocations([fields])
    if ids is None:
        raise InsufficientStock(describe_shortage(fields["kind"], product, warehouse, quantity, None))
    return StockMove(pk=ids[0], **fields)


def _move_bin(*, product, bin, delta: int) -> None:
    if delta > 0:
        BinStock.objects.bulk_create(
            [BinStock(customer_id=product.customer_id, product=product, bin=bin)], ignore_conflicts=True
        )
    updated = BinStock.objects.filter(product=product, bin=bin, quantity__gte=-delta).update(
        quantity=F("quantity") + delta
    )
    if not updated:
        held = BinStock.objects.filter(product=product, bin=bin).values_list("quantity", flat=True).first() or 0
        raise InsufficientStock(f"Bin {bin.code} holds {held} of {product.sku}; cannot take {-delta}.")


def stock_receive(*, actor, product, warehouse, quantity: int, bin=None, **ref) -> StockMove:
    """Goods arrived and were counted in (into a bin when put away at once)."""
    return _post(
        kind=MoveKind.RECEIVE, actor=actor, product=product, warehouse=warehouse, quantity=quantity, bin=bin, **ref
    )


def stock_record_damage(*, actor, product, warehouse, quantity: int, bin=None, **ref) -> StockMove:
    """Units found damaged leave the sellable stock and are held apart as damaged."""
    return _post(
        kind=MoveKind.DAMAGE, actor=actor, product=product, warehouse=warehouse, quantity=quantity, bin=bin, **ref
    )


def stock_record_gain(*, actor, product, warehouse, quantity: int, bin=None, **ref) -> StockMove:
    """More units were found than expected."""
    return _post(
        kind=MoveKind.GAIN, actor=actor, product=product, warehouse=warehouse, quantity=quantity, bin=bin, **ref
    )


def stock_allocate(*, actor, product, warehouse, quantity: int, **ref) -> StockMove:
    """Reserve units for an order; refused (InsufficientStock) when fewer are available."""
    return _post(kind=MoveKind.ALLOCATE, actor=actor, product=product, warehouse=warehouse, quantity=quantity, **ref)


def stock_release(*, actor, product, warehouse, quantity: int, **ref) -> StockMove:
    """Give allocated units back (an order was cancelled or changed)."""
    return _post(kind=MoveKind.RELEASE, actor=actor, product=product, warehouse=warehouse, quantity=quantity, **ref)


def stock_ship(*, actor, product, warehouse, quantity: int, bin=None, **ref) -> StockMove:
    """Allocated units left the warehouse."""
    return _post(
        kind=MoveKind.SHIP, actor=actor, product=product, warehouse=warehouse, quantity=quantity, bin=bin, **ref
    )


def stock_adjust(*, actor, product, warehouse, quantity: int, reason: str, bin=None, **ref) -> StockMove:
    """Staff correct the stock (signed quantity) and must say why; never below what is allocated."""
    return _post(
        kind=MoveKind.ADJUST,
        actor=actor,
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        bin=bin,
        reason=reason,
        **ref,
    )


def stock_put_away(
    *, actor, product, warehouse, bin, quantity: int, idempotency_key: str | None = None, **ref
) -> StockMove:
    """Shelve received units into a bin: the balance stays, the bin gains. Only units on hand
    that are not in a bin yet can be put away. The same idempotency key twice shelves once."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise InvalidMove("The quantity must be more than 0.")
    if bin.warehouse_id != warehouse.pk:
        raise InvalidMove(f"Bin {bin.code} is not in warehouse {warehouse.code}.")
    if idempotency_key:
        existing = StockMove.objects.filter(customer_id=product.customer_id, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            balance = StockBalance.objects.select_for_update().filter(product=product, warehouse=warehouse).first()
            binned = BinStock.objects.filter(product=product, bin__warehouse=warehouse).aggregate(total=Sum("quantity"))
            loose = (balance.on_hand if balance else 0) - (binned["total"] or 0)
            if quantity > loose:
                raise InsufficientStock(
                    f"Only {max(loose, 0)} units of {product.sku} in {warehouse.code} are waiting "
                    f"to be put away; cannot shelve {quantity}."
                )
            move = StockMove.objects.create(
                customer_id=product.customer_id,
                product=product,
                warehouse=warehouse,
                bin=bin,
                kind=MoveKind.PUTAWAY,
                quantity=quantity,
                actor=actor if getattr(actor, "pk", None) else None,
                reference_type=ref.get("reference_type", ""),
                reference_id=str(ref.get("reference_id", "")),
                reference=ref.get("reference", ""),
                idempotency_key=idempotency_key,
            )
            _move_bin(product=product, bin=bin, delta=quantity)
            return move
    except IntegrityError:
        existing = (
            StockMove.objects.filter(customer_id=product.customer_id, idempotency_key=idempotency_key).first()
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return existing


def stock_balances_ensure(*, customer, pairs) -> None:
    """Make sure a balance row exists for each (product, warehouse), e.g. for goods in transit."""
    StockBalance.objects.bulk_create(
        [StockBalance(customer_id=customer.pk, product=product, warehouse=warehouse) for product, warehouse in pairs],
        ignore_conflicts=True,
    )


def stock_in_transit_set(*, customer, reference_type: str, reference_id: str, quantities) -> None:
    """Say how many units a document (an inbound reservation) has on their way: ``quantities`` is
    ``[(product, warehouse, units), …]`` and replaces what the document said before; an empty list
    clears it (received, cancelled). Setting the same figures twice changes nothing."""
    totals: dict[tuple, int] = {}
    for product, warehouse, units in quantities:
        if units > 0:
            totals[(product, warehouse)] = totals.get((product, warehouse), 0) + int(units)
    with transaction.atomic():
        StockInTransit.objects.filter(
            customer_id=customer.pk, reference_type=reference_type, reference_id=str(reference_id)
        ).delete()
        StockInTransit.objects.bulk_create(
            [
                StockInTransit(
                    customer_id=customer.pk,
                    product=product,
                    warehouse=warehouse,
                    reference_type=reference_type,
                    reference_id=str(reference_id),
                    quantity=units,
                )
                for (product, warehouse), units in totals.items()
            ]
        )
        stock_balances_ensure(customer=customer, pairs=list(totals))  # the inventory page lists them
