from celery import shared_task

from apps.core.tenancy import in_customer_scope

from .choices import RETRY_ON_BALANCE, RETRY_ON_STOCK, AbnormalReason, OrderStatus
from .models import Order
from .services import orders_retry_abnormal


@shared_task(name="orders.retry_abnormal")
@in_customer_scope
def retry_abnormal(codes: list[str], *, customer) -> dict:
    """Submit again the customer's Abnormal orders whose cause may be gone (idempotent)."""
    codes = [code for code in codes if code in AbnormalReason.values]
    if not Order.objects.filter(customer=customer, status=OrderStatus.ABNORMAL, abnormal_code__in=codes).exists():
        return {"submitted": 0, "still_abnormal": 0}
    result = orders_retry_abnormal(customer=customer, codes=codes)
    return {"submitted": len(result.done), "still_abnormal": len(result.failed)}


def retry_after_balance(customer_id: int) -> None:
    """Billing calls this after a customer's balance grew (a top-up approved, a refund)."""
    retry_abnormal.delay(list(RETRY_ON_BALANCE), customer_id=customer_id)


def retry_after_stock(customer_id: int) -> None:
    """Inventory calls this after a customer's available stock grew (received, released, found)."""
    retry_abnormal.delay(list(RETRY_ON_STOCK), customer_id=customer_id)


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
