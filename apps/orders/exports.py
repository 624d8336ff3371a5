"""Orders to XLSX through the download centre: the order details (one row per line) and the
Shipping Waybill (shipped, delivered and returned parcels: tracking, carrier, weight, cost).

Rows come from selectors.order_list with the same filters as the lists, so an export holds what
the list shows; small exports are written at once, big ones in Celery. write_xlsx neutralises
formulas in every text cell.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.utils import timezone

from apps.core.errors import PermissionDenied
from apps.core.task_names import task_send_on_commit
from apps.documents.models import Job
from apps.documents.services import job_create, job_finish, job_progress, job_start
from apps.documents.toolkit.xlsx import write_xlsx

from .choices import WAYBILL_STATUSES, OrderSource, OrderStatus
from .errors import OrderInvalid
from .selectors import OrderFilters, order_list

EXPORT_KIND = "order_export"
WAYBILL_KIND = "waybill_export"
KINDS = {"orders": (EXPORT_KIND, "Order export", "orders"), "waybill": (WAYBILL_KIND, "Shipping waybill", "waybill")}
SYNC_EXPORT_ORDERS = 2000
CHUNK = 1000

ORDER_COLUMNS = (
    "Order number",
    "External reference",
    "Status",
    "Abnormal reason",
    "Source",
    "Recipient name",
    "Company",
    "Phone",
    "E-mail",
    "Address 1",
    "Address 2",
    "City",
    "State",
    "Postal code",
    "Country code",
    "Warehouse",
    "Shipping method",
    "Carrier",
    "Tracking number",
    "SKU",
    "Product name",
    "Quantity",
    "Estimated cost",
    "Actual cost",
    "Currency",
    "Note",
    "Created",
    "Submitted",
    "Shipped",
    "Delivered",
)
WAYBILL_COLUMNS = (
    "Order number",
    "External reference",
    "Tracking number",
    "Carrier",
    "Shipping method",
    "Weight (g)",
    "Weight is",
    "Cost",
    "Cost is",
    "Currency",
    "Created",
    "Shipped",
    "Delivered",
)


def _when(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _owner(actor, customer):
    """(the customer whose orders are exported, staff export?): a customer exports its own orders;
    a staff export is a staff job (no customer) across customers, narrowed by the filters."""
    own = getattr(actor, "customer", None)
    if own is not None:
        if customer is not None and customer.pk != own.pk:
            raise PermissionDenied("You can only export your own orders.")
        return own, False
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only staff can export orders across customers.")
    return customer, True


def _filters_params(filters: OrderFilters) -> dict:
    return {
        key: (value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value)
        for key, value in dataclasses.asdict(filters).items()
    }


def _filters_from(params: dict) -> OrderFilters:
    values = dict(params)
    for key in ("created_from", "created_to"):
        if values.get(key):
            values[key] = dt.date.fromisoformat(values[key])
    if values.get("updated_since"):
        values["updated_since"] = dt.datetime.fromisoformat(values["updated_since"])
    known = {f.name for f in dataclasses.fields(OrderFilters)}
    return OrderFilters(**{k: v for k, v in values.items() if k in known})


def export_queryset(*, customer, filters: OrderFilters, kind: str):
    qs = order_list(customer=customer, filters=filters)
    if kind == "waybill":
        qs = qs.filter(status__in=WAYBILL_STATUSES)
    return qs


def order_export_start(*, actor, filters: OrderFilters, kind: str, customer=None):
    """Export the filtered orders ("orders": one row per line; "waybill": shipped parcels) into
    the download centre; up to 2,000 orders are written now, more in Celery. Staff may name a
    customer, or none to export across customers (a Customer column is added then)."""
    if kind not in KINDS:
        raise OrderInvalid(
            "Choose the order details or the shipping waybill export.",
            code="unknown_export",
            extra={"kind": ["unknown export"]},
        )
    owner, staff = _owner(actor, customer)
    job_kind, label, _name = KINDS[kind]
    count = export_queryset(customer=owner, filters=filters, kind=kind).order_by()[: SYNC_EXPORT_ORDERS + 1].count()
    shown = f"{count:,}" if count <= SYNC_EXPORT_ORDERS else f"over {SYNC_EXPORT_ORDERS:,}"
    scope = "" if owner is not None else ", all customers"
    job = job_create(
        actor=actor,
        customer=owner,
        kind=job_kind,
        total=count,
        title=f"{label} ({shown} order{'s' if count != 1 else ''}{scope})",
        params={"kind": kind, "filters": _filters_params(filters), "all_customers": owner is None, "staff": staff},
    )
    if count <= SYNC_EXPORT_ORDERS:
        order_export_run(job_id=job.pk)
        job.refresh_from_db()
    elif owner is None:
        task_send_on_commit("orders.order_export_staff", job.pk)
    else:
        task_send_on_commit("orders.order_export", job.pk, customer_id=owner.pk)
    return job


def _customer_code(order, customer) -> list:
    return [(order.customer if customer is None else customer).code]


def order_export_rows(*, customer, filters: OrderFilters, progress=None, with_customer: bool = False):
    """One row per order line, the order's fields repeated (a Customer column first for staff)."""
    qs = export_queryset(customer=customer, filters=filters, kind="orders")
    for index, order in enumerate(qs.iterator(chunk_size=CHUNK), start=1):
        if progress and index % CHUNK == 0:
            progress(index)
        head = _customer_code(order, customer) if with_customer else []
        channel = order.channel
        fields = [
            order.number,
            order.external_ref,
            OrderStatus(order.status).label,
            order.get_abnormal_code_display() if order.abnormal_code else "",
            OrderSource(order.source).label,
            order.recipient_name,
            order.recipient_company,
            order.recipient_phone,
            order.recipient_email,
            order.address1,
            order.address2,
            order.city,
            order.state,
            order.postal_code,
            order.country,
            order.warehouse.code,
            channel.code if channel else "",
            channel.carrier.name if channel else "",
            order.tracking_number,
        ]
        tail = [
            order.estimated_cost,
            order.actual_cost,
            order.currency,
            order.note,
            _when(order.created_at),
            _when(order.submitted_at),
            _when(order.shipped_at),
            _when(order.delivered_at),
        ]
        for line in order.lines.all():
            yield [*head, *fields, line.product.sku, line.product.name, line.quantity, *tail]


def waybill_rows(*, customer, filters: OrderFilters, progress=None, with_customer: bool = False):
    """Shipped, delivered and returned orders: the packed weight and actual cost where known,
    else the estimates (and which one it is)."""
    qs = export_queryset(customer=customer, filters=filters, kind="waybill").prefetch_related(None)
    for index, order in enumerate(qs.iterator(chunk_size=CHUNK), start=1):
        if progress and index % CHUNK == 0:
            progress(index)
        channel = order.channel
        packed = order.packed_weight_g is not None
        actual = order.actual_cost is not None
        yield [
            *(_customer_code(order, customer) if with_customer else []),
            order.number,
            order.external_ref,
            order.tracking_number,
            channel.carrier.name if channel else "",
            channel.code if channel else "",
            order.packed_weight_g if packed else order.estimated_weight_g,
            "Packed" if packed else ("Estimated" if order.estimated_weight_g is not None else ""),
            order.actual_cost if actual else order.estimated_cost,
            "Actual" if actual else ("Estimated" if order.estimated_cost is not None else ""),
            order.currency,
            _when(order.created_at),
            _when(order.shipped_at),
            _when(order.delivered_at),
        ]


def order_export_run(*, job_id: int) -> None:
    """Write an export job's file once (a second delivery finds the job claimed)."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    kind = job.params.get("kind", "orders")
    filters = _filters_from(job.params.get("filters", {}))
    customer = None if job.params.get("all_customers") else job.customer
    total = job.total
    if total > SYNC_EXPORT_ORDERS:  # counted up to the threshold only when the job was started
        total = export_queryset(customer=customer, filters=filters, kind=kind).order_by().count()
        Job.objects.filter(pk=job.pk).update(total=total)
        job.total = total

    def progress(done):
        job_progress(job_id=job.pk, done=done, total=total)

    with_customer = bool(job.params.get("staff"))
    columns = ORDER_COLUMNS if kind == "orders" else WAYBILL_COLUMNS
    if with_customer:
        columns = ("Customer", *columns)
    rows = (order_export_rows if kind == "orders" else waybill_rows)(
        customer=customer, filters=filters, progress=progress, with_customer=with_customer
    )
    _kind, label, stem = KINDS[kind]
    data = write_xlsx(columns, rows, sheet_title=label)
    job_finish(
        job=job,
        message=f"Your {label.lower()} export is ready.",
        result_bytes=data,
        result_name=f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.xlsx",
    )
