from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import View

from apps.catalog.models import Product
from apps.catalog.services import product_set_low_stock_threshold
from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.warehouses.selectors import customer_warehouses

from .exports import inventory_export_start
from .in_transit import in_transit_for
from .selectors import VIEWS, inventory_list, move_list, product_balances

# Where a move's cause can be opened in the portal, by reference type (apps above add theirs).
REFERENCE_ROUTES = {"order": "orders:detail", "inbound": "inbound:detail"}


def reference_url(move) -> str | None:
    route = REFERENCE_ROUTES.get(move.reference_type)
    if not route or not move.reference_id:
        return None
    try:
        return reverse(route, args=[move.reference_id])
    except NoReverseMatch:
        return None


def _filters(request) -> dict:
    view = request.GET.get("view", "all")
    return {
        "search": request.GET.get("q", "").strip(),
        "warehouse": request.GET.get("warehouse", ""),
        "view": view if view in VIEWS else "all",
    }


class InventoryListView(CustomerRequiredMixin, View):
    """Inventory → list per SKU × warehouse; tabs All / Sold out / Low stock; export."""

    def get(self, request):
        customer = request.user.customer
        filters = _filters(request)
        page = inventory_list(customer=customer, after=request.GET.get("after"), **filters)
        transit = in_transit_for(customer=customer, product_ids=[b.product_id for b in page.rows])
        for b in page.rows:
            b.in_transit = transit.get((b.product_id, b.warehouse_id), 0)
        params = request.GET.copy()
        params.pop("after", None)
        return render(
            request,
            "inventory/inventory_list.html",
            {
                "page": page,
                "filters": filters,
                "views": VIEWS.items(),
                "warehouses": customer_warehouses(customer=customer),
                "base_query": params.urlencode(),
            },
        )


class InventoryExportView(CustomerRequiredMixin, View):
    def post(self, request):
        job = inventory_export_start(actor=request.user, filters=_filters(request))
        if not job.is_finished:
            messages.info(request, f"Exporting {job.total} rows; the file will be in the download centre.")
        return redirect("documents:job", pk=job.pk)


class SkuMovementsView(CustomerRequiredMixin, View):
    """A SKU's stock per warehouse and every move of it, newest first, with its cause."""

    page_size = 50

    def get(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        before = request.GET.get("before")
        moves = list(
            move_list(product=product, before_id=int(before) if str(before).isdecimal() else None)[: self.page_size + 1]
        )
        more = len(moves) > self.page_size
        moves = moves[: self.page_size]
        return render(
            request,
            "inventory/sku_movements.html",
            {
                "product": product,
                "balances": product_balances(product=product),
                "moves": [(m, reference_url(m)) for m in moves],
                "next_before": moves[-1].pk if more else None,
            },
        )


class LowStockThresholdView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        try:
            product = product_set_low_stock_threshold(
                actor=request.user, product=product, threshold=request.POST.get("threshold", "")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            if product.low_stock_threshold is None:
                messages.success(request, f"No low-stock warning for {product.sku} any more.")
            else:
                messages.success(
                    request, f"{product.sku} shows as low stock at {product.low_stock_threshold} available or fewer."
                )
        return redirect("inventory:sku-movements", pk=product.pk)
