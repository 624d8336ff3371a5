from celery import shared_task

from apps.core.tenancy import in_customer_scope

from .exports import inventory_export_run


@shared_task(name="inventory.export")
@in_customer_scope
def inventory_export(job_id: int, *, customer) -> None:
    inventory_export_run(job_id=job_id)
