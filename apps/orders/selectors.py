"""Reads of orders: the filtered lists (portal, staff, API, exports), tab counts, one order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connections
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.identifiers import ORDER_NUMBER_RE

from .choices import TABS, OrderSource, OrderStatus
from .models import Order, OrderEvent, OrderLine

TAB_COUNT_CAP = 1000


@dataclass
class OrderFilters:
    status: str = ""
    search: str = ""
    created_from: date | None = None
    created_to: date | None = None
    created_after: datetime | None = None  # an instant (API): created at or after it
    created_before: datetime | None = None  # an instant (API): created before it
    updated_since: datetime | None = None
    warehouse: str = ""  # code
    channel: str = ""  # code
    source: str = ""
    country: str = ""
    sku: str = ""
    external_ref: str = ""
    abnormal_code: str = ""
    customer: str = ""  # customer code, staff lists only

    def active(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__ if name != "status")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_q(text: str) -> Q:
    """Order number, external reference or tracking number (exact), or recipient name (contains)."""
    text = text.strip()
    if ORDER_NUMBER_RE.match(text.upper()):
        return Q(number=text.upper())
    return (
        Q(external_ref=text)
        | Q(tracking_number=text)
        | Q(recipient_name__icontains=text)
        | Q(recipient_email__iexact=text)
    )


def order_filter(qs: QuerySet[Order], filters: OrderFilters, *, customer=None) -> QuerySet[Order]:
    """Every filter of the order lists, applied once for the portal, staff, the API and exports."""
    if filters.status in OrderStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.search:
        qs = qs.filter(search_q(filters.search))
    if filters.created_from:
        qs = qs.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        qs = qs.filter(created_at__lt=_day_start(filters.created_to) + timezone.timedelta(days=1))
    if filters.created_after:
        qs = qs.filter(created_at__gte=filters.created_after)
    if filters.created_before:
        qs = qs.filter(created_at__lt=filters.created_before)
    if filters.updated_since:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    if filters.warehouse:
        qs = qs.filter(warehouse__code__iexact=filters.warehouse)
    if filters.channel:
        qs = qs.filter(channel__code__iexact=filters.channel)
    if filters.source in OrderSource.values:
        qs = qs.filter(source=filters.source)
    if filters.country:
        qs = qs.filter(country=filters.country.upper())
    if filters.external_ref:
        qs = qs.filter(external_ref=filters.external_ref)
    if filters.abnormal_code:
        qs = qs.filter(abnormal_code=filters.abnormal_code)
    if filters.customer:
        qs = qs.filter(customer__code__iexact=filters.customer)
    if filters.sku:
        # The SKU's products first (the catalog's lower(sku) index), then their lines: one join
        # through products per order would probe every order's lines.
        products = Product.objects.annotate(key=Lower("sku")).filter(key=filters.sku.strip().lower())
        if customer is not None:
            products = products.filter(customer=customer)
        ids = list(products.values_list("pk", flat=True)[:1000])
        qs = qs.filter(Exists(OrderLine.objects.filter(order=OuterRef("pk"), product_id__in=ids)))
    return qs


def order_list(*, customer=None, filters: OrderFilters | None = None) -> QuerySet[Order]:
    """Orders newest first with what a list row shows; ``customer=None`` only in staff code."""
    qs = Order.objects.all() if customer is None else Order.objects.filter(customer=customer)
    qs = order_filter(qs, filters or OrderFilters(), customer=customer)
    qs = qs.select_related("warehouse", "channel__carrier")
    if customer is None:
        qs = qs.select_related("customer")
    return qs.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.select_related("product")))


def order_page_key(filters: OrderFilters | None) -> str | None:
    """The column the lists page by before id: ``created_at`` while a date range is on, so the
    (customer, created_at, id) and (created_at, id) indexes read the range's newest rows first at
    any depth (by id, the planner walks every newer order to find them); None: by id alone."""
    if filters is not None and (
        filters.created_from or filters.created_to or filters.created_after or filters.created_before
    ):
        return "created_at"
    return None


def tab_counts(*, customer=None, filters: OrderFilters | None = None, cap: int = TAB_COUNT_CAP) -> dict | None:
    """{status: (count, capped)} for the list tabs plus "all": each count stops at ``cap`` so a
    tab never scans a million rows (one bounded subquery per tab, all in one query). None while
    a filter other than the tab is on: a LIMIT caps the rows counted, not the rows a selective
    filter reads."""
    if filters is not None and filters.active():
        return None
    base = Order.objects.all() if customer is None else Order.objects.filter(customer=customer)
    base = order_filter(base, OrderFilters(**{**(filters or OrderFilters()).__dict__, "status": ""}), customer=customer)
    # One round trip for all the tabs: SELECT (SELECT COUNT(*) FROM (… LIMIT cap+1)), … — each
    # count is the ORM's own bounded subquery, so each still stops at the cap.
    keys, parts, params = [], [], []
    for status in (*TABS, ""):
        qs = base.filter(status=status) if status else base
        bounded = qs.order_by().values("pk")[: cap + 1]
        sql, part_params = bounded.query.get_compiler(using=bounded.db).as_sql()
        keys.append(status or "all")
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS tab{len(parts)})")  # noqa: S608 - ORM SQL, values as params
        params.extend(part_params)
    with connections[base.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {key: (min(n, cap), n > cap) for key, n in zip(keys, row, strict=True)}


def order_detail(*, pk: int) -> Order:
    return (
        Order.objects.select_related("warehouse", "channel__carrier", "customer", "created_by", "copied_from")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


def abnormal_count(*, customer) -> int:
    return Order.objects.filter(customer=customer, status=OrderStatus.ABNORMAL).order_by()[:TAB_COUNT_CAP].count()


def abnormal_queue(*, cap: int = TAB_COUNT_CAP) -> list[dict]:
    """Staff: Abnormal orders grouped by reason, with the customers affected (bounded)."""
    from django.db.models import Count

    rows = (
        Order.objects.filter(status=OrderStatus.ABNORMAL)
        .values("abnormal_code")
        .annotate(orders=Count("id"), customers=Count("customer", distinct=True))
        .order_by("-orders")
    )
    return list(rows[:50])
