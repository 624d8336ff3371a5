"""WooCommerce webhooks end to end over real HTTP: the fake store makes its webhooks on connect
(pinged, unsigned), then delivers signed orders to the live server as WooCommerce does; the
processing runs eagerly after the commit, as a worker would."""

import json

import httpx
import pytest

from apps.core.tenancy import customer_scope
from apps.integrations.choices import EventStatus
from apps.integrations.models import PlatformEvent, SkuMapping
from apps.integrations.woocommerce.webhooks import woo_signature
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.models import Order

from .woo import STORE, webhook_url

pytestmark = pytest.mark.django_db(transaction=True)


def _orders(connection):
    with customer_scope(connection.customer):
        return list(Order.objects.filter(source="woocommerce").order_by("id"))


def test_connect_makes_the_three_order_webhooks_and_answers_their_pings(woo, live_server):
    connection, fake, _products = woo
    assert sorted(w["topic"] for w in fake.webhooks.values()) == ["order.created", "order.deleted", "order.updated"]
    assert {w["delivery_url"] for w in fake.webhooks.values()} == {webhook_url(connection, live_server.url)}
    assert all(w["secret"] == connection.webhook_secret() for w in fake.webhooks.values())
    assert [p["status"] for p in fake.pings] == [200, 200, 200]  # the unsigned activation pings
    assert sorted(s["topic"] for s in connection.webhook_subscriptions) == sorted(
        w["topic"] for w in fake.webhooks.values()
    )
    assert (connection.shop_domain, connection.display_name, connection.setup_warning) == (STORE, fake.name, "")
    assert connection.options["import_statuses"] == ["processing"] and connection.options["complete_on_ship"]
    with customer_scope(connection.customer):
        assert not PlatformEvent.objects.exists()  # pings are answered, not stored


def test_a_signed_order_created_makes_one_confirming_order(woo):
    connection, fake, _products = woo
    placed = fake.add_order(lines=[{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}])
    assert fake.deliveries[-1]["topic"] == "order.created" and fake.deliveries[-1]["status"] == 200
    [order] = _orders(connection)
    assert (order.status, order.external_ref) == (OrderStatus.CONFIRMING, f"#{placed['id']}")
    assert order.warehouse.code == "LAX1"
    assert order.recipient_name == "{first_name} {last_name}".format(**placed["shipping"])
    assert order.recipient_email == placed["billing"]["email"]  # falls back to billing
    assert order.recipient_phone.replace(" ", "").endswith(placed["billing"]["phone"][-4:])
    with customer_scope(connection.customer):
        assert sorted((line.product.sku, line.quantity) for line in order.lines.all()) == [("MUG", 1), ("TEE", 2)]
        event = PlatformEvent.objects.get()
        assert event.event_id == f"{placed['id']}:{placed['date_modified_gmt']}"
        assert event.headers["x-wc-webhook-signature"] == "[redacted]"
        assert event.headers["x-wc-webhook-topic"] == "order.created"


def test_the_same_version_twice_is_one_event_and_a_newer_one_another(woo, live_server):
    connection, fake, _products = woo
    placed = fake.add_order(sku="TEE")
    body = json.dumps(placed).encode()
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Signature": woo_signature(connection.webhook_secret(), body),
        "X-WC-Webhook-Delivery-ID": "same-second-other-event",
    }
    again = httpx.post(webhook_url(connection, live_server.url), content=body, headers=headers, timeout=30)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    fake.update_order(placed["id"], customer_note="leave at the door")  # order.updated, newer date_modified
    assert len(_orders(connection)) == 1
    with customer_scope(connection.customer):
        assert sorted(PlatformEvent.objects.values_list("topic", flat=True)) == ["order.created", "order.updated"]


def test_an_unsigned_ping_gets_200_and_a_forged_signature_401(woo, live_server):
    connection, _fake, _products = woo
    url = webhook_url(connection, live_server.url)
    ping = httpx.post(url, content=b"webhook_id=17", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert ping.status_code == 200
    body = json.dumps({"id": 5, "status": "processing", "date_modified_gmt": "2026-12-01T10:00:00"}).encode()
    forged = {"X-WC-Webhook-Topic": "order.created", "X-WC-Webhook-Signature": woo_signature("not-ours", body)}
    assert httpx.post(url, content=body, headers=forged).status_code == 401
    unsigned = {"X-WC-Webhook-Topic": "order.created", "Content-Type": "application/json"}
    assert httpx.post(url, content=body, headers=unsigned).status_code == 401
    assert httpx.post(url.replace(f"/{connection.pk}/", "/999999/"), content=b"webhook_id=1").status_code == 404
    with customer_scope(connection.customer):
        assert not PlatformEvent.objects.exists()


def test_an_empty_sku_line_maps_by_variation_id(woo):
    connection, fake, products = woo
    line = {"sku": "", "name": "Tee, blue, M", "product_id": 501, "variation_id": 777, "quantity": 1}
    fake.add_order(lines=[line])
    [waiting] = _orders(connection)
    assert waiting.status == OrderStatus.ABNORMAL and waiting.abnormal_code == AbnormalReason.UNKNOWN_SKU
    assert "has no SKU on WooCommerce" in waiting.abnormal_message
    with customer_scope(connection.customer):
        mapping = SkuMapping.objects.get(connection=connection)
        assert (mapping.platform_sku, mapping.variant_id, mapping.title) == ("", "777", "Tee, blue, M")
        mapping.product = products["TEE"]
        mapping.save()
    fake.add_order(lines=[line])  # the next order of that variation maps by its id
    latest = _orders(connection)[-1]
    assert latest.status == OrderStatus.CONFIRMING
    with customer_scope(connection.customer):
        assert [(li.product.sku, li.quantity) for li in latest.lines.all()] == [("TEE", 1)]
    simple = {"sku": "", "name": "Mug", "product_id": 601, "quantity": 1}  # no variation: the product id
    fake.add_order(lines=[simple])
    with customer_scope(connection.customer):
        assert SkuMapping.objects.filter(connection=connection, variant_id="601").exists()


def test_cancelled_on_the_store_cancels_here_and_deleted_too(woo):
    connection, fake, _products = woo
    first, second = fake.add_order(sku="TEE"), fake.add_order(sku="MUG")
    fake.update_order(first["id"], status="cancelled")
    fake.delete_order(second["id"])
    orders = _orders(connection)
    assert [o.status for o in orders] == [OrderStatus.CANCELLED, OrderStatus.CANCELLED]
    with customer_scope(connection.customer):
        events = PlatformEvent.objects.filter(topic__in=["order.updated", "order.deleted"])
        results = dict(events.values_list("topic", "result"))
    assert "cancelled on WooCommerce" in results["order.updated"]
    assert "cancelled on WooCommerce" in results["order.deleted"]


def test_a_pending_order_waits_until_it_is_processing(woo):
    connection, fake, _products = woo
    placed = fake.add_order(sku="TEE", status="pending")
    assert _orders(connection) == []
    with customer_scope(connection.customer):
        event = PlatformEvent.objects.get()
        assert event.status == EventStatus.IGNORED and "pending payment" in event.result
    fake.update_order(placed["id"], status="processing")
    [order] = _orders(connection)
    assert order.status == OrderStatus.CONFIRMING
