"""Benchmark: a reconciliation poll (apps/integrations/sync.py ``connection_sync``) of an eBay account's BENCH_ORDERS
(10,000) orders served by the local fake eBay (Sell Fulfillment API getOrders) over real HTTP, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fh_bench .venv/bin/python bench/ebay_reconcile.py

Setup (not timed): a customer with BENCH_SKUS (50) products and a warehouse in its plan, an eBay connection pointed
at a FakeEbay on a free local port, and the orders added to the fake (1–3 lines each, every SKU one of the
customer's, all NOT_STARTED and since the import start). Then one ``connection_sync`` as beat or "Sync now" runs
it, end to end: every page asked for over HTTP (getOrders with the lastmodifieddate and orderfulfillmentstatus
filter, the adapter's 200 orders a page — eBay's most — by offset), each order read into our terms and handed to
the webhooks' import (``inbox.orders_in``: links claimed, items mapped, order intake, orders created in Confirming
with their lines and events, set-based), the run's counts and the cursor saved. The fake's own time answering (it
parses the filter, sorts and copies its orders in Python) is measured apart, inside the same run.

Queries are counted per page (every statement between one page's request and the next), and the same run is made
with pages of BENCH_OTHER_PAGE (100) orders into a fresh customer of BENCH_SMALL (1,000) orders: with a
fixed number of queries per page the two page sizes give the same count. A second run over the same 10,000 (the
next poll: every order already linked) is timed too.
Targets: 10,000 orders in ≤ 60 s, a fixed number of queries per page.
Environment: BENCH_ORDERS (10000), BENCH_SKUS (50), BENCH_SMALL (1000), BENCH_OTHER_PAGE (100).
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
from apps.integrations.ebay import adapter as ebay_adapter  # noqa: E402
from apps.integrations.ebay.adapter import EbayAdapter  # noqa: E402
from apps.integrations.ebay.auth import origins  # noqa: E402
from apps.integrations.ebay.client import EbayClient  # noqa: E402
from apps.integrations.ebay.fake_server import DEFAULT_TOKEN, FakeEbay  # noqa: E402
from apps.integrations.models import Connection, OrderLink  # noqa: E402
from apps.integrations.services import connection_create  # noqa: E402
from apps.integrations.sync import connection_sync  # noqa: E402
from apps.orders.models import Order, OrderLine  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "10000"))
SKUS = int(os.environ.get("BENCH_SKUS", "50"))
SMALL = int(os.environ.get("BENCH_SMALL", "1000"))
OTHER_PAGE = int(os.environ.get("BENCH_OTHER_PAGE", "100"))
PAGE = ebay_adapter.PAGE_SIZE
TARGET_SECONDS = 60.0
START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


class PagedClient(PageMarks, EbayClient):
    """The real client over real HTTP; it notes the query count at each page it asks for, so the queries
    between two requests are one page's processing."""

    def __init__(self, *args, counter: QueryCounter, **kwargs):
        super().__init__(*args, **kwargs)
        self.counter, self.marks, self.waited = counter, [], 0.0

    def orders(self, **kwargs):
        parent = super()  # not inside the lambda: super() needs the method's frame
        return self.asked(lambda: parent.orders(**kwargs))


class TimedFake(FakeEbay):
    """The fake, adding up the time it spends answering getOrders (its Python, not ours)."""

    spent = 0.0

    def get_orders(self, query):
        started = time.perf_counter()
        try:
            return super().get_orders(query)
        finally:
            self.spent += time.perf_counter() - started


def setup(tag: str, fake: FakeEbay):
    """A customer with SKUS products, the bench warehouse in its plan, and a connection to ``fake``."""
    stamp = time.time_ns()
    seller = reconcile_seller(tag, skus=SKUS, prefix="RC", name="Reconcile")
    with customer_scope(seller.customer):
        shop = connection_create(
            actor=seller.user,
            platform="ebay",
            shop_domain=f"bench_{stamp}",
            webhook_secret="unused",
            token=DEFAULT_TOKEN,
            api_base=fake.url,
            default_warehouse=_world.warehouse(),
            import_since=START.date(),
        )
    return seller, shop


def fill(fake: FakeEbay, count: int) -> None:
    """``count`` NOT_STARTED orders of 1–3 lines of the customer's SKUs, a minute apart."""
    for n in range(count):
        lines = [{"sku": f"RC-{(n + k) % SKUS:04d}", "quantity": 1 + (n + k) % 3} for k in range(1 + n % 3)]
        fake.add_order(lines=lines)


def run(seller, shop, fake: TimedFake, size: int) -> dict:
    counter = QueryCounter()
    fake.spent = 0.0
    with customer_scope(seller.customer):
        shop = Connection.objects.select_related("customer", "default_warehouse").get(pk=shop.pk)
        client = PagedClient(origins=origins(api_base=fake.url), access_token=DEFAULT_TOKEN, counter=counter)
        ebay_adapter.PAGE_SIZE = size  # the adapter's page size for this run
        with client, connection.execute_wrapper(counter):
            started, cpu = time.perf_counter(), time.process_time()
            sync = connection_sync(connection=shop, adapter=EbayAdapter(shop, client))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        ebay_adapter.PAGE_SIZE = PAGE
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
        orders = Order.objects.filter(customer=seller.customer, source="ebay")
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

    with TimedFake() as fake:
        fake.clock = START
        seller, shop = setup("Big", fake)
        started = time.perf_counter()
        fill(fake, ORDERS)
        print(f"setup: {ORDERS:,} orders added to the fake in {time.perf_counter() - started:.1f} s")
        first = run(seller, shop, fake, PAGE)
        verify(seller, ORDERS)
        describe(f"first sync, {ORDERS:,} orders", first)
        again = run(seller, shop, fake, PAGE)
        describe("the next sync (all linked; only the overlap's orders asked again)", again)
        verdict = "met" if first["seconds"] <= TARGET_SECONDS else "NOT met"
        print(f"target ≤ {TARGET_SECONDS:.0f} s: {verdict}")

    sizes = {}
    for size in (PAGE, OTHER_PAGE):
        with TimedFake() as fake:
            fake.clock = START
            seller, shop = setup(f"P{size}", fake)
            fill(fake, SMALL)
            figures = run(seller, shop, fake, size)
            verify(seller, SMALL)
            describe(f"{SMALL} orders, {size} a page", figures)
            sizes[size] = statistics.median(figures["pages"][:-1] or figures["pages"])
    small, big = sizes.values()
    fixed = "fixed" if small == big else "NOT fixed"
    print(f"queries per page: {small:g} at {PAGE} a page, {big:g} at {OTHER_PAGE} a page ({fixed})")


if __name__ == "__main__":
    main()
