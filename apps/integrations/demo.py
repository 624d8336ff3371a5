"""The demo shops: the first demo customer's Shopify connection to the local fake Shopify
(`manage.py fake_shop --demo`) and WooCommerce connection to the local fake WooCommerce
(`manage.py fake_woocommerce --demo`), with fixed webhook secrets so the fakes can sign their
deliveries, and eBay connection to the local fake eBay (`manage.py fake_ebay --demo`), with the
fake's fixed token. Idempotent: each connection is made once."""

from apps.core.tenancy import customer_scope
from apps.warehouses.selectors import customer_warehouses

from .ebay.fake_server import DEFAULT_TOKEN as EBAY_DEMO_TOKEN
from .ebay.fake_server import DEMO_PORT as EBAY_DEMO_PORT
from .models import Connection
from .services import connection_create
from .shopify.fake_server import DEFAULT_DOMAIN, DEFAULT_TOKEN
from .woocommerce.fake_server import DEFAULT_KEY as WOO_DEFAULT_KEY
from .woocommerce.fake_server import DEFAULT_SECRET as WOO_DEFAULT_SECRET

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


# --- The demo WooCommerce store (`manage.py fake_woocommerce --demo`) ----------------------------

WOO_DOMAIN = "demo-woo.example"
WOO_SECRET = "demo-woocommerce-webhook-secret"  # demo data only: never a real store's


def seed_woo_connection(owner) -> Connection:
    """The first demo customer's WooCommerce store (the fake's keys); its api base and webhooks are
    set by the fake when it starts (it lives in memory)."""
    with customer_scope(owner.customer):
        existing = Connection.objects.filter(platform="woocommerce", shop_domain=WOO_DOMAIN).first()
        if existing is not None:
            return existing
        connection = connection_create(
            actor=owner,
            platform="woocommerce",
            shop_domain=WOO_DOMAIN,
            display_name="Demo store (local fake WooCommerce)",
            webhook_secret=WOO_SECRET,
            default_warehouse=customer_warehouses(customer=owner.customer).first(),
        )
        connection.set_credentials({"consumer_key": WOO_DEFAULT_KEY, "consumer_secret": WOO_DEFAULT_SECRET})
        connection.options = {"import_statuses": ["processing"], "complete_on_ship": True}
        connection.save(update_fields=["credentials_encrypted", "options", "updated_at"])
        return connection


def demo_woo_connection() -> Connection | None:
    return Connection.objects.filter(platform="woocommerce", shop_domain=WOO_DOMAIN).select_related("customer").first()


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
