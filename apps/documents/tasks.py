from celery import shared_task
from django.conf import settings

from apps.core.tenancy import staff_scope

from .services import jobs_purge


@shared_task(name="documents.jobs_purge")
def purge_old_job_files() -> int:
    """Nightly: drop import and export files older than JOB_FILES_KEEP_DAYS (every customer's)."""
    with staff_scope():
        return jobs_purge(older_than_days=settings.JOB_FILES_KEEP_DAYS)
