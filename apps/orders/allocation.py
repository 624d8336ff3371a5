"""Which warehouse an order ships from when it names none (the intake asks once per batch).

A minimal stand-in: every order gets the first warehouse of the customer's logistics plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apps.warehouses.selectors import customer_warehouses

if TYPE_CHECKING:
    from apps.warehouses.models import Warehouse


@dataclass(frozen=True)
class AllocationRequest:
    country: str  # ISO alpha-2 destination country
    lines: tuple[tuple[int, int], ...]  # (product_id, quantity)


@dataclass(frozen=True)
class Allocation:
    warehouse: Warehouse | None  # None: the customer may use no warehouse at all
    rule: str  # machine word: "default_in_stock" | "nearest_in_stock" | "default_short" | "none"
    reason: str  # a sentence for the order timeline


def allocate_warehouses(*, customer, requests: Sequence[AllocationRequest]) -> list[Allocation]:
    """One Allocation per request, in order, in a fixed number of queries."""
    if not requests:
        return []
    first = customer_warehouses(customer=customer).first()
    if first is None:
        answer = Allocation(None, "none", "The logistics plan has no warehouse.")
    else:
        answer = Allocation(first, "default_short", f"Warehouse {first.code} chosen: the first of the logistics plan.")
    return [answer] * len(requests)
