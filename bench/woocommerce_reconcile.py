"""Benchmark: a reconciliation poll (apps/integrations/sync.py ``connection_sync``) of BENCH_ORDERS (10,000)
orders served by the local fake WooCommerce over real HTTP, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fh_bench .venv/bin/python bench/woocommerce_reconcile.py

Setup (not timed): a customer with BENCH_SKUS (50) products and a warehouse in its plan, a WooCommerce connection
pointed at a FakeWooCommerce on a free local port, and the orders added to the fake (1–3 lines each, every SKU one
of the customer's, all processing, one second apart). Then one ``connection_sync`` as beat or "Sync now" runs it,
end to end through the WooCommerce adapter: the poll checks, every page asked for over HTTP (GET /orders with
modified_after, 100 a page, HTTP Basic), each page handed to the webhooks' import (``inbox.orders_in``), the run's
counts and the cursor saved. The fake's own time answering (Python filtering and JSON) is measured apart.

Queries are counted per page (every statement between one page's request and the next), and the same run is made
with pages of BENCH_SMALL_PAGE (50) orders into a fresh customer of BENCH_SMALL (500) orders: with a fixed number
of queries per page the two page sizes give the same count. A second run over the same 10,000 (the next poll: the
overlap's orders asked again, all linked) is timed too.
Targets: 10,000 orders in ≤ 60 s, a fixed number of queries per page.
Environment: BENCH_ORDERS (10000), BENCH_SKUS (50), BENCH_SMALL (500), BENCH_SMALL_PAGE (50).
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
os.environ.setdefault("INTEGRATION_KEYS", "YmVuY2gtb25seS1pbnRlZ3JhdGlvbi1rZXktMzJieXQ=")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("celery").setLevel(logging.WARNING)

import _world  # noqa: E402
from _reconcile import PageMarks, QueryCounter, reconcile_seller  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from apps.core.tenancy import customer_scope  # noqa: E402
from apps.integrations.models import Connection, OrderLink  # noqa: E402
from apps.integrations.services import connection_create  # noqa: E402
from apps.integrations.sync import connection_sync  # noqa: E402
from apps.integrations.woocommerce.adapter import WooAdapter  # noqa: E402
from apps.integrations.woocommerce.client import PER_PAGE, WooClient  # noqa: E402
from apps.integrations.woocommerce.fake_server import DEFAULT_KEY, DEFAULT_SECRET, FakeWooCommerce  # noqa: E402
from apps.orders.models import Order, OrderLine  # noqa: E402

ORDERS = int(os.environ.get("BENCH_ORDERS", "10000"))
SKUS = int(os.environ.get("BENCH_SKUS", "50"))
SMALL = int(os.environ.get("BENCH_SMALL", "500"))
SMALL_PAGE = int(os.environ.get("BENCH_SMALL_PAGE", "50"))
TARGET_SECONDS = 60.0


class PagedClient(PageMarks, WooClient):
    """The real client over real HTTP asking for ``per_page`` orders a page; it notes the query count at each page
    it asks for, so the queries between two requests are one page's processing."""

    def __init__(self, *args, counter: QueryCounter, per_page: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.counter, self.size, self.marks, self.waited = counter, per_page, [], 0.0

    def orders_modified_after(self, since_gmt, page=1, per_page=None):
        parent = super()  # not inside the lambda: super() needs the method's frame
        return self.asked(lambda: parent.orders_modified_after(since_gmt, page=page, per_page=per_page or self.size))


class TimedFake(FakeWooCommerce):
    spent = 0.0

    def orders_list(self, query):
        started = time.perf_counter()
        try:
            return super().orders_list(query)
        finally:
            self.spent += time.perf_counter() - started


def setup(tag: str, fake: FakeWooCommerce):
    stamp = time.time_ns()
    seller = reconcile_seller(tag, skus=SKUS, prefix="WC", name="Woo")
    with customer_scope(seller.customer):
        store = connection_create(
            actor=seller.user,
            platform="woocommerce",
            shop_domain=f"bench-{stamp}.example",
            webhook_secret="bench-woo-secret",
            api_base=fake.url,
            default_warehouse=_world.warehouse(),
            import_since=(datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)).date(),
        )
        store.set_credentials({"consumer_key": DEFAULT_KEY, "consumer_secret": DEFAULT_SECRET})
        # Connected without webhooks (no site address): the poll's checks make no request.
        store.options = {"import_statuses": ["processing"], "complete_on_ship": True}
        store.webhook_subscriptions = [{"topic": "order.created", "id": 0}]
        store.save(update_fields=["credentials_encrypted", "options", "webhook_subscriptions"])
    return seller, store


def fill(fake: FakeWooCommerce, count: int) -> None:
    """``count`` processing orders of 1–3 lines of the customer's SKUs, one product id per SKU."""
    for n in range(count):
        lines = []
        for k in range(1 + n % 3):
            sku = (n + k) % SKUS
            lines.append({"sku": f"WC-{sku:04d}", "quantity": 1 + (n + k) % 3, "product_id": 5000 + sku})
        fake.add_order(lines=lines, deliver=False)


def run(seller, store, fake: TimedFake, per_page: int) -> dict:
    counter = QueryCounter()
    fake.spent = 0.0
    with customer_scope(seller.customer):
        store = Connection.objects.select_related("customer", "default_warehouse").get(pk=store.pk)
        client = PagedClient(
            store_url="https://bench.example",
            consumer_key=DEFAULT_KEY,
            consumer_secret=DEFAULT_SECRET,
            api_base=fake.url,
            counter=counter,
            per_page=per_page,
        )
        with client, connection.execute_wrapper(counter):
            started, cpu = time.perf_counter(), time.process_time()
            sync = connection_sync(connection=store, adapter=WooAdapter(store, client))
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
        orders = Order.objects.filter(customer=seller.customer, source="woocommerce")
        assert orders.count() == count, orders.count()
        assert set(orders.values_list("status", flat=True)) == {"confirming"}
        assert OrderLine.objects.filter(order__customer=seller.customer).count() == sum(1 + n % 3 for n in range(count))
        assert OrderLink.objects.filter(connection__customer=seller.customer).count() == count


def describe(title: str, figures: dict) -> None:
    sync, pages = figures["run"], figures["pages"]
    full = pages[:-1] or pages
    print(
        f"{title}: {figures['seconds']:.1f} s ({figures['http']:.1f} s of it asking for pages over HTTP, "
        f"{figures['fake']:.1f} s of that the fake's Python; {figures['cpu']:.1f} s CPU in this process, the fake's "
        f"thread included), fetched {sync.fetched:,}, created {sync.created:,}, skipped {sync.skipped:,}, "
        f"failed {sync.failed}; {figures['queries']:,} queries in {len(pages)} pages: per full page "
        f"min {min(full)}, median {statistics.median(full):g}, max {max(full)}"
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
        seller, store = setup("Big", fake)
        started = time.perf_counter()
        fill(fake, ORDERS)
        print(f"setup: {ORDERS:,} orders added to the fake in {time.perf_counter() - started:.1f} s")
        first = run(seller, store, fake, PER_PAGE)
        verify(seller, ORDERS)
        describe(f"first sync, {ORDERS:,} orders", first)
        again = run(seller, store, fake, PER_PAGE)
        describe("the next sync (all linked; the overlap's orders asked again)", again)
        verdict = "met" if first["seconds"] <= TARGET_SECONDS else "NOT met"
        print(f"target ≤ {TARGET_SECONDS:.0f} s: {verdict}")

    sizes = {}
    for size in (PER_PAGE, SMALL_PAGE):
        with TimedFake() as fake:
            seller, store = setup(f"P{size}", fake)
            fill(fake, SMALL)
            figures = run(seller, store, fake, size)
            verify(seller, SMALL)
            describe(f"{SMALL} orders, {size} a page", figures)
            sizes[size] = statistics.median(figures["pages"][:-1] or figures["pages"])
    big, small = sizes.values()
    fixed = "fixed" if small == big else "NOT fixed"
    print(f"queries per page: {big:g} at {PER_PAGE} a page, {small:g} at {SMALL_PAGE} a page ({fixed})")


if __name__ == "__main__":
    main()
