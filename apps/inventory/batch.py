"""Stock for many lines at once: a batch of orders' allocations in one statement, planned
against balances locked in the ledger's order. The single-line services (``services``) and these
write through the same PostgreSQL statement (``post_allocations``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from .choices import MoveKind
from .errors import InsufficientStock, InvalidMove
from .models import StockBalance
from .services import (
    EFFECTS,
    MAX_QUANTITY,
    post_allocations,
    shortage_message,
    stock_allocate,
    stock_increased,
    stock_release,
)


@dataclass(frozen=True)
class Line:
    """One line of a batch allocation: so many units of a product in a warehouse, for a cause."""

    product: object
    warehouse: object
    quantity: int
    reference_type: str = ""
    reference_id: str = ""
    reference: str = ""


def stock_levels_lock(*, pairs) -> dict[tuple[int, int], tuple[int, int]]:
    """(on hand, allocated) of each (product id, warehouse id), the balance rows locked in the
    ledger's lock order (product, then warehouse) for the rest of the transaction — for a caller
    that plans many allocations at once and must not be raced between its plan and its write."""
    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    products, warehouses = {p for p, _w in pairs}, {w for _p, w in pairs}
    rows = (
        StockBalance.objects.select_for_update(of=("self",))
        .filter(product_id__in=products, warehouse_id__in=warehouses)
        .order_by("product_id", "warehouse_id")
        .values_list("product_id", "warehouse_id", "on_hand", "allocated")
    )
    return {(p, w): (on_hand, allocated) for p, w, on_hand, allocated in rows if (p, w) in pairs}


def stock_allocate_lines(*, actor, lines: list[Line], kind: str = MoveKind.ALLOCATE) -> int:
    """Allocate (or release) many lines at once — the set a batch of orders needs — in one
    statement on PostgreSQL. All or nothing: a line the stock cannot take refuses the batch with
    ``InsufficientStock`` and nothing is written. The number of moves written."""
    if kind not in (MoveKind.ALLOCATE, MoveKind.RELEASE):
        raise InvalidMove("Only allocations and releases are posted in batches.")
    if not lines:
        return 0
    for line in lines:
        if (
            not isinstance(line.quantity, int)
            or isinstance(line.quantity, bool)
            or not 0 < line.quantity <= MAX_QUANTITY
        ):
            raise InvalidMove(f"The quantity must be a whole number from 1 to {MAX_QUANTITY:,}.")
    sign = EFFECTS[kind].allocated
    rows = [
        {
            "customer_id": line.product.customer_id,
            "product_id": line.product.pk,
            "warehouse_id": line.warehouse.pk,
            "kind": kind,
            "quantity": line.quantity,
            "on_hand_delta": 0,
            "allocated_delta": sign * line.quantity,
            "damaged_delta": 0,
            "reason": "",
            "reference_type": line.reference_type,
            "reference_id": str(line.reference_id or ""),
            "reference": line.reference,
            "actor_id": getattr(actor, "pk", None),
        }
        for line in lines
    ]
    if connection.vendor == "postgresql":
        if post_allocations(rows) is None:
            raise InsufficientStock(_first_shortage(kind, lines))
        if kind == MoveKind.RELEASE:
            stock_increased(lines[0].product.customer_id)
        return len(rows)
    with transaction.atomic():  # SQLite: line by line through the ORM path, all or nothing
        post = stock_allocate if kind == MoveKind.ALLOCATE else stock_release
        for line in sorted(lines, key=lambda x: (x.product.pk, x.warehouse.pk)):
            post(
                actor=actor,
                product=line.product,
                warehouse=line.warehouse,
                quantity=line.quantity,
                reference_type=line.reference_type,
                reference_id=line.reference_id,
                reference=line.reference,
            )
    return len(rows)


def _first_shortage(kind, lines: list[Line]) -> str:
    """The sentence for the first balance (in lock order) that could not take its lines."""
    wanted: dict[tuple[int, int], int] = {}
    for line in lines:
        key = (line.product.pk, line.warehouse.pk)
        wanted[key] = wanted.get(key, 0) + line.quantity
    levels = stock_levels_read(pairs=wanted)
    sign = EFFECTS[kind].allocated
    for key in sorted(wanted):
        on_hand, allocated = levels.get(key, (0, 0))
        if not (on_hand >= allocated + sign * wanted[key] and allocated + sign * wanted[key] >= 0):
            line = next(x for x in lines if (x.product.pk, x.warehouse.pk) == key)
            return shortage_message(kind, line.product.sku, line.warehouse.code, on_hand, allocated, wanted[key])
    return "The stock changed while the lines were allocated; try again."


def stock_levels_read(*, pairs) -> dict[tuple[int, int], tuple[int, int]]:
    pairs = set(pairs)
    rows = StockBalance.objects.filter(
        product_id__in={p for p, _w in pairs}, warehouse_id__in={w for _p, w in pairs}
    ).values_list("product_id", "warehouse_id", "on_hand", "allocated")
    return {(p, w): (on_hand, allocated) for p, w, on_hand, allocated in rows if (p, w) in pairs}
