"""Benchmark: the order lists (portal, back office, API) on 1,000,000 orders of 1,000 customers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/orders_list.py [--rebuild]

The database (createdb -h 127.0.0.1 -U postgres fulfillment_bench) is migrated to the current migrations (ANALYZE
after), so that the code is measured as it is; the data is built once with COPY and reused: one customer with
~100,000 orders, 999 others from ~34,000 down to ~250, 1–3 lines each, a year of orders whose status follows their
age. As the big customer, the smallest one and staff, each list page is timed through Django's test client (median
of BENCH_REQUESTS, SQL queries and their time) and over real HTTP from gunicorn started as the Dockerfile starts it
(bench/_gunicorn.py: production settings, one request at a time, median of BENCH_REQUESTS); then EXPLAIN ANALYZE of
the tab counts and of the slowest query of any page over the target. Target: < 50 ms a page at any depth, a fixed
number of queries.
Environment: BENCH_ORDERS (1000000), BENCH_REQUESTS (10).
"""

import io
import os
import random
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402
from _gunicorn import Client as HttpClient  # noqa: E402  (sets the SECRET_KEY the server shares)
from _gunicorn import collect_static, gunicorn, session_cookie  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # as in production; CaptureQueriesContext still records the queries
warnings.filterwarnings("ignore", "No directory at")  # whitenoise: no collected static files in a dev tree

from django.contrib.auth.models import Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.choices import CustomerRole  # noqa: E402
from apps.accounts.models import Customer, User  # noqa: E402
from apps.accounts.services import api_key_create, customer_create, customer_user_create, staff_user_create  # noqa: E402
from apps.catalog.models import Product  # noqa: E402
from apps.core.identifiers import order_number  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.orders.choices import TABS, AbnormalReason  # noqa: E402
from apps.orders.models import Order  # noqa: E402
from apps.orders.selectors import OrderFilters, order_list, tab_counts  # noqa: E402
from apps.shipping.models import Carrier, Channel  # noqa: E402
from apps.warehouses.models import CustomerWarehouse, Warehouse  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "1000000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "10"))
CUSTOMERS, PREFIX, TARGET_MS = 1000, "Order list bench", 50  # customers "Order list bench 0000" (the big one) …
COUNTRIES = [("US", 70), ("CA", 9), ("GB", 8), ("AU", 5), ("DE", 4), ("FR", 3), ("NZ", 1)]
NAMES = [
    "Maria Garcia",
    "James Miller",
    "Aiko Tanaka",
    "Robert Johnson",
    "Emily Chen",
    "Liam Smith",
    "Olivia Brown",
    "Noah Wilson",
    "Ava Martin",
    "Lucas Muller",
    "Chloe Dubois",
    "Jack Taylor",
    "Mia Schmidt",
    "Ethan Lee",
]
MIX = [
    (3, [("confirming", 22), ("pending_shipment", 50), ("abnormal", 5), ("shipped", 18), ("cancelled", 5)]),
    (
        14,
        [
            ("confirming", 3),
            ("pending_shipment", 5),
            ("abnormal", 2),
            ("shipped", 35),
            ("delivered", 50),
            ("cancelled", 5),
        ],
    ),  # (age under N days, [(status, weight)])
    (
        10_000,
        [
            ("delivered", 880),
            ("shipped", 15),
            ("cancelled", 80),
            ("returned", 15),
            ("abnormal", 1.5),
            ("confirming", 8),
        ],
    ),
]
COLUMNS = (
    "customer_id, number, source, external_ref, status, abnormal_code, abnormal_message, recipient_name, "
    "recipient_company, recipient_phone, recipient_email, address1, address2, city, state, postal_code, "
    "country, warehouse_id, channel_id, currency, estimated_cost, held_amount, actual_cost, stock_allocated, "
    "submit_count, tracking_number, note, created_at, updated_at, submitted_at, shipped_at, delivered_at, "
    "cancelled_at"
)


def bench_customers():
    """The bench customers (index 0 is the big one), {customer id: [product ids]}, {…: [warehouse ids]}, channels."""
    warehouses = [
        Warehouse.objects.get_or_create(
            code=code,
            defaults={"name": f"Orders bench {code}", "address1": "1 Bench Rd", "city": "Bench", "country": "US"},
        )[0]
        for code in ("OBLAX", "OBNJ")
    ]
    carrier, _ = Carrier.objects.get_or_create(code="obench", defaults={"name": "Bench Parcel"})
    channels = {
        w.pk: [
            Channel.objects.get_or_create(
                code=f"ob-{w.code.lower()}-{level}",
                defaults={
                    "name": f"Bench {level} ({w.code})",
                    "carrier": carrier,
                    "warehouse": w,
                    "transit_days_min": 2,
                    "transit_days_max": 5,
                    "max_weight_g": 30000,
                    "max_length_cm": 120,
                },
            )[0].pk
            for level in ("ground", "express")
        ]
        for w in warehouses
    }
    have = {c.company_name: c for c in Customer.objects.filter(company_name__startswith=PREFIX)}
    customers = [
        have.get(f"{PREFIX} {i:04d}")
        or customer_create(
            actor=None, company_name=f"{PREFIX} {i:04d}", contact_name="Bench", contact_email=f"ob{i}@bench.example"
        )
        for i in range(CUSTOMERS)
    ]
    with scopes_disabled():
        CustomerWarehouse.objects.bulk_create(
            [
                CustomerWarehouse(customer=c, warehouse=w)
                for i, c in enumerate(customers)
                for w in (warehouses if i % 3 == 0 else [warehouses[i % 2]])
            ],
            ignore_conflicts=True,
        )
        Product.objects.bulk_create(
            [
                Product(customer=c, sku=f"OB{i:04d}-{k:02d}", name=f"Bench item {k}")
                for i, c in enumerate(customers)
                for k in range(20 if i == 0 else 3 + i % 6)
            ],
            ignore_conflicts=True,
        )
        products, links = {}, {}
        for customer_id, pk in (
            Product.objects.filter(customer__in=customers, sku__startswith="OB")
            .order_by("sku")
            .values_list("customer_id", "pk")
        ):
            products.setdefault(customer_id, []).append(pk)
        for customer_id, pk in CustomerWarehouse.objects.filter(customer__in=customers).values_list(
            "customer_id", "warehouse_id"
        ):
            links.setdefault(customer_id, []).append(pk)
    return customers, products, links, channels


def order_rows(customers, products, links, channels, end):
    """Yield (order TSV line, [staged line TSV lines]) for ORDERS orders, oldest first."""
    random.seed(42)
    pick = lambda pairs: lambda: random.choices(*zip(*pairs, strict=True))[0]  # noqa: E731
    weights = [1 / k**0.7 for k in range(1, CUSTOMERS)]
    weights = [0.1 * sum(weights) / 0.9, *weights]  # the big one: 10%
    owner = random.choices(customers, weights, k=ORDERS)
    country, name, mixes = pick(COUNTRIES), pick([(n, 1) for n in NAMES]), [(d, pick(m)) for d, m in MIX]
    popularity = {c: [1 / k**1.5 for k in range(1, len(p) + 1)] for c, p in products.items()}
    start, step, day_seq, ref_seq = end - timedelta(days=365), timedelta(days=365) / ORDERS, {}, {}
    for n in range(ORDERS):
        customer = owner[n].pk
        created = start + step * n
        status = next(mix for days, mix in mixes if (end - created).days < days)()
        day_seq[created.date()] = seq = day_seq.get(created.date(), 5_000_000) + 1  # clear of the app's numbers
        number = order_number(created.date(), seq)
        ref_seq[customer] = ref_seq.get(customer, 1000) + 1
        ref = "" if n % 7 == 0 else f"#{ref_seq[customer]}"
        shipped = (
            created + timedelta(hours=random.randint(6, 40)) if status in ("shipped", "delivered", "returned") else None
        )
        delivered = shipped + timedelta(days=random.randint(2, 6)) if shipped and status != "shipped" else None
        if delivered and delivered > end:  # not there yet
            status, delivered = "shipped", None
        if shipped and shipped > end:
            status, shipped = "pending_shipment", None
        cancelled = min(end, created + timedelta(hours=random.randint(1, 30))) if status == "cancelled" else None
        warehouse, submitted, who = random.choice(links[customer]), status != "confirming", name()
        cost, code = f"{random.randint(500, 4000) / 100:.2f}", random.choice(AbnormalReason.values)
        code = code if status == "abnormal" else ""
        row = (
            customer,
            number,
            "shopify" if ref else "manual",
            ref,
            status,
            code,
            code and f"Bench: {code}",
            who,
            "",
            "+1 555-0100",
            f"{who.split()[0].lower()}{n % 1000}@example.com" if n % 3 == 0 else "",
            f"{n % 9000 + 100} Main St",
            "",
            "Springfield",
            "",
            f"{n % 90000 + 10000}",
            country(),
            warehouse,
            random.choice(channels[warehouse]) if submitted else None,
            "USD",
            cost if submitted else None,
            cost if status == "pending_shipment" else "0",
            cost if shipped else None,
            "t" if status == "pending_shipment" else "f",
            int(submitted),
            f"1ZOB{n:012d}" if shipped else "",
            "",
            created,
            max(t for t in (created, shipped, delivered, cancelled) if t),
            created if submitted else None,
            shipped,
            delivered,
            cancelled,
        )
        items = set(random.choices(products[customer], popularity[customer], k=random.choice((1, 1, 1, 2, 3))))
        yield (
            "\t".join("\\N" if v is None else str(v) for v in row) + "\n",
            [f"{number}\t{p}\t{random.choice((1, 1, 2, 3))}\n" for p in items],
        )


def build_data(rebuild: bool):
    """The bench customers and their ORDERS orders; reused when they are already there."""
    customers, products, links, channels = bench_customers()
    ids = [c.pk for c in customers]
    with scopes_disabled():
        have = Order.objects.filter(customer__in=ids).count()
    if have >= ORDERS and not rebuild:
        print(f"data: reusing {have:,} orders of {CUSTOMERS:,} customers")
        return customers
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:  # orders_order is locked until COMMIT
        # Consistent by construction: no foreign-key triggers (5 million deferred checks; the bench user is a
        # superuser); plain indexes built again after the load. Ids come from the table's sequence (other scripts
        # may insert meanwhile): lines find their order by number through a staging table.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "DELETE FROM orders_orderline WHERE order_id IN (SELECT id FROM orders_order WHERE customer_id = ANY(%s))",
            [ids],
        )
        cursor.execute("DELETE FROM orders_order WHERE customer_id = ANY(%s)", [ids])
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('orders_order', "
            "'orders_orderline') AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        indexes = cursor.fetchall()
        for index, _definition in indexes:
            cursor.execute(f'DROP INDEX "{index}"')
        cursor.execute("CREATE TEMP TABLE bench_line (number text, product_id bigint, quantity int) ON COMMIT DROP")
        orders, lines, count = io.StringIO(), io.StringIO(), 0

        def flush():
            for copy, buffer in ((f"orders_order ({COLUMNS})", orders), ("bench_line", lines)):
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {copy} FROM STDIN", buffer)
                buffer.seek(0)
                buffer.truncate()

        for n, (order, order_lines) in enumerate(
            order_rows(customers, products, links, channels, datetime.now(UTC).replace(microsecond=0)), 1
        ):
            orders.write(order)
            lines.writelines(order_lines)
            count += len(order_lines)
            if n % 100_000 == 0:
                flush()
        flush()
        cursor.execute(
            "INSERT INTO orders_orderline (order_id, product_id, quantity) SELECT o.id, l.product_id, "
            "l.quantity FROM bench_line l JOIN orders_order o USING (number) ORDER BY o.id"
        )
        for _index, definition in indexes:
            cursor.execute(definition)
    with connection.cursor() as cursor:  # autovacuum's work, done now: visibility map and statistics
        for table in ("orders_order", "orders_orderline", "catalog_product"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(
        f"data: built {ORDERS:,} orders and {count:,} lines in {time.perf_counter() - started:.1f} s "
        "(COPY, indexes, VACUUM ANALYZE)"
    )
    return customers


def bench_users(customers):
    """The owners of the big and of the smallest customer, and a staff user with orders.view_order (made once)."""
    with scopes_disabled():
        sizes = dict(Order.objects.filter(customer__in=customers).values_list("customer").annotate(n=Count("id")))
    users = [
        User.objects.filter(email=f"order-list-{who}@bench.example").first()
        or (
            customer_user_create(
                customer=c,
                email=f"order-list-{who}@bench.example",
                password="bench-password-123",
                role=CustomerRole.OWNER,
            )
            if c
            else staff_user_create(email=f"order-list-{who}@bench.example", password="bench-password-123")
        )
        for who, c in (
            ("big", customers[0]),
            ("small", min(customers[1:], key=lambda c: sizes.get(c.pk, 0))),
            ("staff", None),
        )
    ]
    users[2].user_permissions.add(Permission.objects.get(content_type__app_label="orders", codename="view_order"))
    return users


def cases(user, client):
    """[(title, url)] of the portal and API lists for a customer user, of the staff list for staff."""
    with scopes_disabled():
        mine = Order.objects.filter(customer=user.customer) if user.customer_id else Order.objects.all()
        mine, n = mine.order_by("-id"), mine.count()
        deep = mine.values_list("id", flat=True)[min(90_000 if user.customer_id else 900_000, n - 10)]
        sample = mine.exclude(external_ref="").values("number", "external_ref", "updated_at")[n // 2]
        newest = mine.first().created_at.date()
        weeks = {"last week": newest - timedelta(6), "a week 11 months back": newest - timedelta(335)}
        if not user.customer_id:
            url = reverse("backoffice:order-list")
            return n, [
                ("staff first page", url),
                ("staff deep page (order 900,000)", f"{url}?after={deep}"),
                ("staff tab abnormal", f"{url}?status=abnormal"),
                ("staff search: external ref", f"{url}?q={quote(sample['external_ref'])}"),
                *[
                    (f"staff filter created: {label}", f"{url}?created_from={day}&created_to={day + timedelta(6)}")
                    for label, day in weeks.items()
                ],
            ]
        rare = Product.objects.filter(customer=user.customer).order_by("-sku").first().sku  # the least sold
        last = mine.order_by("-updated_at").first().updated_at
    url, api = reverse("orders:list"), reverse("api:order-list")
    page = api
    for _ in range(20):
        page = client.get(page, HTTP_AUTHORIZATION=client.token).json()["next"] or page
    since = {label: quote((last - timedelta(minutes=m)).isoformat()) for label, m in (("24 h", 1440), ("10 min", 10))}
    return n, [
        ("first page", url),
        ("deep page (order 90,000 or last)", f"{url}?after={deep}"),
        *[(f"tab {s}", f"{url}?status={s}") for s in TABS],
        ("filter country=NZ (1%)", f"{url}?country=NZ"),
        ("filter sku (least sold)", f"{url}?sku={rare}"),
        *[
            (f"filter created: {label}", f"{url}?created_from={day}&created_to={day + timedelta(6)}")
            for label, day in weeks.items()
        ],
        ("search: order number", f"{url}?q={sample['number']}"),
        ("search: external ref", f"{url}?q={quote(sample['external_ref'])}"),
        ("API first page", api),
        ("API page 21 (next × 20)", page),
        ("API status=pending_shipment", f"{api}?status=pending_shipment"),
        *[(f"API updated_since (last {label})", f"{api}?updated_since={v}") for label, v in since.items()],
        *[
            (f"API created: {label}", f"{api}?created_after={day}&created_before={day + timedelta(6)}")
            for label, day in weeks.items()
        ],
    ]


def timed(client, url):
    """(median ms, queries, SQL ms) of GET url, and the captured queries of one more; every answer must be 200."""
    headers = {"HTTP_AUTHORIZATION": client.token} if "/api/" in url else {}  # API key, as integrations do

    def get():
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)

    get()  # warm-up
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        get()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        get()
    sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    return (statistics.median(times), len(captured), sql_ms), captured.captured_queries


def http_timed(port, client, url) -> float:
    """Median ms of GET url over real HTTP from gunicorn (one request at a time): the server's whole
    answer — connection, middleware, session or API key, view, template — as a browser or an
    integration gets it, beside the test client's figure of the same page."""
    http = HttpClient(port, {"Authorization": client.token} if "/api/" in url else session_cookie(client))
    times = []
    try:
        for n in range(REQUESTS + 1):
            started = time.perf_counter()
            status, _body = http.get(url)
            assert status == 200, (url, status)
            if n:  # the first is the warm-up
                times.append((time.perf_counter() - started) * 1000)
    finally:
        http.close()
    return statistics.median(times)


def explain(sql: str, brief: bool = False) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
    keep = ("Limit", "Scan", "Sort Key", "Filter", "Index Cond", "Rows Removed", "Execution Time")
    return "\n".join("    " + line for line in plan if not brief or any(k in line for k in keep))


def explain_tab_counts(big):
    """Each tab count is (SELECT COUNT(*) FROM (… LIMIT 1001)): show that the LIMIT bounds every one of them."""
    print("\nTab counts: EXPLAIN ANALYZE of each capped COUNT")
    for title, customer, filters in (
        ("big customer", big.customer, None),
        ("staff, all customers", None, None),
        ("big customer, country=NZ", big.customer, OrderFilters(country="NZ")),
    ):
        with scopes_disabled(), CaptureQueriesContext(connection) as captured:
            counts = tab_counts(customer=customer, filters=filters)
        if counts is None:
            print(f"  {title:25s} no counts while a filter other than the status is on ({len(captured)} queries)")
            continue
        plans = {q["sql"]: explain(q["sql"]) for q in captured.captured_queries}
        n = sum(sql.count("COUNT(") for sql in plans)
        bounded = all(
            sql.count("LIMIT 1001") == sql.count("COUNT(") == plan.count("->  Limit") for sql, plan in plans.items()
        )
        ms = [float(plan.rsplit("Execution Time: ", 1)[1].split()[0]) for plan in plans.values()]
        print(
            f"  {title:25s} {n} COUNTs in {len(ms)} quer{'y' if len(ms) == 1 else 'ies'}, "
            f"{'each under its LIMIT' if bounded else 'NOT BOUNDED'}, {sum(ms):.1f} "
            f"ms (slowest {max(ms):.1f}): " + ", ".join(f"{k} {c}{'+' * over}" for k, (c, over) in counts.items())
        )


def explain_date_ranges(big):
    """A week's range, recent and 11 months back, for the big customer (portal and API) and for staff: the first
    page's query ordered by id (as before orders 0005) against ordered by (created_at, id) as the lists are now."""
    print("\nA week's date range: EXPLAIN ANALYZE of the first page's query, ordered by id | by (created_at, id)")
    with scopes_disabled():
        newest = Order.objects.filter(customer=big.customer).order_by("-id").first().created_at.date()
        for title, customer in (("big customer", big.customer), ("staff, all customers", None)):
            for label, day in (
                ("last week", newest - timedelta(6)),
                ("a week 11 months back", newest - timedelta(335)),
            ):
                qs = order_list(
                    customer=customer, filters=OrderFilters(created_from=day, created_to=day + timedelta(6))
                )
                cells = []
                for order in (("-id",), ("-created_at", "-id")):
                    sql, params = qs.order_by(*order)[:51].query.sql_with_params()
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE) " + sql, params)
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                    scan = next(line for line in plan.splitlines() if "Scan" in line and "orders_order " in line)
                    index = scan.split(" using ")[1].split()[0] if " using " in scan else scan.split()[1]
                    cells.append(f"{float(plan.rsplit('Execution Time: ', 1)[1].split()[0]):7.1f} ms ({index})")
                print(f"  {title:22s} {label:22s} " + " | ".join(cells))


def migrate() -> None:
    """Bring the bench database to the current migrations (the list indexes of orders 0003 …); ANALYZE after, so
    that the planner has statistics for the new expression indexes (UPPER(recipient_email), UPPER(recipient_name))."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        print("migrations: up to date")
        return
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
    print(
        f"migrations: applied {', '.join(f'{m.app_label}.{m.name}' for m, _backwards in plan)} "
        f"in {time.perf_counter() - started:.1f} s (then ANALYZE orders_order)"
    )


def measure(user, label, port, results, slow, columns) -> None:
    """Every list page of ``user``: through the test client (ms, queries, SQL ms) and over HTTP."""
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    client.token = None
    if user.customer_id:
        with customer_scope(user.customer):
            client.token = f"Token {api_key_create(actor=user, name='order list bench').raw_key}"
    n, pages = cases(user, client)
    columns.append(column := f"{label} ({n:,} orders)")
    for title, url in pages:
        (median, queries, sql_ms), captured = timed(client, url)
        results.setdefault(title, {})[column] = (median, queries, sql_ms, http_timed(port, client, url))
        assert not [q for q in captured if "COUNT(" in q["sql"] and "LIMIT" not in q["sql"]], title
        if median >= TARGET_MS:
            slow.append((f"{title} ({column})", median, sql_ms, max(captured, key=lambda q: float(q["time"]))))


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    migrate()
    customers = build_data("--rebuild" in sys.argv)
    results, slow, columns = {}, [], []
    users = bench_users(customers)
    collect_static()
    with gunicorn() as port:  # as the Dockerfile runs it: production settings, persistent connections
        for user, label in zip(users, ("big", "small", "staff"), strict=True):
            measure(user, label, port, results, slow, columns)
    explain_tab_counts(users[0])
    explain_date_ranges(users[0])
    for title, median, sql_ms, query in slow:
        print(f"\nOVER TARGET: {title} {median:.1f} ms, {sql_ms:.1f} ms of it in SQL", end="")
        if sql_ms < median / 2:
            print(": the rest is Python (template, model instances)")
        else:
            print(
                f"; the slowest query ({float(query['time']) * 1000:.1f} ms):\n  {query['sql'][:300]}"
                f"{' …' if len(query['sql']) > 300 else ''}\n{explain(query['sql'], brief=True)}"
            )
    print(
        f"\nMedian of {REQUESTS} requests: test client ms, queries (ms of SQL) | the same over HTTP from gunicorn, "
        f"ms; target < {TARGET_MS} ms"
    )
    print(f"  {'':40s}" + "".join(f"{c:>40s}" for c in columns))
    for title, row in results.items():
        cells = [
            f"{row[c][0]:.1f} ms{'!' if row[c][0] >= TARGET_MS else ' '} {row[c][1]:2d} q ({row[c][2]:.0f}) | "
            f"{row[c][3]:.1f} ms"
            if c in row
            else ""
            for c in columns
        ]
        print(f"  {title:40s}" + "".join(f"{cell:>40s}" for cell in cells))


if __name__ == "__main__":
    main()
