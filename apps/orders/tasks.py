from celery import shared_task

from apps.core.tenancy import in_customer_scope

from .bulk import orders_retry_abnormal
from .choices import RETRY_ON_BALANCE, RETRY_ON_STOCK, AbnormalReason, OrderStatus
from .models import Order


def _retry(customer, codes) -> dict:
    codes = [code for code in codes if code in AbnormalReason.values]
    if not Order.objects.filter(customer=customer, status=OrderStatus.ABNORMAL, abnormal_code__in=codes).exists():
        return {"submitted": 0, "still_abnormal": 0}
    result = orders_retry_abnormal(customer=customer, codes=codes)
    return {"submitted": len(result.done), "still_abnormal": len(result.failed)}


@shared_task(name="orders.retry_abnormal")
@in_customer_scope
def retry_abnormal(codes: list[str], *, customer) -> dict:
    """Submit again the customer's Abnormal orders whose cause may be gone (idempotent)."""
    return _retry(customer, codes)


# The two below are sent by name through the outbox (apps/core/outbox.py) by billing and inventory,
# which sit below orders: a message may come twice, and a second run finds nothing left to retry.


@shared_task(name="orders.retry_after_balance")
@in_customer_scope
def retry_after_balance(*, customer) -> dict:
    """The customer's available balance grew (a top-up, a refund, a credit, a released hold)."""
    return _retry(customer, RETRY_ON_BALANCE)


@shared_task(name="orders.retry_after_stock")
@in_customer_scope
def retry_after_stock(*, customer) -> dict:
    """The customer's available stock grew (received, found, adjusted up, released)."""
    return _retry(customer, RETRY_ON_STOCK)


@shared_task(name="orders.order_import")
@in_customer_scope
def order_import(job_id: int, *, customer) -> None:
    """A batch upload of more than 500 rows (apps/orders/imports.py); runs once per job."""
    from .imports import order_import_run

    order_import_run(job_id=job_id)


@shared_task(name="orders.order_export")
@in_customer_scope
def order_export(job_id: int, *, customer) -> None:
    """A big order or waybill export of one customer into the download centre."""
    from .exports import order_export_run

    order_export_run(job_id=job_id)


@shared_task(name="orders.order_export_staff")
def order_export_staff(job_id: int) -> None:
    """A back-office export across customers: runs outside any customer scope (the staff member's
    permission was checked when the job was created)."""
    from apps.core.tenancy import staff_scope

    from .exports import order_export_run

    with staff_scope():
        order_export_run(job_id=job_id)
