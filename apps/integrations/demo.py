"""The demo shop: the first demo customer's Shopify connection to the local fake Shopify
(`manage.py fake_shop --demo`), with a fixed webhook secret so the fake can sign its deliveries.
Idempotent: the connection is made once."""

from apps.core.tenancy import customer_scope
from apps.warehouses.selectors import customer_warehouses

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
