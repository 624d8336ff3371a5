"""Benchmark: allocation throughput on ONE hot balance row, 8 threads each with its own connection.

Run against PostgreSQL (the database is migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/allocations.py

Scenario 1 receives 100,000 units, then 8 threads allocate 1 unit each as fast as they can for ~5 s; it reports
allocations/second and checks there is no oversell (balance.allocated == successful calls == allocate moves).
Scenario 2 receives 5,000 units and makes 8 × 1,000 attempts: exactly 5,000 must succeed.
Then it shows the SQL one allocation runs (and one refused allocation), splits the time of a call into the
process's CPU (Python/ORM) and waiting for PostgreSQL, and, as a diagnostic, runs the same two statements as raw
SQL from 8 threads to show what the database alone sustains. Target: ≥ 1,000 allocations/s.

Environment: BENCH_THREADS (8), BENCH_SECONDS (5).
"""

import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# As in production: no per-query logging (DEBUG's debug cursor costs tens of µs per statement). Static files and
# the rest were configured at start-up; query counts below use CaptureQueriesContext, which logs regardless.
settings.DEBUG = False

from _threads import run_threads  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.services import customer_create, customer_user_create  # noqa: E402
from apps.catalog.services import product_create  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.inventory.choices import MoveKind  # noqa: E402
from apps.inventory.errors import InsufficientStock  # noqa: E402
from apps.inventory.models import StockBalance, StockMove  # noqa: E402
from apps.inventory.services import stock_allocate, stock_receive  # noqa: E402
from apps.warehouses.models import Warehouse  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
TARGET = 1000


def setup():
    """A fresh customer, user and warehouse; each scenario gets its own product (its own hot row)."""
    stamp = time.time_ns()
    customer = customer_create(
        actor=None, company_name=f"Alloc bench {stamp}", contact_name="B", contact_email=f"alloc{stamp}@b.example"
    )
    user = customer_user_create(
        customer=customer, email=f"alloc-bench-{stamp}@b.example", password="bench-password-123"
    )
    warehouse, _ = Warehouse.objects.get_or_create(
        code="BENCH1", defaults={"name": "Bench", "address1": "1 Bench Rd", "city": "LA", "country": "US"}
    )
    return user, warehouse


def hot_product(user, warehouse, sku, units):
    with customer_scope(user.customer):
        product = product_create(actor=user, data={"sku": sku, "name": sku, "declared_value": "1"})
        stock_receive(actor=user, product=product, warehouse=warehouse, quantity=units)
    return product


def allocator(user, product, warehouse, *, seconds=None, attempts=None):
    """A worker: allocate 1 unit at a time until the time is up (or ``attempts`` are made)."""
    customer = user.customer

    def work():
        ok = refused = 0
        latencies = []
        deadline = time.perf_counter() + seconds if seconds else None
        with customer_scope(customer):
            connection.ensure_connection()  # this thread's own connection, opened before the clock runs
            i = 0
            while (deadline and time.perf_counter() < deadline) or (attempts and i < attempts):
                i += 1
                t0 = time.perf_counter()
                try:
                    stock_allocate(
                        actor=user,
                        product=product,
                        warehouse=warehouse,
                        quantity=1,
                        reference_type="order",
                        reference_id=str(i),
                    )
                    ok += 1
                except InsufficientStock:
                    refused += 1
                latencies.append(time.perf_counter() - t0)
        return ok, refused, latencies

    return work


def verify(product, warehouse, expected_allocated):
    with scopes_disabled():
        balance = StockBalance.objects.get(product=product, warehouse=warehouse)
        moves = StockMove.objects.filter(product=product, kind=MoveKind.ALLOCATE).count()
    ok = balance.allocated == expected_allocated == moves and balance.allocated <= balance.on_hand
    return balance, moves, ok


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0


def scenario_throughput(user, warehouse, threads, seconds):
    product = hot_product(user, warehouse, f"HOT-{time.time_ns()}", 100_000)
    results, elapsed = run_threads(allocator(user, product, warehouse, seconds=seconds), threads)
    ok = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    latencies = [x for r in results for x in r[2]]
    balance, moves, good = verify(product, warehouse, ok)
    rate = ok / elapsed
    print(
        f"  {threads} thread(s), {elapsed:.2f} s: {ok} allocations ({refused} refused) = {rate:,.0f} allocations/s; "
        f"latency p50 {pct(latencies, 0.5):.1f} ms, p95 {pct(latencies, 0.95):.1f} ms, "
        f"p99 {pct(latencies, 0.99):.1f} ms; per thread {sorted(r[0] for r in results)}"
    )
    print(
        f"  balance on_hand={balance.on_hand} allocated={balance.allocated}, allocate moves={moves} — "
        f"{'no oversell, ledger matches' if good else 'MISMATCH'}"
    )
    assert good, (balance.on_hand, balance.allocated, ok, moves)
    return rate


def scenario_oversubscribed(user, warehouse, threads, attempts, units):
    product = hot_product(user, warehouse, f"SCARCE-{time.time_ns()}", units)
    results, elapsed = run_threads(allocator(user, product, warehouse, attempts=attempts), threads)
    ok = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    balance, moves, good = verify(product, warehouse, ok)
    exact = ok == units and refused == threads * attempts - units
    print(
        f"  {threads} × {attempts} attempts on {units:,} units in {elapsed:.2f} s: {ok} succeeded, "
        f"{refused} refused; balance on_hand={balance.on_hand} allocated={balance.allocated}, "
        f"allocate moves={moves} — "
        f"{'exactly the stock, no oversell' if exact and good else 'WRONG'}"
    )
    assert exact and good, (ok, refused, balance.allocated, moves)


RAW_INSERT = """
    INSERT INTO inventory_stockmove (customer_id, product_id, warehouse_id, kind, quantity, on_hand_delta,
        allocated_delta, damaged_delta, reference_type, reference_id, reference, reason, actor_id, created_at)
    VALUES (%s, %s, %s, 'allocate', 1, 0, 1, 0, 'order', %s, '', '', %s, now())"""
RAW_UPDATE = """
    UPDATE inventory_stockbalance SET allocated = allocated + 1
    WHERE customer_id = %s AND product_id = %s AND warehouse_id = %s AND on_hand >= allocated + 1"""


def scenario_raw_sql(user, warehouse, threads, seconds):
    """Diagnostic: the same two statements per allocation (move + guarded UPDATE, one transaction) sent as raw
    SQL, without the ORM: how far the database itself goes on this machine."""
    product = hot_product(user, warehouse, f"RAW-{time.time_ns()}", 100_000)
    ids = (product.customer_id, product.pk, warehouse.pk)

    def work():
        ok = 0
        connection.ensure_connection()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(RAW_INSERT, (*ids, str(ok), user.pk))
                cursor.execute(RAW_UPDATE, ids)
                if cursor.rowcount != 1:
                    raise InsufficientStock("raw allocation refused")
            ok += 1
        return ok, 0, []

    results, elapsed = run_threads(work, threads)
    ok = sum(r[0] for r in results)
    balance, moves, good = verify(product, warehouse, ok)
    print(
        f"  raw SQL, {threads} threads, {elapsed:.2f} s: {ok} allocations = {ok / elapsed:,.0f}/s; "
        f"allocated={balance.allocated}, moves={moves} — {'consistent' if good else 'MISMATCH'}"
    )
    assert good
    return ok / elapsed


def show_queries(user, warehouse, calls=500):
    """The SQL of one allocation (and of one refused allocation), then where the time of a call goes: the
    process's own CPU (Python, the ORM) against the time spent waiting for PostgreSQL."""
    product = hot_product(user, warehouse, f"PROBE-{time.time_ns()}", 1)
    with customer_scope(user.customer):
        stock_allocate(actor=user, product=product, warehouse=warehouse, quantity=1)  # warm up
        stock_receive(actor=user, product=product, warehouse=warehouse, quantity=1)
        with CaptureQueriesContext(connection) as ok_queries:
            stock_allocate(actor=user, product=product, warehouse=warehouse, quantity=1)
        with CaptureQueriesContext(connection) as refused_queries, contextlib.suppress(InsufficientStock):
            stock_allocate(actor=user, product=product, warehouse=warehouse, quantity=1)
    for title, captured in (("one allocation", ok_queries), ("one refused allocation", refused_queries)):
        print(f"  {title}: {len(captured.captured_queries)} statements")
        for q in captured.captured_queries:
            sql = q["sql"] if len(q["sql"]) < 200 else q["sql"][:197] + "..."
            print(f"    {sql}")

    product = hot_product(user, warehouse, f"PROFILE-{time.time_ns()}", calls)
    in_execute = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_execute.append(time.perf_counter() - started)

    with customer_scope(user.customer), connection.execute_wrapper(timer):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            stock_allocate(actor=user, product=product, warehouse=warehouse, quantity=1)
        wall, cpu = (time.perf_counter() - wall) / calls * 1000, (time.process_time() - cpu) / calls * 1000
    statements = sum(in_execute) / calls * 1000
    print(
        f"  one thread, {calls} calls: {wall:.2f} ms per allocation = {cpu:.2f} ms CPU in this process "
        f"(Python/ORM) + {wall - cpu:.2f} ms waiting for PostgreSQL; the INSERT and UPDATE take {statements:.2f} ms "
        f"round trip, BEGIN/COMMIT the rest"
    )
    print(
        f"  → with the GIL, 8 threads of one process top out near {1000 / cpu:,.0f} allocations/s on Python work "
        f"alone, before PostgreSQL gets any of the {os.cpu_count()} CPUs"
    )


def server_settings():
    with connection.cursor() as cursor:
        values = {}
        for name in ("synchronous_commit", "fsync", "wal_sync_method", "max_connections", "shared_buffers"):
            cursor.execute(f"SHOW {name}")  # noqa: S608 - fixed names
            values[name] = cursor.fetchone()[0]
    return values


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    print(
        f"PostgreSQL {connection.pg_version}, {os.cpu_count()} CPUs; "
        + ", ".join(f"{k}={v}" for k, v in server_settings().items())
    )
    user, warehouse = setup()

    print("\nBaseline: 1 thread, 2 s")
    scenario_throughput(user, warehouse, 1, min(SECONDS, 2.0))
    print(f"\nScenario 1: {THREADS} threads, {SECONDS:g} s, one hot row holding 100,000 units")
    rates = [scenario_throughput(user, warehouse, THREADS, SECONDS) for _ in range(2)]
    print("\nScenario 2: more attempts than stock")
    scenario_oversubscribed(user, warehouse, THREADS, 1000, 5000)

    print("\nWhere the time goes")
    show_queries(user, warehouse)
    print("\nDiagnostic: the same SQL without the ORM")
    scenario_raw_sql(user, warehouse, THREADS, SECONDS)

    best = max(rates)
    verdict = "OK" if best >= TARGET else "UNDER TARGET"
    print(
        f"\nbest: {best:,.0f} allocations/s with {THREADS} threads on one row — {verdict} (target ≥ {TARGET:,}/s); "
        f"median of runs {statistics.median(rates):,.0f}/s"
    )


if __name__ == "__main__":
    main()
