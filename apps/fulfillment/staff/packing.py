"""The pack station: scan the order, scan every item, weigh, pack and print the 4×6 label."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from apps.core.errors import ApplicationError
from apps.orders.customs import customs_pdf, is_international
from apps.orders.models import Order

from ..models import Parcel
from ..packing import missing_items, pack_complete, pack_find, pack_scan
from ..selectors import (
    history,
    pack_queue,
    parcel_of_order,
)
from .common import (
    OutboundView,
    pdf_response,
    plural,
    station,
)

# --- Pack station ---------------------------------------------------------------------------------


def _scanned(request) -> dict[str, int]:
    """The counts the page carries in its hidden field; anything unreadable counts as nothing."""
    try:
        data = json.loads(request.POST.get("scanned") or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(sku): n for sku, n in data.items() if isinstance(n, int) and not isinstance(n, bool) and n >= 0}


def _find(request, number):
    """The station's PackTask for the order, or (None, the refusal)."""
    warehouse = station(request)["warehouse"]
    if warehouse is None:
        return None, "No active warehouse: add one before packing."
    try:
        return pack_find(warehouse=warehouse, code=number), ""
    except ApplicationError as exc:
        return None, exc.message


def _pack_context(request, task, scanned, *, refused="", done="", values=None) -> dict:
    lines = list(task.order.lines.select_related("product").order_by("product__sku"))
    for line in lines:
        line.scanned = min(scanned.get(line.product.sku, 0), line.quantity)
        line.complete = line.scanned >= line.quantity
    missing = missing_items(task, scanned)
    return {
        **station(request),
        "task": task,
        "order": task.order,
        "wave_order": task.wave_order,
        "lines": lines,
        "scanned_json": json.dumps(scanned, sort_keys=True),
        "all_scanned": not missing,
        "expected_units": sum(task.expected.values()),
        "scanned_units": sum(line.scanned for line in lines),
        "refused": refused,
        "done": done,
        "values": values or {},
        "international": is_international(task.order),
    }


def _pack_page(request, task, scanned, *, status=200, **kwargs):
    context = _pack_context(request, task, scanned, **kwargs)
    if request.htmx:
        return render(request, "fulfillment/staff/_pack_work.html", context)
    return render(request, "fulfillment/staff/pack.html", context, status=status)


def _station_page(request, *, refused="", code="", status=200):
    context = station(request)
    if context["warehouse"] is not None:
        context["queue"] = pack_queue(warehouse=context["warehouse"])
    context.update(refused=refused, code=code)
    return render(request, "fulfillment/staff/pack_station.html", context, status=status)


class PackStationView(OutboundView):
    """Choose the warehouse, scan an order number or a pick-list slot (PW…-3)."""

    def get(self, request):
        return _station_page(request)

    def post(self, request):
        code = request.POST.get("code", "").strip()
        if not code:
            return _station_page(request, refused="Scan the order number or the pick-list slot (PW…-3).", status=400)
        task, refused = _find(request, code)
        if task is None:
            return _station_page(request, refused=refused, code=code, status=400)
        return redirect("backoffice:outbound-pack-order", number=task.order.number)


class PackOrderView(OutboundView):
    def get(self, request, number):
        task, refused = _find(request, number)
        if task is None:
            parcel = parcel_of_order(number=number)
            if parcel is not None:
                messages.info(request, f"Order {parcel.order.number} is packed: label {parcel.tracking_number}.")
                return redirect("backoffice:outbound-pack-done", number=parcel.order.number)
            messages.error(request, refused)
            return redirect("backoffice:outbound-pack")
        return _pack_page(request, task, {})


class PackScanView(OutboundView):
    """One item scanned: the updated panel, with the counts in its hidden field."""

    def get(self, request, number):
        return redirect("backoffice:outbound-pack-order", number=number)

    def post(self, request, number):
        task, refused = _find(request, number)
        if task is None:  # cancelled or packed meanwhile: back to the station, saying why
            if request.htmx:
                messages.error(request, refused)
                return HttpResponseClientRedirect(reverse("backoffice:outbound-pack"))
            return _station_page(request, refused=refused, status=400)
        scanned = _scanned(request)
        code = request.POST.get("code", "").strip()
        if not code:
            return _pack_page(
                request, task, scanned, refused="Nothing scanned: scan the item's barcode (SKU or UPC).", status=400
            )
        try:
            sku, scanned = pack_scan(task=task, scanned=scanned, code=code)
        except ApplicationError as exc:
            return _pack_page(request, task, scanned, refused=exc.message, status=400)
        left = sum(missing_items(task, scanned).values())
        done = f"+1 {sku} ({scanned[sku]} of {task.expected[sku]})." + (
            f" {plural(left, 'item')} to go." if left else " Every item is scanned: weigh the parcel."
        )
        return _pack_page(request, task, scanned, done=done)


class PackCompleteView(OutboundView):
    """Weight (and box) entered: quote, label, Packed — or the refusal, and nothing changes."""

    def get(self, request, number):
        return redirect("backoffice:outbound-pack-order", number=number)

    def post(self, request, number):
        task, refused = _find(request, number)
        if task is None:
            return _station_page(request, refused=refused, status=400)
        scanned = _scanned(request)
        values = {
            key: request.POST.get(key, "").strip() for key in ("weight_g", "length_cm", "width_cm", "height_cm", "box")
        }
        if not values["weight_g"]:
            return _pack_page(
                request, task, scanned, refused="Enter the weight in grams from the scale.", values=values, status=400
            )
        try:
            parcel = pack_complete(
                actor=request.user,
                task=task,
                scanned=scanned,
                weight_g=values["weight_g"],
                length_cm=values["length_cm"] or None,
                width_cm=values["width_cm"] or None,
                height_cm=values["height_cm"] or None,
                box=values["box"],
            )
        except ApplicationError as exc:
            return _pack_page(request, task, scanned, refused=f"Not packed: {exc.message}", values=values, status=400)
        messages.success(
            request,
            f"Order {parcel.order.number} packed: {parcel.weight_g:,} g, label "
            f"{parcel.tracking_number}. Print the label and stick it on the parcel.",
        )
        return redirect("backoffice:outbound-pack-done", number=parcel.order.number)


class PackDoneView(OutboundView):
    """The packed parcel: tracking number, the freight from the packed parcel against the estimate,
    the label; and the scan field for the next order."""

    def get(self, request, number):
        parcel = parcel_of_order(number=number)
        if parcel is None:
            raise Http404(f"Order {number} is not packed.")
        order = parcel.order
        difference = parcel.freight - order.estimated_freight if order.estimated_freight is not None else None
        return render(
            request,
            "fulfillment/staff/packed.html",
            {
                **station(request),
                "parcel": parcel,
                "order": order,
                "difference": difference,
                "weight_difference": (parcel.weight_g - order.estimated_weight_g) if order.estimated_weight_g else None,
                "zero": Decimal("0"),
                "history": history(parcel),
                "international": is_international(order),
            },
        )


class ParcelLabelView(OutboundView):
    """The 4 × 6 in label the carrier adapter made at packing."""

    def get(self, request, tracking):
        parcel = Parcel.objects.filter(tracking_number=tracking).only("tracking_number", "label_pdf").first()
        if parcel is None or not parcel.label_pdf:
            raise Http404("No label with that tracking number.")
        return pdf_response(bytes(parcel.label_pdf), f"label-{parcel.tracking_number}.pdf")


class PackCustomsView(OutboundView):
    """The customs document of an international order, printed with its label: the CN 22 on the
    4 × 6 in label printer, or the CN 23 and the commercial invoice on A4."""

    def get(self, request, number):
        order = Order.objects.filter(number=(number or "").strip().upper()).select_related("warehouse").first()
        if order is None:
            raise Http404(f"No order {number}.")
        try:
            made = customs_pdf(order)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("backoffice:outbound-pack")
        if made is None:
            raise Http404(f"Order {order.number} stays in {order.country}: it needs no customs document.")
        form, pdf = made
        return pdf_response(pdf, f"{form.kind.lower()}-{order.number}.pdf")
