"""Celery tasks of tracking: thin, idempotent, by name (the orders app announces a hand-over
through the outbox as ``tracking.track_shipment``)."""

from __future__ import annotations

from celery import shared_task

from apps.core.tenancy import in_customer_scope, staff_scope

from .exceptions import exception_email
from .news import shipments_sweep
from .pushes import push_process
from .services import transit_times_publish
from .shipments import quota_read, shipment_track, shipments_register, shipments_stop


@shared_task(name="tracking.track_shipment")
@in_customer_scope
def track_shipment(order_id: int, *, customer) -> dict:
    """A parcel was handed over: follow it, then register what waits (this one and any others
    handed over meanwhile, 40 to a request)."""
    shipment_track(order_id=order_id)
    with staff_scope():
        return shipments_register()


@shared_task(name="tracking.exception_email")
@in_customer_scope
def exception_email_task(exception_id: int, *, customer) -> int:
    """E-mail a new delivery exception to the customer's users who want it (exceptions.py); once."""
    return exception_email(exception_id=exception_id)


@shared_task(name="tracking.register_pending")
def register_pending() -> dict:
    with staff_scope():
        return shipments_register()


@shared_task(name="tracking.process_push")
def process_push(push_id: int) -> str:
    with staff_scope():
        return push_process(push_id=push_id)


@shared_task(name="tracking.sweep")
def sweep() -> dict:
    with staff_scope():
        return shipments_sweep()


@shared_task(name="tracking.stop")
def stop(shipment_ids: list[int]) -> int:
    with staff_scope():
        return shipments_stop(shipment_ids=shipment_ids)


@shared_task(name="tracking.quota_read")
def quota_read_task() -> int | None:
    with staff_scope():
        row = quota_read()
    return row.remaining if row else None


@shared_task(name="tracking.transit_publish")
def transit_publish() -> dict:
    """Daily: the measured transit days per channel and country, for the quotes."""
    with staff_scope():
        return transit_times_publish()
