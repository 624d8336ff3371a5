"""Back office (OMS): every customer's orders with the portal's filters, the Abnormal queue by
reason, an order's page with staff actions on its timeline, and placing an order for a customer.
The rules are the order services; staff actions run as the staff user, so the timeline says so."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from apps.accounts.models import Customer
from apps.catalog.selectors import product_list
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.core.identifiers import order_number_problem
from apps.core.keyset import keyset_page
from apps.documents.models import JOB_STATUS_BADGES, Job
from apps.documents.services import job_progress_get
from apps.warehouses.selectors import customer_warehouses

from ..bulk import orders_cancel, orders_submit
from ..choices import EDITABLE, STATUS_BADGES, SUBMITTABLE, TABS, AbnormalReason, OrderSource
from ..customs import is_international
from ..forms import CancelForm, FilterForm, NoteForm, OrderForm, filters_from, order_codes, read_lines, show_problems
from ..intake import intake_resolve
from ..models import Order
from ..rules import recipient_of
from ..selectors import abnormal_queue, order_detail, order_list, order_page_key, tab_counts
from ..services import (
    order_cancel,
    order_copy,
    order_create,
    order_note_add,
    order_submit,
    order_update,
)
from ..views import back, customs_response, quote_json, recognize_json, sku_search_json

VIEW = "orders.view_order"
MANAGE = ("orders.view_order", "orders.manage_orders")
PAGE_SIZE = 50


def _order(number: str) -> Order:
    if order_number_problem(number or ""):
        raise Http404("No such order.")
    return order_detail(pk=get_object_or_404(Order.objects.only("pk"), number=number).pk)


def _customer(code: str) -> Customer:
    customer = Customer.objects.filter(code__iexact=(code or "").strip()).select_related("level").first()
    if customer is None:
        raise Http404("No such customer.")
    return customer


class OrderListView(StaffPermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request):
        form = FilterForm(request.GET)
        filters = filters_from(form)
        page = keyset_page(
            order_list(filters=filters),
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            size=PAGE_SIZE,
            by=order_page_key(filters),
        )
        return render(
            request,
            "orders/staff/list.html",
            {
                "form": form,
                "filters": filters,
                "page": page,
                "counts": tab_counts(filters=filters),
                "tabs": [(s.value, s.label) for s in TABS],
                "status": filters.status,
                "badges": STATUS_BADGES,
                "can_manage": request.user.has_perm("orders.manage_orders"),
            },
        )


class AbnormalQueueView(StaffPermissionRequiredMixin, View):
    """The Abnormal queue grouped by reason: how many orders and customers each reason holds."""

    permission_required = VIEW

    def get(self, request):
        rows = abnormal_queue()
        labels = dict(AbnormalReason.choices)
        for row in rows:
            row["label"] = labels.get(row["abnormal_code"], row["abnormal_code"] or "No reason given")
        return render(request, "orders/staff/abnormal.html", {"rows": rows})


class OrderBulkView(StaffPermissionRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request):
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdecimal()][:500]
        orders = list(Order.objects.filter(pk__in=ids).order_by("id"))
        action = request.POST.get("action")
        if not orders:
            messages.error(request, "Tick at least one order first.")
        elif action == "submit":
            result = orders_submit(actor=request.user, orders=orders)
            (messages.success if not result.failed else messages.warning)(request, result.summary("submitted"))
        elif action == "cancel":
            result = orders_cancel(actor=request.user, orders=orders, reason="Cancelled by staff")
            (messages.success if not result.failed else messages.warning)(request, result.summary("cancelled"))
        else:
            messages.error(request, "Choose Submit Shipment or Cancel.")
        return back(request, "backoffice:order-list")


class OrderExportView(StaffPermissionRequiredMixin, View):
    permission_required = VIEW

    def post(self, request):
        from ..exports import order_export_start

        kind = "waybill" if request.POST.get("kind") == "waybill" else "orders"
        try:
            job = order_export_start(actor=request.user, filters=filters_from(FilterForm(request.POST)), kind=kind)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("backoffice:order-list")
        messages.success(request, f"{job.title}: {job.message or 'being prepared'}.")
        return redirect("backoffice:order-export-job", pk=job.pk)


def _staff_job(request, pk) -> Job:
    """A staff member's own export (staff jobs belong to no customer)."""
    return get_object_or_404(Job, pk=pk, customer__isnull=True, created_by=request.user)


class OrderExportJobView(StaffPermissionRequiredMixin, View):
    """An export's progress (polled) and its file."""

    permission_required = VIEW

    def get(self, request, pk):
        job = _staff_job(request, pk)
        done, total = job_progress_get(job)
        context = {
            "job": job,
            "done": done,
            "total": total,
            "badges": JOB_STATUS_BADGES,
            "percent": int(done * 100 / total) if total else (100 if job.is_finished else 0),
        }
        template = "orders/staff/_export_status.html" if request.htmx else "orders/staff/export_job.html"
        return render(request, template, context)


class OrderExportFileView(StaffPermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, pk):
        job = _staff_job(request, pk)
        if not job.result_file:
            raise Http404("This export has no file (yet, or any more).")
        return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name)


class OrderDetailView(StaffPermissionRequiredMixin, View):
    permission_required = VIEW

    def get(self, request, number):
        order = _order(number)
        manage = request.user.has_perm("orders.manage_orders")
        return render(
            request,
            "orders/staff/detail.html",
            {
                "order": order,
                "can_manage": manage,
                "can_edit": manage and order.status in EDITABLE,
                "can_submit": manage and order.status in SUBMITTABLE,
                "can_cancel": manage and order.can_cancel,
                "note_form": NoteForm(),
                "international": is_international(order),
            },
        )


class OrderCustomsView(StaffPermissionRequiredMixin, View):
    """The customs document of an international order, as the customer gets it."""

    permission_required = VIEW

    def get(self, request, number):
        order = _order(number)
        return customs_response(request, order, reverse("backoffice:order-detail", args=[order.number]))


class OrderActionView(StaffPermissionRequiredMixin, View):
    """Submit, cancel, copy or add a note — as the staff user, on the order's timeline."""

    permission_required = MANAGE

    def post(self, request, number, action):
        order = _order(number)
        try:
            if action == "submit":
                order = order_submit(actor=request.user, order=order)
                if order.abnormal_code:
                    messages.warning(request, f"{order.number} is Abnormal: {order.abnormal_message}")
                else:
                    messages.success(request, f"{order.number} submitted: Pending Shipment.")
            elif action == "cancel":
                form = CancelForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                order = order_cancel(actor=request.user, order=order, reason=reason or "by staff")
                messages.success(request, f"{order.number} cancelled; stock and held money released.")
            elif action == "copy":
                copy = order_copy(actor=request.user, order=order)
                messages.success(request, f"Copied to {copy.number} (Confirming).")
                return redirect("backoffice:order-detail", copy.number)
            elif action == "note":
                form = NoteForm(request.POST)
                order_note_add(
                    actor=request.user, order=order, message=form.cleaned_data["message"] if form.is_valid() else ""
                )
                messages.success(request, "Note added to the timeline.")
            else:
                raise Http404("No such action.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("backoffice:order-detail", order.number)


class _StaffOrderForm:
    def context(self, request, customer, form, rows, order=None, problems=()):
        return {
            "form": form,
            "rows": rows or [["", ""]],
            "order": order,
            "problems": problems,
            "customer": customer,
            "customer_label": f"{customer.code} {customer.company_name}",
            "skus": product_list(customer=customer, status="active").values_list("sku", "name")[:2000],
            "urls": {
                "recognize": reverse("backoffice:order-recognize"),
                "sku": reverse("backoffice:order-sku-search", args=[customer.code]),
                "quote": reverse("backoffice:order-quote", args=[customer.code]),
            },
        }

    def save(self, request, customer, order=None):
        form = OrderForm(request.POST, warehouses=customer_warehouses(customer=customer))
        rows = read_lines(request.POST)
        template = "orders/staff/order_form.html"
        if not form.is_valid():
            return render(request, template, self.context(request, customer, form, rows, order), status=400)
        codes = order_codes(form, rows, source=OrderSource.STAFF, editing=getattr(order, "pk", None))
        result = intake_resolve(customer=customer, orders=[codes])[0]
        if not result.ok:
            problems = show_problems(form, result.problems)
            return render(request, template, self.context(request, customer, form, rows, order, problems), status=400)
        data = result.data
        try:
            if order is None:
                order = order_create(actor=request.user, customer=customer, data=data, source=OrderSource.STAFF)
            else:
                order = order_update(actor=request.user, order=order, data=data)
            if "submit" in request.POST:
                order = order_submit(actor=request.user, order=order)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return render(request, template, self.context(request, customer, form, rows, order), status=400)
        if order.abnormal_code:
            messages.warning(request, f"{order.number} saved but Abnormal: {order.abnormal_message}")
        else:
            messages.success(request, f"{order.number} saved for {customer.code} ({order.get_status_display()}).")
        return redirect("backoffice:order-detail", order.number)


class OrderPlaceView(StaffPermissionRequiredMixin, _StaffOrderForm, View):
    """Place an order on a customer's behalf: choose the customer, then the same order form."""

    permission_required = MANAGE

    def get(self, request):
        code = request.GET.get("customer", "")
        if not code:
            return render(
                request,
                "orders/staff/choose_customer.html",
                {"customers": Customer.objects.order_by("code").only("code", "company_name")},
            )
        customer = _customer(code)
        form = OrderForm(warehouses=customer_warehouses(customer=customer))
        return render(request, "orders/staff/order_form.html", self.context(request, customer, form, None))

    def post(self, request):
        return self.save(request, _customer(request.GET.get("customer", "")))


class OrderEditView(StaffPermissionRequiredMixin, _StaffOrderForm, View):
    permission_required = MANAGE

    def get(self, request, number):
        order = _order(number)
        if order.status not in EDITABLE:
            messages.error(request, f"{order.number} is {order.get_status_display()}: it can no longer be edited.")
            return redirect("backoffice:order-detail", order.number)
        initial = {
            **recipient_of(order),
            "warehouse": order.warehouse.code,
            "external_ref": order.external_ref,
            "note": order.note,
            "channel": order.channel.code if order.channel else "",
        }
        form = OrderForm(initial=initial, warehouses=customer_warehouses(customer=order.customer))
        rows = [[line.product.sku, str(line.quantity)] for line in order.lines.all()]
        return render(request, "orders/staff/order_form.html", self.context(request, order.customer, form, rows, order))

    def post(self, request, number):
        order = _order(number)
        return self.save(request, order.customer, order)


class RecognizeView(StaffPermissionRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request):
        return recognize_json(request)


class SkuSearchView(StaffPermissionRequiredMixin, View):
    permission_required = MANAGE

    def get(self, request, code):
        return sku_search_json(request, _customer(code))


class QuoteView(StaffPermissionRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, code):
        return quote_json(request, _customer(code))
