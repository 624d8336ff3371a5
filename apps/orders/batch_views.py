"""Orders › Batch creation: download a template, upload it, see every bad row, create the orders.

Thin views over apps/orders/imports.py.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.documents.models import JOB_STATUS_BADGES, Job
from apps.documents.selectors import job_list
from apps.documents.services import job_progress_get
from apps.documents.toolkit.uploads import XLSX_MAX_BYTES, format_size
from apps.documents.toolkit.xlsx import SpreadsheetError
from apps.warehouses.selectors import customer_warehouses

from .batch_files import TEMPLATES
from .imports import IMPORT_KIND, KINDS, order_import_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BatchForm(forms.Form):
    file = forms.FileField(
        label="Order file (.xlsx)",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": f".xlsx,{XLSX}"}),
        help_text=f"A filled-in template; at most {format_size(XLSX_MAX_BYTES)} and 50,000 rows.",
    )
    kind = forms.ChoiceField(label="Template", choices=list(KINDS.items()), initial="regular")
    warehouse = forms.ChoiceField(
        label="Warehouse",
        required=False,
        help_text="Orders that name no warehouse ship from this one (every Kickstarter order; Regular rows "
        "that leave Warehouse empty). Leave it empty and one of your warehouses is chosen for each order.",
    )
    only_valid = forms.BooleanField(label="If some rows have problems, create only the valid orders", required=False)
    submit = forms.BooleanField(label="Submit the created orders at once (Submit Shipment)", required=False)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = [w.code for w in customer_warehouses(customer=customer)]
        self.fields["warehouse"].choices = [("", "Choose for each order"), *((c, c) for c in self.codes)]
        if len(self.codes) == 1:
            self.fields["warehouse"].initial = self.codes[0]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and upload.size > XLSX_MAX_BYTES:
            self.add_error(
                "file",
                f"The file is {format_size(upload.size)}; the limit is "
                f"{format_size(XLSX_MAX_BYTES)}. Split it into smaller files.",
            )
        return data


class BatchView(CustomerRequiredMixin, View):
    """Download the Regular or Kickstarter template, upload it, go to the job's page."""

    template_name = "orders/batch.html"

    def get(self, request, form=None, status=200):
        customer = request.user.customer
        context = {
            "form": form or BatchForm(customer=customer),
            "jobs": job_list(customer=customer, kind=IMPORT_KIND)[:10],
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request):
        form = BatchForm(request.POST, request.FILES, customer=request.user.customer)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        upload, data = form.cleaned_data["file"], form.cleaned_data["file"].read()
        try:
            job = order_import_start(
                actor=request.user,
                data=data,
                name=upload.name,
                kind=form.cleaned_data["kind"],
                only_valid=form.cleaned_data["only_valid"],
                submit=form.cleaned_data["submit"],
                warehouse_code=form.cleaned_data["warehouse"],
            )
        except SpreadsheetError as exc:  # the file is refused before anything is saved
            form.add_error("file", exc.message)
            return self.get(request, form=form, status=400)
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.get(request, form=form, status=400)
        return redirect("orders:batch-job", pk=job.pk)


class BatchTemplateView(CustomerRequiredMixin, View):
    def get(self, request, kind):
        if kind not in TEMPLATES:
            raise Http404("No such template.")
        filename, build = TEMPLATES[kind]
        response = HttpResponse(build(customer=request.user.customer), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class BatchJobView(CustomerRequiredMixin, View):
    """An upload's outcome: progress while it runs (htmx polls the status card), then the bad
    rows, the marked file, and the choice to create only the valid orders."""

    def get(self, request, pk):
        job = get_object_or_404(Job, pk=pk, kind=IMPORT_KIND)
        done, total = job_progress_get(job)
        context = {
            "job": job,
            "done": done,
            "total": total,
            "badges": JOB_STATUS_BADGES,
            "percent": min(int(done * 100 / total), 100) if total else 0,
            "result_template": "orders/batch_result.html",
        }
        return render(request, "documents/_job_status.html" if request.htmx else "orders/batch_job.html", context)


class BatchValidOnlyView(CustomerRequiredMixin, View):
    """The user chose to create only the valid orders of a file that had bad rows."""

    def post(self, request, pk):
        job = get_object_or_404(Job, pk=pk, kind=IMPORT_KIND)
        result, params = job.result, job.params
        if not result.get("problem_count") or params.get("only_valid") or not result.get("valid"):
            messages.warning(request, "There are no valid orders left to create from this file.")
            return redirect("orders:batch-job", pk=job.pk)
        with job.input_file.open("rb") as f:
            data = f.read()
        try:
            new = order_import_start(
                actor=request.user,
                data=data,
                name=job.input_name,
                kind=params["kind"],
                only_valid=True,
                submit=bool(params.get("submit")),
                warehouse_code=params.get("warehouse_code", ""),
            )
        except (SpreadsheetError, ApplicationError) as exc:
            messages.error(request, exc.message)
            return redirect("orders:batch-job", pk=job.pk)
        return redirect("orders:batch-job", pk=new.pk)
