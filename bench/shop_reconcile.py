"""Benchmark: a reconciliation poll (apps/integrations/sync.py ``connection_sync``) of BENCH_ORDERS (10,000)
orders served by the local fake Shopify over real HTTP, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fh_bench .venv/bin/python bench/shop_reconcile.py

Setup (not timed): a customer with BENCH_SKUS (50) products and a warehouse in its plan, a Shopify connection
pointed at a FakeShopify on a free local port, and the orders added to the fake (1–3 lines each, every SKU one of
the customer's, all open, unfulfilled and since the import start). Then one ``connection_sync`` as beat or "Sync
now" runs it, end to end: every page asked for over HTTP (GraphQL, 10 orders a page as the adapter asks), each
order handed to the webhooks' import (``inbox.order_in``: link claimed, items mapped, order intake, order created
in Confirming with its lines and event), the run's counts and the cursor saved. The fake's own time answering
(it filters and sorts its orders in Python) is measured apart, inside the same run.

Queries are counted per page (every statement between one page's request and the next, BEGIN/COMMIT and
savepoints included), and the same run is made with pages of BENCH_BIG_PAGE (50) orders into a fresh customer of
BENCH_SMALL (500) orders: with a fixed number of queries per page the two page sizes give the same count.
A second run over the same 10,000 (the next poll: every order already linked) is timed too.
Targets: 10,000 orders in ≤ 60 s, a fixed number of queries per page.
Environment: BENCH_ORDERS (10000), BENCH_SKUS (50), BENCH_SMALL (500), BENCH_BIG_PAGE (50).
"""

import datetime
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fh_bench")
# Shop credentials are stored encrypted; a fixed key for the bench alone (base64 of 32 bytes).
os.environ.setdefault("INTEGRATION_KEYS", "YmVuY2gtb25seS1pbnRlZ3JhdGlvbi1rZXktMzJieXQ=")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False  # as in production: no per-query logging
logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per page otherwise
logging.getLogger("celery").setLevel(logging.WARNING)  # tasks sent after commit run eagerly here

import _world  # noqa: E402
from _reconcile import PageMarks, QueryCounter, reconcile_seller  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from apps.core.tenancy import customer_scope  # noqa: E402
from apps.integrations.adapters import ShopifyAdapter  # noqa: E402
from apps.integrations.models import Connection, OrderLink  # noqa: E402
from apps.integrations.services import connection_create  # noqa: E402
from apps.integrations.shopify.client import ShopifyClient  # noqa: E402
from apps.integrations.shopify.fake_server import FakeShopify  # noqa: E402
from apps.integrations.sync import connection_sync  # noqa: E402
from apps.orders.models import Order, OrderLine  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "10000"))
SKUS = int(os.environ.get("BENCH_SKUS", "50"))
SMALL = int(os.environ.get("BENCH_SMALL", "500"))
BIG_PAGE = int(os.environ.get("BENCH_BIG_PAGE", "50"))
TARGET_SECONDS = 60.0
TOKEN = "shpat_bench_reconcile_0123456789"
START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


class PagedClient(PageMarks, ShopifyClient):
    """The real adapter over real HTTP, asking for ``first`` orders a page; it notes the query count at each page
    it asks for, so the queries between two requests are one page's processing."""

    def __init__(self, *args, counter: QueryCounter, first: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.counter, self.first, self.marks, self.waited = counter, first, [], 0.0

    def orders_updated_since(self, since, after=None, first=None):
        parent = super()  # not inside the lambda: super() needs the method's frame
        return self.asked(lambda: parent.orders_updated_since(since, after=after, first=first or self.first))


class TimedFake(FakeShopify):
    """The fake, adding up the time it spends answering the orders query (its Python, not ours)."""

    spent = 0.0

    def orders_page(self, variables):
        started = time.perf_counter()
        try:
            return super().orders_page(variables)
        finally:
            self.spent += time.perf_counter() - started


def setup(tag: str, fake: FakeShopify):
    """A customer with SKUS products, the bench warehouse in its plan, and a connection to ``fake``."""
    stamp = time.time_ns()
    seller = reconcile_seller(tag, skus=SKUS, prefix="RC", name="Reconcile")
    with customer_scope(seller.customer):
        shop = connection_create(
            actor=seller.user,
            platform="shopify",
            shop_domain=f"bench-{stamp}.myshopify.com",
            webhook_secret="shpss_bench",
            token=TOKEN,
            api_base=fake.api_base,
            default_warehouse=_world.warehouse(),
            import_since=START.date(),
        )
    return seller, shop


def fill(fake: FakeShopify, count: int) -> None:
    """``count`` open, unfulfilled orders of 1–3 lines of the customer's SKUs, a minute apart."""
    for n in range(count):
        order = fake.add_order(
            lines=[{"sku": f"RC-{(n + k) % SKUS:04d}", "quantity": 1 + (n + k) % 3} for k in range(1 + n % 3)]
        )
        for line in order["lineItems"]:  # one variant per SKU, as a shop has (the fake numbers them per line)
            line["variant"]["id"] = f"gid://shopify/ProductVariant/{44_000 + int(line['sku'][3:])}"


def run(seller, shop, fake: TimedFake, first: int) -> dict:
    counter = QueryCounter()
    fake.spent = 0.0
    with customer_scope(seller.customer):
        shop = Connection.objects.select_related("customer", "default_warehouse").get(pk=shop.pk)
        client = PagedClient(
            shop=shop.shop_domain, access_token=TOKEN, api_base=fake.api_base, counter=counter, first=first
        )
        with client, connection.execute_wrapper(counter):
            started, cpu = time.perf_counter(), time.process_time()
            sync = connection_sync(connection=shop, adapter=ShopifyAdapter(shop, client))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not sync.error, sync.error
    return {
        "run": sync,
        "seconds": elapsed,
        "cpu": cpu,
        "queries": counter.count,
        "pages": client.per_page(counter.count),
        "fake": fake.spent,
        "http": client.waited,
    }


def verify(seller, count: int) -> None:
    with customer_scope(seller.customer):
        orders = Order.objects.filter(customer=seller.customer, source="shopify")
        assert orders.count() == count, orders.count()
        assert set(orders.values_list("status", flat=True)) == {"confirming"}
        assert OrderLine.objects.filter(order__customer=seller.customer).count() == sum(1 + n % 3 for n in range(count))
        assert OrderLink.objects.filter(connection__customer=seller.customer).count() == count


def describe(title: str, figures: dict) -> None:
    sync, pages = figures["run"], figures["pages"]
    full = pages[:-1] or pages  # the last request is the empty tail or a short page
    print(
        f"{title}: {figures['seconds']:.1f} s ({figures['http']:.1f} s of it asking for pages over HTTP, "
        f"{figures['fake']:.1f} s of that the fake's Python; {figures['cpu']:.1f} s CPU in this process, the fake's "
        f"thread included), "
        f"fetched {sync.fetched:,}, created {sync.created:,}, skipped {sync.skipped:,}, failed {sync.failed}; "
        f"{figures['queries']:,} queries in {len(pages)} pages: per full page min {min(full)}, "
        f"median {statistics.median(full):g}, max {max(full)}"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    _world.ensure_database()
    call_command("migrate", verbosity=0)
    _world.fast_passwords()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

    with TimedFake(token=TOKEN) as fake:
        fake.clock = START
        seller, shop = setup("Big", fake)
        started = time.perf_counter()
        fill(fake, ORDERS)
        print(f"setup: {ORDERS:,} orders added to the fake in {time.perf_counter() - started:.1f} s")
        first = run(seller, shop, fake, fake_orders_page_size())
        verify(seller, ORDERS)
        describe(f"first sync, {ORDERS:,} orders", first)
        again = run(seller, shop, fake, fake_orders_page_size())
        describe("the next sync (all linked; only the overlap's orders asked again)", again)
        verdict = "met" if first["seconds"] <= TARGET_SECONDS else "NOT met"
        print(f"target ≤ {TARGET_SECONDS:.0f} s: {verdict}")

    sizes = {}
    for size in (fake_orders_page_size(), BIG_PAGE):
        with TimedFake(token=TOKEN) as fake:
            fake.clock = START
            seller, shop = setup(f"P{size}", fake)
            fill(fake, SMALL)
            figures = run(seller, shop, fake, size)
            verify(seller, SMALL)
            describe(f"{SMALL} orders, {size} a page", figures)
            sizes[size] = statistics.median(figures["pages"][:-1] or figures["pages"])
    small, big = sizes.values()
    fixed = "fixed" if small == big else "NOT fixed"
    print(f"queries per page: {small:g} at {fake_orders_page_size()} a page, {big:g} at {BIG_PAGE} a page ({fixed})")


def fake_orders_page_size() -> int:
    from apps.integrations.shopify.client import ORDERS_PAGE_SIZE

    return ORDERS_PAGE_SIZE


if __name__ == "__main__":
    main()
