"""The daily storage-fee run: volume × the level's rate, one charge per customer and day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from apps.billing import services, topups
from apps.billing.choices import EntryKind, MiscFeeStatus
from apps.billing.models import LevelPrice, MiscFeeNotice, StorageFee, StorageRun, Wallet, WalletEntry
from apps.billing.storage import storage_fee_run
from apps.billing.tasks import misc_fees_collect_all, storage_fee_run_task
from apps.catalog.models import Product
from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inventory.models import StockBalance
from apps.warehouses.models import Warehouse

pytestmark = pytest.mark.django_db

D = Decimal
DAY = date(2025, 3, 1)


@pytest.fixture
def warehouse(db):
    return Warehouse.objects.create(code="LAX1", name="LA", address1="1 Dock Rd", city="LA", country="US")


def stock(user, warehouse, sku, on_hand, *, dims=None, measured=None, damaged=0):
    """A product with declared (and optionally measured) L×W×H and a balance of ``on_hand`` units."""
    data = {"sku": sku, "name": sku, "declared_value": "1"}
    if dims:
        data.update(zip(("length_cm", "width_cm", "height_cm"), dims, strict=True))
    with customer_scope(user.customer):
        product = product_create(actor=user, data=data)
        if measured:
            Product.objects.filter(pk=product.pk).update(
                **dict(zip(("measured_length_cm", "measured_width_cm", "measured_height_cm"), measured, strict=True))
            )
        StockBalance.objects.create(
            customer=user.customer, product=product, warehouse=warehouse, on_hand=on_hand, damaged=damaged
        )
    return product


def wallet_entries(customer, kind=EntryKind.STORAGE_FEE):
    with customer_scope(customer):
        return list(WalletEntry.objects.filter(customer=customer, kind=kind))


def test_volume_from_measured_else_declared_times_the_level_rate(user_a, user_b, warehouse):
    a = user_a.customer
    LevelPrice.objects.create(level=a.level, storage_rate_per_m3_day=D("0.8000"))
    declared = stock(user_a, warehouse, "DECL", 10, dims=("50", "40", "30"))  # 0.06 m³ ×10
    measured = stock(user_a, warehouse, "MEAS", 3, dims=("10", "10", "10"), measured=("100", "50", "20"))  # 0.1 ×3
    no_dims = stock(user_a, warehouse, "NODIM", 5)
    stock(user_a, warehouse, "EMPTY", 0, dims=("10", "10", "10"))
    with customer_scope(a):
        services.credit(customer=a, amount="100", idempotency_key="seed")

    run = storage_fee_run(day=DAY)

    with scopes_disabled():
        rows = {f.product_id: f for f in StorageFee.objects.filter(day=DAY)}
    assert set(rows) == {declared.pk, measured.pk, no_dims.pk}  # on_hand 0 is not charged
    assert (rows[declared.pk].units, rows[declared.pk].volume_m3, rows[declared.pk].rate, rows[declared.pk].amount) == (
        10,
        D("0.6"),
        D("0.8"),
        D("0.48"),
    )
    assert (rows[measured.pk].volume_m3, rows[measured.pk].amount) == (D("0.3"), D("0.24"))
    assert (rows[no_dims.pk].volume_m3, rows[no_dims.pk].amount) == (D("0"), D("0"))
    (entry,) = wallet_entries(a)
    assert (entry.amount, entry.idempotency_key, entry.reference) == (
        D("-0.72"),
        "storage:2025-03-01",
        "Storage fees 2025-03-01",
    )
    assert (run.rows, run.charged_customers, run.waiting_customers) == (3, 1, 0) and run.finished_at


def test_level_without_price_uses_the_default_rate_and_rounds_half_up(user_a, warehouse):
    a = user_a.customer
    assert not LevelPrice.objects.filter(level=a.level).exists()
    stock(user_a, warehouse, "ONE", 1, dims=("25", "25", "40"))  # 0.025 m³ × 0.6 = 0.015 → 0.02
    with customer_scope(a):
        services.credit(customer=a, amount="1", idempotency_key="seed")
    storage_fee_run(day=DAY)
    with scopes_disabled():
        fee = StorageFee.objects.get(day=DAY)
    assert (fee.rate, fee.amount) == (D("0.6"), D("0.015"))
    assert [e.amount for e in wallet_entries(a)] == [D("-0.02")]


def test_one_charge_per_customer_and_day_and_a_second_run_changes_nothing(user_a, user_b, warehouse):
    for user in (user_a, user_b):
        for i in range(3):
            stock(user, warehouse, f"SKU{i}", 100, dims=("20", "20", "20"))  # 0.8 m³ × 0.6 = 0.48 each
        with customer_scope(user.customer):
            services.credit(customer=user.customer, amount="10", idempotency_key="seed")
    first = storage_fee_run(day=DAY)
    again = storage_fee_run(day=DAY)
    assert again.pk == first.pk and StorageRun.objects.count() == 1
    with scopes_disabled():
        assert StorageFee.objects.filter(day=DAY).count() == 6
    for user in (user_a, user_b):
        assert [e.amount for e in wallet_entries(user.customer)] == [D("-1.44")]
    storage_fee_run(day=date(2025, 3, 2))  # the next day is its own charge
    assert len(wallet_entries(user_a.customer)) == 2


def test_an_interrupted_run_resumes_without_double_charging(user_a, warehouse):
    a = user_a.customer
    stock(user_a, warehouse, "X", 100, dims=("20", "20", "20"))
    with customer_scope(a):
        services.credit(customer=a, amount="10", idempotency_key="seed")
    run = storage_fee_run(day=DAY)
    StorageRun.objects.filter(pk=run.pk).update(finished_at=None)  # as if it crashed before finishing
    run = storage_fee_run(day=DAY)
    assert len(wallet_entries(a)) == 1 and run.charged_customers == 1


def test_without_balance_a_waiting_notice_collected_after_a_top_up(user_a, warehouse):
    a = user_a.customer
    stock(user_a, warehouse, "BIG", 1000, dims=("50", "50", "50"))  # 125 m³ × 0.6 = 75.00
    run = storage_fee_run(day=DAY)
    assert (run.charged_customers, run.waiting_customers) == (0, 1)
    assert wallet_entries(a) == []
    with customer_scope(a):
        notice = MiscFeeNotice.objects.get(customer=a)
    assert (notice.amount, notice.reason, notice.status) == (
        D("75.00"),
        "Storage fees 2025-03-01",
        MiscFeeStatus.WAITING,
    )
    StorageRun.objects.filter(pk=run.pk).update(finished_at=None)
    storage_fee_run(day=DAY)  # a re-run does not add a second notice
    with customer_scope(a):
        assert MiscFeeNotice.objects.filter(customer=a).count() == 1
        services.credit(customer=a, amount="80", idempotency_key="topup-1")
        assert topups.misc_fees_collect(customer=a) == 1
        notice.refresh_from_db()
        assert notice.status == MiscFeeStatus.DEDUCTED
        assert Wallet.objects.get(customer=a).balance == D("5.00")
        assert topups.misc_fees_collect(customer=a) == 0
    assert [e.amount for e in wallet_entries(a, EntryKind.MISC_FEE)] == [D("-75.00")]


def test_tasks_and_schedule(user_a, warehouse):
    a = user_a.customer
    stock(user_a, warehouse, "T", 10, dims=("10", "10", "10"))  # 0.01 m³ × 0.6 = 0.006 → 0.01
    result = storage_fee_run_task("2025-03-01")
    assert result == {"day": "2025-03-01", "rows": 1, "charged_customers": 0, "waiting_customers": 1}
    assert misc_fees_collect_all() == 0
    with customer_scope(a):
        services.credit(customer=a, amount="1", idempotency_key="seed")
    assert misc_fees_collect_all() == 1
    storage_fee_run_task()  # yesterday
    assert StorageRun.objects.count() == 2
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # what a worker does first: every app's tasks module
    scheduled = {v["task"] for v in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"billing.storage_fee_run", "billing.misc_fees_collect"} <= scheduled <= set(app.tasks)
