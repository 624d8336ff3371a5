"""The WooCommerce client against the fake store over real HTTP: pages and their headers, the
retry rules (429 with Retry-After, 5xx backoff, bounded), WordPress error JSON as final errors,
the Shipment Tracking extension's absence, and the fake's webhook rules; no database."""

import pytest

from apps.integrations.platforms import PlatformError
from apps.integrations.woocommerce.client import WooClient
from apps.integrations.woocommerce.fake_server import FakeWooCommerce
from apps.integrations.woocommerce.orders import woo_order
from apps.integrations.woocommerce.webhooks import event_key, event_read, is_ping


@pytest.fixture
def store():
    with FakeWooCommerce() as fake:
        yield fake


def _client(store, **kwargs):
    waits = []
    client = WooClient(
        store_url="https://shop.example",
        consumer_key=store.key,
        consumer_secret=store.secret,
        api_base=store.url,
        sleep=waits.append,
        **kwargs,
    )
    return client, waits


def test_pages_carry_wordpress_totals_and_a_next_link(store):
    for _ in range(25):
        store.add_order(sku="TEE")
    client, _waits = _client(store)
    with client:
        first = client.orders_modified_after("2000-01-01T00:00:00", page=1, per_page=10)
        last = client.orders_modified_after("2000-01-01T00:00:00", page=3, per_page=10)
    assert (len(first.orders), first.total, first.total_pages, first.has_next) == (10, 25, 3, True)
    assert (len(last.orders), last.has_next) == (5, False)
    assert [o["id"] for o in first.orders] == sorted(o["id"] for o in first.orders)


def test_throttling_and_server_errors_are_retried_within_bounds(store):
    client, waits = _client(store)
    store.throttle_next(1, retry_after=3)
    store.fail_next(1, status=503)
    with client:
        assert client.webhooks() == []
    assert waits == [0.5, 3.0]  # the backoff's first step after the 503, then Retry-After as asked
    store.fail_next(10)
    client, waits = _client(store, max_attempts=3)
    with client, pytest.raises(PlatformError) as refused:
        client.webhooks()
    assert refused.value.retryable and refused.value.status == 500 and len(waits) == 2


def test_wordpress_errors_are_final_with_their_words(store):
    client, _waits = _client(store)
    with client, pytest.raises(PlatformError) as missing:
        client.order("424242")
    assert (missing.value.retryable, missing.value.status, missing.value.code) == (
        False,
        404,
        "woocommerce_rest_shop_order_invalid_id",
    )
    store.revoke_key(store.key)
    client, _waits = _client(store)
    with client, pytest.raises(PlatformError) as refused:
        client.webhooks()
    assert refused.value.code == "woocommerce_rest_authentication_error" and "Consumer key is invalid" in str(
        refused.value
    )
    assert store.secret not in str(refused.value)


def test_no_shipment_tracking_extension_reads_as_none(store):
    order = store.add_order(sku="TEE")
    client, _waits = _client(store)
    with client:
        assert client.trackings(str(order["id"])) == []
        store.tracking_extension = False
        assert client.trackings(str(order["id"])) is None


def test_a_webhook_failing_past_the_threshold_is_disabled_and_a_success_resets_the_count(store):
    client, _waits = _client(store)
    with client:
        made = client.webhook_create(
            name="t", topic="order.created", delivery_url="http://127.0.0.1:9/nowhere", secret="s"
        )
    store.max_failures = 2
    for _ in range(3):
        store.add_order(sku="TEE")
    assert store.webhooks[made["id"]]["status"] == "active"  # count 0→1→2→3: not over 2 until the next
    store.add_order(sku="TEE")
    assert store.webhooks[made["id"]]["status"] == "disabled"
    assert all(d["status"] == 0 for d in store.deliveries)


def test_reading_orders_and_events():
    data = {
        "id": 77,
        "number": "A-77",
        "status": "processing",
        "date_created_gmt": "2026-12-01T10:00:00",
        "date_modified_gmt": "2026-12-01T10:05:00",
        "billing": {"first_name": "B", "last_name": "Payer", "email": "b@example.com", "phone": "+1 415 555 0100"},
        "shipping": {"first_name": "", "last_name": "", "address_1": "", "country": ""},
        "line_items": [{"id": 1, "sku": "", "product_id": 10, "variation_id": 0, "quantity": 2, "name": "Mug"}],
    }
    order = woo_order(data)
    assert (order.name, order.recipient["name"], order.recipient["email"]) == ("#A-77", "B Payer", "b@example.com")
    assert order.lines[0].variant_id == "10" and order.created_at.isoformat() == "2026-12-01T10:00:00+00:00"
    body = __import__("json").dumps(data).encode()
    assert event_key("order.updated", body) == "77:2026-12-01T10:05:00"
    assert event_read("order.updated", body).kind == "order"
    assert event_read("order.updated", body, {"import_statuses": ["on-hold"]}).kind == "ignore"
    assert event_read("order.deleted", b'{"id": 77}').kind == "cancel"
    assert is_ping({"Content-Type": "application/x-www-form-urlencoded"}, b"webhook_id=12")
    assert not is_ping({"X-WC-Webhook-Signature": "x"}, b"webhook_id=12")
