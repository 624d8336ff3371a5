from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.documents.layouts.barcode_labels import LABEL_FORMATS, Label, render_labels
from apps.documents.models import JOB_STATUS_BADGES, Job
from apps.documents.selectors import job_list
from apps.documents.services import job_progress_get
from apps.documents.toolkit.barcodes import symbology_for
from apps.documents.toolkit.xlsx import SpreadsheetError

from .forms import BulkActionForm, ImportForm, ProductForm
from .imports import IMPORT_KIND, product_export_start, product_import_start, product_template
from .models import Product
from .selectors import product_categories, product_list, product_measurement_history
from .services import product_apply_upc, product_create, product_update, products_set_active, upc_generate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_LABEL_COPIES = 500


def _filters(request) -> dict:
    return {
        "search": request.GET.get("q", "").strip(),
        "status": request.GET.get("status", ""),
        "category": request.GET.get("category", ""),
        "sort": request.GET.get("sort", "sku"),
    }


class ProductListView(CustomerRequiredMixin, View):
    """Products → list: search by SKU, name or UPC; filter; sort; tick rows for bulk actions."""

    def get(self, request):
        customer = request.user.customer
        filters = _filters(request)
        page = Paginator(product_list(customer=customer, **filters), 50).get_page(request.GET.get("page"))
        return render(
            request,
            "catalog/product_list.html",
            {
                "page": page,
                "filters": filters,
                "categories": product_categories(customer=customer),
                "query": request.GET.urlencode(),
            },
        )


class ProductBulkView(CustomerRequiredMixin, View):
    def post(self, request):
        form = BulkActionForm(request.POST)
        back = reverse("catalog:product-list") + ("?" + request.POST["back"] if request.POST.get("back") else "")
        if not form.is_valid():
            messages.warning(request, " ".join(form.non_field_errors()) or "Choose an action.")
            return redirect(back)
        products = Product.objects.filter(pk__in=form.id_list)
        active = form.cleaned_data["action"] == "activate"
        changed = products_set_active(actor=request.user, products=products, active=active)
        verb = "activated" if active else "deactivated"
        messages.success(request, f"{changed} product{'s' if changed != 1 else ''} {verb}.")
        return redirect(back)


class ProductCreateView(CustomerRequiredMixin, View):
    """Products → Create: fill in, OK, back to the list. "Apply ST-UPC" fills a generated UPC."""

    template_name = "catalog/product_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ProductForm(initial={"currency": "USD"})})

    def post(self, request):
        form = ProductForm(request.POST)
        if "apply_upc" in request.POST:  # without JavaScript: generate, show the form again
            data = request.POST.copy()
            data["upc"] = upc_generate(customer=request.user.customer)
            messages.info(request, f"UPC {data['upc']} is reserved for you. Press OK to save the product.")
            return render(request, self.template_name, {"form": ProductForm(data)})
        if form.is_valid():
            try:
                product = product_create(actor=request.user, data=form.cleaned_data)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, f"Product {product.sku} created.")
                if "add_another" in request.POST:
                    return redirect("catalog:product-create")
                return redirect("catalog:product-list")
        return render(request, self.template_name, {"form": form}, status=400)


class ApplyUpcView(CustomerRequiredMixin, View):
    """htmx: reserve a generated UPC and hand back the UPC input filled in."""

    def post(self, request):
        upc = upc_generate(customer=request.user.customer)
        return HttpResponse(
            f'<input type="text" name="upc" value="{upc}" class="form-control" id="id_upc" data-testid="upc-input">'
        )


class ProductDetailView(CustomerRequiredMixin, View):
    def get(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        return render(
            request,
            "catalog/product_detail.html",
            {
                "product": product,
                "history": product_measurement_history(product=product)[:20],
            },
        )


class ProductUpdateView(CustomerRequiredMixin, View):
    template_name = "catalog/product_form.html"

    def get(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        initial = {f: getattr(product, f) for f in ProductForm.base_fields}
        return render(request, self.template_name, {"form": ProductForm(initial=initial), "product": product})

    def post(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        form = ProductForm(request.POST)
        if form.is_valid():
            try:
                product = product_update(actor=request.user, product=product, data=form.cleaned_data)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, f"Product {product.sku} saved.")
                return redirect("catalog:product-detail", pk=product.pk)
        return render(request, self.template_name, {"form": form, "product": product}, status=400)


class ProductApplyUpcView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        try:
            product = product_apply_upc(actor=request.user, product=product)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, f"UPC {product.upc} applied to {product.sku}.")
        return redirect("catalog:product-detail", pk=product.pk)


# --- Batch import, export, labels ---------------------------------------------------------------


class ProductImportTemplateView(CustomerRequiredMixin, View):
    def get(self, request):
        response = HttpResponse(product_template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="product-template.xlsx"'
        return response


class ProductImportView(CustomerRequiredMixin, View):
    """Products → Batch import: download the template, upload, see every bad row."""

    template_name = "catalog/product_import.html"

    def get(self, request, form=None, status=200):
        jobs = job_list(customer=request.user.customer, kind=IMPORT_KIND)[:10]
        return render(request, self.template_name, {"form": form or ImportForm(), "jobs": jobs}, status=status)

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is 10 MB.")
            return self.get(request, form=form, status=400)
        try:  # the file's header is checked here (nothing saved when it is refused); its rows in the job
            job = product_import_start(actor=request.user, data=upload.read(), name=upload.name)
        except SpreadsheetError as exc:
            form.add_error("file", exc.message)
            return self.get(request, form=form, status=400)
        return redirect("catalog:product-import-job", pk=job.pk)


class ProductImportJobView(CustomerRequiredMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(Job, pk=pk, kind=IMPORT_KIND)
        done, total = job_progress_get(job)
        context = {
            "job": job,
            "done": done,
            "total": total,
            "badges": JOB_STATUS_BADGES,
            "percent": int(done * 100 / total) if total else 0,
            "result_template": "catalog/_import_result.html",
        }
        return render(
            request, "documents/_job_status.html" if request.htmx else "catalog/product_import_job.html", context
        )


class ProductImportValidOnlyView(CustomerRequiredMixin, View):
    """The user chose to import only the good rows of a file that had bad ones."""

    def post(self, request, pk):
        job = get_object_or_404(Job, pk=pk, kind=IMPORT_KIND)
        if not job.result.get("problem_count") or job.params.get("only_valid") or not job.result.get("valid"):
            messages.warning(request, "There are no valid rows left to import from this file.")
            return redirect("catalog:product-import-job", pk=job.pk)
        with job.input_file.open("rb") as f:
            data = f.read()
        try:
            new = product_import_start(actor=request.user, data=data, name=job.input_name, only_valid=True)
        except SpreadsheetError as exc:
            messages.error(request, exc.message)
            return redirect("catalog:product-import-job", pk=job.pk)
        return redirect("catalog:product-import-job", pk=new.pk)


class ProductExportView(CustomerRequiredMixin, View):
    """Export the filtered list to XLSX; big lists run in the background into the download centre."""

    def post(self, request):
        job = product_export_start(actor=request.user, filters=_filters(request))
        if not job.is_finished:
            messages.info(request, f"Exporting {job.total} products; the file will be in the download centre.")
        return redirect("documents:job", pk=job.pk)


class ProductLabelsView(CustomerRequiredMixin, View):
    """Pick SKUs and copies, choose the label size, download the PDF."""

    def get(self, request):
        ids = [int(i) for i in request.GET.getlist("ids") if i.isdecimal()]
        products = list(product_list(customer=request.user.customer).filter(pk__in=ids))
        if not products:
            messages.warning(request, "Tick the products you want labels for, then press Print labels.")
            return redirect("catalog:product-list")
        rows = [(p, *symbology_for(p.sku, p.upc)) for p in products]
        return render(
            request,
            "catalog/product_labels.html",
            {
                "rows": rows,
                "formats": LABEL_FORMATS.items(),
                "max_copies": MAX_LABEL_COPIES,
            },
        )

    def post(self, request):
        fmt = request.POST.get("format", "")
        products = product_list(customer=request.user.customer).filter(
            pk__in=[int(i) for i in request.POST.getlist("ids") if i.isdecimal()]
        )
        labels, problems = [], []
        for product in products:
            raw = request.POST.get(f"copies-{product.pk}", "1").strip()
            if not raw.isdecimal() or not 0 <= int(raw) <= MAX_LABEL_COPIES:
                problems.append(f"{product.sku}: copies must be a whole number from 0 to {MAX_LABEL_COPIES}.")
                continue
            if int(raw):
                symbology, value = symbology_for(product.sku, product.upc)
                labels.append(
                    Label(value=value, symbology=symbology, caption=value, title=product.name, copies=int(raw))
                )
        if fmt not in LABEL_FORMATS:
            problems.append("Choose a label size.")
        if not labels and not problems:
            problems.append("Every product has 0 copies: there is nothing to print.")
        if problems:
            for problem in problems:
                messages.error(request, problem)
            query = "&".join(f"ids={p.pk}" for p in products)
            return redirect(reverse("catalog:product-labels") + "?" + query)
        try:
            pdf = render_labels(labels, fmt, skip=_int(request.POST.get("skip"), 0))
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect(reverse("catalog:product-labels") + "?" + "&".join(f"ids={p.pk}" for p in products))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="labels-{fmt}.pdf"'
        return response


def _int(value, default):
    return int(value) if str(value or "").isdecimal() else default
