"""Back office: the warehouse's inbound pages — the work queue with a scan field and an inbound's
detail (arrival, receiving, shelving, differences). The box page, where a box is counted by
scanning or by typing, is in `boxes`. Made for a USB scanner (types the code, presses Enter) and a
keyboard.

The rules live in apps.inbound.receiving; these views look things up, check typed numbers, call
one service and say what happened."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from apps.accounts.models import Customer
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.inbound.choices import STATUS_BADGES, DifferenceKind, InboundStatus
from apps.inbound.models import InboundOrder
from apps.inbound.receiving import (
    inbound_find,
    inbound_finish_receiving,
    inbound_mark_arrived,
    inbound_report_difference,
    inbound_shelve,
)
from apps.inbound.selectors import inbound_detail, inbound_list

from .common import (
    ACT,
    COUNTING,
    PAGE_SIZE,
    STATUS_FILTERS,
    VIEW,
    WORK_QUEUE,
    inbound_or_404,
    plural,
    redirect_detail,
)
from .forms import DifferenceForm, ShelveForm, form_errors


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
        shelve_form = ShelveForm(inbound=inbound, initial=initial)
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
        return _detail(request, inbound_or_404(number))


class _InboundActionView(StaffPermissionRequiredMixin, View):
    """A POST that changes the inbound; a GET (a reload, a bookmarked link) just shows it."""

    permission_required = ACT

    def get(self, request, number, **kwargs):
        inbound = inbound_or_404(number)
        return redirect("backoffice:inbound-detail", number=inbound.number)


class InboundArriveView(_InboundActionView):
    def post(self, request, number):
        inbound = inbound_or_404(number)
        try:
            inbound = inbound_mark_arrived(actor=request.user, inbound=inbound)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            boxes = inbound.boxes.count()
            messages.success(
                request,
                f"Inbound {inbound.number} marked arrived at {inbound.warehouse.code}: "
                f"{plural(boxes, 'box', 'boxes')} to count. Scan a box mark to start.",
            )
        return redirect("backoffice:inbound-detail", number=inbound.number)


class InboundFinishView(_InboundActionView):
    def post(self, request, number):
        inbound = inbound_or_404(number)
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
        inbound = inbound_or_404(number)
        form = ShelveForm(request.POST, inbound=inbound)
        if not form.is_valid():
            messages.error(request, f"Nothing shelved: {form_errors(form)}")
            form.forget_quantity()
            return _detail(request, inbound, shelve_form=form, status=400)
        bin_, product, quantity = (form.cleaned_data[k] for k in ("bin", "code", "quantity"))
        try:
            line = inbound_shelve(actor=request.user, inbound=inbound, bin=bin_, product=product, quantity=quantity)
        except ApplicationError as exc:
            messages.error(request, f"Nothing shelved: {exc.message}")
            form.forget_quantity()
            return _detail(request, inbound, shelve_form=form, status=400)
        messages.success(
            request, f"Shelved {quantity} × {product.sku} into {bin_.code}." + _shelving_state(inbound, line)
        )
        if inbound.status == InboundStatus.COMPLETED:
            return redirect("backoffice:inbound-detail", number=inbound.number)
        # The same bin stays for the next scan; no #fragment: Chrome skips autofocus on a URL with one.
        return redirect_detail(inbound, bin=bin_.code)


class InboundDifferenceView(_InboundActionView):
    def post(self, request, number):
        inbound = inbound_or_404(number)
        form = DifferenceForm(request.POST, inbound=inbound)
        if not form.is_valid():
            messages.error(request, f"No difference reported: {form_errors(form)}")
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
