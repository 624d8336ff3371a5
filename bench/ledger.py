"""Benchmark: wallet ledger postings per second on ONE hot wallet, 8 threads each with its own connection.

Run against PostgreSQL (the database is created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/ledger.py

A fresh customer's wallet is credited 1,000,000.00; then the threads post charges of 0.01–1.00 (each with its own
idempotency key) through ``apps.billing.services.charge`` as fast as they can for ~5 s. Afterwards it checks there is
no drift: the wallet balance equals Σ entry amounts, and the balance_after chain (ordered by id) has no gap.
Scenario 2 races 8 × 200 charges of 1.00 for a balance of 500.00: exactly 500 must succeed, balance 0.
Beside the app, in the same run and alternating with it, the reference: the app's own posting statement
(the text and parameters from ``entries_statement`` in apps/billing/services.py: the guarded UPDATE and the entry
INSERT in one statement), sent raw in autocommit as ``charge`` sends it, with the same parameters, from the same
number of threads, each on its own connection; it reports app/reference. The app does on top: the wallet lookup (one
SELECT), the checks and its Python.
Target: ≥ 1,000 postings/s with zero drift.

Environment: BENCH_THREADS (8), BENCH_SECONDS (5).
"""

import os
import random
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # as in production: no per-query logging

from _threads import run_threads  # noqa: E402
from _world import ensure_database  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.accounts.services import customer_create  # noqa: E402
from apps.billing import services  # noqa: E402
from apps.billing.choices import EntryKind  # noqa: E402
from apps.billing.errors import InsufficientBalance  # noqa: E402
from apps.billing.models import Wallet, WalletEntry  # noqa: E402
from apps.billing.services import entries_statement  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402

THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
TARGET = 1000


def new_customer(credit: str):
    stamp = time.time_ns()
    customer = customer_create(
        actor=None, company_name=f"Ledger bench {stamp}", contact_name="B", contact_email=f"ledger{stamp}@b.example"
    )
    with customer_scope(customer):
        services.credit(customer=customer, amount=credit, idempotency_key="bench-seed")
    return customer


def charger(customer, *, prefix, seconds=None, attempts=None, amount=None):
    counter, lock = iter(range(10**9)), threading.Lock()

    def work():
        ok = refused = 0
        latencies = []
        rng = random.Random(threading.get_ident())
        with customer_scope(customer):
            connection.ensure_connection()  # this thread's own connection, opened before the clock runs
            deadline = time.perf_counter() + seconds if seconds else None
            done = 0
            while (deadline and time.perf_counter() < deadline) or (attempts and done < attempts):
                done += 1
                with lock:
                    i = next(counter)
                value = amount or Decimal(rng.randint(1, 100)) / 100
                t0 = time.perf_counter()
                try:
                    services.charge(
                        customer=customer, amount=value, kind=EntryKind.FULFILMENT_FEE, idempotency_key=f"{prefix}-{i}"
                    )
                    ok += 1
                except InsufficientBalance:
                    refused += 1
                latencies.append(time.perf_counter() - t0)
        return ok, refused, latencies

    return work


def drift(customer):
    """(wallet balance, Σ entries, entries, first chain gap or None)."""
    with customer_scope(customer):
        wallet = Wallet.objects.get(customer=customer)
        total = WalletEntry.objects.filter(customer=customer).aggregate(s=Sum("amount"))["s"]
        rows = (
            WalletEntry.objects.filter(customer=customer)
            .order_by("id")
            .values_list("id", "amount", "held_delta", "balance_after", "held_after")
        )
        balance = held = Decimal("0")
        gap, count = None, 0
        for entry_id, amount, held_delta, balance_after, held_after in rows.iterator(chunk_size=5000):
            count += 1
            balance, held = balance + amount, held + held_delta
            if gap is None and (balance_after, held_after) != (balance, held):
                gap = entry_id
    return wallet.balance, total, count, gap


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0


def scenario_throughput(threads, seconds):
    customer = new_customer("1000000")
    results, elapsed = run_threads(charger(customer, prefix="t", seconds=seconds), threads)
    ok = sum(r[0] for r in results)
    latencies = [x for r in results for x in r[2]]
    balance, total, count, gap = drift(customer)
    good = balance == total and gap is None and count == ok + 1
    rate = ok / elapsed
    print(
        f"  {threads} thread(s), {elapsed:.2f} s: {ok} postings = {rate:,.0f} postings/s; latency p50 "
        f"{pct(latencies, 0.5):.1f} ms, p95 {pct(latencies, 0.95):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms"
    )
    print(
        f"  balance {balance} = Σ entries {total} over {count} entries, chain "
        f"{'gap-free' if gap is None else f'BROKEN at entry {gap}'} — {'zero drift' if good else 'DRIFT'}"
    )
    assert good, (balance, total, count, ok, gap)
    return rate


def scenario_oversubscribed(threads, attempts):
    customer = new_customer("500")
    results, elapsed = run_threads(charger(customer, prefix="o", attempts=attempts, amount=Decimal("1")), threads)
    ok = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    balance, total, count, gap = drift(customer)
    good = ok == 500 and refused == threads * attempts - 500 and balance == total == 0 and gap is None
    print(
        f"  {threads} × {attempts} charges of 1.00 on 500.00 in {elapsed:.2f} s: {ok} succeeded, {refused} refused; "
        f"balance {balance}, chain {'gap-free' if gap is None else 'BROKEN'} — "
        f"{'exactly the balance, never negative' if good else 'WRONG'}"
    )
    assert good


def show_queries():
    customer = new_customer("100")
    with customer_scope(customer):
        services.charge(customer=customer, amount="1", kind=EntryKind.FREIGHT, idempotency_key="warm")
        with CaptureQueriesContext(connection) as captured:
            services.charge(customer=customer, amount="1", kind=EntryKind.FREIGHT, idempotency_key="probe")
        calls = 300
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(calls):
            services.charge(customer=customer, amount="0.01", kind=EntryKind.FREIGHT, idempotency_key=f"p{i}")
        wall, cpu = (time.perf_counter() - wall) / calls * 1000, (time.process_time() - cpu) / calls * 1000
    print(f"  one charge: {len(captured.captured_queries)} statements")
    for q in captured.captured_queries:
        sql = q["sql"] if len(q["sql"]) < 160 else q["sql"][:157] + "..."
        print(f"    {' '.join(sql.split())}")
    print(
        f"  one thread, {calls} calls: {wall:.2f} ms per posting = {cpu:.2f} ms CPU in this process + "
        f"{wall - cpu:.2f} ms waiting for PostgreSQL → the GIL caps one process near {1000 / cpu:,.0f} postings/s"
    )


def reference_poster(customer, *, prefix, seconds):
    """The reference: the app's own posting statement (billing's ``entries_statement``: the guarded wallet UPDATE and
    the entry INSERT in one statement) sent raw in autocommit, as ``charge`` sends it outside a transaction,
    with the same parameters — without charge's wallet lookup, its checks and its Python."""
    with customer_scope(customer):
        wallet_id = Wallet.objects.get(customer=customer).pk
    counter, lock = iter(range(10**9)), threading.Lock()

    def work():
        ok = 0
        rng = random.Random(threading.get_ident())
        connection.ensure_connection()
        deadline = time.perf_counter() + seconds
        with connection.cursor() as cursor:
            while time.perf_counter() < deadline:
                with lock:
                    i = next(counter)
                row = {
                    "kind": EntryKind.FULFILMENT_FEE,
                    "amount": -Decimal(rng.randint(1, 100)) / 100,
                    "held_delta": Decimal("0"),
                    "reference_type": "",
                    "reference_id": "",
                    "reference": "",
                    "memo": "",
                    "actor_id": None,
                    "idempotency_key": f"{prefix}-{i}",
                }
                cursor.execute(*entries_statement(wallet_id=wallet_id, customer_id=customer.pk, rows=[row]))
                if cursor.fetchone() is None:
                    raise InsufficientBalance("the reference's posting was refused")
                ok += 1
        return ok, 0, []

    return work


def scenario_reference(threads, seconds):
    customer = new_customer("1000000")
    results, elapsed = run_threads(reference_poster(customer, prefix="r", seconds=seconds), threads)
    ok = sum(r[0] for r in results)
    balance, total, count, gap = drift(customer)
    good = balance == total and gap is None and count == ok + 1
    print(
        f"  reference (entries_statement sent raw), {threads} thread(s), {elapsed:.2f} s: {ok} postings = "
        f"{ok / elapsed:,.0f}/s; {'zero drift, chain gap-free' if good else 'DRIFT'}"
    )
    assert good
    return ok / elapsed


def main() -> None:
    ensure_database()
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    print(f"PostgreSQL {connection.pg_version}, {os.cpu_count()} CPUs")
    print(
        "postings/s: successful charges ÷ time from the common start to the last finish. app: services.charge "
        "(wallet lookup + the\none posting statement + Python); reference: the same statement (entries_statement) with "
        "the same parameters sent raw,\nsame threads, own connections, in the same run, alternating with the app"
    )
    print("\nBaseline: 1 thread, 2 s")
    one = scenario_throughput(1, min(SECONDS, 2.0))
    one_ref = scenario_reference(1, min(SECONDS, 2.0))
    print(f"  app/reference {one / one_ref:.2f}×")
    print(f"\nScenario 1: {THREADS} threads, {SECONDS:g} s, one hot wallet (app, reference, app, reference)")
    rates, refs = [], []
    for _ in range(2):
        rates.append(scenario_throughput(THREADS, SECONDS))
        refs.append(scenario_reference(THREADS, SECONDS))
        print(f"  app/reference {rates[-1] / refs[-1]:.2f}×")
    print("\nScenario 2: more charges than balance")
    scenario_oversubscribed(THREADS, 200)
    print("\nWhere the time goes")
    show_queries()
    best = max(rates)
    verdict = "OK" if best >= TARGET else "UNDER TARGET"
    print(
        f"\nbest: {best:,.0f} postings/s with {THREADS} threads on one wallet — {verdict} (target ≥ {TARGET:,}/s); "
        f"median of runs {statistics.median(rates):,.0f}/s; zero drift in every run"
    )
    print(
        f"reference best {max(refs):,.0f}/s; app/reference {best / max(refs):.2f}× (best vs best), "
        f"{statistics.median(r / f for r, f in zip(rates, refs, strict=True)):.2f}× (median of the pairs)"
    )


if __name__ == "__main__":
    main()
