"""app/uninstalled and Shopify's three privacy topics, delivered signed to the webhook view and
processed by the outbox's task: the connection disconnected on uninstall yet still verifying
the privacy topics that follow; a data request reported; a customer's data erased from their
orders and from the stored bodies; a shop's data deleted, our orders kept."""

import json

import pytest
from django.urls import reverse

from apps.core.tenancy import customer_scope
from apps.integrations.choices import ConnectionStatus, EventStatus
from apps.integrations.models import OrderLink, PlatformEvent, SkuMapping, SyncRun
from apps.orders.models import Order

from .conftest import body_of, shopify_order_payload, signed

pytestmark = pytest.mark.django_db
SHOP = "demo-store.myshopify.com"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def send(connection, topic, payload, **kwargs):
        body = body_of(payload)
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed(body, topic=topic, **kwargs).items()}
        headers["content_type"] = headers.pop("HTTP_CONTENT_TYPE")
        url = reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data=body, **headers)

    return send


def _event(connection, topic):
    with customer_scope(connection.customer):
        return PlatformEvent.objects.get(connection=connection, topic=topic)


def _order(connection, ref="#1001"):
    with customer_scope(connection.customer):
        return Order.objects.get(external_ref=ref)


def customer_of(**changes):
    return {"id": 191167, "email": "jane@example.com", "phone": "+1 415-555-0142", **changes}


def test_app_uninstalled_disconnects_and_the_privacy_topics_still_arrive(shop, post):
    connection, _ = shop
    assert post(connection, "orders/create", shopify_order_payload()).status_code == 200
    response = post(connection, "app/uninstalled", {"id": 954889, "domain": SHOP, "name": "Demo store"})
    assert response.status_code == 200
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert "uninstalled" in connection.status_reason
    assert connection.credentials() == {}
    assert _event(connection, "app/uninstalled").status == EventStatus.PROCESSED

    later = shopify_order_payload(id=5_500_000_002, name="#1002")
    assert post(connection, "orders/create", later).status_code == 404  # no more orders after uninstall
    redact = {"shop_id": 954889, "shop_domain": SHOP, "customer": customer_of(), "orders_to_redact": [5_500_000_001]}
    assert post(connection, "customers/redact", redact).status_code == 200
    assert _event(connection, "customers/redact").status == EventStatus.PROCESSED
    assert _order(connection).recipient_name == "Redacted"


def test_a_forged_privacy_delivery_is_refused_and_stores_nothing(shop, post):
    connection, _ = shop
    response = post(connection, "shop/redact", {"shop_id": 1, "shop_domain": SHOP}, secret="not-the-secret")
    assert response.status_code == 401
    with customer_scope(connection.customer):
        assert not PlatformEvent.objects.exists()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE


def test_a_data_request_reports_the_orders_that_hold_the_data_and_keeps_no_copy(shop, post):
    connection, _ = shop
    post(connection, "orders/create", shopify_order_payload())
    post(connection, "orders/create", shopify_order_payload(id=5_500_000_002, name="#1002", email="other@example.com"))
    request = {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "orders_requested": [5_500_000_001],
        "customer": customer_of(),
        "data_request": {"id": 9999},
    }
    assert post(connection, "customers/data_request", request).status_code == 200
    event = _event(connection, "customers/data_request")
    ours = _order(connection)
    assert event.status == EventStatus.PROCESSED
    assert "Data request 9999: 1 order(s)" in event.result and ours.number in event.result
    assert _order(connection, "#1002").number not in event.result
    assert b"jane@example.com" not in bytes(event.body)


def test_customers_redact_erases_the_recipient_from_orders_and_stored_bodies(shop, post):
    connection, _ = shop
    post(connection, "orders/create", shopify_order_payload())
    post(connection, "orders/create", shopify_order_payload(id=5_500_000_002, name="#1002", email="other@example.com"))
    with customer_scope(connection.customer):
        Order.objects.filter(external_ref="#1001").update(status="shipped")
    redact = {"shop_id": 954889, "shop_domain": SHOP, "customer": customer_of(), "orders_to_redact": [5_500_000_001]}
    post(connection, "customers/redact", redact)

    erased, other = _order(connection), _order(connection, "#1002")
    assert (erased.recipient_name, erased.recipient_email, erased.recipient_phone) == ("Redacted", "", "")
    assert (erased.address1, erased.address2, erased.recipient_company) == ("Redacted", "", "")
    assert (erased.city, erased.postal_code, erased.country) == ("San Francisco", "94105", "US")  # for the bills
    assert other.recipient_name == "Jane Doe"  # another customer's order, not named: untouched
    with customer_scope(connection.customer):
        bodies = {
            e.topic + str(json.loads(bytes(e.body)).get("id")): bytes(e.body) for e in PlatformEvent.objects.all()
        }
    assert b"Jane" not in bodies["orders/create5500000001"]
    assert b"Jane" in bodies["orders/create5500000002"]
    assert b"jane@example.com" not in bodies["customers/redactNone"]
    assert "Erased the recipient's personal data from 1 order(s)" in _event(connection, "customers/redact").result


def test_customers_redact_keeps_an_order_being_fulfilled_and_flags_it(shop, post):
    connection, _ = shop
    post(connection, "orders/create", shopify_order_payload())
    with customer_scope(connection.customer):
        Order.objects.update(status="pending_shipment")
    redact = {"shop_id": 954889, "shop_domain": SHOP, "customer": customer_of(), "orders_to_redact": [5_500_000_001]}
    post(connection, "customers/redact", redact)
    assert _order(connection).recipient_name == "Jane Doe"
    with customer_scope(connection.customer):
        link = OrderLink.objects.get()
    assert link.needs_review and "still being fulfilled" in link.review_reason
    assert "1 still being fulfilled" in _event(connection, "customers/redact").result


def test_shop_redact_deletes_the_connections_data_and_keeps_our_orders(shop, post):
    connection, _ = shop
    post(connection, "orders/create", shopify_order_payload())
    post(connection, "app/uninstalled", {"id": 954889, "domain": SHOP})
    with customer_scope(connection.customer):
        SyncRun.objects.create(connection=connection)
    assert post(connection, "shop/redact", {"shop_id": 954889, "shop_domain": SHOP}).status_code == 200

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert (connection.webhook_secret(), connection.credentials()) == ("", {})
    with customer_scope(connection.customer):
        assert [e.topic for e in PlatformEvent.objects.all()] == ["shop/redact"]
        assert not (SyncRun.objects.exists() or SkuMapping.objects.exists() or OrderLink.objects.exists())
        assert Order.objects.count() == 1
    assert "Deleted the shop's data" in _event(connection, "shop/redact").result
    assert post(connection, "shop/redact", {"shop_id": 954889, "shop_domain": SHOP}).status_code == 401
