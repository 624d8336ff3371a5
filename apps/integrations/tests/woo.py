"""The WooCommerce tests' store: the fake WooCommerce over real HTTP, connected (keys checked,
webhooks made) to customer A of conftest's ``shop`` with its webhook URL on the live server."""

import pytest
from django.urls import reverse

from apps.core.tenancy import customer_scope
from apps.integrations.connect import ConnectOptions
from apps.integrations.connect_woocommerce import WooOptions, woo_connect
from apps.integrations.models import Connection
from apps.integrations.woocommerce.fake_server import FakeWooCommerce

STORE = "shop.example"


def webhook_url(connection, base=""):
    return base + reverse("integrations:woocommerce-webhook", kwargs={"connection_id": connection.pk})


def connect(user, fake, live_server, *, woo=None, warehouse=None, **options):
    with customer_scope(user.customer):
        return woo_connect(
            actor=user,
            store_url=f"https://{STORE}",
            consumer_key=fake.key,
            consumer_secret=fake.secret,
            options=ConnectOptions(api_base=fake.url, default_warehouse=warehouse, **options),
            woo=woo or WooOptions(),
            webhook_url=lambda c: webhook_url(c, live_server.url),
        )


def fresh(connection):
    with customer_scope(connection.customer):
        return Connection.objects.select_related("customer", "default_warehouse").get(pk=connection.pk)


@pytest.fixture
def fake_woo():
    with FakeWooCommerce() as fake:
        yield fake


@pytest.fixture
def woo(shop, fake_woo, live_server, user_a):
    """(connection, fake, products by SKU): the store connected with LAX1 as its warehouse."""
    shopify_connection, products = shop
    result = connect(user_a, fake_woo, live_server, warehouse=shopify_connection.default_warehouse)
    return fresh(result.connection), fake_woo, products
