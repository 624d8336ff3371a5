"""Shopify webhooks end to end: signed deliveries posted over real HTTP to the live server (the
outbox runs the processing task eagerly after the commit, as a worker would), and the view's
refusals through Django's test client."""

import httpx
import pytest
from django.urls import reverse

from apps.core.tenancy import customer_scope
from apps.integrations.choices import ConnectionStatus, EventStatus
from apps.integrations.models import OrderLink, PlatformEvent, SkuMapping, WaitingLine
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.models import Order
from apps.orders.rules import recipient_of

from .conftest import TEE_UPC, body_of, shopify_order_payload, signed


def webhook_url(connection, base=""):
    return base + reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk})


def deliver(live_server, connection, payload, **kwargs):
    body = body_of(payload)
    return httpx.post(
        webhook_url(connection, live_server.url), content=body, headers=signed(body, **kwargs), timeout=30
    )


@pytest.mark.django_db(transaction=True)
def test_signed_orders_create_makes_one_confirming_order(live_server, shop):
    connection, products = shop
    response = deliver(live_server, connection, shopify_order_payload())
    assert response.status_code == 200
    assert response.json()["status"] == "stored"
    with customer_scope(connection.customer):
        order = Order.objects.get()
        assert order.status == "confirming"
        assert (order.source, order.external_ref) == ("shopify", "#1001")
        assert order.warehouse.code == "LAX1"
        assert recipient_of(order) == {
            "name": "Jane Doe",
            "company": "Doe Ltd",
            "phone": "+1 415-555-0142",
            "email": "jane@example.com",
            "address1": "500 Market St",
            "address2": "Apt 4",
            "city": "San Francisco",
            "state": "CA",
            "postal_code": "94105",
            "country": "US",
        }
        assert {(line.product.sku, line.quantity) for line in order.lines.all()} == {("TEE", 2), ("MUG", 1)}
        assert order.events.get().actor_label == "Shopify · demo-store"
        link = OrderLink.objects.get()
        assert (link.platform_order_id, link.platform_order_name, link.order_id) == ("5500000001", "#1001", order.pk)
        event = PlatformEvent.objects.get()
        assert event.status == EventStatus.PROCESSED
        assert order.number in event.result
        assert event.headers["x-shopify-hmac-sha256"] == "[redacted]"
        assert event.headers["x-shopify-topic"] == "orders/create"


@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_twice_makes_one_order_and_one_event(live_server, shop):
    connection, _ = shop
    first = deliver(live_server, connection, shopify_order_payload(), event_id="evt-1")
    again = deliver(live_server, connection, shopify_order_payload(), event_id="evt-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"status": "duplicate", "event": first.json()["event"]}
    with customer_scope(connection.customer):
        assert Order.objects.count() == 1
        assert PlatformEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_create_then_updated_makes_one_order(live_server, shop):
    connection, _ = shop
    deliver(live_server, connection, shopify_order_payload(), topic="orders/create", event_id="evt-1")
    deliver(live_server, connection, shopify_order_payload(email="new@example.com"), topic="orders/updated")
    with customer_scope(connection.customer):
        order = Order.objects.get()
        updated = PlatformEvent.objects.get(topic="orders/updated")
    assert order.recipient_email == "new@example.com"  # still Confirming: the change is applied
    assert updated.status == EventStatus.PROCESSED
    assert f"order {order.number} updated" in updated.result


@pytest.mark.django_db(transaction=True)
def test_updated_before_create_imports_once(live_server, shop):
    connection, _ = shop
    deliver(live_server, connection, shopify_order_payload(), topic="orders/updated")
    deliver(live_server, connection, shopify_order_payload(), topic="orders/create")
    with customer_scope(connection.customer):
        assert Order.objects.count() == 1
        assert PlatformEvent.objects.get(topic="orders/create").status == EventStatus.IGNORED


@pytest.mark.django_db(transaction=True)
def test_a_forged_signature_is_401_and_stores_nothing(live_server, shop):
    connection, _ = shop
    body = body_of(shopify_order_payload())
    forged = signed(body, secret="not-the-secret")
    response = httpx.post(webhook_url(connection, live_server.url), content=body, headers=forged, timeout=30)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    tampered = signed(body)  # signed right, then the body changed on the way
    response = httpx.post(webhook_url(connection, live_server.url), content=body + b" ", headers=tampered, timeout=30)
    assert response.status_code == 401
    with customer_scope(connection.customer):
        assert not PlatformEvent.objects.exists()
        assert not Order.objects.exists()


def test_no_signature_is_401(client, shop):
    connection, _ = shop
    body = body_of(shopify_order_payload())
    headers = {k: v for k, v in signed(body).items() if k != "X-Shopify-Hmac-Sha256"}
    response = client.post(webhook_url(connection), data=body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    with customer_scope(connection.customer):
        assert not PlatformEvent.objects.exists()


def test_unknown_or_disconnected_connection_is_404(client, shop):
    connection, _ = shop
    body = body_of(shopify_order_payload())
    url = reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk + 1000})
    assert client.post(url, data=body, content_type="application/json", headers=signed(body)).status_code == 404
    with customer_scope(connection.customer):
        connection.status = ConnectionStatus.DISCONNECTED
        connection.save()
    response = client.post(webhook_url(connection), data=body, content_type="application/json", headers=signed(body))
    assert response.status_code == 404


def test_lost_keys_answer_503_and_store_nothing(client, shop):
    from cryptography.fernet import Fernet
    from django.test import override_settings

    connection, _ = shop
    body = body_of(shopify_order_payload())
    with override_settings(INTEGRATION_KEYS=[Fernet.generate_key().decode()]):
        response = client.post(
            webhook_url(connection), data=body, content_type="application/json", headers=signed(body)
        )
    assert response.status_code == 503
    with customer_scope(connection.customer):
        assert not PlatformEvent.objects.exists()


def test_only_post_is_accepted(client, shop):
    connection, _ = shop
    assert client.get(webhook_url(connection)).status_code == 405


def test_a_garbled_body_with_a_good_signature_is_stored_and_fails_clearly(
    client, shop, django_capture_on_commit_callbacks
):
    connection, _ = shop
    body = b"{not json"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            webhook_url(connection), data=body, content_type="application/json", headers=signed(body)
        )
    assert response.status_code == 200
    with customer_scope(connection.customer):
        event = PlatformEvent.objects.get()
    assert (event.status, event.result) == (EventStatus.FAILED, "The body is not JSON.")


@pytest.mark.django_db(transaction=True)
def test_an_unknown_sku_arrives_abnormal_with_the_line_waiting(live_server, shop):
    connection, products = shop
    items = [
        {"id": 901, "sku": "TEE", "variant_id": 44001, "quantity": 1, "title": "Tee"},
        {"id": 903, "sku": "HAT-RED", "variant_id": 44003, "quantity": 2, "title": "Red hat"},
    ]
    deliver(live_server, connection, shopify_order_payload(line_items=items))
    with customer_scope(connection.customer):
        order = Order.objects.get()
        assert (order.status, order.abnormal_code) == (OrderStatus.ABNORMAL, AbnormalReason.UNKNOWN_SKU)
        assert "Shopify SKU HAT-RED (“Red hat”) matches none of your SKUs or UPCs" in order.abnormal_message
        assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [("TEE", 1)]
        assert order.recipient_name == "Jane Doe" and order.external_ref == "#1001"
        unmapped = SkuMapping.objects.get(platform_sku="HAT-RED")
        assert (unmapped.variant_id, unmapped.title, unmapped.product) == ("44003", "Red hat", None)
        assert [(w.mapping, w.quantity) for w in WaitingLine.objects.all()] == [(unmapped, 2)]
        assert SkuMapping.objects.get(platform_sku="TEE").product == products["TEE"]
        event = PlatformEvent.objects.get()
    assert event.status == EventStatus.PROCESSED
    assert f"created order {order.number} (Abnormal)" in event.result


@pytest.mark.django_db(transaction=True)
def test_an_empty_sku_line_waits_and_the_order_says_which_line(live_server, shop):
    connection, _ = shop
    items = [{"id": 904, "sku": "", "variant_id": 44004, "quantity": 1, "title": "Gift card"}]
    deliver(live_server, connection, shopify_order_payload(line_items=items))
    with customer_scope(connection.customer):
        order = Order.objects.get()
        assert order.abnormal_code == AbnormalReason.UNKNOWN_SKU and not order.lines.exists()
        assert "“Gift card” has no SKU on Shopify" in order.abnormal_message
        assert SkuMapping.objects.get(variant_id="44004").product is None


@pytest.mark.django_db(transaction=True)
def test_a_phone_that_does_not_validate_arrives_abnormal_with_the_number_kept(live_server, shop):
    connection, _ = shop
    address = dict(shopify_order_payload()["shipping_address"], phone="call me maybe")
    deliver(live_server, connection, shopify_order_payload(shipping_address=address))
    with customer_scope(connection.customer):
        order = Order.objects.get()
        event = PlatformEvent.objects.get()
        assert order.lines.count() == 2 and order.city == "San Francisco"
    assert (order.status, order.abnormal_code) == (OrderStatus.ABNORMAL, AbnormalReason.INVALID_ADDRESS)
    assert order.recipient_phone == "call me maybe" and "Phone" in order.abnormal_message
    assert event.status == EventStatus.PROCESSED


@pytest.mark.django_db(transaction=True)
def test_a_line_matches_by_upc_when_no_sku_does(live_server, shop):
    connection, products = shop
    items = [{"id": 905, "sku": TEE_UPC, "variant_id": 44005, "quantity": 3, "title": "Tee (barcode as SKU)"}]
    deliver(live_server, connection, shopify_order_payload(line_items=items))
    with customer_scope(connection.customer):
        order = Order.objects.get()
        assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [("TEE", 3)]
        assert SkuMapping.objects.get(platform_sku=TEE_UPC).product == products["TEE"]


@pytest.mark.django_db(transaction=True)
def test_orders_cancelled_cancels_our_order(live_server, shop):
    connection, _ = shop
    deliver(live_server, connection, shopify_order_payload(), topic="orders/create")
    cancelled = shopify_order_payload(cancelled_at="2026-12-01T12:00:00-05:00")
    assert deliver(live_server, connection, cancelled, topic="orders/cancelled").status_code == 200
    with customer_scope(connection.customer):
        order = Order.objects.get()
        event = PlatformEvent.objects.get(topic="orders/cancelled")
        assert order.status == "cancelled"
        assert event.status == EventStatus.PROCESSED
        assert order.events.filter(actor_label="Shopify · demo-store", to_status="cancelled").exists()


@pytest.mark.django_db(transaction=True)
def test_a_cancel_after_shipping_leaves_the_order_and_says_why(live_server, shop):
    connection, _ = shop
    deliver(live_server, connection, shopify_order_payload(), topic="orders/create")
    with customer_scope(connection.customer):
        Order.objects.update(status="shipped")  # the warehouse has shipped it in the meantime
    deliver(
        live_server, connection, shopify_order_payload(cancelled_at="2026-12-01T12:00:00Z"), topic="orders/cancelled"
    )
    with customer_scope(connection.customer):
        order = Order.objects.get()
        event = PlatformEvent.objects.get(topic="orders/cancelled")
        flagged = OrderLink.objects.get().needs_review
    assert order.status == "shipped"
    assert event.status == EventStatus.PROCESSED  # done what can be: flagged for customer service
    assert f"order {order.number}: it was not cancelled here" in event.result
    assert "can no longer be cancelled" in event.result
    assert flagged


@pytest.mark.django_db(transaction=True)
def test_old_or_already_cancelled_orders_are_not_imported(live_server, shop):
    import datetime

    connection, _ = shop
    with customer_scope(connection.customer):
        connection.import_since = datetime.date(2026, 12, 1)
        connection.save()
    deliver(live_server, connection, shopify_order_payload(id=1, name="#900", created_at="2026-11-30T23:00:00Z"))
    deliver(live_server, connection, shopify_order_payload(id=2, name="#901", cancelled_at="2026-12-01T12:00:00Z"))
    with customer_scope(connection.customer):
        assert not Order.objects.exists()
        results = set(PlatformEvent.objects.values_list("status", flat=True))
    assert results == {EventStatus.IGNORED}


@pytest.mark.django_db(transaction=True)
def test_submit_automatically_submits_the_imported_order(live_server, shop):
    from apps.billing.services import credit
    from apps.inventory.services import stock_receive
    from apps.orders.tests.conftest import priced_channel
    from apps.shipping.models import Carrier

    connection, products = shop
    priced_channel(connection.default_warehouse, "ups-ground", "UPS Ground", Carrier.objects.create(code="ups"), "6.00")
    with customer_scope(connection.customer):
        for product in products.values():
            stock_receive(actor=None, product=product, warehouse=connection.default_warehouse, quantity=5)
        credit(customer=connection.customer, amount="100.00", idempotency_key="test-topup")
        connection.submit_automatically = True
        connection.save()
    deliver(live_server, connection, shopify_order_payload())
    with customer_scope(connection.customer):
        order = Order.objects.get()
        event = PlatformEvent.objects.get()
    assert order.status == "pending_shipment"
    assert (event.status, f"{order.number} (Pending Shipment)" in event.result) == (EventStatus.PROCESSED, True)
