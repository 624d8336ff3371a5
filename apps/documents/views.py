from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views import View

from apps.core.access import CustomerRequiredMixin

from .models import JOB_STATUS_BADGES, Job
from .selectors import job_list
from .services import job_progress_get


class DownloadCentreView(CustomerRequiredMixin, View):
    """Every import and export of the customer, newest first, with its file to download."""

    def get(self, request):
        page = Paginator(job_list(customer=request.user.customer), 25).get_page(request.GET.get("page"))
        return render(
            request,
            "documents/download_centre.html",
            {"page": page, "badges": JOB_STATUS_BADGES, "keep_days": settings.JOB_FILES_KEEP_DAYS},
        )


class JobView(CustomerRequiredMixin, View):
    """A job's page; its status card is also served alone for htmx polling (progress bar)."""

    def get(self, request, pk):
        job = get_object_or_404(Job, pk=pk)
        done, total = job_progress_get(job)
        context = {
            "job": job,
            "done": done,
            "total": total,
            "badges": JOB_STATUS_BADGES,
            "percent": int(done * 100 / total) if total else (100 if job.is_finished else 0),
        }
        template = "documents/_job_status.html" if request.htmx else "documents/job.html"
        return render(request, template, context)


class JobFileView(CustomerRequiredMixin, View):
    def get(self, request, pk, which):
        job = get_object_or_404(Job, pk=pk)
        field, name = (job.result_file, job.result_name) if which == "result" else (job.input_file, job.input_name)
        if not field:
            raise Http404("This job has no such file.")
        return FileResponse(field.open("rb"), as_attachment=True, filename=name or field.name.rsplit("/", 1)[-1])
