from celery import shared_task

from apps.core.tenancy import in_customer_scope, staff_scope

from .inbox import event_process
from .sync import connections_sync


@shared_task(name="integrations.process_event")
@in_customer_scope
def process_event(event_id: int, *, customer) -> str:
    """Process a stored platform event (inbox.py); sent through the outbox, so it may come twice."""
    event = event_process(event_id=event_id)
    return event.status if event is not None else "missing"


@shared_task(name="integrations.sync_all")
def sync_all() -> int:
    """The reconciliation poll of every active Shopify connection (sync.py); idempotent."""
    with staff_scope():
        return connections_sync()
