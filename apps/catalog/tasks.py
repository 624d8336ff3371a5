from celery import shared_task

from apps.core.tenancy import in_customer_scope

from .imports import product_export_run, product_import_run


@shared_task(name="catalog.product_import")
@in_customer_scope
def product_import(job_id: int, *, customer) -> None:
    product_import_run(job_id=job_id)


@shared_task(name="catalog.product_export")
@in_customer_scope
def product_export(job_id: int, *, customer) -> None:
    product_export_run(job_id=job_id)
