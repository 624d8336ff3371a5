"""Benchmark: order submission end to end through the service the API's submit action calls
(``apps.orders.services.order_submit(actor=…, order=…)``), beside the same writes sent as the app's own SQL.

Run against PostgreSQL (the database is created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/submit.py

Setup (not timed): customers with a user each, the bench warehouse in their plan, a flat-rate UPS channel,
2 SKUs per customer with 100,000 units each, 1,000,000.00 in each wallet, and Confirming orders of 2 lines
(1 unit of each SKU) written by orders_bulk_create, the bulk twin of order_create.

Four configurations: 1 process and BENCH_PROCESSES (8) processes (multiprocessing, forked, each with its own
database connection, started together), each with one customer (every submit updates the same two stock
balance rows and the same wallet row: the hot rows) and with BENCH_CUSTOMERS (32) customers (the orders
shuffled, so processes meet on a customer's rows only now and then). Each configuration submits fresh orders
through order_submit, then fresh orders of the same shape through the reference (bench/_submit_sql.py): per
order, in one transaction, the statements order_submit locks and writes with — the order row lock, the stock
balances' lock, the allocation statement, the hold statement, the order UPDATE and the event INSERT —
recorded from order_submit itself (run once per order and rolled back) and sent raw with the same text and
parameters. The reference leaves out order_submit's reads (lines, plan, channels, prices) and its Python.

Reported: orders/s (all orders / from the common start to the last finish), CPU ms per submit
(time.process_time of the submitting processes, summed, / orders), queries per submit
(CaptureQueriesContext over separate submits, BEGIN/COMMIT/SAVEPOINT included) and app/reference.
Bulk submit (``apps.orders.submission.orders_submit_many``, sets of one customer's orders) is timed on fresh
orders too.
Targets: ≥ 200 orders/s in one process, ≥ 0.3× the reference.

Environment: BENCH_ORDERS (300, orders of a 1-process run), BENCH_ORDERS_PER_PROCESS (100), BENCH_PROCESSES (8),
BENCH_CUSTOMERS (32). Set REDIS_URL as in production, so nothing runs eagerly in the process.
"""

import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # as in production: no per-query logging

import _submit_sql as reference  # noqa: E402
import _world  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.core.tenancy import customer_scope  # noqa: E402
from apps.orders import services, submission  # noqa: E402

ONE_PROCESS_ORDERS = int(os.environ.get("BENCH_ORDERS", "300"))
PER_PROCESS = int(os.environ.get("BENCH_ORDERS_PER_PROCESS", "100"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "8"))
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "32"))
TARGET_RATE, TARGET_RATIO = 200, 0.3
CHECKED = []  # the reference's statement texts are checked against order_submit's once, reported once


class World:
    def __init__(self):
        self.warehouse = _world.warehouse()
        self.channel = _world.priced_channel(self.warehouse)
        self.hot = _world.seller(self.warehouse, tag="SubmitHot")
        self.many = [_world.seller(self.warehouse, tag=f"Submit{n}") for n in range(CUSTOMERS)]

    def orders(self, mode: str, count: int) -> list:
        """[(seller, order)] of ``count`` fresh Confirming orders: all of the hot customer, or spread over
        the many customers and shuffled."""
        if mode == "one":
            return [(self.hot, o) for o in _world.confirming_orders(self.hot, self.warehouse, self.channel, count)]
        jobs = []
        for n, owner in enumerate(self.many):
            share = count // len(self.many) + (1 if n < count % len(self.many) else 0)
            jobs += [(owner, o) for o in _world.confirming_orders(owner, self.warehouse, self.channel, share)]
        random.Random(7).shuffle(jobs)
        return jobs


def submit_all(jobs) -> None:
    for owner, order in jobs:
        with customer_scope(owner.customer):  # as the API middleware enters the customer's scope
            services.order_submit(actor=owner.user, order=order)


def send_all(plans) -> None:
    for statements in plans:
        reference.send(statements)


def run(work, items, processes: int) -> tuple[float, float]:
    """(seconds from the common start to the last finish, CPU seconds of the working processes)."""
    if processes == 1:
        connection.ensure_connection()
        wall, cpu = time.perf_counter(), time.process_time()
        work(items)
        return time.perf_counter() - wall, time.process_time() - cpu
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(processes + 1), context.Queue()
    connections.close_all()  # each child opens its own connection

    def child(chunk):
        try:
            connection.ensure_connection()  # before the clock
            barrier.wait()
            cpu = time.process_time()
            work(chunk)
            results.put((time.process_time() - cpu, None))
        except Exception as exc:  # noqa: BLE001 - reported by the parent
            results.put((0.0, repr(exc)))
        finally:
            connections.close_all()

    workers = [context.Process(target=child, args=(items[k::processes],)) for k in range(processes)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    outcomes = [results.get() for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    errors = [error for _cpu, error in outcomes if error]
    if errors:
        raise RuntimeError(f"a submitting process failed: {errors[0]}")
    return elapsed, sum(cpu for cpu, _error in outcomes)


def probe(world: World):
    """Submit a few orders alone: the queries of one submit, by kind."""
    jobs = world.orders("one", 11)
    submit_all(jobs[:1])  # warm up
    counts, kinds, recorder = [], Counter(), reference.Recorder()
    for owner, order in jobs[1:]:
        with customer_scope(owner.customer):
            with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recorder):
                done = services.order_submit(actor=owner.user, order=order)
            assert done.status == "pending_shipment", done.abnormal_message
        counts.append(len(captured.captured_queries))
        kinds.update(" ".join(q["sql"].split()).split(" ", 1)[0] for q in captured.captured_queries)
    per = {k: v / len(counts) for k, v in kinds.items()}
    print(
        f"queries per submit: {sum(counts) / len(counts):.1f} (min {min(counts)}, max {max(counts)}), of which "
        + ", ".join(f"{k} {v:g}" for k, v in sorted(per.items(), key=lambda kv: -kv[1]))
    )
    return done


def plans(jobs) -> list:
    prepared = []
    for owner, order in jobs:
        with customer_scope(owner.customer):  # the lock's SELECT carries the scope's customer filter, as the app's
            prepared.append(reference.record(order, actor=owner.user))
    if not CHECKED:
        CHECKED.append(len(prepared[0]))
        kinds = ", ".join(" ".join(sql.split())[:30] for sql, _params in prepared[0])
        print(f"  reference: {len(prepared[0])} statements per order, recorded from order_submit: {kinds}")
    return prepared


def all_pending(jobs) -> bool:
    return _world.statuses([order for _owner, order in jobs]) == {"pending_shipment": len(jobs)}


def configuration(world: World, mode: str, processes: int) -> dict:
    count = ONE_PROCESS_ORDERS if processes == 1 else PER_PROCESS * processes
    app_jobs, ref_jobs = world.orders(mode, count), world.orders(mode, count)
    prepared = plans(ref_jobs)
    app_seconds, app_cpu = run(submit_all, app_jobs, processes)
    assert all_pending(app_jobs), _world.statuses([o for _s, o in app_jobs])
    ref_seconds, ref_cpu = run(send_all, prepared, processes)
    assert all_pending(ref_jobs), _world.statuses([o for _s, o in ref_jobs])
    app, ref = count / app_seconds, count / ref_seconds
    who = "one customer (hot rows)" if mode == "one" else f"{CUSTOMERS} customers"
    print(
        f"  {processes} process{'es' if processes > 1 else ''}, {who}, {count} orders: order_submit "
        f"{app:,.0f} orders/s, {app_cpu / count * 1000:.2f} ms CPU per submit | reference {ref:,.0f} orders/s, "
        f"{ref_cpu / count * 1000:.2f} ms CPU | app/reference {app / ref:.2f}×"
    )
    return {"mode": mode, "processes": processes, "app": app, "ref": ref, "cpu_ms": app_cpu / count * 1000}


def bulk(world: World) -> None:
    submit_many = submission.orders_submit_many
    for mode in ("one", "many"):
        jobs = world.orders(mode, ONE_PROCESS_ORDERS)
        by_owner = {}
        for owner, order in jobs:
            by_owner.setdefault(owner.customer.pk, (owner, []))[1].append(order)
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            for owner, orders in by_owner.values():
                with customer_scope(owner.customer):
                    submit_many(actor=owner.user, orders=orders)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        ok = all_pending(jobs)
        who = "one customer" if mode == "one" else f"{CUSTOMERS} customers"
        queries = len(captured.captured_queries) / len(jobs)
        print(
            f"  bulk submit (orders_submit_many), 1 process, {who}, {len(jobs)} orders in {len(by_owner)} call(s): "
            f"{len(jobs) / wall:,.0f} orders/s, {cpu / len(jobs) * 1000:.2f} ms CPU and {queries:.1f} queries per "
            f"order{'' if ok else ' — NOT all Pending Shipment: ' + str(_world.statuses([o for _s, o in jobs]))}"
        )


def main() -> None:
    _world.ensure_database()
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    _world.fast_passwords()
    print(f"PostgreSQL {connection.pg_version}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    world = World()
    probe(world)
    print(
        "orders/s: orders ÷ time from the common start to the last finish; CPU: time.process_time of the "
        "submitting processes ÷ orders;\nreference: per order one transaction of the app's own write statements "
        "(order lock, allocation per line, hold, status UPDATE, event INSERT), params prepared beforehand\n"
    )
    figures = [configuration(world, mode, processes) for processes in (1, PROCESSES) for mode in ("one", "many")]
    bulk(world)
    print()
    for f in figures:
        ratio = f["app"] / f["ref"]
        if f["processes"] > 1:
            verdict = "no target of its own"
        else:
            verdict = "OK" if f["app"] >= TARGET_RATE else f"UNDER the {TARGET_RATE}/s target"
        print(
            f"{f['processes']} process(es), {f['mode']:4} customer(s): {f['app']:,.0f} orders/s "
            f"({verdict}), {ratio:.2f}× the reference "
            f"({'OK' if ratio >= TARGET_RATIO else f'UNDER the {TARGET_RATIO}× target'})"
        )
    print(f"load average after the run {os.getloadavg()[0]:.2f} (2 CPUs shared)")


if __name__ == "__main__":
    main()
