"""Benchmark: the daily storage-fee run over 100,000 stock balances.

Run against PostgreSQL (the database is migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/storage_fees.py

It reuses the 100,000 balances bench/inventory_list.py built for the customer of inventory-bench@bench.example
(C10013) when they are there, else builds them here with bulk_create (50,000 SKUs × 2 warehouses). Products
without any size get declared sizes (so the run has volume to bill; that bench does not look at sizes). The
customer's wallet is topped up so the day is charged. Each bench run bills a day of its own (the first day after
2000-01-01 without a StorageRun), times ``storage_fee_run`` (the INSERT … SELECT and the per-customer charges), then
times a second run of the same day (idempotent, must change nothing), checks Σ rows = the charge, and deletes
the day's StorageFee rows again (the StorageRun row and the wallet entries stay: the ledger is append-only).
Target: < 5 s.

Environment: BENCH_PRODUCTS (50000).
"""

import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # as in production: no per-query logging

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q, Sum  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import customer_create  # noqa: E402
from apps.billing import services  # noqa: E402
from apps.billing.choices import EntryKind  # noqa: E402
from apps.billing.models import MiscFeeNotice, StorageFee, StorageRun, WalletEntry  # noqa: E402
from apps.billing.money import round_money  # noqa: E402
from apps.billing.storage import storage_fee_run  # noqa: E402
from apps.catalog.models import Product  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.inventory.models import StockBalance  # noqa: E402
from apps.warehouses.models import Warehouse  # noqa: E402

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "50000"))
EMAIL = "inventory-bench@bench.example"
TARGET_S = 5.0


def bench_customer():
    """C10013's balances from bench/inventory_list.py, or a customer of our own with as many."""
    user = User.objects.filter(email=EMAIL).select_related("customer").first()
    if user is not None:
        with scopes_disabled():
            have = StockBalance.objects.filter(customer=user.customer).count()
        if have >= PRODUCTS * 2:
            print(f"data: reusing {have:,} balances of customer {user.customer.code} (bench/inventory_list.py)")
            return user.customer
    customer = customer_create(
        actor=None, company_name="Storage bench", contact_name="B", contact_email="storage-bench@bench.example"
    )
    started = time.perf_counter()
    warehouses = [
        Warehouse.objects.get_or_create(
            code=code, defaults={"name": code, "address1": "1 Bench Rd", "city": "Bench", "country": "US"}
        )[0]
        for code in ("SBLAX", "SBNJ")
    ]
    with transaction.atomic(), scopes_disabled():
        Product.objects.bulk_create(
            [
                Product(customer=customer, sku=f"SB-{i:06d}", name=f"Storage item {i}", declared_value=1)
                for i in range(PRODUCTS)
            ],
            batch_size=5000,
        )
        ids = list(Product.objects.filter(customer=customer).values_list("pk", flat=True))
        StockBalance.objects.bulk_create(
            [
                StockBalance(customer=customer, product_id=pk, warehouse=w, on_hand=(i * 7 + n * 3) % 200 + 1)
                for i, pk in enumerate(ids)
                for n, w in enumerate(warehouses)
            ],
            batch_size=5000,
        )
    print(
        f"data: built {len(ids) * 2:,} balances for customer {customer.code} in {time.perf_counter() - started:.1f} s"
    )
    return customer


def give_sizes(customer):
    """Declared sizes (10–59 × 10–39 × 5–24 cm) for the customer's products that have none; some measured."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE catalog_product SET length_cm = 10 + id %% 50, width_cm = 10 + id %% 30, height_cm = 5 + id %% 20,
                   measured_length_cm = CASE WHEN id %% 4 = 0 THEN 12 + id %% 50 END
             WHERE customer_id = %s AND length_cm IS NULL AND width_cm IS NULL AND height_cm IS NULL
               AND measured_length_cm IS NULL""",
            [customer.pk],
        )
        if cursor.rowcount:
            print(f"data: gave sizes to {cursor.rowcount:,} products without any")
        cursor.execute("ANALYZE catalog_product, inventory_stockbalance")


def free_day() -> date:
    used = set(StorageRun.objects.filter(day__lt=date(2001, 1, 1)).values_list("day", flat=True))
    day = date(2000, 1, 1)
    while day in used:
        day += timedelta(days=1)
    return day


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    customer = bench_customer()
    give_sizes(customer)
    day = free_day()
    with scopes_disabled():
        balances = StockBalance.objects.filter(on_hand__gt=0).count()
        all_rows = StockBalance.objects.count()
    with customer_scope(customer):
        services.credit(customer=customer, amount="1000000", idempotency_key=f"storage-bench-{day}")
    print(f"day {day}: {all_rows:,} balances in the database, {balances:,} with stock on hand")

    started = time.perf_counter()
    run = storage_fee_run(day=day)
    elapsed = time.perf_counter() - started
    print(
        f"  run: {elapsed:.2f} s — {run.rows:,} rows, {run.charged_customers} customer(s) charged, "
        f"{run.waiting_customers} waiting"
    )

    started = time.perf_counter()
    again = storage_fee_run(day=day)
    second = time.perf_counter() - started
    with scopes_disabled():
        rows = StorageFee.objects.filter(day=day)
        mine = rows.filter(customer=customer).aggregate(total=Sum("amount"), volume=Sum("volume_m3"))
        zero_volume = rows.filter(Q(volume_m3=0)).count()
        charges = WalletEntry.objects.filter(
            customer=customer, kind=EntryKind.STORAGE_FEE, idempotency_key=f"storage:{day.isoformat()}"
        )
        charged = [e.amount for e in charges]
        notices = MiscFeeNotice.objects.filter(reason=f"Storage fees {day.isoformat()}").count()
    expected = round_money(mine["total"] or Decimal("0"))
    good = (
        again.pk == run.pk
        and again.rows == run.rows
        and rows.count() == balances == run.rows
        and (charged == [-expected] if expected else charged == [])
    )
    print(
        f"  second run of the same day: {second * 1000:.0f} ms, nothing changed; customer {customer.code}: "
        f"{mine['volume']} m³, Σ rows {mine['total']} → charged {charged} ({notices} waiting notice(s)); "
        f"{zero_volume:,} rows without sizes (0 m³) — {'consistent' if good else 'MISMATCH'}"
    )
    assert good

    with transaction.atomic(), scopes_disabled():
        StorageFee.objects.filter(day=day).delete()  # the run row stays: the next bench run takes the next day
    verdict = "OK" if elapsed < TARGET_S else "OVER TARGET"
    print(f"\nstorage-fee run over {balances:,} balances: {elapsed:.2f} s — {verdict} (target < {TARGET_S:g} s)")


if __name__ == "__main__":
    main()
