"""Back office: an inbound's box page, where a box is counted by scanning (a USB scanner types the
code and presses Enter) or by typing the good and damaged units of each SKU.

The rules live in apps.inbound.receiving; these views look things up, check typed numbers, call
one service and say what happened."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.inbound.choices import STATUS_BADGES
from apps.inbound.models import InboundBox, InboundBoxItem
from apps.inbound.receiving import (
    BOX_MARK_RE,
    inbound_count_box,
    inbound_find,
    inbound_scan_into_box,
)

from .common import (
    ACT,
    COUNT_FIELD,
    COUNTING,
    VIEW,
    box_mark_of,
    box_or_404,
    inbound_or_404,
    plural,
    product_by_code,
    whole_number,
)


def _box_context(request, inbound, box, *, values=None, errors=None, needs_confirm=False) -> dict:
    items = list(InboundBoxItem.objects.filter(box=box).select_related("product").order_by("product__sku"))
    values, errors = values or {}, errors or {}
    for item in items:  # what the inputs show: the value just typed, else the saved count
        pid = str(item.product_id)
        item.good_entered = values.get(f"good-{pid}", "" if item.good is None else item.good)
        item.damaged_entered = values.get(f"damaged-{pid}", "" if item.damaged is None else item.damaged)
        item.error = errors.get(item.product_id, "")
        item.unexpected = item.quantity == 0
    good, damaged = sum(i.good or 0 for i in items), sum(i.damaged or 0 for i in items)
    return {
        "inbound": inbound,
        "box": box,
        "mark": box_mark_of(inbound, box),
        "items": items,
        "badge": STATUS_BADGES[inbound.status],
        "can_count": inbound.status in COUNTING,
        "needs_confirm": needs_confirm,
        "boxes": list(InboundBox.objects.filter(inbound=inbound).only("box_no", "received", "inbound_id")),
        "totals": (sum(i.quantity for i in items), good, damaged),
        "nothing_counted": not (good or damaged),
    }


def _box_page(request, inbound, box, *, status=200, **kwargs):
    context = _box_context(request, inbound, box, **kwargs)
    template = "inbound/staff/_box_work.html" if request.htmx else "inbound/staff/box.html"
    return render(request, template, context, status=status if not request.htmx else 200)


def _box_done_message(inbound, box) -> str:
    items = InboundBoxItem.objects.filter(box=box).select_related("product").order_by("product__sku")
    parts = []
    for item in items:
        counted = f"{item.product.sku} {item.good or 0}"
        if item.damaged:
            counted += f" + {item.damaged} damaged"
        parts.append(counted)
    left = list(InboundBox.objects.filter(inbound=inbound, received=False).values_list("box_no", flat=True))
    after = (
        f" {plural(len(left), 'box', 'boxes')} left to count: {', '.join(map(str, left[:20]))}."
        if left
        else " Every box is counted: finish receiving when you are ready."
    )
    return f"Box {box.box_no} of {inbound.number} counted: {', '.join(parts) or 'empty'}." + after


class InboundBoxView(StaffPermissionRequiredMixin, View):
    """One box: its packing list with good/damaged inputs, a scan field, "Box done"."""

    permission_required = VIEW

    def get_permission_required(self):
        return (VIEW,) if self.request.method in ("GET", "HEAD") else ACT

    def get(self, request, number, box_no):
        inbound = inbound_or_404(number)
        return _box_page(request, inbound, box_or_404(inbound, box_no))

    def post(self, request, number, box_no):
        inbound = inbound_or_404(number)
        box = box_or_404(inbound, box_no)
        if request.POST.get("action") == "done":  # as scanned: keep the counts, mark the box counted
            try:
                inbound_count_box(actor=request.user, inbound=inbound, box=box, counts={})
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("backoffice:inbound-box", number=inbound.number, box_no=box.box_no)
            messages.success(request, _box_done_message(inbound, box))
            return redirect("backoffice:inbound-detail", number=inbound.number)

        values, counts, errors = {}, {}, {}
        for key, value in request.POST.items():
            match = COUNT_FIELD.match(key)
            if not match:
                continue
            values[key] = value
            kind, pid = match.group(1), int(match.group(2))
            try:
                number_ = whole_number(value, f"{kind.capitalize()} units", blank=0)
            except ValueError as exc:
                errors.setdefault(pid, str(exc))
                continue
            good, damaged = counts.get(pid, (0, 0))
            counts[pid] = (number_, damaged) if kind == "good" else (good, number_)
        if not values:
            messages.error(request, "No counts were sent. Type the good and damaged units, or press “Box done”.")
            return _box_page(request, inbound, box, status=400)
        if errors:
            skus = dict(
                InboundBoxItem.objects.filter(box=box, product_id__in=errors).values_list("product_id", "product__sku")
            )
            messages.error(
                request,
                "Box counts not saved: "
                + " ".join(f"{skus.get(pid, 'SKU')}: {message}" for pid, message in errors.items()),
            )
            return _box_page(request, inbound, box, values=values, errors=errors, status=400)
        try:
            inbound_count_box(
                actor=request.user,
                inbound=inbound,
                box=box,
                counts=counts,
                confirm_large=bool(request.POST.get("confirm_large")),
            )
        except ApplicationError as exc:
            messages.error(request, f"Box counts not saved: {exc.message}")
            return _box_page(
                request, inbound, box, values=values, needs_confirm=exc.code == "confirm_required", status=400
            )
        messages.success(request, _box_done_message(inbound, box))
        return redirect("backoffice:inbound-detail", number=inbound.number)


class InboundBoxScanView(StaffPermissionRequiredMixin, View):
    """A scanned SKU or UPC adds one good unit (an SKU not on the packing list is added to the box);
    a scanned box mark of this inbound opens that box."""

    permission_required = ACT

    def get(self, request, number, box_no):
        inbound = inbound_or_404(number)
        return redirect("backoffice:inbound-box", number=inbound.number, box_no=box_or_404(inbound, box_no).box_no)

    def post(self, request, number, box_no):
        inbound = inbound_or_404(number)
        box = box_or_404(inbound, box_no)
        code = request.POST.get("code", "").strip()
        if not code:
            messages.error(request, "Nothing scanned: scan the item's barcode (SKU or UPC).")
            return self._done(request, inbound, box)
        if BOX_MARK_RE.match(code.upper()) and product_by_code(inbound.customer, code) is None:
            return self._box_mark(request, inbound, box, code)
        try:
            was_counted = box.received
            item = inbound_scan_into_box(actor=request.user, inbound=inbound, box=box, code=code)
        except ApplicationError as exc:
            messages.error(request, f"Not counted: {exc.message}")
            return self._done(request, inbound, box)
        product = item.product
        text = f"+1 {product.sku} (now {item.good} good)"
        if item.quantity == 0:
            text += " — not on this box's packing list; added as an extra SKU"
        elif item.good + (item.damaged or 0) > item.quantity:
            text += f" — more than the {item.quantity} packed"
        if not product.is_measured:
            text += ". First seen: record its measured size"
        if was_counted:
            text += ". The box was already marked done; its count changed"
        messages.success(request, text + ".")
        return self._done(request, inbound, box)

    def _box_mark(self, request, inbound, box, code):
        try:
            found, other_box = inbound_find(code=code)
        except ApplicationError as exc:
            messages.error(request, f"Not counted: {exc.message}")
            return self._done(request, inbound, box)
        if found.pk != inbound.pk:
            messages.error(
                request,
                f"{code.upper()} is {'a box' if other_box else 'the number'} of inbound "
                f"{found.number} ({found.customer.code}), not of {inbound.number}. "
                "Put it aside; nothing was counted.",
            )
            return self._done(request, inbound, box)
        if other_box is None or other_box.pk == box.pk:
            messages.info(
                request,
                f"That is the mark of {box_mark_of(inbound, box) if other_box else inbound.number}; "
                "scan the items' barcodes.",
            )
            return self._done(request, inbound, box)
        messages.info(request, f"Now counting box {other_box.box_no} of {inbound.number}.")
        url = reverse("backoffice:inbound-box", args=[inbound.number, other_box.box_no])
        if request.htmx:
            return HttpResponseClientRedirect(url)
        return redirect(url)

    def _done(self, request, inbound, box):
        if request.htmx:  # swap the counts in place; the flash comes with them
            inbound.refresh_from_db(fields=["status"])
            box.refresh_from_db(fields=["received"])
            return _box_page(request, inbound, box)
        return redirect("backoffice:inbound-box", number=inbound.number, box_no=box.box_no)
