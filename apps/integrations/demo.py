"""The demo shop: the first demo customer's Shopify connection to the local fake Shopify
(`manage.py fake_shop --demo`), with a fixed webhook secret so the fake can sign its deliveries.
Idempotent: the connection is made once.

The demo eBay account: the same customer's eBay connection to the local fake eBay
(`manage.py fake_ebay --demo`, started by `make run`), with the fake's fixed token."""

from apps.core.tenancy import customer_scope
from apps.warehouses.selectors import customer_warehouses

from .ebay.fake_server import DEFAULT_TOKEN as EBAY_DEMO_TOKEN
from .ebay.fake_server import DEMO_PORT as EBAY_DEMO_PORT
from .models import Connection
from .services import connection_create
from .shopify.fake_server import DEFAULT_DOMAIN, DEFAULT_TOKEN

DEMO_SECRET = "demo-shopify-webhook-secret"  # demo data only: never a real shop's


def seed_connection(owner) -> Connection:
    with customer_scope(owner.customer):
        existing = Connection.objects.filter(shop_domain=DEFAULT_DOMAIN).first()
        if existing is not None:
            return existing
        return connection_create(
            actor=owner,
            platform="shopify",
            shop_domain=DEFAULT_DOMAIN,
            display_name="Demo store (local fake Shopify)",
            webhook_secret=DEMO_SECRET,
            token=DEFAULT_TOKEN,
            default_warehouse=customer_warehouses(customer=owner.customer).first(),
        )


def demo_connection() -> Connection | None:
    """The demo shop's connection (staff side: any customer's), or None before seed_demo ran."""
    return Connection.objects.filter(shop_domain=DEFAULT_DOMAIN).select_related("customer").first()


EBAY_DEMO_ACCOUNT = "fake_seller"


def seed_ebay_connection(owner) -> Connection:
    with customer_scope(owner.customer):
        existing = Connection.objects.filter(platform="ebay", shop_domain=EBAY_DEMO_ACCOUNT).first()
        if existing is not None:
            return existing
        return connection_create(
            actor=owner,
            platform="ebay",
            shop_domain=EBAY_DEMO_ACCOUNT,
            display_name="Demo eBay account (local fake eBay)",
            webhook_secret="demo-ebay-unused",  # eBay signs with its own keys; the model wants one
            token=EBAY_DEMO_TOKEN,
            api_base=f"http://127.0.0.1:{EBAY_DEMO_PORT}",
            default_warehouse=customer_warehouses(customer=owner.customer).first(),
        )


def demo_ebay_connection() -> Connection | None:
    return Connection.objects.filter(platform="ebay", shop_domain=EBAY_DEMO_ACCOUNT).select_related("customer").first()
