""" "Sync now" as a job: the customer's button queues one reconciliation poll of the connection
(sync.py) as a documents Job, whose page shows the orders read so far and then the counts. With
eager Celery (the laptop default) the job has run when the button's request returns."""

from __future__ import annotations

import logging

from apps.core.errors import ValidationFailed
from apps.core.task_names import task_send_on_commit
from apps.documents.models import Job
from apps.documents.services import job_create, job_finish, job_progress, job_start

from .choices import BUILT, ConnectionStatus
from .models import Connection, SyncRun
from .sync import connection_sync

logger = logging.getLogger(__name__)

SYNC_KIND = "integrations.sync"
STOPPED = (ConnectionStatus.PAUSED, ConnectionStatus.DISCONNECTED)


def sync_counts(run: SyncRun) -> str:
    return (
        f"fetched {run.fetched}, created {run.created}, updated {run.updated}, "
        f"skipped {run.skipped}, failed {run.failed}"
    )


def _refusal(connection: Connection) -> ValidationFailed | None:
    if connection.status in STOPPED:
        return ValidationFailed(
            f"{connection.display_name} is {connection.get_status_display().lower()}; resume it before syncing.",
            code="connection_not_active",
        )
    if connection.platform not in BUILT:
        return ValidationFailed(
            f"{connection.get_platform_display()} connections cannot be synced yet.", code="platform_not_built"
        )
    return None


def sync_now_start(*, actor, connection: Connection) -> Job:
    """Queue the poll of an active (or needs-attention) connection; the job (finished already
    when the task ran eagerly). A paused or disconnected connection is refused, nothing queued."""
    refusal = _refusal(connection)
    if refusal is not None:
        raise refusal
    job = job_create(
        actor=actor,
        customer=connection.customer,
        kind=SYNC_KIND,
        title=f"Sync of {connection.display_name} ({connection.shop_domain})"[:200],
        params={"connection_id": connection.pk},
    )
    task_send_on_commit("integrations.sync_now", job.pk, customer_id=connection.customer_id)
    job.refresh_from_db()
    return job


def sync_now_run(*, job_id: int) -> None:
    """Run the job's poll once (a second delivery finds it claimed and does nothing)."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    connection = Connection.objects.select_related("customer").filter(pk=job.params.get("connection_id")).first()
    refusal = _refusal(connection) if connection is not None else ValidationFailed("The connection is gone.")
    if refusal is not None:
        job_finish(job=job, message=f"Not synced: {refusal.message}", failed=True)
        return

    def progress(run: SyncRun) -> None:
        job_progress(job_id=job.pk, done=run.fetched, total=run.fetched)

    try:
        run = connection_sync(connection=connection, on_page=progress)
    except Exception:  # an unexpected error: the job says so (it never stays Running), the log has it
        logger.exception("sync job %s of connection %s failed", job.pk, connection.pk)
        job_finish(job=job, message=f"Sync of {connection.display_name} failed unexpectedly; support can see why.",
                   failed=True)  # fmt: skip
        return
    counts = sync_counts(run)
    result = {"sync_run": run.pk, "fetched": run.fetched, "created": run.created, "updated": run.updated}
    result.update(skipped=run.skipped, failed=run.failed, error=run.error)
    if run.error:
        message = f"Sync of {connection.display_name} stopped: {run.error} ({counts})."
        job_finish(job=job, message=message, result=result, failed=True)
    else:
        job_finish(
            job=job, message=f"Synced {connection.display_name}: {counts[0].upper()}{counts[1:]}.", result=result
        )
