"""The Shopify adapter against the local fake, over real HTTP: paging, throttling, retries, the
errors a person must act on, fulfillments with tracking, and the webhook signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.integrations.shopify.client import API_VERSION, LINE_ITEMS_PER_ORDER, ShopifyClient, ShopifyError
from apps.integrations.shopify.fake_server import FakeShopify


@pytest.fixture
def fake():
    with FakeShopify() as shop:
        yield shop


@pytest.fixture
def waits():
    return []


@pytest.fixture
def client(fake, waits):
    with ShopifyClient(shop=fake.domain, access_token=fake.token, api_base=fake.api_base, sleep=waits.append) as c:
        yield c


LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def all_orders(client, since, first):
    seen, after, pages = [], None, 0
    while True:
        page = client.orders_updated_since(since, after=after, first=first)
        pages += 1
        seen.extend(page.orders)
        if not page.has_next:
            return seen, pages
        after = page.end_cursor


def test_paging_through_120_orders_by_cursor_gets_each_once(fake, client):
    added = [fake.add_order() for _ in range(120)]

    orders, pages = all_orders(client, LONG_AGO, first=25)

    assert pages == 5
    assert [o.id for o in orders] == [o["id"] for o in added]  # oldest update first, none twice
    assert len({o.id for o in orders}) == 120


def test_an_order_comes_back_with_what_an_import_needs(fake, client):
    fake.add_order(lines=[{"sku": "TEE-M", "quantity": 2, "barcode": "0123456789012"}, {"sku": "", "quantity": 1}])

    (order,) = client.orders_updated_since(LONG_AGO).orders

    assert order.name.startswith("#")
    assert order.financial_status == "PAID" and order.fulfillment_status == "UNFULFILLED"
    assert order.shipping_address.country_code == "US" and order.shipping_address.address1
    assert [(line.sku, line.quantity, line.barcode) for line in order.line_items] == [
        ("TEE-M", 2, "0123456789012"),
        ("", 1, ""),
    ]
    assert order.fulfillment_order_ids == (f"gid://shopify/FulfillmentOrder/{order.id.rsplit('/', 1)[1]}",)
    assert order.created_at.tzinfo is not None and order.cancelled_at is None


def test_an_order_with_more_lines_than_a_page_says_so(fake, client):
    fake.add_order(lines=[{"sku": f"SKU-{n}", "quantity": 1} for n in range(LINE_ITEMS_PER_ORDER + 1)])
    fake.add_order(lines=[{"sku": "ONE", "quantity": 1}])

    big, small = client.orders_updated_since(LONG_AGO).orders

    assert big.lines_truncated and len(big.line_items) == LINE_ITEMS_PER_ORDER
    assert not small.lines_truncated


def test_updated_since_returns_only_orders_updated_after_it(fake, client):
    base = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    old = fake.add_order(updated_at=base - timedelta(hours=1))
    fake.add_order(updated_at=base)  # not after it
    newer = [fake.add_order(updated_at=base + timedelta(minutes=m)) for m in (1, 2)]

    orders = client.orders_updated_since(base).orders

    assert [o.id for o in orders] == [o["id"] for o in newer]
    assert old["id"] not in {o.id for o in orders}


def test_since_must_be_timezone_aware(client):
    with pytest.raises(ValueError):
        client.orders_updated_since(datetime(2026, 12, 1))


def test_a_429_is_waited_out_for_its_retry_after_and_retried(fake, client, waits):
    fake.add_order()
    fake.throttle_next(1, retry_after=3.0)

    page = client.orders_updated_since(LONG_AGO)

    assert len(page.orders) == 1
    assert waits == [3.0]
    assert [r["status"] for r in fake.requests] == [429, 200]


def test_a_retry_after_longer_than_a_call_may_block_is_handed_to_the_caller(fake, client, waits):
    fake.throttle_next(1, retry_after=600.0)

    with pytest.raises(ShopifyError) as caught:
        client.shop()

    assert caught.value.retryable and caught.value.retry_after == 600.0
    assert waits == [] and len(fake.requests) == 1


def test_a_throttled_graphql_error_waits_until_the_bucket_refills(fake, client, waits):
    fake.add_order()
    fake.throttle_graphql_next(1, requested=252, available=52.0, restore_rate=100.0)

    page = client.orders_updated_since(LONG_AGO)

    assert len(page.orders) == 1
    assert waits == [pytest.approx(2.0)]  # (252 - 52) points at 100 points a second


def test_two_500s_then_success_backs_off_and_succeeds(fake, client, waits):
    fake.add_order()
    fake.fail_next(2)

    page = client.orders_updated_since(LONG_AGO)

    assert len(page.orders) == 1
    assert len(waits) == 2 and waits[0] < waits[1]


def test_failures_beyond_the_attempts_raise_a_retryable_error(fake, waits):
    fake.fail_next(10, status=503)
    with (
        ShopifyClient(
            shop=fake.domain, access_token=fake.token, api_base=fake.api_base, max_attempts=3, sleep=waits.append
        ) as c,
        pytest.raises(ShopifyError) as caught,
    ):
        c.shop()

    assert caught.value.retryable and caught.value.status == 503
    assert len(fake.requests) == 3 and len(waits) == 2


def test_a_wrong_token_is_401_and_final(fake, waits):
    wrong = ShopifyClient(shop=fake.domain, access_token="shpat_wrong", api_base=fake.api_base, sleep=waits.append)
    with wrong, pytest.raises(ShopifyError) as caught:
        wrong.shop()

    assert caught.value.status == 401 and not caught.value.retryable
    assert "shpat_wrong" not in str(caught.value)
    assert len(fake.requests) == 1 and waits == []


def test_a_timeout_is_retryable(waits):
    """A server that accepts and never answers: the read timeout fires, the error is retryable."""
    release = threading.Event()

    class Silent(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            release.wait(5)

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/admin/api/{API_VERSION}/graphql.json"
        with (
            ShopifyClient(
                shop="x.myshopify.com",
                access_token="t",
                api_base=url,
                read_timeout=0.2,
                max_attempts=2,
                sleep=waits.append,
            ) as c,
            pytest.raises(ShopifyError) as caught,
        ):
            c.shop()
    finally:
        release.set()
        server.shutdown()
        server.server_close()

    assert caught.value.retryable and caught.value.code == "TIMEOUT"
    assert len(waits) == 1


def test_shop_names_the_shop(fake, client):
    info = client.shop()

    assert info.domain == fake.domain and info.name


def test_fulfillment_create_reaches_the_fake_with_the_tracking(fake, client):
    order = fake.add_order()
    fo_id = order["fulfillmentOrders"][0]["id"]

    created = client.fulfillment_create(
        fo_id, "UPS", "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )

    (recorded,) = fake.fulfillments
    assert recorded["fulfillment_order_ids"] == [fo_id]
    assert (recorded["tracking_company"], recorded["tracking_number"], recorded["tracking_url"]) == (
        "UPS",
        "1Z999AA10123456784",
        "https://www.ups.com/track?tracknum=1Z999AA10123456784",
    )
    assert created.id == recorded["id"] and created.tracking_number == "1Z999AA10123456784"


def test_fulfillment_create_after_two_failures_still_lands_once(fake, client):
    order = fake.add_order()
    fake.fail_next(2)

    client.fulfillment_create(order["fulfillmentOrders"][0]["id"], "USPS", "9400100000000000000000")

    assert len(fake.fulfillments) == 1


def test_user_errors_are_final(fake, client, waits):
    order = fake.add_order()
    fake.refuse_fulfillments("Fulfillment order is already closed.")

    with pytest.raises(ShopifyError) as caught:
        client.fulfillment_create(order["fulfillmentOrders"][0]["id"], "UPS", "1Z")

    assert not caught.value.retryable and caught.value.code == "USER_ERRORS"
    assert "already closed" in caught.value.message
    assert len(fake.requests) == 1 and waits == [] and fake.fulfillments == []


def test_the_webhook_signature_verifies_with_the_secret(fake):
    received = {}

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            received["body"] = self.rfile.read(int(self.headers["Content-Length"]))
            received["headers"] = dict(self.headers)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    order = fake.add_order(sku="TEE-M", quantity=2)
    try:
        response = fake.send_webhook(
            f"http://127.0.0.1:{server.server_address[1]}/hook/",
            "orders/create",
            fake.webhook_payload(order),
            secret="s3cret",
        )
    finally:
        server.shutdown()
        server.server_close()

    assert response.status_code == 200
    headers = {k.lower(): v for k, v in received["headers"].items()}
    expected = base64.b64encode(hmac.new(b"s3cret", received["body"], hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["x-shopify-hmac-sha256"], expected)
    wrong = base64.b64encode(hmac.new(b"other", received["body"], hashlib.sha256).digest()).decode()
    assert headers["x-shopify-hmac-sha256"] != wrong
    assert headers["x-shopify-topic"] == "orders/create"
    assert headers["x-shopify-shop-domain"] == fake.domain
    assert headers["x-shopify-event-id"] and headers["x-shopify-webhook-id"] and headers["x-shopify-api-version"]
    payload = json.loads(received["body"])
    assert payload["name"] == order["name"] and payload["line_items"][0]["sku"] == "TEE-M"


def test_api_version_comes_from_settings(settings, fake):
    settings.SHOPIFY_API_VERSION = "2027-01"
    with ShopifyClient(shop="demo.myshopify.com", access_token="t") as c:
        assert c.url == "https://demo.myshopify.com/admin/api/2027-01/graphql.json"
