"""Benchmark: allocation throughput on ONE hot balance row, 8 threads each with its own connection.

Run against PostgreSQL (the database is created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/allocations.py

Scenario 1 receives 100,000 units, then 8 threads allocate 1 unit each as fast as they can for ~5 s; it reports
allocations/second and checks there is no oversell (balance.allocated == successful calls == allocate moves).
Scenario 2 receives 5,000 units and makes 8 × 1,000 attempts: exactly 5,000 must succeed.
Beside scenario 1, in the same run and alternating with it, the reference: the app's own allocation statement
(the text and parameters from ``allocations_statement`` in apps/inventory/services.py: the balance locked, the
guarded UPDATE and the move INSERT in one statement), sent raw in autocommit as ``stock_allocate`` sends it, with the
same parameters, from the same number of threads, each on its own connection; it reports app/reference. In both the
row lock is held for that one statement.
Scenario 3 is the realistic case: the same hot row locked for a whole order_submit transaction (the order lock,
the reads, the allocation, the wallet hold, the status update and the event, then COMMIT), 8 threads submitting
real orders of one customer (1 unit of one SKU each) through apps.orders.services.order_submit.
Then it shows the SQL one allocation runs (and one refused allocation) and splits the time of a call into the
process's CPU (Python/ORM) and waiting for PostgreSQL. Target: ≥ 1,000 allocations/s.

Environment: BENCH_THREADS (8), BENCH_SECONDS (5), BENCH_SUBMIT_ORDERS (1000, the orders made for scenario 3).
"""

import contextlib
import os
import statistics
import sys
import threading
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

import _world  # noqa: E402
from _threads import run_threads  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.services import customer_create, customer_user_create  # noqa: E402
from apps.catalog.services import product_create  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.inventory.choices import MoveKind  # noqa: E402
from apps.inventory.errors import InsufficientStock  # noqa: E402
from apps.inventory.models import StockBalance, StockMove  # noqa: E402
from apps.inventory.services import allocations_statement, stock_allocate, stock_receive  # noqa: E402
from apps.orders.services import order_submit  # noqa: E402
from apps.warehouses.models import Warehouse  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SUBMIT_ORDERS = int(os.environ.get("BENCH_SUBMIT_ORDERS", "1000"))
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


def reference_allocator(user, product, warehouse, *, seconds):
    """The reference: the app's own allocation statement (from inventory's ``allocations_statement``: the
    guarded balance UPDATE and the move INSERT in one statement) sent raw in autocommit, as ``stock_allocate`` sends
    it outside a transaction, with the same parameters — without its checks and its Python."""

    def work():
        ok = refused = 0
        connection.ensure_connection()
        deadline = time.perf_counter() + seconds
        with connection.cursor() as cursor:
            while time.perf_counter() < deadline:
                row = {
                    "customer_id": product.customer_id,
                    "product_id": product.pk,
                    "warehouse_id": warehouse.pk,
                    "kind": MoveKind.ALLOCATE,
                    "quantity": 1,
                    "allocated_delta": 1,
                    "reason": "",
                    "reference_type": "order",
                    "reference_id": str(ok + refused + 1),
                    "reference": "",
                    "actor_id": user.pk,
                }
                cursor.execute(*allocations_statement([row]))
                if cursor.fetchone() is None:
                    refused += 1
                else:
                    ok += 1
        return ok, refused, []

    return work


def scenario_reference(user, warehouse, threads, seconds):
    product = hot_product(user, warehouse, f"REF-{time.time_ns()}", 100_000)
    results, elapsed = run_threads(reference_allocator(user, product, warehouse, seconds=seconds), threads)
    ok = sum(r[0] for r in results)
    balance, moves, good = verify(product, warehouse, ok)
    print(
        f"  reference (allocations_statement sent raw), {threads} thread(s), {elapsed:.2f} s: {ok} allocations = "
        f"{ok / elapsed:,.0f}/s; allocated={balance.allocated}, moves={moves} — {'consistent' if good else 'MISMATCH'}"
    )
    assert good
    return ok / elapsed


def scenario_submits(threads, seconds, count):
    """The realistic case: the hot balance row locked for a whole order_submit transaction (order lock, reads,
    allocation, wallet hold, status update, event, commit), not for one statement. Orders of 1 unit of one SKU,
    all of one customer (the same stock row and the same wallet row), submitted through order_submit by
    ``threads`` threads, each on its own connection."""
    where = _world.warehouse()
    owner = _world.seller(where, tag="AllocSubmit", skus=1, units=100_000)
    orders = _world.confirming_orders(owner, where, _world.priced_channel(where), count, lines=1)
    queue, lock = list(reversed(orders)), threading.Lock()

    def work():
        done, latencies = 0, []
        connection.ensure_connection()
        deadline = time.perf_counter() + seconds
        with customer_scope(owner.customer):
            while time.perf_counter() < deadline:
                with lock:
                    if not queue:
                        break
                    order = queue.pop()
                t0 = time.perf_counter()
                submitted = order_submit(actor=owner.user, order=order)
                latencies.append(time.perf_counter() - t0)
                assert submitted.status == "pending_shipment", submitted.abnormal_message
                done += 1
        return done, 0, latencies

    cpu = time.process_time()
    results, elapsed = run_threads(work, threads)
    cpu = time.process_time() - cpu
    ok = sum(r[0] for r in results)
    latencies = [x for r in results for x in r[2]]
    balance, moves, good = verify(owner.products[0], where, ok)
    print(
        f"  order_submit, {threads} thread(s), {elapsed:.2f} s: {ok} orders = {ok / elapsed:,.0f} allocations/s on "
        f"the hot row; latency p50 {pct(latencies, 0.5):.1f} ms, p95 {pct(latencies, 0.95):.1f} ms; "
        f"allocated={balance.allocated}, moves={moves} — {'consistent' if good else 'MISMATCH'}"
        + (" (ran out of orders: raise BENCH_SUBMIT_ORDERS)" if ok == count else "")
    )
    print(
        f"  this process's CPU: {cpu / max(ok, 1) * 1000:.1f} ms per submit — the GIL alone caps one process near "
        f"{ok / cpu if cpu else 0:,.0f} submits/s; bench/submit.py measures 8 processes"
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
        f"(Python/ORM) + {wall - cpu:.2f} ms waiting for PostgreSQL; the one statement (autocommit) takes "
        f"{statements:.2f} ms round trip"
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
    _world.ensure_database()
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    _world.fast_passwords()
    print(
        f"PostgreSQL {connection.pg_version}, {os.cpu_count()} CPUs; "
        + ", ".join(f"{k}={v}" for k, v in server_settings().items())
    )
    user, warehouse = setup()

    print(
        "allocations/s: successful allocations ÷ time from the common start to the last finish. app: "
        "inventory.services.stock_allocate\n(checks + one statement + Python, the row locked for that one "
        "statement); reference: the same statement (allocations_statement) with the\nsame parameters "
        "sent raw, same threads, "
        "own connections, in the same run, alternating with the app"
    )
    print("\nBaseline: 1 thread, 2 s")
    one = scenario_throughput(user, warehouse, 1, min(SECONDS, 2.0))
    one_ref = scenario_reference(user, warehouse, 1, min(SECONDS, 2.0))
    print(f"  app/reference {one / one_ref:.2f}×")
    print(
        f"\nScenario 1: {THREADS} threads, {SECONDS:g} s, one hot row holding 100,000 units, the row locked for one "
        "statement (app, reference, app, reference)"
    )
    rates, refs = [], []
    for _ in range(2):
        rates.append(scenario_throughput(user, warehouse, THREADS, SECONDS))
        refs.append(scenario_reference(user, warehouse, THREADS, SECONDS))
        print(f"  app/reference {rates[-1] / refs[-1]:.2f}×")
    print("\nScenario 2: more attempts than stock")
    scenario_oversubscribed(user, warehouse, THREADS, 1000, 5000)

    print("\nWhere the time goes")
    show_queries(user, warehouse)
    print(
        f"\nScenario 3 (realistic): {THREADS} threads, {SECONDS:g} s, the hot row locked for a whole order_submit "
        "transaction"
    )
    submits = scenario_submits(THREADS, SECONDS, SUBMIT_ORDERS)

    best = max(rates)
    verdict = "OK" if best >= TARGET else "UNDER TARGET"
    print(
        f"\nbest: {best:,.0f} allocations/s with {THREADS} threads on one row — {verdict} (target ≥ {TARGET:,}/s); "
        f"median of runs {statistics.median(rates):,.0f}/s (the row locked for one statement)"
    )
    print(
        f"reference best {max(refs):,.0f}/s; app/reference {best / max(refs):.2f}× (best vs best), "
        f"{statistics.median(r / f for r, f in zip(rates, refs, strict=True)):.2f}× (median of the pairs)"
    )
    print(
        f"realistic: {submits:,.0f} allocations/s through order_submit with the row locked for the whole submit "
        f"({submits / best:.2f}× the one-statement case)"
    )


if __name__ == "__main__":
    main()
