"""Billing's scheduled work: the nightly storage-fee run and the hourly collection of waiting misc
fees. The schedule is ``CELERY_BEAT_SCHEDULE`` in the settings (times in UTC, the ``CELERY_TIMEZONE``)."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.accounts.models import Customer
from apps.core.tenancy import customer_scope

from .choices import MiscFeeStatus
from .models import MiscFeeNotice
from .storage import storage_fee_run
from .topups import misc_fees_collect


@shared_task(name="billing.storage_fee_run")
def storage_fee_run_task(day: str | None = None) -> dict:
    """Bill ``day`` (ISO date); yesterday in the local time zone by default. Safe to repeat."""
    run_day = date.fromisoformat(day) if day else timezone.localdate() - timedelta(days=1)
    run = storage_fee_run(day=run_day)
    return {
        "day": run.day.isoformat(),
        "rows": run.rows,
        "charged_customers": run.charged_customers,
        "waiting_customers": run.waiting_customers,
    }


@shared_task(name="billing.misc_fees_collect")
def misc_fees_collect_all() -> int:
    """Deduct waiting misc fees (and waiting storage fees) of every customer whose balance now allows."""
    with scopes_disabled():
        customer_ids = sorted(
            set(MiscFeeNotice.objects.filter(status=MiscFeeStatus.WAITING).values_list("customer_id", flat=True))
        )
    deducted = 0
    for customer in Customer.objects.filter(pk__in=customer_ids).order_by("pk"):
        with customer_scope(customer):
            deducted += misc_fees_collect(customer=customer)
    return deducted
