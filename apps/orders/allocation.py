"""Which warehouse ships an order that arrives without one (every shop order does).

The rule, for each request (a destination country and its lines), read by customers on their
Integration → Warehouses & allocation page (``RULE``):

1. the customer's default warehouse, when it has every line available;
2. otherwise the allowed warehouse that has every line available and is nearest to the
   destination country by the warehouses' zone tables (lowest rank; a country a warehouse does not
   list ranks after every listed one; ties go to a warehouse in the destination country, then
   by code);
3. otherwise the default anyway: submitting the order then makes it Abnormal
   (``INSUFFICIENT_STOCK``) until stock arrives, as for any order.

An order is never split across warehouses. A customer whose plan has no warehouse gets none.
The default is the warehouse sales marked in the logistics plan or, when none is marked, the
first of the customer's warehouses by code.

Available means ``on_hand − allocated`` now. The requests of one call are judged in order, each
drawing down the units the earlier ones were given, so one batch never counts the same units
twice; nothing is reserved here (submitting allocates). Three queries whatever the number of
requests (one when the customer has no warehouse).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apps.inventory.selectors import available_stock
from apps.warehouses.selectors import customer_warehouse_list, no_warehouse_problem, zone_ranks

if TYPE_CHECKING:
    from apps.warehouses.models import Warehouse

# Above this many distinct products, read all of the customer's available balances in its
# warehouses instead of listing the products in the query (parameter limits of the databases).
LISTED_PRODUCTS_MAX = 500
UNRANKED = 10**6

RULE: tuple[str, ...] = (
    "An order that arrives without a warehouse (as every shop order does) ships from your default "
    "warehouse when it has every line in stock.",
    "Otherwise it ships from the warehouse of your plan that has every line in stock and is nearest "
    "to the destination country, by our zone table for each warehouse (a warehouse with no zone for "
    "the country comes after those with one; among equals, one in the destination country first, "
    "then by code).",
    "When no warehouse of yours has every line in stock, the order stays with your default warehouse "
    "and waits as Abnormal (insufficient stock) once submitted; it is retried by itself when stock "
    "arrives.",
    "An order is never split across warehouses. Your default is the warehouse we mark in your "
    "logistics plan or, when none is marked, the first of your warehouses by code.",
)


@dataclass(frozen=True)
class AllocationRequest:
    country: str  # ISO alpha-2 destination country
    lines: tuple[tuple[int, int], ...]  # (product_id, quantity)


@dataclass(frozen=True)
class Allocation:
    warehouse: Warehouse | None  # None: the customer may use no warehouse at all
    rule: str  # machine word: "default_in_stock" | "nearest_in_stock" | "default_short" | "none"
    reason: str  # a sentence for the order timeline, naming the warehouse and why


NO_WAREHOUSE = Allocation(
    warehouse=None,
    rule="none",
    reason=no_warehouse_problem().message,
)


def _needs(lines) -> Counter:
    needs: Counter = Counter()
    for product_id, quantity in lines:
        if quantity > 0:
            needs[product_id] += quantity
    return needs


def allocate_warehouses(*, customer, requests: Sequence[AllocationRequest]) -> list[Allocation]:
    """One Allocation per request, in the same order, by the rule in this module's docstring.
    Runs inside the customer's scope (or a staff scope): it reads the customer's stock balances."""
    if not requests:
        return []
    warehouses = list(customer_warehouse_list(customer=customer))
    if not warehouses:
        return [NO_WAREHOUSE] * len(requests)
    default = next(w for w in warehouses if w.is_default)
    default_words = "your default warehouse"
    if not default.default_marked:
        default_words += " (none is marked, so the first of yours by code)"

    wanted = [(req.country.strip().upper(), _needs(req.lines)) for req in requests]
    countries = {country for country, _ in wanted}
    products = {p for _, needs in wanted for p in needs}
    ids = [w.pk for w in warehouses]
    ranks = zone_ranks(warehouse_ids=ids, countries=countries)
    remaining = available_stock(
        customer=customer, warehouse_ids=ids, product_ids=products if len(products) <= LISTED_PRODUCTS_MAX else None
    )

    nearest_first: dict[str, list] = {}
    for country in countries:
        nearest_first[country] = sorted(
            (w for w in warehouses if w.pk != default.pk),
            key=lambda w, c=country: (ranks.get((w.pk, c), UNRANKED), w.country != c, w.code),
        )

    def has_all(warehouse, needs) -> bool:
        return all(remaining.get((p, warehouse.pk), 0) >= q for p, q in needs.items())

    def take(warehouse, needs) -> None:
        for p, q in needs.items():
            remaining[(p, warehouse.pk)] -= q

    result = []
    for country, needs in wanted:
        if has_all(default, needs):
            take(default, needs)
            result.append(
                Allocation(
                    warehouse=default,
                    rule="default_in_stock",
                    reason=f"Warehouse {default.code} chosen: it is {default_words} and has every line in stock.",
                )
            )
            continue
        chosen = next((w for w in nearest_first[country] if has_all(w, needs)), None)
        if chosen is not None:
            take(chosen, needs)
            rank = ranks.get((chosen.pk, country))
            why = f"zone rank {rank} for {country}" if rank else f"no zone ranks it for {country}"
            result.append(
                Allocation(
                    warehouse=chosen,
                    rule="nearest_in_stock",
                    reason=(
                        f"Warehouse {chosen.code} chosen: {default.code}, {default_words}, lacks stock for "
                        f"this order, and {chosen.code} is the nearest of your warehouses with every line "
                        f"in stock ({why})."
                    ),
                )
            )
            continue
        result.append(
            Allocation(
                warehouse=default,
                rule="default_short",
                reason=(
                    f"Warehouse {default.code} chosen as {default_words}: none of your warehouses has every "
                    "line in stock, so the order waits as Abnormal (insufficient stock) once submitted."
                ),
            )
        )
    return result
