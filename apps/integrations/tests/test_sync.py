"""The reconciliation poll against the local fake Shopify over real HTTP: it brings in what
webhooks missed, only open unfulfilled orders since the import start, each once however often it
runs or however the order also arrived; a throttled page waits and goes on; a refused token marks
the connection as needing attention."""

import datetime

import pytest

from apps.core.tenancy import customer_scope
from apps.integrations.adapters import ShopifyAdapter
from apps.integrations.choices import ConnectionStatus
from apps.integrations.models import Connection, OrderLink, SyncRun
from apps.integrations.shopify.client import ShopifyClient
from apps.integrations.shopify.fake_server import FakeShopify
from apps.integrations.sync import OVERLAP, connection_sync
from apps.orders.models import Order

from .conftest import SECRET, TOKEN

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def fake(shop):
    connection, _products = shop
    with FakeShopify(token=TOKEN, domain=connection.shop_domain) as server:
        server.clock = START
        with customer_scope(connection.customer):
            Connection.objects.filter(pk=connection.pk).update(
                api_base=server.api_base, import_since=datetime.date(2026, 11, 20)
            )
        yield server


def _connection(shop):
    with customer_scope(shop[0].customer):
        return Connection.objects.select_related("customer", "default_warehouse").get(pk=shop[0].pk)


def _sync(shop, client=None):
    with customer_scope(shop[0].customer):
        connection = _connection(shop)
        adapter = ShopifyAdapter(connection, client) if client is not None else None
        return connection_sync(connection=connection, adapter=adapter)


def _imported(shop):
    with customer_scope(shop[0].customer):
        return sorted(Order.objects.filter(source="shopify").values_list("external_ref", flat=True))


def test_the_first_sync_imports_only_open_unfulfilled_orders_since_the_start(shop, fake):
    wanted = fake.add_order(sku="TEE", quantity=2)
    fake.add_order(sku="MUG", fulfillment_status="FULFILLED")
    fake.add_order(sku="TEE", cancelled_at=START + datetime.timedelta(hours=1))
    fake.add_order(  # made before the import start, edited since
        sku="TEE", created_at=START - datetime.timedelta(days=3), updated_at=START + datetime.timedelta(hours=2)
    )
    run = _sync(shop)
    assert (run.fetched, run.created, run.skipped, run.failed, run.error) == (4, 1, 3, 0, "")
    assert _imported(shop) == [wanted["name"]]
    with customer_scope(shop[0].customer):
        order = Order.objects.get(external_ref=wanted["name"])
        assert order.status == "confirming"
        assert [(line.product.sku, line.quantity) for line in order.lines.select_related("product")] == [("TEE", 2)]
    cursor = datetime.datetime.fromisoformat(_connection(shop).sync_cursor)
    assert cursor >= datetime.datetime.fromisoformat(wanted["updatedAt"].replace("Z", "+00:00"))


def test_pages_and_repeated_runs_import_each_order_once(shop, fake):
    orders = [fake.add_order(sku="TEE" if n % 2 else "MUG") for n in range(23)]  # 3 pages of 10
    first = _sync(shop)
    again = _sync(shop)  # nothing new, but the overlap asks again for the last few minutes
    assert (first.fetched, first.created) == (23, 23)
    assert again.created == 0 and again.failed == 0
    assert _imported(shop) == sorted(o["name"] for o in orders)
    with customer_scope(shop[0].customer):
        assert OrderLink.objects.count() == 23
        assert SyncRun.objects.count() == 2


def test_an_order_delivered_by_webhook_and_polled_is_one_order(shop, fake, live_server):
    from django.urls import reverse

    order = fake.add_order(sku="TEE")
    url = live_server.url + reverse("integrations:shopify-webhook", kwargs={"connection_id": shop[0].pk})
    assert fake.send_webhook(url, "orders/create", fake.webhook_payload(order), secret=SECRET).status_code == 200
    run = _sync(shop)
    assert (run.created, run.skipped) == (0, 1)
    assert _imported(shop) == [order["name"]]


def test_a_throttled_page_waits_and_the_run_goes_on(shop, fake):
    for _ in range(12):
        fake.add_order(sku="TEE")
    fake.throttle_next(1, retry_after=1.5)
    waits = []
    client = ShopifyClient(shop=shop[0].shop_domain, access_token=TOKEN, api_base=fake.api_base, sleep=waits.append)
    run = _sync(shop, client=client)
    assert waits == [1.5]
    assert (run.fetched, run.created, run.error) == (12, 12, "")


def test_a_refused_token_marks_the_connection_as_needing_attention(shop, fake):
    fake.add_order(sku="TEE")
    client = ShopifyClient(shop=shop[0].shop_domain, access_token="shpat_revoked", api_base=fake.api_base)
    run = _sync(shop, client=client)
    assert run.error and run.created == 0
    connection = _connection(shop)
    assert connection.status == ConnectionStatus.NEEDS_ATTENTION and connection.status_reason
    assert not connection.sync_cursor  # the next run asks again from the start


def test_an_edit_found_by_the_poll_updates_the_confirming_order_once(shop, fake):
    order = fake.add_order(sku="TEE", quantity=1)
    assert _sync(shop).created == 1
    address = {**order["shippingAddress"], "address1": "77 Changed Road"}
    fake.update_order(order["number"], shippingAddress=address)
    edited, again = _sync(shop), _sync(shop)
    assert (edited.created, edited.updated, edited.skipped) == (0, 1, 0)
    assert (again.updated, again.skipped) == (0, 1)  # the overlap sees it again: already applied
    with customer_scope(shop[0].customer):
        assert Order.objects.get(external_ref=order["name"]).address1 == "77 Changed Road"


def test_a_page_costs_the_same_queries_whatever_its_size(shop, fake):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        fake.add_order(sku="TEE" if n % 2 else "MUG")
    _sync(shop)  # the items' mapping rows are written by the first page that meets them
    counts = []
    for count in (1, 10):  # one page each (the adapter asks for 10 a page) of new orders only
        with customer_scope(shop[0].customer):  # the run asks for what changed after the fake's clock now
            Connection.objects.filter(pk=shop[0].pk).update(sync_cursor=(fake.clock + OVERLAP).isoformat())
        for n in range(count):
            fake.add_order(sku="TEE" if n % 2 else "MUG")
        with CaptureQueriesContext(connection) as queries:
            run = _sync(shop)
        assert run.created == count
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_page_with_an_unknown_item_imports_the_others_and_holds_that_order(shop, fake):
    good = [fake.add_order(sku="TEE"), fake.add_order(lines=[{"sku": "MUG", "quantity": 2}, {"sku": "TEE"}])]
    odd = fake.add_order(sku="NOPE-1")
    already = fake.add_order(sku="MUG")
    first = _sync(shop)  # all four arrive; then a poll from the start sees them again with a new one
    assert (first.created, first.failed) == (4, 0)
    new = fake.add_order(sku="TEE", quantity=3)
    with customer_scope(shop[0].customer):
        Connection.objects.filter(pk=shop[0].pk).update(sync_cursor="")
    run = _sync(shop)
    assert (run.fetched, run.created, run.skipped, run.failed) == (5, 1, 4, 0)
    with customer_scope(shop[0].customer):
        orders = {o.external_ref: o for o in Order.objects.filter(source="shopify")}
        assert sorted(orders) == sorted(o["name"] for o in [*good, odd, already, new])
        assert orders[odd["name"]].status == "abnormal" and orders[odd["name"]].abnormal_code == "UNKNOWN_SKU"
        assert {orders[o["name"]].status for o in [*good, already, new]} == {"confirming"}
        lines = orders[good[1]["name"]].lines.select_related("product").order_by("product__sku")
        assert [(line.product.sku, line.quantity) for line in lines] == [("MUG", 2), ("TEE", 1)]
        assert OrderLink.objects.count() == 5
