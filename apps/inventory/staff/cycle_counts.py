"""Back office: cycle counts — start a count for a bin range, print the blind count sheet, enter
the counts, review the differences, post them as stock adjustments. The rules live in
apps.inventory.cycle_counts; these views shape input and say what happened."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from apps.catalog.models import Product
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.documents.layouts.count_sheets import render_count_sheet
from apps.inventory.choices import CycleCountStatus
from apps.inventory.cycle_counts import (
    bins_in_range,
    cycle_count_add_line,
    cycle_count_adjustments,
    cycle_count_create,
    cycle_count_lines,
    cycle_count_list,
    cycle_count_post,
    cycle_count_record,
    cycle_count_review,
    cycle_count_sheet_rows,
    cycle_count_transition,
)
from apps.inventory.models import CycleCount
from apps.warehouses.models import BinLocation, Warehouse

STATUS_BADGES = {
    CycleCountStatus.COUNTING: "primary",
    CycleCountStatus.REVIEW: "warning",
    CycleCountStatus.POSTED: "success",
    CycleCountStatus.CANCELLED: "secondary",
}
COUNT_FIELD = "count-"  # the counted input of line 12 is "count-12"
SHEET_BLANK_ROWS = 8  # for SKUs found that the sheet does not list


class CycleCountCreateForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.filter(is_active=True),
        empty_label="Choose a warehouse",
        error_messages={
            "required": "Choose the warehouse to count.",
            "invalid_choice": "Choose one of the listed warehouses.",
        },
    )
    bin_from = forms.CharField(
        label="From bin",
        max_length=30,
        help_text="e.g. A-01-01",
        error_messages={"required": "Enter the first bin code of the range."},
    )
    bin_to = forms.CharField(
        label="To bin",
        max_length=30,
        help_text="e.g. A-01-99 (inclusive; case is ignored)",
        error_messages={"required": "Enter the last bin code of the range."},
    )


class CycleCountAddLineForm(forms.Form):
    """A product found in a bin the sheet does not list it for. Looks the bin up in the count's
    warehouse and the product by SKU (and customer code where several customers use the SKU)."""

    bin = forms.CharField(label="Bin", max_length=30, error_messages={"required": "Enter the bin code."})
    sku = forms.CharField(label="SKU", max_length=40, error_messages={"required": "Enter the SKU found."})
    customer = forms.CharField(
        label="Customer code",
        max_length=20,
        required=False,
        help_text="Only needed when several customers use the SKU.",
    )
    counted = forms.CharField(
        label="Counted", max_length=12, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args, count: CycleCount, **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count

    def clean_bin(self):
        code = self.cleaned_data["bin"].strip()
        found = BinLocation.objects.filter(warehouse=self.count.warehouse, code__iexact=code).first()
        if found is None:
            raise forms.ValidationError(
                f"There is no bin {code} in {self.count.warehouse.code}; check the code on the shelf label."
            )
        return found

    def clean(self):
        data = super().clean()
        sku = (data.get("sku") or "").strip()
        if not sku:
            return data
        products = Product.objects.filter(sku__iexact=sku).select_related("customer")
        customer = (data.get("customer") or "").strip()
        if customer:
            products = products.filter(customer__code__iexact=customer)
        products = list(products[:20])
        if not products:
            whose = f" for customer {customer}" if customer else ""
            self.add_error(
                "sku",
                f"No product has SKU {sku}{whose}. Check the SKU on the item; a product must "
                "exist in the catalogue before its stock can be counted.",
            )
        elif len(products) > 1:
            codes = ", ".join(sorted(p.customer.code for p in products))
            self.add_error(
                "customer",
                f"Several customers use SKU {sku} ({codes}); enter the customer code printed on the item or its box.",
            )
        else:
            data["product"] = products[0]
        return data


def _count_or_404(pk) -> CycleCount:
    return get_object_or_404(CycleCount.objects.select_related("warehouse", "created_by", "posted_by"), pk=pk)


def _detail(request, count: CycleCount, *, values=None, errors=None, add_form=None, status=200):
    """The detail page, also re-shown with the input and its errors when a form was refused."""
    context = {
        "count": count,
        "badge": STATUS_BADGES[count.status],
        "statuses": CycleCountStatus,
        "add_form": add_form or CycleCountAddLineForm(count=count),
        "count_field": COUNT_FIELD,
    }
    if count.status in (CycleCountStatus.REVIEW, CycleCountStatus.POSTED):
        rows = cycle_count_review(count=count)
        context["rows"] = rows
        if count.status == CycleCountStatus.REVIEW:
            to_post = [r for r in rows if r.difference]
            context.update(
                to_post=len(to_post),
                units_up=sum(r.difference for r in to_post if r.difference > 0),
                units_down=-sum(r.difference for r in to_post if r.difference < 0),
                drifted=sum(1 for r in rows if r.moved_since_start),
            )
        else:
            context["adjustments"] = cycle_count_adjustments(count=count)
    else:
        values, errors = values or {}, errors or {}
        lines = cycle_count_lines(count=count)
        for line in lines:  # what the input shows: the value just typed, else the saved count
            key = str(line.pk)
            line.entered = values.get(key, "" if line.counted is None else line.counted)
            line.error = errors.get(key, "")
        context["lines"] = lines
        context["missing"] = sum(1 for line in lines if line.counted is None)
    return render(request, "inventory/staff/cycle_count_detail.html", context, status=status)


class CycleCountListView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.view_cyclecount"

    def get(self, request):
        warehouse_code = request.GET.get("warehouse", "").strip()
        status = request.GET.get("status", "")
        status = status if status in CycleCountStatus.values else ""
        warehouse = Warehouse.objects.filter(code=warehouse_code).first() if warehouse_code else None
        counts = cycle_count_list(warehouse=warehouse, status=status)
        if warehouse_code and warehouse is None:
            counts = counts.none()
        page = Paginator(counts, 25).get_page(request.GET.get("page"))
        return render(
            request,
            "inventory/staff/cycle_count_list.html",
            {
                "page": page,
                "warehouse_code": warehouse_code,
                "status": status,
                "warehouses": Warehouse.objects.order_by("code"),
                "statuses": CycleCountStatus.choices,
                "badges": STATUS_BADGES,
            },
        )


class CycleCountCreateView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.add_cyclecount"
    template_name = "inventory/staff/cycle_count_form.html"

    def get(self, request):
        initial = {k: request.GET[k] for k in ("bin_from", "bin_to") if k in request.GET}
        warehouse = Warehouse.objects.filter(code=request.GET.get("warehouse", ""), is_active=True).first()
        if warehouse:
            initial["warehouse"] = warehouse
        return render(request, self.template_name, {"form": CycleCountCreateForm(initial=initial)})

    def post(self, request):
        form = CycleCountCreateForm(request.POST)
        if form.is_valid():
            try:
                count = cycle_count_create(actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                bins = len(bins_in_range(warehouse=count.warehouse, bin_from=count.bin_from, bin_to=count.bin_to))
                lines = count.lines.count()
                messages.success(
                    request,
                    (
                        f"Cycle count #{count.pk} started in {count.warehouse.code} for bins {count.bin_from} to "
                        f"{count.bin_to}: {bins} bin{'s' if bins != 1 else ''}, "
                        f"{lines} SKU line{'s' if lines != 1 else ''}"
                        ". Print the count sheet and count the bins."
                    ),
                )
                return redirect("backoffice:cycle-count-detail", pk=count.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class CycleCountDetailView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.view_cyclecount"

    def get(self, request, pk):
        return _detail(request, _count_or_404(pk))


class CycleCountSheetView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.view_cyclecount"

    def get(self, request, pk):
        count = _count_or_404(pk)
        rows = cycle_count_sheet_rows(count=count)
        bins = len({r[0] for r in rows})
        started = timezone.localtime(count.created_at).strftime("%Y-%m-%d %H:%M")
        try:
            pdf = render_count_sheet(
                title=f"Cycle count #{count.pk} · {count.warehouse.code}",
                subtitle_lines=[
                    f"{count.warehouse.code} {count.warehouse.name}",
                    f"Bins {count.bin_from} to {count.bin_to} · {bins} bins · {len(rows)} rows",
                    f"Started {started} by {count.created_by.email}",
                    "Write the units you find in each box (0 if none). Write SKUs the sheet does not list "
                    "on the blank rows at the end.",
                ],
                rows=rows + [("", "", "")] * SHEET_BLANK_ROWS,
            )
        except ValueError as exc:
            messages.error(request, f"The count sheet could not be made: {exc}")
            return redirect("backoffice:cycle-count-detail", pk=count.pk)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="cycle-count-{count.pk}-{count.warehouse.code}.pdf"'
        return response


class CycleCountRecordView(StaffPermissionRequiredMixin, View):
    """Save the counts typed into the table; "Save and start review" also moves the count on."""

    permission_required = "inventory.change_cyclecount"

    def post(self, request, pk):
        count = _count_or_404(pk)
        values = {key[len(COUNT_FIELD) :]: value for key, value in request.POST.items() if key.startswith(COUNT_FIELD)}
        try:
            changed = cycle_count_record(actor=request.user, count=count, counts=values)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            count.refresh_from_db()
            if count.status != CycleCountStatus.COUNTING:
                return redirect("backoffice:cycle-count-detail", pk=count.pk)
            errors = exc.extra.get("counts", {}) if isinstance(exc.extra, dict) else {}
            return _detail(request, count, values=values, errors=errors, status=400)
        missing = count.lines.filter(counted__isnull=True).count()
        saved = f"Saved {changed} count{'s' if changed != 1 else ''}" if changed else "No counts changed"
        if request.POST.get("then") == "review":
            try:
                cycle_count_transition(actor=request.user, count=count, to=CycleCountStatus.REVIEW)
            except ApplicationError as exc:
                messages.error(request, f"{saved}, but the review could not start: {exc.message}")
            else:
                messages.success(
                    request,
                    f"{saved}. Cycle count #{count.pk} is in review: check the differences, then post the adjustments.",
                )
        elif missing:
            messages.success(request, f"{saved}; {missing} line{'s' if missing != 1 else ''} still to count.")
        else:
            messages.success(request, f"{saved}. Every line is counted: start the review when you are ready.")
        return redirect("backoffice:cycle-count-detail", pk=count.pk)


class CycleCountTransitionView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.change_cyclecount"
    DONE = {
        CycleCountStatus.REVIEW: "Cycle count #{pk} is in review: check the differences, then post the adjustments.",
        CycleCountStatus.COUNTING: "Cycle count #{pk} is back to counting; the counts entered so far are kept.",
        CycleCountStatus.CANCELLED: "Cycle count #{pk} cancelled; no stock was changed.",
    }

    def post(self, request, pk):
        count = _count_or_404(pk)
        to = request.POST.get("to", "")
        try:
            count = cycle_count_transition(actor=request.user, count=count, to=to)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.DONE[count.status].format(pk=count.pk))
        return redirect("backoffice:cycle-count-detail", pk=count.pk)


class CycleCountPostView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.adjust_stock"

    def post(self, request, pk):
        count = _count_or_404(pk)
        if count.status == CycleCountStatus.POSTED:
            when = timezone.localtime(count.posted_at).strftime("%Y-%m-%d %H:%M") if count.posted_at else "before"
            who = count.posted_by.email if count.posted_by else "someone"
            messages.info(request, f"Cycle count #{count.pk} was already posted ({when}, by {who}); nothing changed.")
            return redirect("backoffice:cycle-count-detail", pk=count.pk)
        try:
            count = cycle_count_post(actor=request.user, count=count)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            moves = cycle_count_adjustments(count=count)
            if moves:
                up = sum(m.quantity for m in moves if m.quantity > 0)
                down = -sum(m.quantity for m in moves if m.quantity < 0)
                messages.success(
                    request,
                    (
                        f"Cycle count #{count.pk} posted: {len(moves)} adjustment{'s' if len(moves) != 1 else ''} "
                        f"(+{up} / −{down} units). Each bin now holds what was counted."
                    ),
                )
            else:
                messages.success(
                    request,
                    f"Cycle count #{count.pk} posted: every count matched the stock, so no adjustment was needed.",
                )
        return redirect("backoffice:cycle-count-detail", pk=count.pk)


class CycleCountAddLineView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.add_cyclecount"

    def post(self, request, pk):
        count = _count_or_404(pk)
        form = CycleCountAddLineForm(request.POST, count=count)
        if form.is_valid():
            try:
                line = cycle_count_add_line(
                    actor=request.user,
                    count=count,
                    bin=form.cleaned_data["bin"],
                    product=form.cleaned_data["product"],
                    counted=form.cleaned_data["counted"],
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                counted = f", counted {line.counted}" if line.counted is not None else "; enter its count below"
                messages.success(
                    request,
                    f"Added {line.product.sku} ({line.product.customer.code}) in bin "
                    f"{line.bin.code} to cycle count #{count.pk}{counted}.",
                )
                return redirect("backoffice:cycle-count-detail", pk=count.pk)
        count.refresh_from_db()
        if count.status != CycleCountStatus.COUNTING:
            messages.error(
                request,
                form.non_field_errors()[0]
                if form.non_field_errors()
                else "Lines can only be added while the count is counting.",
            )
            return redirect("backoffice:cycle-count-detail", pk=count.pk)
        messages.error(request, "The product was not added; see the form below.")
        return _detail(request, count, add_form=form, status=400)
