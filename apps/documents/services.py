"""Jobs: create, move through their states, report progress, finish with a file."""

from __future__ import annotations

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from apps.core.errors import StateConflict

from .models import JOB_TRANSITIONS, Job, JobStatus

PROGRESS_TTL = 60 * 60


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


@transaction.atomic
def job_create(
    *,
    actor,
    customer,
    kind: str,
    title: str,
    params: dict | None = None,
    input_bytes: bytes | None = None,
    input_name: str = "",
    total: int = 0,
) -> Job:
    job = Job(
        customer=customer,
        created_by=actor,
        kind=kind,
        title=title,
        params=params or {},
        input_name=input_name,
        total=total,
    )
    if input_bytes is not None:
        job.input_file.save(input_name or "input", ContentFile(input_bytes), save=False)
    job.save()
    return job


def _transition(job: Job, to: str) -> Job:
    if to not in JOB_TRANSITIONS[JobStatus(job.status)]:
        raise StateConflict(f"The job is {job.get_status_display().lower()}; it cannot become {to}.")
    job.status = to
    return job


@transaction.atomic
def job_start(*, job_id: int) -> Job | None:
    """Claim a queued job for running. None when it was already claimed or finished, so a task
    delivered twice does the work once (a job stuck in Running after a lost worker is re-run
    by job_restart)."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    return Job.objects.get(pk=job_id) if claimed else None


def job_progress(*, job_id: int, done: int, total: int) -> None:
    """Progress lives in the cache: it must be visible while the job's transaction is open."""
    cache.set(_progress_key(job_id), (done, total), PROGRESS_TTL)


def job_progress_get(job: Job) -> tuple[int, int]:
    if job.status == JobStatus.DONE:
        return job.total, job.total
    return cache.get(_progress_key(job.pk)) or (0, job.total)


@transaction.atomic
def job_finish(
    *,
    job: Job,
    message: str,
    result: dict | None = None,
    result_bytes: bytes | None = None,
    result_name: str = "",
    failed: bool = False,
) -> Job:
    job = _transition(job, JobStatus.FAILED if failed else JobStatus.DONE)
    job.message = message
    job.result = result or {}
    job.finished_at = timezone.now()
    if result_bytes is not None:
        job.result_name = result_name
        job.result_file.save(result_name, ContentFile(result_bytes), save=False)
    job.save()
    cache.delete(_progress_key(job.pk))
    return job


@transaction.atomic
def job_fail(*, job_id: int, message: str) -> Job:
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.is_finished:
        return job
    return job_finish(job=job, message=message, failed=True)


def jobs_purge(*, older_than_days: int) -> int:
    """Delete the files of jobs finished more than ``older_than_days`` ago (DESIGN §8: exports are
    kept 7 days); the job rows stay as the record of what ran. Idempotent."""
    cutoff = timezone.now() - timezone.timedelta(days=older_than_days)
    purged = 0
    old = Job.objects.filter(finished_at__lt=cutoff).exclude(input_file="", result_file="")
    for job in old.iterator(chunk_size=500):
        for field in (job.input_file, job.result_file):
            if field:
                field.delete(save=False)
        Job.objects.filter(pk=job.pk).update(input_file="", result_file="")
        purged += 1
    return purged
