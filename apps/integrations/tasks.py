from celery import shared_task

from apps.core.tenancy import in_customer_scope

from .inbox import event_process


@shared_task(name="integrations.process_event")
@in_customer_scope
def process_event(event_id: int, *, customer) -> str:
    """Process a stored platform event (inbox.py); sent through the outbox, so it may come twice."""
    event = event_process(event_id=event_id)
    return event.status if event is not None else "missing"
