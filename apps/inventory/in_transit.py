"""Quantities on their way to a warehouse, for the inventory pages. The documents that announce
them (inbound reservations, above inventory) write them through stock_in_transit_set; this module
only reads, so inventory never imports those apps."""

from collections.abc import Iterable

from django.db.models import Sum

from .models import StockInTransit


def in_transit_for(*, customer, product_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """(product id, warehouse id) → units in transit, in one query."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    qs = StockInTransit.objects.filter(product_id__in=ids)
    if customer is not None:
        qs = qs.filter(customer=customer)
    rows = qs.values_list("product_id", "warehouse_id").annotate(units=Sum("quantity")).order_by()
    return {(product_id, warehouse_id): units for product_id, warehouse_id, units in rows if units}
