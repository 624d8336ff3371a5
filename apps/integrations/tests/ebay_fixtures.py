"""An eBay seller account to receive from: the fake eBay over real HTTP, the hub's eBay settings
pointed at it, and customer A's connection to it (made from a consent's tokens)."""

import datetime

import pytest

from apps.core.tenancy import customer_scope
from apps.integrations.connect import ConnectOptions
from apps.integrations.connect_ebay import ebay_connect_tokens
from apps.integrations.ebay.fake_server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_RU_NAME, FakeEbay
from apps.integrations.ebay.notifications import KEYS
from apps.integrations.models import Connection

VERIFICATION_TOKEN = "fh-ebay-verification-token-0123456789abcdef0123"
START = datetime.date(2026, 11, 20)


@pytest.fixture
def fake_ebay(settings):
    with FakeEbay() as fake:
        settings.EBAY_CLIENT_ID, settings.EBAY_CLIENT_SECRET = DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
        settings.EBAY_RU_NAME, settings.EBAY_ENVIRONMENT = DEFAULT_RU_NAME, "sandbox"
        settings.EBAY_API_BASE = fake.url
        settings.EBAY_VERIFICATION_TOKEN = VERIFICATION_TOKEN
        KEYS.clear()
        yield fake


@pytest.fixture
def ebay_shop(shop, fake_ebay, user_a):
    """(connection, products, fake): customer A's eBay account, importing from 2026-11-20."""
    _shopify, products = shop
    token, refresh = fake_ebay.token_issue()
    with customer_scope(user_a.customer):
        result = ebay_connect_tokens(
            actor=user_a,
            access_token=token,
            refresh_token=refresh,
            expires_in=7200,
            options=ConnectOptions(default_warehouse=_shopify.default_warehouse, import_since=START),
        )
    return result.connection, products, fake_ebay


def fresh(connection) -> Connection:
    with customer_scope(connection.customer):
        return Connection.objects.select_related("customer", "default_warehouse").get(pk=connection.pk)
