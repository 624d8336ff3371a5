"""Benchmark: the inventory list with 100,000 stock balances for one customer (50,000 SKUs × 2 warehouses).

Run against PostgreSQL (the database is migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/inventory_list.py

The data is built once with bulk_create (products, balances, and the receive/allocate moves they add up to) and
reused by later runs; it belongs to the customer of the user inventory-bench@bench.example. Then it times
``apps.inventory.selectors.inventory_list`` (first page, each view, a search, a warehouse, the second page) and
the portal page GET /inventory/ through Django's test client with that user logged in: median of 20 requests
and the number of SQL queries. Then EXPLAIN ANALYZE of the list query, and a "what if" that creates the suggested
index inside a transaction it rolls back (catalog_product is write-locked for about a second meanwhile).
Target: under 50 ms, a fixed number of queries whatever the size of the table.

Environment: BENCH_PRODUCTS (50000), BENCH_REQUESTS (20).
"""

import os
import statistics
import sys
import time
import warnings
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
warnings.filterwarnings("ignore", "No directory at")  # whitenoise: no collected static files in a dev tree

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.choices import CustomerRole  # noqa: E402
from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import customer_create, customer_user_create  # noqa: E402
from apps.catalog.models import Product  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.inventory import selectors  # noqa: E402
from apps.inventory.choices import MoveKind  # noqa: E402
from apps.inventory.models import StockBalance, StockMove  # noqa: E402
from apps.warehouses.models import CustomerWarehouse, Warehouse  # noqa: E402

PRODUCTS = int(os.environ.get("BENCH_PRODUCTS", "50000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20"))
EMAIL = "inventory-bench@bench.example"
WAREHOUSES = [("IBLAX", "Bench LA"), ("IBNJ", "Bench NJ")]
TARGET_MS = 50


def balance_numbers(i: int, w: int) -> tuple[int, int]:
    """(on_hand, allocated) for product i in warehouse w: a spread with sold-out and low rows."""
    on_hand = (i * 7 + w * 3) % 200
    allocated = min(on_hand, i % 13)
    return on_hand, allocated


def build_data():
    """The bench customer with PRODUCTS SKUs × 2 warehouses of balances; reused when it is already there."""
    user = User.objects.filter(email=EMAIL).select_related("customer").first()
    if user is None:
        customer = customer_create(
            actor=None, company_name="Inventory bench", contact_name="Bench", contact_email=EMAIL
        )
        user = customer_user_create(
            customer=customer, email=EMAIL, password="bench-password-123", role=CustomerRole.OWNER
        )
    customer = user.customer
    warehouses = []
    for code, name in WAREHOUSES:
        warehouse, _ = Warehouse.objects.get_or_create(
            code=code, defaults={"name": name, "address1": "1 Bench Rd", "city": "Bench", "country": "US"}
        )
        CustomerWarehouse.objects.get_or_create(customer=customer, warehouse=warehouse)
        warehouses.append(warehouse)
    with scopes_disabled():
        have = StockBalance.objects.filter(customer=customer).count()
        if have >= PRODUCTS * len(warehouses):
            print(f"data: reusing {have:,} balances of customer {customer.code}")
            return user, warehouses
        started = time.perf_counter()
        with transaction.atomic():
            existing = set(Product.objects.filter(customer=customer).values_list("sku", flat=True))
            Product.objects.bulk_create(
                [
                    Product(
                        customer=customer,
                        sku=f"IB-{i:06d}",
                        name=f"Bench item {i} {['red', 'blue', 'green'][i % 3]}",
                        upc=f"0861{i:07d}",
                        declared_value=1,
                        low_stock_threshold=20 if i % 10 == 0 else None,
                    )
                    for i in range(PRODUCTS)
                    if f"IB-{i:06d}" not in existing
                ],
                batch_size=5000,
            )
            products = dict(Product.objects.filter(customer=customer, sku__startswith="IB-").values_list("sku", "pk"))
            have_pairs = set(StockBalance.objects.filter(customer=customer).values_list("product_id", "warehouse_id"))
            balances, moves = [], []
            for i in range(PRODUCTS):
                product_id = products[f"IB-{i:06d}"]
                for w, warehouse in enumerate(warehouses):
                    if (product_id, warehouse.pk) in have_pairs:
                        continue
                    on_hand, allocated = balance_numbers(i, w)
                    balances.append(
                        StockBalance(
                            customer=customer,
                            product_id=product_id,
                            warehouse=warehouse,
                            on_hand=on_hand,
                            allocated=allocated,
                        )
                    )
                    # the ledger the balance adds up to, so the bench database stays consistent
                    if on_hand:
                        moves.append(
                            StockMove(
                                customer=customer,
                                product_id=product_id,
                                warehouse=warehouse,
                                kind=MoveKind.RECEIVE,
                                quantity=on_hand,
                                on_hand_delta=on_hand,
                                reference="bench",
                            )
                        )
                    if allocated:
                        moves.append(
                            StockMove(
                                customer=customer,
                                product_id=product_id,
                                warehouse=warehouse,
                                kind=MoveKind.ALLOCATE,
                                quantity=allocated,
                                allocated_delta=allocated,
                                reference="bench",
                            )
                        )
            StockBalance.objects.bulk_create(balances, batch_size=5000)
            StockMove.objects.bulk_create(moves, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_product, inventory_stockbalance, inventory_stockmove")
        print(
            f"data: built {len(balances):,} balances and {len(moves):,} moves for customer {customer.code} "
            f"in {time.perf_counter() - started:.1f} s"
        )
    return user, warehouses


def timed(call, n):
    """(median ms, min ms, query count of one call)."""
    call()  # warm-up
    times = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        call()
    return statistics.median(times), min(times), captured


def bench_selector(user, warehouses):
    customer = user.customer
    with customer_scope(customer):
        first = selectors.inventory_list(customer=customer)
        cases = [
            ("first page, all", {}),
            ("second page (cursor)", {"after": first.next_cursor}),
            ("view=sold_out", {"view": "sold_out"}),
            ("view=low_stock", {"view": "low_stock"}),
            ("search 'IB-04217'", {"search": "IB-04217"}),
            ("search 'blue'", {"search": "blue"}),
            (f"warehouse={warehouses[1].code}", {"warehouse": warehouses[1].code}),
        ]
        print(f"\ninventory_list(customer=…) — median of {REQUESTS}")
        results = {}
        for title, kwargs in cases:
            page = None

            def call(kwargs=kwargs):
                nonlocal page
                page = selectors.inventory_list(customer=customer, **kwargs)

            median, best, captured = timed(call, REQUESTS)
            results[title] = median
            print(
                f"  {title:28s} {median:7.1f} ms (min {best:6.1f})  {len(captured.captured_queries)} queries, "
                f"{len(page.rows)} rows, next page: {'yes' if page.next_cursor else 'no'}"
            )
    return results


def bench_page(user):
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    url = reverse("inventory:list")
    print(f"\nGET {url} (portal, test client, logged in) — median of {REQUESTS}")
    results = {}
    for title, query in (
        ("first page", ""),
        ("view=sold_out", "?view=sold_out"),
        ("search", "?q=IB-0421"),
        ("second page", None),
    ):
        if query is None:  # follow the page's own Next link
            body = client.get(url).content.decode()
            start = body.find("after=")
            query = "?" + body[start : body.find('"', start)] if start >= 0 else ""

        def call(query=query):
            response = client.get(url + query)
            assert response.status_code == 200, response.status_code

        median, best, captured = timed(call, REQUESTS)
        results[title] = (median, len(captured.captured_queries))
        print(f"  {title:28s} {median:7.1f} ms (min {best:6.1f})  {len(captured.captured_queries)} queries")
    print("  queries of the first page:")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    for q in captured.captured_queries:
        sql = q["sql"] if len(q["sql"]) < 160 else q["sql"][:157] + "..."
        print(f"    {sql}")
    return results


def explain(user, warehouses):
    customer = user.customer
    print("\nEXPLAIN ANALYZE of the list query")
    with customer_scope(customer):
        for title, kwargs in (
            ("first page, all", {}),
            ("view=low_stock", {"view": "low_stock"}),
            ("search 'blue'", {"search": "blue"}),
        ):
            qs = selectors.balance_queryset(customer=customer, **kwargs).order_by("product__sku", "pk")[:51]
            plan = qs.explain(analyze=True, buffers=True)
            print(f"--- {title}\n" + "\n".join("  " + line for line in plan.splitlines()))


class _RollBack(Exception):
    pass


def what_if_index(user):
    """Try the suggested fix without changing any code: inside a transaction that is rolled back, create an index
    on catalog_product (customer_id, sku, id) and run the list query with the (redundant) product__customer filter
    that lets PostgreSQL walk that index in SKU order and stop after one page."""
    customer = user.customer

    def query(**kwargs):
        qs = selectors.balance_queryset(customer=customer, **kwargs).filter(product__customer=customer)
        return qs.order_by("product__sku", "pk")[:51]

    def median_ms(**kwargs):
        list(query(**kwargs))
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            list(query(**kwargs))
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    print("\nWhat if: index catalog_product (customer_id, sku, id) + filter product__customer (rolled back)")
    with customer_scope(customer):
        try:
            with transaction.atomic():
                before = {view: median_ms(view=view) for view in ("all", "sold_out", "low_stock")}
                with connection.cursor() as cursor:
                    cursor.execute("CREATE INDEX bench_whatif_product_sku ON catalog_product (customer_id, sku, id)")
                    cursor.execute("ANALYZE catalog_product")
                after = {view: median_ms(view=view) for view in ("all", "sold_out", "low_stock")}
                plan = query().explain(analyze=True)
                raise _RollBack
        except _RollBack:
            pass
    for view in before:
        print(f"  view={view:10s} {before[view]:6.1f} ms → {after[view]:5.1f} ms")
    print("\n".join("  " + line for line in plan.splitlines()))


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    user, warehouses = build_data()
    selector_ms = bench_selector(user, warehouses)
    page = bench_page(user)
    explain(user, warehouses)
    what_if_index(user)
    first_ms, first_queries = page["first page"]
    fixed = len({queries for _ms, queries in page.values()}) == 1
    verdict = "OK" if first_ms < TARGET_MS and selector_ms["first page, all"] < TARGET_MS else "OVER TARGET"
    print(
        f"\nselector first page {selector_ms['first page, all']:.1f} ms; page {first_ms:.1f} ms, {first_queries} "
        f"queries ({'the same on every page' if fixed else 'NOT the same on every page'}) — {verdict} "
        f"(target < {TARGET_MS} ms)"
    )


if __name__ == "__main__":
    main()
