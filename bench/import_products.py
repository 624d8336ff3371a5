"""Benchmark: import a 10,000-row SKU file end to end (parse, validate, insert).

Run against PostgreSQL (the database is created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/import_products.py

Prints seconds, the growth of the process's peak memory (max RSS) and SQL queries for each run; the figure in the
README is the best of three. Target: under 1.5 s and under 30 queries on the 2-core machine.
"""

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.accounts.services import customer_create, customer_user_create  # noqa: E402
from apps.catalog.imports import PRODUCT_COLUMNS, read_product_rows  # noqa: E402
from apps.catalog.models import Product  # noqa: E402
from apps.catalog.services import products_import  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.documents.toolkit.xlsx import write_xlsx  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "10000"))


def make_file(rows: int) -> bytes:
    data = []
    for i in range(rows):
        upc_body = f"08612{i:06d}"
        check = (10 - sum(int(d) * (3 if k % 2 == 0 else 1) for k, d in enumerate(reversed(upc_body))) % 10) % 10
        data.append(
            [
                f"BENCH-{i:06d}",
                upc_body + str(check),
                f"Benchmark product number {i}",
                "Cotton T-shirt",
                ["Apparel", "Home", "Parts"][i % 3],
                round(1 + (i % 500) / 10, 2),
                "USD",
                "610910",
                "CN",
                10 + i % 50,
                5 + i % 20,
                1 + i % 10,
                50 + i % 2000,
            ]
        )
    return write_xlsx(PRODUCT_COLUMNS, data, sheet_title="Products")


def run_once(data: bytes, n: int) -> tuple[float, float, int, int]:
    customer = customer_create(actor=None, company_name=f"Bench {n}", contact_name="B", contact_email=f"b{n}@b.example")
    user = customer_user_create(
        customer=customer, email=f"bench{n}-{time.time_ns()}@b.example", password="bench-password-123"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with customer_scope(customer), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        _table, rows = read_product_rows(data)
        check = products_import(actor=user, customer=customer, rows=rows)
        elapsed = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before, 0) * 1024
    assert not check.problems, check.problems[:3]
    with customer_scope(customer):
        count = Product.objects.filter(customer=customer).count()
    assert count == n, count
    return elapsed, peak / 1024 / 1024, len(queries.captured_queries), count


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    data = make_file(ROWS)
    print(f"file: {ROWS} rows, {len(data) / 1024:.0f} KB")
    results = [run_once(data, ROWS) for _ in range(3)]
    for seconds, mem, queries, count in results:
        print(f"  {seconds:.3f} s   peak RSS +{mem:.1f} MB   {queries} queries   {count} products")
    best = min(results)
    peak = max(r[1] for r in results)  # only the first run grows the process; later runs reuse its memory
    verdict = "OK" if best[0] < 1.5 and best[2] < 30 else "OVER TARGET"
    print(
        f"best: {best[0]:.3f} s, peak RSS +{peak:.1f} MB, {best[2]} queries — {verdict} (target < 1.5 s, < 30 queries)"
    )


if __name__ == "__main__":
    main()
