from celery import shared_task

from .outbox import outbox_sweep as outbox_sweep_run


@shared_task(name="core.outbox_sweep")
def outbox_sweep() -> dict:
    """Celery beat, every minute: send again the outbox messages left unpublished (idempotent)."""
    return outbox_sweep_run()
