"""The plain rules of the OAuth install (oauth.py): Shopify's query signature, checked with the
example of Shopify's own OAuth documentation (secret "hush"), the shop's hostname, the authorize
URL and the scopes a token lacks."""

from urllib.parse import parse_qs, urlsplit

import pytest

from apps.integrations.oauth import (
    authorize_url,
    query_signature,
    query_signature_ok,
    scopes_missing,
    shop_hostname_ok,
    state_ok,
)

DOCS_EXAMPLE = [
    ("code", "0907a61c0c8d55e99db179b68161bc00"),
    ("hmac", "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"),
    ("shop", "some-shop.myshopify.com"),
    ("state", "0.6784241404160823"),
    ("timestamp", "1337178173"),
]


def test_the_signature_of_shopifys_documented_example():
    assert query_signature("hush", DOCS_EXAMPLE) == DOCS_EXAMPLE[1][1]
    assert query_signature_ok("hush", reversed(DOCS_EXAMPLE))  # the order they come in does not matter


@pytest.mark.parametrize(
    "params",
    [
        [(k, v) if k != "shop" else (k, "evil-shop.myshopify.com") for k, v in DOCS_EXAMPLE],  # a value changed
        [(k, v) for k, v in DOCS_EXAMPLE if k != "hmac"],  # unsigned
        [*DOCS_EXAMPLE, ("extra", "1")],  # a parameter added
    ],
)
def test_a_changed_query_fails_the_signature(params):
    assert not query_signature_ok("hush", params)


def test_another_secret_fails_and_no_secret_never_passes():
    assert not query_signature_ok("other", DOCS_EXAMPLE)
    assert not query_signature_ok("", DOCS_EXAMPLE)


@pytest.mark.parametrize(
    ("shop", "ok"),
    [
        ("demo-store.myshopify.com", True),
        ("demo-store.myshopify.com.evil.example", False),
        ("shop.example.com", False),
        ("-bad.myshopify.com", False),
        ("demo-store.myshopify.com/admin", False),
        ("", False),
    ],
)
def test_only_a_myshopify_hostname_is_a_shop(shop, ok):
    assert shop_hostname_ok(shop) is ok


def test_the_authorize_url_asks_for_an_offline_token():
    url = authorize_url(
        origin="https://demo-store.myshopify.com",
        client_id="abc",
        scopes="read_orders, write_inventory",
        redirect_uri="https://hub.example/integrations/shopify/oauth/callback/",
        state="nonce",
    )
    parts = urlsplit(url)
    assert (parts.netloc, parts.path) == ("demo-store.myshopify.com", "/admin/oauth/authorize")
    query = parse_qs(parts.query)
    assert query == {
        "client_id": ["abc"],
        "scope": ["read_orders,write_inventory"],
        "redirect_uri": ["https://hub.example/integrations/shopify/oauth/callback/"],
        "state": ["nonce"],
    }


def test_state_must_match_and_never_be_empty():
    assert state_ok("abc", "abc")
    assert not state_ok("abc", "abd") and not state_ok("", "")


def test_missing_scopes_count_a_write_scope_as_its_read():
    assert scopes_missing("read_orders,read_inventory,write_inventory", "read_orders,write_inventory") == []
    assert scopes_missing("read_orders,read_locations", "read_orders") == ["read_locations"]
