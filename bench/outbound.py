"""Benchmark: the outbound flow per order — pick, pack (with the carrier label) and hand-over — through the
fulfillment services, as the warehouse clerk's pages call them.

Run against PostgreSQL (the database is created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/outbound.py

Setup (not timed): a customer with 2 SKUs of 100,000 units each shelved in one bin each, money in the wallet, the
bench warehouse and a flat-rate UPS channel, a warehouse clerk, and BENCH_ORDERS (200, one full pick list) orders
of 2 lines (1 unit of each SKU) created by orders_bulk_create and submitted by order_submit (Pending Shipment).

Timed, stage by stage, one process, staff side (outside the customer scope, as the back office runs):
- wave: wave_create — one pick list of all the orders (the orders locked, each unit planned from a bin);
- pick: pick_confirm for every pick line (bin and SKU scanned), as the picker's page calls it;
- pack: per order pack_find (the order number scanned), pack_scan per unit, pack_complete (weight entered):
  the packed-parcel quote, the label from the carrier adapter — the local UPS adapter, which numbers the parcel
  from a database sequence in UPS's format and makes no network call — and our 4×6 PDF label rendered, then
  Packed (the label bought outside the order's lock, as the service does);
- hand-over: manifest_open, manifest_add per parcel (its tracking number scanned), then the public
  manifest_close(actor=…, manifest=…): each order Shipped (ship moves out of the bins, the hold settled against
  the actual freight and fee, the status and events) and the parcels and manifest closed.
Per stage and in total: SQL queries per order (every statement sent, BEGIN/COMMIT/SAVEPOINT included), CPU ms
per order (time.process_time of this process), wall ms per order, and parcels/s for pack. Afterwards it checks
every order is Shipped and the bins gave exactly the units shipped. Set REDIS_URL as in production: the settled
hold announces a balance increase through the outbox, published to the broker after commit (without REDIS_URL
Celery runs that task eagerly in this process and its work is counted in hand-over).
Target: a shipped order ≤ 15 ms CPU over all the stages.

Environment: BENCH_ORDERS (200; at most 200, one pick list).
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # as in production: no per-query logging

import _world  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.services import staff_user_create  # noqa: E402
from apps.core.tenancy import customer_scope, staff_scope  # noqa: E402
from apps.fulfillment.handover import manifest_add, manifest_close, manifest_open  # noqa: E402
from apps.fulfillment.packing import pack_complete, pack_find, pack_scan  # noqa: E402
from apps.fulfillment.picking import MAX_WAVE, pick_confirm, wave_create, wave_lines  # noqa: E402
from apps.inventory.models import BinStock  # noqa: E402
from apps.orders.services import order_submit  # noqa: E402

ORDERS = min(int(os.environ.get("BENCH_ORDERS", "200")), MAX_WAVE)
TARGET_CPU_MS = 15.0


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Stage:
    """One timed stage: queries, CPU and wall time of what runs inside it."""

    def __init__(self, name: str, includes: str):
        self.name, self.includes = name, includes
        self.queries = self.cpu = self.wall = 0.0

    def __enter__(self):
        self.counter = QueryCounter()
        self._wrapper = connection.execute_wrapper(self.counter)
        self._wrapper.__enter__()
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        self._wrapper.__exit__(*exc)
        self.queries = self.counter.count
        return False


def setup():
    where = _world.warehouse()
    channel = _world.priced_channel(where)
    owner = _world.seller(where, tag="Outbound", skus=2, units=100_000, bins=True)
    stamp = time.time_ns()
    clerk = staff_user_create(email=f"clerk-{stamp}@hub.example", password="bench-password-123", roles=("warehouse",))
    orders = _world.confirming_orders(owner, where, channel, ORDERS, lines=2)
    with customer_scope(owner.customer):
        orders = [order_submit(actor=owner.user, order=order) for order in orders]
    assert all(o.status == "pending_shipment" for o in orders), _world.statuses(orders)
    return where, owner, clerk, orders


def binned(owner) -> int:
    with scopes_disabled():
        return BinStock.objects.filter(product__in=owner.products).aggregate(n=Sum("quantity"))["n"] or 0


def run(where, clerk, orders) -> list[Stage]:
    stages = {
        "wave": Stage("wave", "wave_create: one pick list of every order, each unit planned from a bin"),
        "pick": Stage("pick", "pick_confirm per pick line (bin + SKU scanned)"),
        "pack": Stage(
            "pack", "pack_find + pack_scan per unit + pack_complete: quote, label (local UPS adapter, 4×6 PDF), Packed"
        ),
        "hand-over": Stage("hand-over", "manifest_open + manifest_add per parcel + manifest_close (ship, settle)"),
    }
    with staff_scope():
        with stages["wave"]:
            wave = wave_create(actor=clerk, warehouse=where, limit=len(orders), order_ids=[o.pk for o in orders])
        lines = list(wave_lines(wave=wave))  # the pick list page, read before the picker starts
        with stages["pick"]:
            for line in lines:
                pick_confirm(
                    actor=clerk, line=line, bin_code=line.bin.code if line.bin else "", product_code=line.product.sku
                )
        parcels = []
        with stages["pack"]:
            for order in orders:
                task = pack_find(warehouse=where, code=order.number)
                scanned = {}
                for sku, units in task.expected.items():
                    for _ in range(units):
                        _sku, scanned = pack_scan(task=task, scanned=scanned, code=sku)
                parcels.append(pack_complete(actor=clerk, task=task, scanned=scanned, weight_g=450))
        with stages["hand-over"]:
            manifest = manifest_open(actor=clerk, warehouse=where, carrier=parcels[0].channel.carrier)
            for parcel in parcels:
                manifest_add(actor=clerk, manifest=manifest, code=parcel.tracking_number)
            manifest_close(actor=clerk, manifest=manifest)
    return list(stages.values())


def main() -> None:
    _world.ensure_database()
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    _world.fast_passwords()
    print(f"PostgreSQL {connection.pg_version}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    where, owner, clerk, orders = setup()
    before = binned(owner)
    stages = run(where, clerk, orders)
    shipped = _world.statuses(orders)
    units = 2 * len(orders)  # 2 lines of 1 unit each
    left = before - binned(owner)
    assert shipped == {"shipped": len(orders)}, shipped
    assert left == units, (left, units)
    n = len(orders)
    print(f"{n} orders of 2 lines, one process; per order: queries (all statements), CPU ms (process_time), wall ms")
    print(f"{'stage':10} {'queries':>8} {'CPU ms':>8} {'wall ms':>8}  includes")
    for s in stages:
        print(f"{s.name:10} {s.queries / n:8.1f} {s.cpu / n * 1000:8.2f} {s.wall / n * 1000:8.2f}  {s.includes}")
    total_q, total_cpu, total_wall = (sum(getattr(s, k) for s in stages) for k in ("queries", "cpu", "wall"))
    print(f"{'total':10} {total_q / n:8.1f} {total_cpu / n * 1000:8.2f} {total_wall / n * 1000:8.2f}")
    pack = next(s for s in stages if s.name == "pack")
    print(f"\npack: {n / pack.wall:,.1f} parcels/s (one station, one process)")
    print(f"every order Shipped; the bins gave {left} units = the {units} shipped")
    cpu_ms = total_cpu / n * 1000
    verdict = "OK" if cpu_ms <= TARGET_CPU_MS else "OVER TARGET"
    print(
        f"a shipped order: {cpu_ms:.2f} ms CPU, {total_q / n:.1f} queries, {total_wall / n * 1000:.1f} ms wall — "
        f"{verdict} (target ≤ {TARGET_CPU_MS:g} ms CPU); load average {os.getloadavg()[0]:.2f} (2 CPUs shared)"
    )


if __name__ == "__main__":
    main()
