"""The two halves together: the local fake Shopify signs and sends its own orders/create
deliveries (its addresses, its line-item shapes, its headers) to our webhook over real HTTP, and
each order arrives once, in Confirming, whatever the shop repeats."""

import pytest
from django.urls import reverse

from apps.core.tenancy import customer_scope
from apps.integrations.models import OrderLink, PlatformEvent
from apps.integrations.shopify.fake_server import FakeShopify
from apps.orders.models import Order

from .conftest import SECRET


@pytest.mark.django_db(transaction=True)
def test_orders_from_the_fake_shop_arrive_once_each(live_server, shop):
    connection, _products = shop
    url = live_server.url + reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk})
    with FakeShopify(domain=connection.shop_domain) as fake:
        orders = [
            fake.add_order(lines=[{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}]),
            fake.add_order(sku="TEE", quantity=1),
        ]
        for order in orders:
            payload = fake.webhook_payload(order)
            first = fake.send_webhook(url, "orders/create", payload, secret=SECRET, event_id=f"e-{order['number']}")
            again = fake.send_webhook(url, "orders/create", payload, secret=SECRET, event_id=f"e-{order['number']}")
            updated = fake.send_webhook(url, "orders/updated", payload, secret=SECRET)
            assert [r.status_code for r in (first, again, updated)] == [200, 200, 200]
            assert [r.json()["status"] for r in (first, again)] == ["stored", "duplicate"]
        forged = fake.send_webhook(url, "orders/create", fake.webhook_payload(orders[0]), secret="not-the-secret")
        assert forged.status_code == 401
    with customer_scope(connection.customer):
        imported = {o.external_ref: o for o in Order.objects.prefetch_related("lines__product")}
        assert sorted(imported) == sorted(order["name"] for order in orders)
        assert {o.status for o in imported.values()} == {"confirming"}
        first = imported[orders[0]["name"]]
        assert sorted((line.product.sku, line.quantity) for line in first.lines.all()) == [("MUG", 1), ("TEE", 2)]
        assert first.recipient_name == orders[0]["shippingAddress"]["name"]
        assert OrderLink.objects.count() == 2
        assert (
            PlatformEvent.objects.count() == 4
        )  # two creates and two updates: the repeats and the forgery left no row
