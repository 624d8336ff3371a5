from celery import shared_task

from apps.core.tenancy import in_customer_scope, staff_scope

from .fulfillment_service import fulfillment_connections_process, fulfillment_requests_process
from .inbox import event_process
from .models import Connection
from .shopify.client import ShopifyError
from .sync import connections_sync
from .tracking_out import tracking_send


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
        polled = connections_sync()
        fulfillment_connections_process()  # fulfillment-service connections: their requests too
        return polled


@shared_task(name="integrations.fulfillment_requests")
@in_customer_scope
def fulfillment_requests(connection_id: int, *, customer) -> str:
    """Answer a fulfillment-service connection's open requests (fulfillment_service.py); idempotent."""
    connection = Connection.objects.select_related("customer").filter(pk=connection_id).first()
    if connection is None or not connection.is_live:
        return "missing"
    counts = fulfillment_requests_process(connection=connection)
    return counts.error or f"accepted {counts.accepted}, rejected {counts.rejected}, cancelled {counts.cancelled}"


@shared_task(name="integrations.tracking_out", bind=True, max_retries=8)
@in_customer_scope
def tracking_out(self, order_id: int, *, customer) -> str:
    """A shop's order was Shipped: send its tracking (tracking_out.py), retried with backoff
    (1, 2, 4 … minutes) while the shop answers with something worth retrying."""
    try:
        return tracking_send(order_id=order_id)
    except ShopifyError as exc:
        wait = max(exc.retry_after or 0, 60 * 2**self.request.retries)
        raise self.retry(countdown=wait, exc=exc) from exc
