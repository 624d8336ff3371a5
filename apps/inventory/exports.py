"""The inventory list to XLSX, as a job into the download centre."""

from django.utils import timezone

from apps.core.task_names import task_send_on_commit
from apps.documents.services import job_create, job_finish, job_start
from apps.documents.toolkit.xlsx import write_xlsx

from .selectors import balance_queryset

EXPORT_KIND = "inventory_export"
SYNC_EXPORT_ROWS = 5000
COLUMNS = ("SKU", "Product name", "Warehouse", "On hand", "Allocated", "Available", "Damaged", "Low-stock level")


def inventory_export_rows(*, customer, filters: dict):
    qs = balance_queryset(customer=customer, **filters).order_by("product__sku", "pk")
    for b in qs.iterator(chunk_size=2000):
        yield (
            b.product.sku,
            b.product.name,
            b.warehouse.code,
            b.on_hand,
            b.allocated,
            b.available_qty,
            b.damaged,
            b.product.low_stock_threshold,
        )


def inventory_export_start(*, actor, filters: dict):
    count = balance_queryset(customer=actor.customer, **filters).count()
    job = job_create(
        actor=actor,
        customer=actor.customer,
        kind=EXPORT_KIND,
        total=count,
        params=filters,
        title=f"Inventory export ({count} row{'s' if count != 1 else ''})",
    )
    if count <= SYNC_EXPORT_ROWS:
        inventory_export_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        task_send_on_commit("inventory.export", job.pk, customer_id=actor.customer_id)
    return job


def inventory_export_run(*, job_id: int) -> None:
    job = job_start(job_id=job_id)
    if job is None:
        return
    data = write_xlsx(
        COLUMNS, inventory_export_rows(customer=job.customer, filters=job.params), sheet_title="Inventory"
    )
    job_finish(
        job=job,
        message="Your inventory export is ready.",
        result_bytes=data,
        result_name=f"inventory-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
    )
