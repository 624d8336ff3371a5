"""Benchmark: batch order creation from a 10,000-row Regular template (5,000 orders × 2 lines, 200 SKUs).

Run against PostgreSQL (the database is created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/orders_import.py

Measures end to end the import job as a Celery worker runs it (order_import_run: read the stored upload, parse
with calamine, check every row by the order rules, create orders, lines and Confirming events in one transaction,
finish the job): the wall time (best and median of BENCH_RUNS runs, each into a fresh customer), the SQL queries,
the growth of the process's peak memory (max RSS, first run) and the peak of Python allocations (tracemalloc, a
separate run). Then two comparisons with django-import-export (4.x), its default ModelResource path and its bulk mode
(use_bulk, skip_diff), into a throwaway table of the template's 16 columns:
- end to end: the same file, read by its default reader (tablib/openpyxl), against our end-to-end figure;
- from the same parsed rows: our parser's output (read_order_file, once, outside the clock) fed to ours (the intake's
  checks and the create: import_orders) and, as a tablib Dataset built inside the clock, to django-import-export.
Ours checks every order by the order rules and writes orders, lines and events; django-import-export writes one
flat table with no validation beyond its widgets' coercion. Every compared path runs with Python's cyclic garbage
collector paused, as the import worker runs a big file. Finally a raw PostgreSQL COPY into a temporary table,
for scale.
Target: under 2 s, under 50 queries, under 300 MB peak.

Then the order intake alone (apps/orders/intake.py) resolves BENCH_API_ORDERS (10,000) API-shaped orders that name
no warehouse (codes in, OrderData out, a warehouse allocated for each) and the same for one order: the query counts
must be equal (set-based), whatever the number of orders.

Environment: BENCH_ORDERS (5000), BENCH_SKUS (200), BENCH_RUNS (5; this VM's CPU speed varies by up to 1.7× from
one second to the next, so take the best), BENCH_COMPARE_RUNS (3, best of, for the bulk and from-parsed figures),
BENCH_SKIP_IMPORT_EXPORT=1 to skip the slow comparison, BENCH_MODE=intake
to run only the intake part.
"""

import contextlib
import gc
import io
import logging
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # as in production: no per-query logging
logging.getLogger("celery").setLevel(logging.WARNING)  # the job path runs its task eagerly here

import _world  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402

from apps.accounts.services import customer_create, customer_user_create  # noqa: E402
from apps.billing.services import wallet_for  # noqa: E402
from apps.catalog.services import products_import  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.documents.services import job_create  # noqa: E402
from apps.documents.toolkit.xlsx import write_xlsx  # noqa: E402
from apps.orders.batch_files import REGULAR_COLUMNS, read_order_file  # noqa: E402
from apps.orders.imports import IMPORT_KIND, import_orders, order_import_run, order_import_start  # noqa: E402
from apps.orders.intake import OrderCodes, intake_resolve  # noqa: E402
from apps.orders.models import Order, OrderEvent, OrderLine  # noqa: E402
from apps.shipping.models import Carrier, Channel  # noqa: E402
from apps.warehouses.models import Warehouse  # noqa: E402
from apps.warehouses.services import customer_warehouses_set  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "5000"))
API_ORDERS = int(os.environ.get("BENCH_API_ORDERS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
IE_RUNS = int(os.environ.get("BENCH_COMPARE_RUNS", "3"))  # best of, for the bulk and from-parsed-rows figures
SKUS = int(os.environ.get("BENCH_SKUS", "200"))
ROWS = ORDERS * 2
TARGET_SECONDS, TARGET_QUERIES, TARGET_MB = 2.0, 50, 300
CITIES = (
    ("San Francisco", "CA", "94105"),
    ("Austin", "TX", "78701"),
    ("Brooklyn", "NY", "11201"),
    ("Seattle", "WA", "98101"),
    ("Chicago", "IL", "60601"),
)


ensure_database = _world.ensure_database  # create the bench database when it is missing


def make_rows() -> list[list]:
    rows = []
    for n in range(ORDERS):
        city, state, postal = CITIES[n % len(CITIES)]
        order = [
            f"BENCH-{n:06d}",
            f"Recipient {n}",
            "",
            f"+1 415 555 {100 + n % 100:04d}",
            f"r{n}@example.com",
            f"{100 + n} Market St",
            "",
            city,
            state,
            postal,
            "US",
        ]
        for k in range(2):
            rows.append([*order, f"SKU-{(2 * n + k) % SKUS:04d}", 1 + (n + k) % 3, "bench-ground", "", ""])
    return rows


def make_file(rows) -> bytes:
    return write_xlsx(REGULAR_COLUMNS, rows, sheet_title="Orders")


def setup_customer(tag: str):
    """A customer with SKUS products, the bench warehouse in its plan and a wallet."""
    stamp = time.time_ns()
    customer = customer_create(
        actor=None, company_name=f"Orders bench {tag} {stamp}", contact_name="B", contact_email=f"ob{stamp}@b.example"
    )
    user = customer_user_create(customer=customer, email=f"ob{stamp}@b.example", password="bench-password-123")
    warehouse, _ = Warehouse.objects.get_or_create(
        code="BENCH1",
        defaults={
            "name": "Bench",
            "address1": "1 Dock Rd",
            "city": "Carson",
            "state": "CA",
            "postal_code": "90810",
            "country": "US",
        },
    )
    carrier, _ = Carrier.objects.get_or_create(code="bench", defaults={"name": "Bench carrier"})
    Channel.objects.get_or_create(
        code="bench-ground",
        defaults={
            "name": "Bench Ground",
            "carrier": carrier,
            "warehouse": warehouse,
            "transit_days_min": 2,
            "transit_days_max": 5,
            "max_weight_g": 30000,
            "max_length_cm": 120,
        },
    )
    customer_warehouses_set(actor=None, customer=customer, warehouses=[warehouse])
    with customer_scope(customer):
        products_import(
            actor=user,
            customer=customer,
            rows=[
                (i + 2, {"sku": f"SKU-{i:04d}", "name": f"Bench SKU {i}", "declared_value": 5, "weight_g": 100 + i})
                for i in range(SKUS)
            ],
        )
        wallet_for(customer)
    return customer, user


def import_job(data: bytes, customer, user):
    """The job a Celery worker runs for this upload (created here, outside the timing)."""
    return job_create(
        actor=user,
        customer=customer,
        kind=IMPORT_KIND,
        input_bytes=data,
        input_name="bench.xlsx",
        total=ROWS,
        title="Bench order import",
        params={"kind": "regular"},
    )


def verify(customer) -> None:
    with customer_scope(customer):
        orders = Order.objects.filter(customer=customer)
        assert orders.count() == ORDERS
        assert OrderLine.objects.filter(order__customer=customer).count() == ROWS
        assert OrderEvent.objects.filter(order__customer=customer).count() == ORDERS


class QueryCounter:
    """Counts SQL statements without recording them (CaptureQueriesContext would render every
    bulk INSERT's parameters into text, which costs more than the insert)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run_ours(data: bytes, *, trace: bool = False) -> dict:
    customer, user = setup_customer("ours")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    counter = QueryCounter()
    with customer_scope(customer):
        job = import_job(data, customer, user)
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            order_import_run(job_id=job.pk)  # read the stored file, parse, check, create, finish the job
            elapsed = time.perf_counter() - started
        job.refresh_from_db()
        assert job.status == "done" and job.result["created"] == ORDERS, (job.status, job.message)
    result = {
        "seconds": elapsed,
        "queries": counter.count,
        "rss_mb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before, 0) / 1024,
    }
    if trace:
        result["traced_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    verify(customer)
    return result


def run_job_path(data: bytes) -> float:
    """order_import_start as the portal calls it (job row, stored upload, Celery eager here, marked file none)."""
    customer, user = setup_customer("job")
    with customer_scope(customer):
        started = time.perf_counter()
        job = order_import_start(actor=user, data=data, name="bench.xlsx", kind="regular")
        elapsed = time.perf_counter() - started
        job.refresh_from_db()
        assert job.status == "done" and job.result["created"] == ORDERS, (job.status, job.message)
    return elapsed


def api_shaped(count: int) -> list[OrderCodes]:
    """Orders as the API hands them to the intake: codes only, no warehouse (the intake allocates)."""
    orders = []
    for n in range(count):
        city, state, postal = CITIES[n % len(CITIES)]
        recipient = {
            "name": f"Recipient {n}",
            "phone": f"+1 415 555 {100 + n % 100:04d}",
            "email": f"r{n}@example.com",
            "address1": f"{100 + n} Market St",
            "city": city,
            "state": state,
            "postal_code": postal,
            "country": "US",
        }
        lines = [(f"sku-{(2 * n + k) % SKUS:04d}", 1 + (n + k) % 3) for k in range(2)]
        orders.append(OrderCodes(recipient=recipient, lines=lines, external_ref=f"API-{n:06d}", source="api"))
    return orders


def run_intake() -> dict:
    """intake_resolve over API_ORDERS orders and over one: seconds and queries of each."""
    customer, _user = setup_customer("intake")
    figures = {}
    with customer_scope(customer):
        for count in (1, API_ORDERS):
            orders = api_shaped(count)
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                results = intake_resolve(customer=customer, orders=orders)
                elapsed = time.perf_counter() - started
            assert all(r.ok and r.data.warehouse.code == "BENCH1" and r.data.allocated for r in results)
            figures[count] = {"seconds": elapsed, "queries": counter.count}
    return figures


def report_intake() -> None:
    figures = run_intake()
    one, many = figures[1], figures[API_ORDERS]
    same = "the same" if one["queries"] == many["queries"] else "NOT the same"
    print(
        f"order intake, {API_ORDERS:,} API-shaped orders with no warehouse: {many['seconds']:.3f} s, "
        f"{many['queries']} queries; 1 order: {one['queries']} queries ({same})"
    )


# --- Comparisons ---------------------------------------------------------------------------------

PLAIN_FIELDS = [c.key for c in REGULAR_COLUMNS]


def bench_row_model():
    """A throwaway table with the template's 16 columns (defined here, created and dropped by the bench)."""
    attrs = {key: models.CharField(max_length=200, blank=True, default="") for key in PLAIN_FIELDS}
    attrs["quantity"] = models.IntegerField()
    attrs["__module__"] = __name__
    attrs["Meta"] = type("Meta", (), {"app_label": "orders", "db_table": "bench_order_row", "managed": False})
    return type("BenchOrderRow", (models.Model,), attrs)


def run_import_export(data: bytes, model, *, bulk: bool, rows=None) -> dict:
    """django-import-export into the throwaway table: from the file (its default reader, openpyxl through tablib)
    or, given ``rows``, from the rows our parser read (a tablib Dataset built from them, inside the clock)."""
    import tablib
    from import_export import resources

    meta = {"model": model}  # the default: every field of the model, "id" as the import id
    if bulk:
        meta.update(use_bulk=True, skip_diff=True, batch_size=1000, force_init_instance=True)
    resource_class = type("BenchResource", (resources.ModelResource,), {"Meta": type("Meta", (), meta)})
    model.objects.all().delete()
    counter = QueryCounter()
    with connection.execute_wrapper(counter), worker_gc():
        started = time.perf_counter()
        if rows is None:
            dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")  # the default reader (openpyxl)
            dataset.headers = PLAIN_FIELDS
        else:
            dataset = tablib.Dataset(*([row.values[key] for key in PLAIN_FIELDS] for row in rows), headers=PLAIN_FIELDS)
        result = resource_class().import_data(dataset, dry_run=False, raise_errors=True)
        elapsed = time.perf_counter() - started
    assert not result.has_errors() and model.objects.count() == ROWS, model.objects.count()
    return {"seconds": elapsed, "queries": counter.count}


def run_ours_parsed(parsed) -> dict:
    """Our import from the rows our parser gave (read_order_file's ParsedFile, read before the clock): the
    order intake checks every order by the order rules, then orders, lines and events are created."""
    customer, user = setup_customer("parsed")
    counter = QueryCounter()
    with customer_scope(customer), connection.execute_wrapper(counter), worker_gc():
        started = time.perf_counter()
        with transaction.atomic():
            check, created = import_orders(actor=user, customer=customer, parsed=parsed)
        elapsed = time.perf_counter() - started
    assert not check.problems and len(created) == ORDERS, (check.problems[:3], len(created))
    verify(customer)
    return {"seconds": elapsed, "queries": counter.count}


@contextlib.contextmanager
def worker_gc():
    """Python's cyclic garbage collector paused, as the import worker runs a big file (order_import_run pauses it
    for files over 500 rows): every compared path runs under the same condition as our end-to-end figure."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def best_of(runs: int, measure) -> dict:
    results = [measure() for _ in range(runs)]
    return min(results, key=lambda r: r["seconds"])


def run_copy(rows: list[list], data: bytes) -> dict:
    import csv

    from python_calamine import CalamineWorkbook

    def copy_rows(values) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(values)
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_copy ("
                + ", ".join(f"{key} {'integer' if key == 'quantity' else 'text'}" for key in PLAIN_FIELDS)
                + ") ON COMMIT DROP"
            )
            cursor.cursor.copy_expert(
                f"COPY bench_copy ({', '.join(PLAIN_FIELDS)}) FROM STDIN WITH (FORMAT csv)", buffer
            )
            cursor.execute("SELECT count(*) FROM bench_copy")
            assert cursor.fetchone()[0] == ROWS

    with transaction.atomic():
        started = time.perf_counter()
        copy_rows(rows)
        copy_only = time.perf_counter() - started
    with transaction.atomic():
        started = time.perf_counter()
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            cells = workbook.get_sheet_by_index(0).to_python()[1:]
        copy_rows(
            [[int(v) if k == "quantity" else v for k, v in zip(PLAIN_FIELDS, line, strict=True)] for line in cells]
        )
        parsed_copy = time.perf_counter() - started
    return {"copy": copy_only, "parse_copy": parsed_copy}


def _sq(result: dict) -> tuple[float, int]:
    return result["seconds"], result["queries"]


def report_comparisons(ours: float, ours_parsed: float, compared: dict) -> None:
    """Both comparisons, as ratios of django-import-export's time to ours (above 1: ours is faster)."""
    print()
    print(
        "What each writes: ours checks every order by the order rules (the intake: SKUs, warehouse, channel, address, "
        "references)\nand creates orders, lines and Confirming events; django-import-export writes one flat table of "
        "the template's 16 columns,\nwith no validation beyond its widgets' type coercion."
    )
    print(
        f"end to end (file in): django-import-export default {compared['file_default']['seconds'] / ours:.2f}×, "
        f"bulk mode {compared['file_bulk']['seconds'] / ours:.2f}× our time"
    )
    default = compared["rows_default"]["seconds"] / ours_parsed
    print(
        f"from the same parsed rows: django-import-export default {default:.2f}×, "
        f"bulk mode {compared['rows_bulk']['seconds'] / ours_parsed:.2f}× our time from those rows"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    ensure_database()
    call_command("migrate", verbosity=0)
    if os.environ.get("BENCH_MODE") == "intake":
        report_intake()
        return
    rows = make_rows()
    data = make_file(rows)
    print(f"file: {ROWS:,} rows ({ORDERS:,} orders × 2 lines, {SKUS} SKUs), {len(data) / 1024:.0f} KB")

    runs = [run_ours(data) for _ in range(RUNS)]  # the first run's max-RSS growth is the process's peak
    traced = run_ours(data, trace=True)
    first = runs[0]
    best = min(r["seconds"] for r in runs)
    median = statistics.median(r["seconds"] for r in runs)
    for n, r in enumerate(runs, start=1):
        print(f"  run {n}: {r['seconds']:.3f} s, {r['queries']} queries")
    job_seconds = run_job_path(data)

    figures = [("orders importer, the worker's job (parse, check, create)", best, first["queries"])]
    started = time.perf_counter()
    parsed = read_order_file(data, "regular")  # our parser: calamine, the template's columns, rows → orders
    parse_seconds = time.perf_counter() - started
    ours_parsed = best_of(IE_RUNS, lambda: run_ours_parsed(parsed))
    compared = {}
    if os.environ.get("BENCH_SKIP_IMPORT_EXPORT") != "1":
        model = bench_row_model()
        with connection.schema_editor() as editor:
            editor.create_model(model)
        try:
            parsed_rows = parsed.table.rows
            compared = {
                "file_default": run_import_export(data, model, bulk=False),
                "file_bulk": best_of(IE_RUNS, lambda: run_import_export(data, model, bulk=True)),
                "rows_default": run_import_export(data, model, bulk=False, rows=parsed_rows),
                "rows_bulk": best_of(IE_RUNS, lambda: run_import_export(data, model, bulk=True, rows=parsed_rows)),
            }
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(model)
        figures += [
            ("django-import-export, default ModelResource, from the file", *_sq(compared["file_default"])),
            ("django-import-export, bulk mode (use_bulk, skip_diff), from the file", *_sq(compared["file_bulk"])),
        ]
    figures += [
        ("our parser alone (read_order_file)", parse_seconds, 0),
        ("ours from our parser's rows (intake check + create)", *_sq(ours_parsed)),
    ]
    if compared:
        figures += [
            ("django-import-export, default, from our parser's rows", *_sq(compared["rows_default"])),
            ("django-import-export, bulk mode, from our parser's rows", *_sq(compared["rows_bulk"])),
        ]
    extra = run_copy(rows, data)
    figures += [
        ("PostgreSQL COPY of the parsed rows (temp table)", extra["copy"], 2),
        ("calamine parse + PostgreSQL COPY (temp table)", extra["parse_copy"], 2),
    ]

    print()
    print(f"{'path':70} {'seconds':>8} {'queries':>8} {'vs ours':>8}")
    for name, seconds, queries in figures:
        print(f"{name:70} {seconds:8.3f} {queries:8} {seconds / best:7.2f}×")
    print(
        f"{'order_import_start (request check + stored file + task)':70} {job_seconds:8.3f} {'':8} "
        f"{job_seconds / best:7.2f}×"
    )
    print()
    print(
        f"peak memory: max RSS +{first['rss_mb']:.0f} MB (first run), Python allocations peak "
        f"{traced['traced_mb']:.0f} MB (tracemalloc)"
    )
    if compared:
        report_comparisons(best, ours_parsed["seconds"], compared)
    report_intake()
    ok = best < TARGET_SECONDS and first["queries"] < TARGET_QUERIES and first["rss_mb"] < TARGET_MB
    print(f"median of {RUNS} runs: {median:.3f} s")
    print(
        f"best: {best:.3f} s, {first['queries']} queries, +{first['rss_mb']:.0f} MB — "
        f"{'OK' if ok else 'OVER TARGET'} (target < {TARGET_SECONDS:g} s, < {TARGET_QUERIES} queries, "
        f"< {TARGET_MB} MB)"
    )


if __name__ == "__main__":
    main()
