"""Portal: Orders — the list with its status tabs, Create (with Auto-recognition, Add SKU and the
shipping-method quote), the order page with its timeline, and the actions on one or many orders."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from apps.catalog.selectors import product_list
from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.core.identifiers import order_number_problem
from apps.core.keyset import keyset_page
from apps.core.numbers import day_range
from apps.inventory.models import StockBalance
from apps.shipping.customer_quotes import customer_quote
from apps.shipping.selectors import customer_channels
from apps.warehouses.selectors import customer_warehouses

from .bulk import orders_cancel, orders_submit
from .choices import EDITABLE, STATUS_BADGES, SUBMITTABLE, TABS, AbnormalReason, OrderSource, OrderStatus
from .customs import customs_pdf, is_international
from .forms import CancelForm, FilterForm, OrderForm, filters_from, order_codes, read_lines, show_problems
from .intake import intake_resolve
from .models import Order
from .recognition import recognize_address
from .rules import recipient_of
from .selectors import order_detail, order_list, order_page_key, tab_counts
from .services import (
    order_cancel,
    order_copy,
    order_create,
    order_submit,
    order_update,
)

PAGE_SIZE = 50
MAX_BULK = 500


def get_order(number: str) -> Order:
    """The signed-in customer's order by its number (scoped: another customer's is a 404)."""
    if order_number_problem(number or ""):
        raise Http404("No such order.")
    return order_detail(pk=get_object_or_404(Order.objects.only("pk"), number=number).pk)


def back(request, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return redirect(fallback)


def _say(request, order: Order, done: str) -> None:
    if order.status == OrderStatus.ABNORMAL:
        messages.warning(request, f"Order {order.number} is Abnormal: {order.abnormal_message}")
    else:
        messages.success(request, done)


class OrderListView(CustomerRequiredMixin, View):
    template_name = "orders/order_list.html"

    def get(self, request):
        customer = request.user.customer
        form = FilterForm(request.GET)
        filters = filters_from(form)
        page = keyset_page(
            order_list(customer=customer, filters=filters),
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            size=PAGE_SIZE,
            by=order_page_key(filters),
        )
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "filters": filters,
                "page": page,
                "counts": tab_counts(customer=customer, filters=filters),
                "tabs": [(s.value, s.label) for s in TABS],
                "badges": STATUS_BADGES,
                "status": filters.status,
                "warehouses": customer_warehouses(customer=customer),
                "abnormal_reasons": AbnormalReason.choices,
                "query": request.GET.urlencode(),
            },
        )


class OrderBulkView(CustomerRequiredMixin, View):
    """Submit Shipment or Cancel for the ticked orders; each result is reported."""

    def post(self, request):
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdecimal()][:MAX_BULK]
        action = request.POST.get("action")
        orders = list(Order.objects.filter(customer=request.user.customer, pk__in=ids).order_by("id"))
        if not orders:
            messages.error(request, "Tick at least one order first.")
        elif action == "submit":
            result = orders_submit(actor=request.user, orders=orders)
            (messages.success if not result.failed else messages.warning)(request, result.summary("submitted"))
        elif action == "cancel":
            result = orders_cancel(actor=request.user, orders=orders, reason="Cancelled from the order list")
            (messages.success if not result.failed else messages.warning)(request, result.summary("cancelled"))
        else:
            messages.error(request, "Choose Submit Shipment or Cancel.")
        return back(request, "orders:list")


class OrderExportView(CustomerRequiredMixin, View):
    """Export the filtered orders (or the Shipping Waybill) to the download centre."""

    def post(self, request):
        from .exports import order_export_start

        kind = request.POST.get("kind", "orders")
        if kind not in ("orders", "waybill"):
            kind = "orders"
        filters = filters_from(FilterForm(request.POST))
        try:
            job = order_export_start(actor=request.user, filters=filters, kind=kind)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return back(request, "orders:list")
        messages.success(request, f"{job.title}: {job.message or 'being prepared'} — it is in the download centre.")
        return redirect("documents:job", pk=job.pk)


class _OrderFormMixin:
    template_name = "orders/order_form.html"

    def context(self, request, form, rows, order=None, problems=()):
        customer = request.user.customer
        code = str(form["channel"].value() or "").strip()
        chosen = customer_channels(customer=customer).filter(code__iexact=code).first() if code else None
        return {
            "form": form,
            "chosen_channel": chosen,
            "rows": rows or [["", ""]],
            "order": order,
            "problems": problems,
            "skus": product_list(customer=customer, status="active").values_list("sku", "name")[:2000],
            "urls": {
                "recognize": reverse("orders:recognize"),
                "sku": reverse("orders:sku-search"),
                "quote": reverse("orders:quote"),
            },
        }

    def save(self, request, form, rows, order=None):
        """Create or update, then submit when asked; re-render with every problem otherwise."""
        customer = request.user.customer
        if not form.is_valid():
            return render(request, self.template_name, self.context(request, form, rows, order), status=400)
        codes = order_codes(form, rows, source=OrderSource.MANUAL, editing=getattr(order, "pk", None))
        result = intake_resolve(customer=customer, orders=[codes])[0]
        if not result.ok:
            problems = show_problems(form, result.problems)
            return render(request, self.template_name, self.context(request, form, rows, order, problems), status=400)
        data = result.data
        submit = "submit" in request.POST
        try:
            if order is None:
                order = order_create(actor=request.user, data=data)
                done = f"Order {order.number} saved (Confirming)."
            else:
                order = order_update(actor=request.user, order=order, data=data)
                done = f"Order {order.number} saved."
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return render(request, self.template_name, self.context(request, form, rows, order), status=400)
        if submit:
            try:
                order = order_submit(actor=request.user, order=order)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("orders:detail", order.number)
            _say(
                request,
                order,
                f"Order {order.number} submitted: Pending Shipment. "
                f"{order.estimated_cost} {order.currency} is held until it ships.",
            )
        else:
            messages.success(request, done)
        return redirect("orders:detail", order.number)


class OrderCreateView(CustomerRequiredMixin, _OrderFormMixin, View):
    def get(self, request):
        form = OrderForm(warehouses=customer_warehouses(customer=request.user.customer))
        return render(request, self.template_name, self.context(request, form, None))

    def post(self, request):
        form = OrderForm(request.POST, warehouses=customer_warehouses(customer=request.user.customer))
        return self.save(request, form, read_lines(request.POST))


class OrderEditView(CustomerRequiredMixin, _OrderFormMixin, View):
    def _editable(self, request, order):
        if order.status not in EDITABLE:
            messages.error(
                request,
                f"Order {order.number} is {order.get_status_display()}: it can no longer be "
                "edited. Cancel it and create a new one (Copy does it quickly).",
            )
            return False
        return True

    def get(self, request, number):
        order = get_order(number)
        if not self._editable(request, order):
            return redirect("orders:detail", order.number)
        initial = {
            **recipient_of(order),
            "warehouse": order.warehouse.code,
            "external_ref": order.external_ref,
            "note": order.note,
            "channel": order.channel.code if order.channel else "",
        }
        form = OrderForm(initial=initial, warehouses=customer_warehouses(customer=request.user.customer))
        rows = [[line.product.sku, str(line.quantity)] for line in order.lines.all()]
        return render(request, self.template_name, self.context(request, form, rows, order))

    def post(self, request, number):
        order = get_order(number)
        if not self._editable(request, order):
            return redirect("orders:detail", order.number)
        form = OrderForm(request.POST, warehouses=customer_warehouses(customer=request.user.customer))
        return self.save(request, form, read_lines(request.POST), order)


class OrderDetailView(CustomerRequiredMixin, View):
    def get(self, request, number):
        order = get_order(number)
        return render(
            request,
            "orders/order_detail.html",
            {
                "order": order,
                "badges": STATUS_BADGES,
                "can_edit": order.status in EDITABLE,
                "can_submit": order.status in SUBMITTABLE,
                "can_cancel": order.can_cancel,
                "international": is_international(order),
            },
        )


def customs_response(request, order: Order, page: str):
    """The order's CN 22 or CN 23 + commercial invoice (PDF); a domestic order has none (404), an
    order whose SKUs lack customs fields goes back to its page saying which."""
    try:
        made = customs_pdf(order)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(page)
    if made is None:
        raise Http404(f"Order {order.number} stays in {order.country}: it needs no customs document.")
    form, pdf = made
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{form.kind.lower()}-{order.number}.pdf"'
    return response


class OrderCustomsView(CustomerRequiredMixin, View):
    """The customs document of an international order: CN 22, or CN 23 with the commercial invoice."""

    def get(self, request, number):
        order = get_order(number)
        return customs_response(request, order, reverse("orders:detail", args=[order.number]))


class OrderSubmitView(CustomerRequiredMixin, View):
    def post(self, request, number):
        order = get_order(number)
        try:
            order = order_submit(actor=request.user, order=order)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            _say(
                request,
                order,
                f"Order {order.number} submitted: Pending Shipment. {order.estimated_cost} "
                f"{order.currency} is held until it ships.",
            )
        return redirect("orders:detail", order.number)


class OrderCancelView(CustomerRequiredMixin, View):
    def post(self, request, number):
        order = get_order(number)
        form = CancelForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            order = order_cancel(actor=request.user, order=order, reason=reason)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Order {order.number} cancelled; its stock and held money are released.")
        return redirect("orders:detail", order.number)


class OrderCopyView(CustomerRequiredMixin, View):
    def post(self, request, number):
        copy = order_copy(actor=request.user, order=get_order(number))
        messages.success(request, f"Copied to a new order {copy.number} (Confirming): check it and submit.")
        return redirect("orders:edit", copy.number)


# --- Helpers of the order page (JSON for its script; the back office's page uses them too) ------------


def recognize_json(request) -> JsonResponse:
    """Auto-recognition: free text in, the address fields out for the person to check."""
    text = request.POST.get("text", "")[:2000]
    if not text.strip():
        return JsonResponse({"message": "Paste an address first."}, status=400)
    result = recognize_address(text)
    return JsonResponse({"fields": result.fields, "leftover": result.leftover})


def sku_search_json(request, customer) -> JsonResponse:
    """Add SKU: the customer's active SKUs matching the text, with the stock available in the
    chosen warehouse."""
    products = list(
        product_list(customer=customer, search=request.GET.get("q", "").strip()[:100], status="active")[:20]
    )
    available = {}
    warehouse = (
        customer_warehouses(customer=customer).filter(code__iexact=request.GET.get("warehouse", "")[:40]).first()
    )
    if warehouse is not None:
        available = {
            b.product_id: b.available
            for b in StockBalance.objects.filter(customer=customer, warehouse=warehouse, product__in=products)
        }
    return JsonResponse(
        {"results": [{"sku": p.sku, "name": p.name, "available": available.get(p.pk, 0)} for p in products]}
    )


def quote_json(request, customer) -> JsonResponse:
    """Select a shipping method: the channels that can take the order's SKUs to the address, with
    price and delivery time (an estimate: freight is charged from the packed weight)."""
    code = request.POST.get("warehouse", "").strip()[:40]
    rows = [(sku, int(q)) for sku, q in read_lines(request.POST) if sku and q.isdecimal() and int(q) > 0]
    if not code or not rows:
        return JsonResponse({"message": "Choose the warehouse and add at least one SKU first."}, status=400)
    try:
        result = customer_quote(
            customer=customer,
            warehouse_code=code,
            country=request.POST.get("country", ""),
            postal_code=request.POST.get("postal_code", ""),
            lines=rows,
        )
    except ApplicationError as exc:
        return JsonResponse({"message": exc.message}, status=400)
    return JsonResponse(
        {
            "options": [
                {
                    "code": o.channel_code,
                    "name": o.channel_name,
                    "carrier": o.carrier,
                    "days": day_range(o.transit_days_min, o.transit_days_max),
                    "transit_source": o.transit_source,
                    "total": str(o.total),
                    "currency": o.currency,
                    "weight_g": o.chargeable_weight_g,
                }
                for o in result.options
            ],
            "ineligible": [
                {"code": i.channel_code, "name": i.channel_name, "reason": i.reason} for i in result.ineligible
            ],
        }
    )


class RecognizeView(CustomerRequiredMixin, View):
    def post(self, request):
        return recognize_json(request)


class SkuSearchView(CustomerRequiredMixin, View):
    def get(self, request):
        return sku_search_json(request, request.user.customer)


class QuoteView(CustomerRequiredMixin, View):
    def post(self, request):
        return quote_json(request, request.user.customer)
