from celery import shared_task

from apps.core.tenancy import in_customer_scope, staff_scope

from .choices import ConnectionStatus, Platform
from .fulfillment_service import fulfillment_connections_process, fulfillment_requests_process
from .inbox import event_process
from .inbox_batch import events_batch_process
from .models import Connection, PlatformEvent
from .platforms import PlatformError
from .stock_out import stock_push, stock_push_claim, stock_push_due
from .sync import connections_sync
from .sync_now import sync_now_run
from .tracking_out import delivered_send, tracking_send


@shared_task(name="integrations.process_event")
@in_customer_scope
def process_event(event_id: int, *, customer) -> str:
    """Process a stored platform event (inbox.py), with the order events received after it when
    they can go as a batch (inbox_batch.py); sent through the outbox, so it may come twice."""
    if event_id in events_batch_process(event_id=event_id):
        return PlatformEvent.objects.get(pk=event_id).status
    event = event_process(event_id=event_id)
    return event.status if event is not None else "missing"


@shared_task(name="integrations.sync_now")
@in_customer_scope
def sync_now(job_id: int, *, customer) -> None:
    """A customer's "Sync now" (sync_now.py); runs once per job."""
    sync_now_run(job_id=job_id)


@shared_task(name="integrations.sync_all")
def sync_all() -> int:
    """The reconciliation poll of every active shop connection (sync.py); idempotent."""
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
    except PlatformError as exc:
        wait = max(exc.retry_after or 0, 60 * 2**self.request.retries)
        raise self.retry(countdown=wait, exc=exc) from exc


@shared_task(name="integrations.delivered_out", bind=True, max_retries=8)
@in_customer_scope
def delivered_out(self, order_id: int, *, customer) -> str:
    """A shop's order was delivered: tell its shop (tracking_out.delivered_send), retried with
    backoff while the shop answers with something worth retrying or has not taken the tracking yet."""
    try:
        return delivered_send(order_id=order_id)
    except PlatformError as exc:
        wait = max(exc.retry_after or 0, 60 * 2**self.request.retries)
        raise self.retry(countdown=wait, exc=exc) from exc


@shared_task(name="integrations.stock_out")
@in_customer_scope
def stock_out(connection_id: int, full: bool = False, *, customer) -> str:
    """Set the connection's stock on its shop (stock_out.py): an incremental push at most once a
    minute per connection (a second one within the minute does nothing: the next beat brings its
    changes), or a full pass."""
    if not stock_push_claim(connection_id=connection_id, full=full):
        return "not due"
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        return "missing"
    result = stock_push(connection=connection, full=full)
    return result.error or f"sent {result.sent}, unchanged {result.unchanged}, skipped {result.skipped}"


@shared_task(name="integrations.stock_out_due")
def stock_out_due() -> int:
    """The beat, every minute: queue a push of each connection whose stock moved."""
    with staff_scope():
        due = stock_push_due()
    for connection_id, customer_id in due:
        stock_out.delay(connection_id=connection_id, customer_id=customer_id)
    return len(due)


@shared_task(name="integrations.stock_out_full")
def stock_out_full() -> int:
    """The nightly full pass: every connection that sends stock gets all its mapped SKUs again."""
    with staff_scope():
        connections = list(
            Connection.objects.filter(
                platform=Platform.SHOPIFY, status=ConnectionStatus.ACTIVE, stock_sync=True
            ).values_list("pk", "customer_id")
        )
    for connection_id, customer_id in connections:
        stock_out.delay(connection_id=connection_id, full=True, customer_id=customer_id)
    return len(connections)
