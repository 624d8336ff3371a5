"""Back office: the warehouse's inbound pages — the work queue with a scan field, an inbound's
detail (arrival, receiving, shelving, differences) and the box page where a box is counted by
scanning or by typing. Made for a USB scanner (types the code, presses Enter) and a keyboard.

The rules live in apps.inbound.receiving; these views look things up, check typed numbers, call
one service and say what happened."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.models import Customer
from apps.catalog.models import Product
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.inbound.choices import STATUS_BADGES, DifferenceKind, InboundStatus
from apps.inbound.models import InboundBox, InboundBoxItem, InboundOrder
from apps.inbound.receiving import (
    BOX_MARK_RE,
    inbound_count_box,
    inbound_find,
    inbound_finish_receiving,
    inbound_mark_arrived,
    inbound_report_difference,
    inbound_scan_into_box,
    inbound_shelve,
)
from apps.inbound.selectors import inbound_detail, inbound_list
from apps.warehouses.models import BinLocation

VIEW = "inbound.view_inboundorder"
ACT = ("inbound.view_inboundorder", "inbound.receive_inbound")

WORK_QUEUE = (InboundStatus.SUBMITTED, InboundStatus.ARRIVED, InboundStatus.RECEIVING, InboundStatus.RECEIVED)
COUNTING = (InboundStatus.ARRIVED, InboundStatus.RECEIVING)
STATUS_FILTERS = [("", "Work queue"), ("all", "All"), *InboundStatus.choices]
PAGE_SIZE = 50
WHOLE = re.compile(r"^[0-9]{1,7}$")  # ASCII digits only: "²".isdecimal() is True but int("²") fails
COUNT_FIELD = re.compile(r"^(good|damaged)-(\d+)$")


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _whole(value, what: str, *, minimum: int = 0, blank: int | None = None) -> int:
    """A typed count: ASCII digits only, at least ``minimum``. Raises ValueError with the words."""
    text = str(value if value is not None else "").strip()
    if not text and blank is not None:
        return blank
    if not WHOLE.match(text) or int(text) < minimum:
        above = "0 or more" if minimum == 0 else f"{minimum} or more"
        shown = f" (not “{text}”)" if text else ""
        raise ValueError(f"{what} must be a whole number of {above}{shown}.")
    return int(text)


def _inbound(number: str) -> InboundOrder:
    qs = InboundOrder.objects.select_related("customer", "warehouse")
    return get_object_or_404(qs, number=number.strip().upper())


def _box(inbound: InboundOrder, box_no: int) -> InboundBox:
    box = InboundBox.objects.filter(inbound=inbound, box_no=box_no).first()
    if box is None:
        raise Http404(f"Inbound {inbound.number} has no box {box_no}.")
    return box


def _product_by_code(customer, code: str) -> Product | None:
    """A customer's product by SKU (any case) or UPC; never by an empty code."""
    code = code.strip()
    if not code:
        return None
    return Product.objects.filter(Q(sku__iexact=code) | Q(upc=code), customer=customer).first()


def _mark(inbound, box) -> str:
    return f"{inbound.number}-{box.box_no:03d}"


def _detail_url(inbound, **params) -> str:
    url = reverse("backoffice:inbound-detail", args=[inbound.number])
    return f"{url}?{urlencode(params)}" if params else url


def _redirect_detail(inbound, anchor: str = "", **params):
    return redirect(_detail_url(inbound, **params) + (f"#{anchor}" if anchor else ""))


# --- Forms --------------------------------------------------------------------------------------


class ShelveForm(forms.Form):
    """Bin and SKU are scanned (the scanner types the code and presses Enter)."""

    bin = forms.CharField(label="Bin", max_length=30, error_messages={"required": "Scan or type the bin code."})
    code = forms.CharField(
        label="SKU or UPC", max_length=40, error_messages={"required": "Scan or type the SKU or UPC of the item."}
    )
    quantity = forms.CharField(
        label="Quantity",
        max_length=12,
        initial="1",
        error_messages={"required": "Enter how many units go into the bin."},
    )

    def __init__(self, *args, inbound: InboundOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.inbound = inbound

    def clean_bin(self):
        code = self.cleaned_data["bin"].strip()
        found = BinLocation.objects.filter(warehouse=self.inbound.warehouse, code__iexact=code).first()
        if found is None:
            raise forms.ValidationError(
                f"There is no bin “{code}” in {self.inbound.warehouse.code}; check the code on the shelf label."
            )
        return found

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        product = _product_by_code(self.inbound.customer, code)
        if product is None:
            raise forms.ValidationError(f"“{code}” is not a SKU or UPC of customer {self.inbound.customer.code}.")
        return product

    def clean_quantity(self):
        try:
            return _whole(self.cleaned_data["quantity"], "The quantity", minimum=1)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class DifferenceForm(forms.Form):
    code = forms.CharField(label="SKU or UPC", max_length=40, error_messages={"required": "Scan or type the SKU."})
    kind = forms.ChoiceField(
        label="Difference",
        choices=DifferenceKind.choices,
        error_messages={
            "required": "Choose short, over or damaged.",
            "invalid_choice": "Choose short, over or damaged.",
        },
    )
    quantity = forms.CharField(
        label="Quantity", max_length=12, error_messages={"required": "Enter how many units differ."}
    )
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args, inbound: InboundOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.inbound = inbound

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        product = _product_by_code(self.inbound.customer, code)
        if product is None:
            raise forms.ValidationError(f"“{code}” is not a SKU or UPC of customer {self.inbound.customer.code}.")
        return product

    def clean_quantity(self):
        try:
            return _whole(self.cleaned_data["quantity"], "The quantity", minimum=1)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- List and scan ------------------------------------------------------------------------------


class InboundListView(StaffPermissionRequiredMixin, View):
    """Inbound across customers; by default the work queue (submitted to received)."""

    permission_required = VIEW

    def get(self, request):
        status = request.GET.get("status", "")
        status = status if status in dict(STATUS_FILTERS) else ""
        code = request.GET.get("customer", "").strip()
        customer = Customer.objects.filter(code=code).first() if code else None
        search = request.GET.get("q", "").strip()
        qs = inbound_list(customer=customer, status=status if status in InboundStatus.values else "", search=search)
        if customer is not None:
            qs = qs.select_related("customer")
        elif code:
            qs = qs.none()
        if not status:
            qs = qs.filter(status__in=WORK_QUEUE)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        for row in page.object_list:
            row.badge = STATUS_BADGES[row.status]
        return render(
            request,
            "inbound/staff/list.html",
            {
                "page": page,
                "status": status,
                "statuses": STATUS_FILTERS,
                "customer_code": code,
                "search": search,
                "customers": Customer.objects.order_by("code").only("code", "company_name"),
            },
        )


class InboundScanView(StaffPermissionRequiredMixin, View):
    """A scanned inbound number opens the inbound; a box mark opens that box while it can be counted."""

    permission_required = VIEW

    def get(self, request):
        return redirect("backoffice:inbound-list")

    def post(self, request):
        code = request.POST.get("code", "").strip()
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False)
        fallback = back if back and safe else reverse("backoffice:inbound-list")
        if not code:
            messages.error(request, "Scan or type an inbound number (IN…) or a box mark (IN…-001).")
            return redirect(fallback)
        try:
            inbound, box = inbound_find(code=code)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(fallback)
        status = inbound.get_status_display()
        if box is None:
            messages.info(request, f"Inbound {inbound.number} of {inbound.customer.code}: {status}.")
            return redirect("backoffice:inbound-detail", number=inbound.number)
        if inbound.status in COUNTING:
            counted = " (already counted — scanning changes its count)" if box.received else ""
            messages.info(
                request,
                f"Box {box.box_no} of inbound {inbound.number} ({inbound.customer.code}){counted}: "
                "scan each item, or type the counts.",
            )
            return redirect("backoffice:inbound-box", number=inbound.number, box_no=box.box_no)
        hint = " Mark it arrived before counting its boxes." if inbound.status == InboundStatus.SUBMITTED else ""
        messages.info(
            request,
            f"Box {box.box_no} belongs to inbound {inbound.number} ({inbound.customer.code}), "
            f"which is {status.lower()}.{hint}",
        )
        return redirect("backoffice:inbound-detail", number=inbound.number)


# --- Detail -------------------------------------------------------------------------------------


def _detail(request, inbound: InboundOrder, *, shelve_form=None, difference_form=None, status=200):
    """The detail page, also re-shown with the typed input when a shelving form was refused."""
    inbound = inbound_detail(pk=inbound.pk)
    boxes = list(inbound.boxes.all())
    for box in boxes:
        for item in box.items.all():  # prefetched
            item.counted = box.received or item.good is not None or item.damaged is not None
            item.matches = (item.good or 0) + (item.damaged or 0) == item.quantity
    lines = list(inbound.lines.all())
    received = inbound.status == InboundStatus.RECEIVED
    if received and shelve_form is None:
        initial = {k: request.GET[k] for k in ("bin", "code", "quantity") if request.GET.get(k)}
        shelve_form = ShelveForm(inbound=inbound, initial={"quantity": "1", **initial})
    if received and difference_form is None:
        difference_form = DifferenceForm(inbound=inbound)
    return render(
        request,
        "inbound/staff/detail.html",
        {
            "inbound": inbound,
            "badge": STATUS_BADGES[inbound.status],
            "statuses": InboundStatus,
            "lines": lines,
            "boxes": boxes,
            "events": list(inbound.events.all()),
            "slips": list(inbound.slips.all()),
            "not_counted": [b.box_no for b in boxes if not b.received],
            "can_count": inbound.status in COUNTING,
            "shelve_form": shelve_form,
            "difference_form": difference_form,
            "to_shelve": sum(max(line.to_shelve, 0) for line in lines),
        },
        status=status,
    )


class InboundDetailView(StaffPermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, number):
        return _detail(request, _inbound(number))


class _InboundActionView(StaffPermissionRequiredMixin, View):
    """A POST that changes the inbound; a GET (a reload, a bookmarked link) just shows it."""

    permission_required = ACT

    def get(self, request, number, **kwargs):
        inbound = _inbound(number)
        return redirect("backoffice:inbound-detail", number=inbound.number)


class InboundArriveView(_InboundActionView):
    def post(self, request, number):
        inbound = _inbound(number)
        try:
            inbound = inbound_mark_arrived(actor=request.user, inbound=inbound)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            boxes = inbound.boxes.count()
            messages.success(
                request,
                f"Inbound {inbound.number} marked arrived at {inbound.warehouse.code}: "
                f"{_plural(boxes, 'box', 'boxes')} to count. Scan a box mark to start.",
            )
        return redirect("backoffice:inbound-detail", number=inbound.number)


class InboundFinishView(_InboundActionView):
    def post(self, request, number):
        inbound = _inbound(number)
        try:
            slip = inbound_finish_receiving(actor=request.user, inbound=inbound)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("backoffice:inbound-detail", number=inbound.number)
        if slip is None:
            messages.success(
                request,
                f"Receiving of {inbound.number} finished: everything matched the packing list "
                "and the stock is posted. Shelve the goods.",
            )
        else:
            found = ", ".join(
                f"{line.product.sku} {line.get_kind_display().lower()} {line.quantity}"
                for line in slip.lines.select_related("product")
            )
            messages.warning(
                request,
                f"Receiving of {inbound.number} finished and the stock is posted, with "
                f"differences on a Damage/Gain slip: {found}. Shelve the goods.",
            )
        return redirect("backoffice:inbound-detail", number=inbound.number)


def _shelving_state(inbound, line) -> str:
    inbound.refresh_from_db(fields=["status"])
    if inbound.status == InboundStatus.COMPLETED:
        return f" Everything is shelved: inbound {inbound.number} is completed."
    return f" {line.product.sku}: {line.to_shelve} left to shelve."


class InboundShelveView(_InboundActionView):
    def post(self, request, number):
        inbound = _inbound(number)
        form = ShelveForm(request.POST, inbound=inbound)
        if not form.is_valid():
            messages.error(request, f"Nothing shelved: {_form_errors(form)}")
            return _detail(request, inbound, shelve_form=form, status=400)
        bin_, product, quantity = (form.cleaned_data[k] for k in ("bin", "code", "quantity"))
        try:
            line = inbound_shelve(actor=request.user, inbound=inbound, bin=bin_, product=product, quantity=quantity)
        except ApplicationError as exc:
            messages.error(request, f"Nothing shelved: {exc.message}")
            return _detail(request, inbound, shelve_form=form, status=400)
        messages.success(
            request, f"Shelved {quantity} × {product.sku} into {bin_.code}." + _shelving_state(inbound, line)
        )
        if inbound.status == InboundStatus.COMPLETED:
            return redirect("backoffice:inbound-detail", number=inbound.number)
        return _redirect_detail(inbound, "shelve", bin=bin_.code)  # the same bin stays for the next scan


class InboundDifferenceView(_InboundActionView):
    def post(self, request, number):
        inbound = _inbound(number)
        form = DifferenceForm(request.POST, inbound=inbound)
        if not form.is_valid():
            messages.error(request, f"No difference reported: {_form_errors(form)}")
            return _detail(request, inbound, difference_form=form, status=400)
        data = form.cleaned_data
        product = data["code"]
        try:
            inbound_report_difference(
                actor=request.user,
                inbound=inbound,
                product=product,
                kind=data["kind"],
                quantity=data["quantity"],
                note=data["note"],
            )
        except ApplicationError as exc:
            messages.error(request, f"No difference reported: {exc.message}")
            return _detail(request, inbound, difference_form=form, status=400)
        line = inbound.lines.select_related("product").get(product=product)
        messages.success(
            request,
            f"Reported {DifferenceKind(data['kind']).label.lower()} {data['quantity']} × "
            f"{product.sku} on the abnormal Damage/Gain slip." + _shelving_state(inbound, line),
        )
        return redirect("backoffice:inbound-detail", number=inbound.number)


# --- Box ----------------------------------------------------------------------------------------


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
        "mark": _mark(inbound, box),
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
        f" {_plural(len(left), 'box', 'boxes')} left to count: {', '.join(map(str, left[:20]))}."
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
        inbound = _inbound(number)
        return _box_page(request, inbound, _box(inbound, box_no))

    def post(self, request, number, box_no):
        inbound = _inbound(number)
        box = _box(inbound, box_no)
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
                number_ = _whole(value, f"{kind.capitalize()} units", blank=0)
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
        inbound = _inbound(number)
        return redirect("backoffice:inbound-box", number=inbound.number, box_no=_box(inbound, box_no).box_no)

    def post(self, request, number, box_no):
        inbound = _inbound(number)
        box = _box(inbound, box_no)
        code = request.POST.get("code", "").strip()
        if not code:
            messages.error(request, "Nothing scanned: scan the item's barcode (SKU or UPC).")
            return self._done(request, inbound, box)
        if BOX_MARK_RE.match(code.upper()) and _product_by_code(inbound.customer, code) is None:
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
                f"That is the mark of {_mark(inbound, box) if other_box else inbound.number}; "
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
