"""Reads of stock: the inventory list (keyset-paged, no COUNT), a SKU's moves, the ledger."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from apps.catalog.selectors import product_search_q

from .models import StockBalance, StockMove

VIEWS = {"all": "All", "sold_out": "Sold out", "low_stock": "Low stock"}


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    cursor: str | None


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str | None) -> list | None:
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError):
        return None
    return values if isinstance(values, list) and len(values) == 2 else None


def balance_queryset(
    *, customer=None, search: str = "", warehouse: str = "", view: str = "all", sku: str = ""
) -> QuerySet[StockBalance]:
    """Balances with their product and warehouse, filtered as the pages and the API ask.
    ``customer=None`` only in staff code (outside the scope)."""
    qs = StockBalance.objects.select_related("product", "warehouse").annotate(
        available_qty=F("on_hand") - F("allocated")
    )
    qs = qs.filter(customer=customer) if customer is not None else qs.select_related("customer")
    if search:
        qs = qs.filter(product_search_q(search, path="product__"))
    if sku:
        qs = qs.filter(product__sku__iexact=sku)
    if warehouse:
        qs = qs.filter(warehouse__code__iexact=warehouse)
    if view == "sold_out":
        qs = qs.filter(on_hand__lte=F("allocated"))
    elif view == "low_stock":
        qs = qs.filter(
            product__low_stock_threshold__isnull=False, on_hand__lte=F("allocated") + F("product__low_stock_threshold")
        )
    return qs


def inventory_list(
    *,
    customer=None,
    search: str = "",
    warehouse: str = "",
    view: str = "all",
    after: str | None = None,
    limit: int = 50,
) -> Page:
    """One page of the inventory list ordered by SKU, paged by key (SKU, id): no COUNT(*), and
    the same few queries whatever the size of the table."""
    qs = balance_queryset(customer=customer, search=search, warehouse=warehouse, view=view)
    if customer is not None:
        qs = qs.filter(product__customer=customer)  # lets PostgreSQL walk the (customer, sku) index
    position = decode_cursor(after)
    if position:
        sku, pk = position
        qs = qs.filter(product__sku__gte=sku).filter(Q(product__sku__gt=sku) | Q(product__sku=sku, pk__gt=pk))
    rows = list(qs.order_by("product__sku", "pk")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].product.sku, rows[-1].pk])
    return Page(rows=rows, next_cursor=next_cursor, cursor=after)


def product_balances(*, product) -> QuerySet[StockBalance]:
    return StockBalance.objects.filter(product=product).select_related("warehouse").order_by("warehouse__code")


def move_list(
    *, customer=None, product=None, sku: str = "", warehouse: str = "", kind: str = "", before_id: int | None = None
) -> QuerySet[StockMove]:
    """The ledger, newest first, with what each row renders."""
    qs = StockMove.objects.select_related("product", "warehouse", "bin", "actor")
    qs = qs.filter(customer=customer) if customer is not None else qs.select_related("customer")
    if product is not None:
        qs = qs.filter(product=product)
    if sku:
        qs = qs.filter(product__sku__iexact=sku)
    if warehouse:
        qs = qs.filter(warehouse__code__iexact=warehouse)
    if kind:
        qs = qs.filter(kind=kind)
    if before_id:
        qs = qs.filter(pk__lt=before_id)
    return qs.order_by("-pk")


def available_stock(*, customer, warehouse_ids, product_ids=None) -> dict[tuple[int, int], int]:
    """{(product id, warehouse id): on_hand − allocated} of the customer's balances with units
    available in these warehouses, in one query. ``product_ids=None`` reads every product (for
    callers naming more products than a query should list)."""
    qs = StockBalance.objects.filter(
        customer=customer, warehouse_id__in=list(warehouse_ids), on_hand__gt=F("allocated")
    )
    if product_ids is not None:
        qs = qs.filter(product_id__in=list(product_ids))
    rows = qs.order_by().values_list("product_id", "warehouse_id", "on_hand", "allocated")
    return {(p, w): on_hand - allocated for p, w, on_hand, allocated in rows}
