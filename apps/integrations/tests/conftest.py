"""A shop to receive from: customer A with warehouse LAX1, two products (TEE with a UPC, MUG) and
a Shopify connection with a known webhook secret; helpers to sign and send deliveries."""

import json
import uuid

import pytest

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.integrations.rules import shopify_signature
from apps.integrations.services import connection_create
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

SECRET = "shpss_test_webhook_secret"
TOKEN = "shpat_test_access_token_0123456789"
TEE_UPC = "036000291452"


def shopify_order_payload(**changes):
    """An order as Shopify's orders/create webhook sends it (REST-shaped JSON, trimmed)."""
    order = {
        "id": 5_500_000_001,
        "name": "#1001",
        "order_number": 1001,
        "created_at": "2026-12-01T10:00:00-05:00",
        "email": "jane@example.com",
        "financial_status": "paid",
        "fulfillment_status": None,
        "cancelled_at": None,
        "shipping_address": {
            "first_name": "Jane",
            "last_name": "Doe",
            "company": "Doe Ltd",
            "phone": "+1 415-555-0142",
            "address1": "500 Market St",
            "address2": "Apt 4",
            "city": "San Francisco",
            "province_code": "CA",
            "zip": "94105",
            "country_code": "US",
        },
        "line_items": [
            {"id": 901, "sku": "TEE", "variant_id": 44001, "quantity": 2, "title": "Tee"},
            {"id": 902, "sku": "MUG", "variant_id": 44002, "quantity": 1, "title": "Mug"},
        ],
    }
    order.update(changes)
    return order


def signed(body: bytes, *, topic="orders/create", event_id=None, secret=SECRET, shop="demo-store.myshopify.com"):
    """The headers Shopify sends with a delivery of ``body``."""
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": shopify_signature(secret, body),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Api-Version": "2026-10",
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": "2026-12-01T15:00:00Z",
    }


def body_of(payload) -> bytes:
    return json.dumps(payload).encode()


@pytest.fixture
def shop(customer_a, user_a):
    """(connection, products by SKU) for customer A."""
    warehouse = Warehouse.objects.create(
        code="LAX1",
        name="Los Angeles",
        address1="1 Dock Rd",
        city="Carson",
        state="CA",
        postal_code="90810",
        country="US",
    )
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[warehouse])
    with customer_scope(customer_a):
        products = {
            "TEE": product_create(
                actor=user_a, data={"sku": "TEE", "upc": TEE_UPC, "name": "Tee", "declared_value": "3", "weight_g": 200}
            ),
            "MUG": product_create(
                actor=user_a, data={"sku": "MUG", "name": "Mug", "declared_value": "3", "weight_g": 400}
            ),
        }
        connection = connection_create(
            actor=user_a,
            platform="shopify",
            shop_domain="demo-store.myshopify.com",
            webhook_secret=SECRET,
            token=TOKEN,
            default_warehouse=warehouse,
        )
    return connection, products


# The WooCommerce store fixtures (woo.py), for every test module here.
from .ebay_fixtures import ebay_shop, fake_ebay  # noqa: E402, F401 - the eBay fixtures, shared
from .woo import fake_woo, woo  # noqa: E402, F401
