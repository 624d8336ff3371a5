"""Portal: Inventory → Inbound Order (the four steps), and the Damage/Gain slips."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from apps.catalog.selectors import product_list, products_by_sku
from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.documents.toolkit.xlsx import SpreadsheetError
from apps.warehouses.models import Warehouse
from apps.warehouses.selectors import customer_warehouses

from .choices import SHIPPING_EDITABLE, STATUS_BADGES, InboundStatus, PackingMethod
from .documents import BOX_MARK_FORMATS, KINDS, inbound_document
from .forms import ShippingForm, UploadForm, read_rows
from .imports import packing_import
from .models import DamageGainSlip, InboundBox, InboundOrder
from .selectors import inbound_detail, inbound_list, slip_list
from .services import (
    SUBMIT_REQUIRED_SHIPPING,
    BoxSpec,
    boxes_for_single_sku,
    inbound_cancel,
    inbound_create,
    inbound_pack,
    inbound_set_shipping,
    inbound_submit,
    inbound_update_lines,
    lock_reason,
    packing_differences,
    submit_problems,
)
from .spreadsheets import lines_template, packing_template, read_lines

MAX_UPLOAD = 10 * 1024 * 1024


def _get(request, pk) -> InboundOrder:
    get_object_or_404(InboundOrder, pk=pk)  # scoped: another customer's inbound is a 404
    return inbound_detail(pk=pk)


class InboundListView(CustomerRequiredMixin, View):
    def get(self, request):
        status = request.GET.get("status", "")
        qs = inbound_list(
            customer=request.user.customer,
            status=status if status in InboundStatus.values else "",
            search=request.GET.get("q", ""),
        )
        page = Paginator(qs, 25).get_page(request.GET.get("page"))
        return render(
            request,
            "inbound/inbound_list.html",
            {
                "page": page,
                "status": status,
                "statuses": InboundStatus.choices,
                "badges": STATUS_BADGES,
                "q": request.GET.get("q", ""),
            },
        )


def _lines_from_request(request, customer):
    """[(product, quantity)] from the step-1 rows, or an error sentence."""
    rows = read_rows(request.POST, "sku", "quantity")
    products = products_by_sku(customer=customer, skus=[sku for sku, _q in rows])
    lines, problems = [], []
    for sku, quantity in rows:
        product = products.get(sku.lower())
        if product is None:
            problems.append(f"“{sku}” is not one of your SKUs.")
        elif not quantity.isdecimal() or int(quantity) <= 0:
            problems.append(f"{sku}: enter a whole number of units above 0.")
        else:
            lines.append((product, int(quantity)))
    return lines, problems, rows


class InboundLinesView(CustomerRequiredMixin, View):
    """Step 1: warehouse and SKUs (new draft, or edit while Draft). Save keeps you here, Next goes on."""

    template_name = "inbound/step_lines.html"

    def _render(self, request, inbound=None, rows=None, warehouse_id=None, status=200):
        customer = request.user.customer
        if rows is None:
            rows = [(ln.product.sku, str(ln.quantity)) for ln in inbound.lines.all()] if inbound else []
        return render(
            request,
            self.template_name,
            {
                "inbound": inbound,
                "rows": rows or [("", "")],
                "warehouses": customer_warehouses(customer=customer),
                "warehouse_id": warehouse_id or (inbound.warehouse_id if inbound else None),
                "skus": product_list(customer=customer, status="active").values_list("sku", "name")[:2000],
                "upload_form": UploadForm(),
                "locked": lock_reason(inbound, "lines") if inbound else "",
            },
            status=status,
        )

    def get(self, request, pk=None):
        inbound = _get(request, pk) if pk else None
        return self._render(request, inbound)

    def post(self, request, pk=None):
        customer = request.user.customer
        inbound = _get(request, pk) if pk else None
        chosen = request.POST.get("warehouse", "").strip()  # a select's id; anything else is no choice (not a 500)
        warehouse = (
            Warehouse.objects.filter(pk=int(chosen)).first() if chosen.isdecimal() and len(chosen) < 10 else None
        )
        if "upload" in request.POST:
            lines, problems, rows = self._from_file(request, customer)
        else:
            lines, problems, rows = _lines_from_request(request, customer)
        if not problems:
            try:
                if inbound is None:
                    inbound = inbound_create(actor=request.user, warehouse=warehouse, lines=lines)
                    messages.success(request, f"Inbound {inbound.number} saved as a draft.")
                else:
                    inbound_update_lines(actor=request.user, inbound=inbound, warehouse=warehouse, lines=lines)
                    messages.success(request, f"Inbound {inbound.number} saved.")
            except ApplicationError as exc:
                problems = [exc.message]
            else:
                if "next" in request.POST:
                    return redirect(reverse("inbound:detail", args=[inbound.pk]) + "#step-2")
                return redirect("inbound:lines", pk=inbound.pk)
        for problem in problems:
            messages.error(request, problem)
        return self._render(request, inbound, rows=rows, warehouse_id=warehouse.pk if warehouse else None, status=400)

    def _from_file(self, request, customer):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return [], ["Choose the filled-in SKU template to upload."], None
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            return [], ["The file is larger than 10 MB."], None
        try:
            lines = read_lines(customer=customer, data=upload.read())
        except SpreadsheetError as exc:
            return [], [exc.message], None
        return lines, [], [(p.sku, str(q)) for p, q in lines]


def _detail_page(request, inbound, *, shipping_form=None, status=200):
    """The reservation's page; re-shown with what was typed in step 4 when it was refused."""
    inbound = inbound_detail(pk=inbound.pk)
    if shipping_form is None:
        shipping_form = ShippingForm(initial={f: getattr(inbound, f) for f in ShippingForm.base_fields})
    elif shipping_form.is_bound:
        for name in shipping_form.errors:
            if name in shipping_form.fields:
                shipping_form.fields[name].widget.attrs["class"] = "is-invalid"
    return render(
        request,
        "inbound/inbound_detail.html",
        {
            "inbound": inbound,
            "badges": STATUS_BADGES,
            "kinds": KINDS,
            "mark_formats": BOX_MARK_FORMATS.items(),
            "problems": submit_problems(inbound) if inbound.is_draft else [],
            # A refused step 4 shows its one error, not the list of what else is missing too.
            "refused": shipping_form.is_bound,
            "differences": packing_differences(inbound=inbound) if inbound.boxes.all() else {},
            "shipping_form": shipping_form,
            "shipping_editable": inbound.status in SHIPPING_EDITABLE,
            "shipping_locked": lock_reason(inbound, "shipping"),
            "lines_locked": lock_reason(inbound, "lines"),
            "packing_locked": lock_reason(inbound, "packing"),
            "cancellable": inbound.status in (InboundStatus.DRAFT, InboundStatus.SUBMITTED),
        },
        status=status,
    )


class InboundDetailView(CustomerRequiredMixin, View):
    """The reservation: its four steps, downloads, status timeline and slips."""

    def get(self, request, pk):
        return _detail_page(request, _get(request, pk))


class InboundPackingView(CustomerRequiredMixin, View):
    """Step 3: one SKU per box, mixed boxes, or a packing-list import."""

    template_name = "inbound/step_packing.html"

    def _render(self, request, inbound, method=None, status=200, mixed_rows=None, import_job=None):
        lines = list(inbound.lines.all())
        if mixed_rows is None:
            mixed_rows = [
                {
                    "dims": [b.length_cm or "", b.width_cm or "", b.height_cm or "", b.weight_kg or ""],
                    "qty": [
                        next((str(i.quantity) for i in b.items.all() if i.product_id == ln.product_id), "")
                        for ln in lines
                    ],
                }
                for b in inbound.boxes.all()
            ] or [{"dims": ["", "", "", ""], "qty": [""] * len(lines)}]
        return render(
            request,
            self.template_name,
            {
                "inbound": inbound,
                "lines": lines,
                "method": method or inbound.packing_method or PackingMethod.SINGLE,
                "methods": PackingMethod.choices,
                "mixed_rows": mixed_rows,
                "upload_form": UploadForm(),
                "import_job": import_job,
                "locked": lock_reason(inbound, "packing"),
            },
            status=status,
        )

    def get(self, request, pk):
        return self._render(request, _get(request, pk))

    def post(self, request, pk):
        inbound = _get(request, pk)
        method = request.POST.get("method", "")
        try:
            if method == PackingMethod.SINGLE:
                boxes = boxes_for_single_sku(inbound=inbound, per_sku=self._per_sku(request, inbound))
            elif method == PackingMethod.MIXED:
                boxes = self._mixed(request, inbound)
            elif method == PackingMethod.IMPORT:
                return self._import(request, inbound)
            else:
                raise SpreadsheetError("Choose a packing method.")
            inbound_pack(actor=request.user, inbound=inbound, boxes=boxes, method=method)
        except (ApplicationError, SpreadsheetError) as exc:
            messages.error(request, exc.message)
            return self._render(
                request,
                inbound,
                method=method,
                status=400,
                mixed_rows=self._mixed_rows(request, inbound) if method == PackingMethod.MIXED else None,
            )
        return self._saved(request, inbound)

    @staticmethod
    def _saved(request, inbound):
        count = InboundBox.objects.filter(inbound_id=inbound.pk).count()
        messages.success(
            request,
            f"Packing list saved: {count} box{'es' if count != 1 else ''}. "
            "Download the packing list and the box marks below.",
        )
        return redirect(reverse("inbound:detail", args=[inbound.pk]) + "#step-3")

    def _import(self, request, inbound):
        """The whole file or nothing; every bad row at once, with the file marked."""
        form = UploadForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise SpreadsheetError("Choose the filled-in packing-list template to upload.")
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD:
                raise SpreadsheetError("The file is larger than 10 MB.")
            _count, job = packing_import(actor=request.user, inbound=inbound, data=upload.read(), name=upload.name)
        except (ApplicationError, SpreadsheetError) as exc:
            messages.error(request, exc.message)
            return self._render(request, inbound, method=PackingMethod.IMPORT, status=400)
        if job is not None:
            messages.error(request, job.message)
            return self._render(request, inbound, method=PackingMethod.IMPORT, status=400, import_job=job)
        return self._saved(request, inbound)

    @staticmethod
    def _per_sku(request, inbound) -> dict:
        per_sku = {}
        for line in inbound.lines.all():
            units = request.POST.get(f"units-{line.product_id}", "").strip()
            per_sku[line.product_id] = {
                "units_per_box": int(units) if units.isdecimal() else None,
                **{
                    k: request.POST.get(f"{k}-{line.product_id}", "")
                    for k in ("length_cm", "width_cm", "height_cm", "weight_kg")
                },
            }
        return per_sku

    @staticmethod
    def _mixed_rows(request, inbound):
        lines = list(inbound.lines.all())
        dims = [request.POST.getlist(k) for k in ("length_cm", "width_cm", "height_cm", "weight_kg")]
        quantities = [request.POST.getlist(f"qty-{ln.product_id}") for ln in lines]
        count = max([len(d) for d in dims] + [len(q) for q in quantities] + [0])
        pick = lambda values, i: values[i] if i < len(values) else ""  # noqa: E731
        return [{"dims": [pick(d, i) for d in dims], "qty": [pick(q, i) for q in quantities]} for i in range(count)]

    def _mixed(self, request, inbound) -> list[BoxSpec]:
        lines = list(inbound.lines.select_related("product"))
        boxes = []
        for number, row in enumerate(self._mixed_rows(request, inbound), start=1):
            items = []
            for line, qty in zip(lines, row["qty"], strict=True):
                qty = qty.strip()
                if qty and (not qty.isdecimal() or int(qty) < 0):
                    raise SpreadsheetError(f"Box {number}, {line.product.sku}: enter a whole number of units.")
                if qty and int(qty) > 0:
                    items.append((line.product, int(qty)))
            if items or any(v.strip() for v in row["dims"]):
                boxes.append(
                    BoxSpec(
                        items=items,
                        length_cm=row["dims"][0],
                        width_cm=row["dims"][1],
                        height_cm=row["dims"][2],
                        weight_kg=row["dims"][3],
                    )
                )
        return boxes


class InboundShippingView(CustomerRequiredMixin, View):
    """Step 4. A refusal shows the page again with what was typed and the one error (nothing
    saved, no other message); "Save and Submit" that cannot submit says only why."""

    def post(self, request, pk):
        inbound = _get(request, pk)
        form = ShippingForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing saved: check the dates — use the date picker (YYYY-MM-DD).")
            return _detail_page(request, inbound, shipping_form=form, status=400)
        try:
            inbound_set_shipping(actor=request.user, inbound=inbound, data=form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, f"Nothing saved: {exc.message}")
            for name, errors in exc.extra.items():
                if name in form.fields:
                    form.add_error(name, errors[0] if errors else exc.message)
            return _detail_page(request, inbound, shipping_form=form, status=400)
        if "submit" in request.POST and inbound.is_draft:
            try:
                inbound_submit(actor=request.user, inbound=inbound)
            except ApplicationError as exc:
                messages.error(
                    request, f"The shipping information is saved, but the shipment is not submitted: {exc.message}"
                )
                for name in SUBMIT_REQUIRED_SHIPPING:
                    if not form.cleaned_data.get(name):
                        form.add_error(name, "Needed to submit the shipment.")
                return _detail_page(request, inbound, shipping_form=form, status=400)
            messages.success(request, _submitted_message(inbound))
            return redirect("inbound:detail", pk=inbound.pk)
        messages.success(request, "Shipping information saved.")
        return redirect(reverse("inbound:detail", args=[inbound.pk]) + "#step-4")


def _submitted_message(inbound) -> str:
    return (
        f"Inbound {inbound.number} submitted. Put the box marks on the boxes and ship "
        "them; you can update the shipping information until they arrive."
    )


def _submit(request, inbound) -> None:
    try:
        inbound_submit(actor=request.user, inbound=inbound)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _submitted_message(inbound))


class InboundSubmitView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        inbound = _get(request, pk)
        _submit(request, inbound)
        return redirect("inbound:detail", pk=inbound.pk)


class InboundCancelView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        inbound = _get(request, pk)
        try:
            inbound_cancel(actor=request.user, inbound=inbound, reason=request.POST.get("reason", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Inbound {inbound.number} cancelled.")
        return redirect("inbound:detail", pk=inbound.pk)


class InboundDocumentView(CustomerRequiredMixin, View):
    def get(self, request, pk, kind):
        inbound = _get(request, pk)
        try:
            data, content_type, name = inbound_document(
                inbound=inbound,
                kind=kind,
                label_format=request.GET.get("labels", "thermal-50x30"),
                mark_format=request.GET.get("format", "100x100"),
            )
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("inbound:detail", pk=inbound.pk)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class TemplateDownloadView(CustomerRequiredMixin, View):
    TEMPLATES = {
        "skus": (lines_template, "inbound-sku-template.xlsx"),
        "packing": (packing_template, "packing-list-template.xlsx"),
    }

    def get(self, request, which):
        if which not in self.TEMPLATES:
            return redirect("inbound:list")
        build, name = self.TEMPLATES[which]
        response = HttpResponse(
            build(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class SlipListView(CustomerRequiredMixin, View):
    def get(self, request):
        page = Paginator(slip_list(customer=request.user.customer), 25).get_page(request.GET.get("page"))
        return render(request, "inbound/slip_list.html", {"page": page})


class SlipDetailView(CustomerRequiredMixin, View):
    def get(self, request, pk):
        slip = get_object_or_404(DamageGainSlip.objects.select_related("inbound", "inbound__warehouse"), pk=pk)
        return render(
            request, "inbound/slip_detail.html", {"slip": slip, "lines": slip.lines.select_related("product")}
        )
