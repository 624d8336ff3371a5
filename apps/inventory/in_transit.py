"""Quantities on their way to a warehouse, from apps above inventory (inbound registers here at
start-up), so the inventory pages can show them without importing those apps."""

from collections.abc import Callable, Iterable

_sources: list[Callable] = []


def register(source: Callable) -> None:
    """``source(customer, product_ids) -> {(product_id, warehouse_id): units}``."""
    if source not in _sources:
        _sources.append(source)


def in_transit_for(*, customer, product_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    ids = list(set(product_ids))
    totals: dict[tuple[int, int], int] = {}
    if not ids:
        return totals
    for source in _sources:
        for key, units in source(customer, ids).items():
            totals[key] = totals.get(key, 0) + units
    return totals
