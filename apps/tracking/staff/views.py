"""Back office (logistics, customer service): find a parcel by order or tracking number, read its
events, record what the carrier or the recipient reported, mark it delivered. The rules are
tracking.services; a bad entry gets its message and changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.core.identifiers import order_number_problem
from apps.core.keyset import keyset_page
from apps.core.tenancy import staff_scope
from apps.orders.choices import STATUS_BADGES, WAYBILL_STATUSES, OrderStatus
from apps.shipping.models import Carrier

from ..choices import ExceptionAction, ExceptionKind, TrackingStatus
from ..exceptions import exception_act
from ..forms import EventForm, FindForm
from ..models import DeliveryException, ProviderQuota, Shipment
from ..rules import ORDER_LIKE
from ..selectors import (
    MEASURED_AFTER,
    exception_queue,
    exceptions_of_order,
    in_delivery,
    order_find,
    order_timeline,
    tracking_link,
    transit_times,
)
from ..services import tracking_event_add, tracking_mark_delivered
from ..shipments import quota_low

VIEW = "tracking.view_trackingevent"
ADD = (VIEW, "tracking.add_trackingevent")
PAGE_SIZE = 50


def _order(number: str):
    order = None if order_number_problem(number or "") else order_find(code=number)
    if order is None:
        raise Http404("No such order.")
    return order


def _detail(request, order, form=None, status=200):
    can_add = request.user.has_perm("tracking.add_trackingevent")
    carrier = order.channel.carrier if order.channel_id else None
    return render(
        request,
        "tracking/staff/order.html",
        {
            "order": order,
            "events": order_timeline(order=order),
            "form": form or EventForm(),
            "carrier": carrier,
            "tracking_url": tracking_link(carrier, order.tracking_number),
            "can_add": can_add and order.status in WAYBILL_STATUSES,
            "can_deliver": can_add and order.status == OrderStatus.SHIPPED,
            "order_badge": STATUS_BADGES.get(order.status, "secondary"),
            "shipment": Shipment.objects.filter(order=order).first(),
            "delivery_exceptions": exceptions_of_order(order=order),
        },
        status=status,
    )


class TrackingListView(StaffPermissionRequiredMixin, View):
    """Find a parcel; below, the parcels still in delivery (or only those with an exception)."""

    permission_required = VIEW

    def get(self, request):
        form = FindForm(request.GET or None)
        if form.is_valid():
            code = form.cleaned_data["q"].upper()
            problem = order_number_problem(code) if ORDER_LIKE.fullmatch(code) else None
            order = None if problem else order_find(code=code)
            if order is not None:
                return redirect("backoffice:tracking-order", order.number)
            messages.error(
                request, f"{code}: {problem}." if problem else f"No order has the number or tracking number “{code}”."
            )
        exceptions = request.GET.get("show") == "exceptions"
        page = keyset_page(
            in_delivery(exceptions_only=exceptions),
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            size=PAGE_SIZE,
        )
        labels = dict(TrackingStatus.choices)
        for row in page.rows:
            row.latest_status_label = labels.get(row.latest_status, "")
        quota = ProviderQuota.objects.filter(provider="17track").first()
        return render(
            request,
            "tracking/staff/list.html",
            {"form": form, "page": page, "exceptions": exceptions, "quota": quota, "quota_low": quota_low(quota)},
        )


class TrackingOrderView(StaffPermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, number):
        return _detail(request, _order(number))


class TrackingEventAddView(StaffPermissionRequiredMixin, View):
    permission_required = ADD

    def post(self, request, number):
        order = _order(number)
        form = EventForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The event was not recorded: correct the fields marked below.")
            return _detail(request, order, form, status=400)
        data = form.cleaned_data
        try:
            event = tracking_event_add(
                actor=request.user,
                order=order,
                occurred_at=data["occurred_at"],
                status=data["status"],
                location=data["location"],
                description=data["description"],
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            messages.error(request, f"The event was not recorded: {exc.message}")
            return _detail(request, order, form, status=400)
        order.refresh_from_db(fields=["status"])
        moved = (
            f" {order.number} is now {order.get_status_display()}."
            if event.status in (TrackingStatus.DELIVERED, TrackingStatus.RETURNED)
            else ""
        )
        messages.success(
            request, f"Recorded: {event.get_status_display()} at {event.occurred_at:%Y-%m-%d %H:%M}." + moved
        )
        return redirect(reverse("backoffice:tracking-order", args=[order.number]))


class TrackingDeliverView(StaffPermissionRequiredMixin, View):
    permission_required = ADD

    def post(self, request, number):
        order = _order(number)
        try:
            tracking_mark_delivered(actor=request.user, order=order)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{order.number} marked delivered.")
        return redirect("backoffice:tracking-order", order.number)


class ExceptionQueueView(StaffPermissionRequiredMixin, View):
    """The TMS queue of open delivery exceptions, newest first, filtered by kind, carrier and age; each row
    takes an action (contact the carrier, ask for a new address, mark lost, resolve)."""

    permission_required = VIEW

    def get(self, request):
        kind = request.GET.get("kind", "")
        carrier = request.GET.get("carrier", "")
        try:
            older = min(max(int(request.GET.get("older") or 0), 0), 3650)  # ten years: a date stays in range
        except ValueError:
            older = 0
        kind = kind if kind in ExceptionKind.values else ""
        with staff_scope():
            page = keyset_page(
                exception_queue(kind=kind, carrier=carrier, older_than_days=older or None),
                after=request.GET.get("after"),
                before=request.GET.get("before"),
                size=PAGE_SIZE,
            )
        return render(
            request,
            "tracking/staff/exceptions.html",
            {
                "page": page,
                "kinds": ExceptionKind.choices,
                "actions": ExceptionAction.choices,
                "carriers": Carrier.objects.order_by("name").values_list("code", "name"),
                "kind": kind,
                "carrier": carrier,
                "older": older,
                "can_act": request.user.has_perm("tracking.add_trackingevent"),
            },
        )


class ExceptionActView(StaffPermissionRequiredMixin, View):
    permission_required = ADD

    def post(self, request, pk):
        with staff_scope():
            exception = DeliveryException.objects.select_related("order").filter(pk=pk).first()
            if exception is None:
                raise Http404("No such delivery exception.")
            try:
                exception = exception_act(
                    actor=request.user,
                    exception=exception,
                    action=request.POST.get("action", ""),
                    note=request.POST.get("note", ""),
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{exception.order.number}: {exception.last_action}.")
        return redirect("backoffice:tracking-exceptions")


class TransitTimesView(StaffPermissionRequiredMixin, View):
    """Transit-time truth: measured p50/p90 days per channel and destination country."""

    permission_required = VIEW

    def get(self, request):
        with staff_scope():
            lanes = transit_times()
        return render(request, "tracking/staff/transit.html", {"lanes": lanes, "measured_after": MEASURED_AFTER})
