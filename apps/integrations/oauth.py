"""Plain rules of Shopify's OAuth install (authorization-code grant) for a public app: the shop's
hostname, the authorize URL, the state nonce and the HMAC Shopify puts on the requests it sends
to us. No database, no HTTP here (the token exchange is shopify/auth.py, the flow connect.py).

Shopify signs the install request and the redirect back to us: ``hmac`` is the hex HMAC-SHA256,
under the app's client secret, of the other query parameters sorted by name and joined as
``name=value`` with ``&`` (the values as decoded from the URL). Compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from urllib.parse import urlencode

from .shopify.auth import AUTHORIZE_PATH

# A shop's own hostname: <handle>.myshopify.com (never a custom domain, never a path).
SHOP_HOSTNAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
SIGNATURE_PARAMS = frozenset({"hmac", "signature"})


def shop_hostname_ok(shop: str) -> bool:
    return bool(SHOP_HOSTNAME.fullmatch(shop or ""))


def state_new() -> str:
    """A one-time nonce tying Shopify's answer to the install this session started."""
    return secrets.token_urlsafe(32)


def state_ok(expected: str, given: str) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())


def scopes_clean(text: str) -> str:
    """``"read_orders, write_inventory"`` → ``"read_orders,write_inventory"``."""
    return ",".join(s.strip() for s in (text or "").split(",") if s.strip())


def authorize_url(*, origin: str, client_id: str, scopes: str, redirect_uri: str, state: str) -> str:
    """Where the merchant approves the app. No ``grant_options[]``: an offline token, the one
    background work (webhooks, the poll, tracking out) can use."""
    query = urlencode(
        {"client_id": client_id, "scope": scopes_clean(scopes), "redirect_uri": redirect_uri, "state": state}
    )
    return f"{origin}{AUTHORIZE_PATH}?{query}"


def query_message(params: Iterable[tuple[str, str]]) -> str:
    """What the signature covers: every parameter but the signature itself, sorted, name=value&…"""
    pairs = sorted((name, value) for name, value in params if name not in SIGNATURE_PARAMS)
    return "&".join(f"{name}={value}" for name, value in pairs)


def query_signature(secret: str, params: Iterable[tuple[str, str]]) -> str:
    return hmac.new(secret.encode(), query_message(params).encode(), hashlib.sha256).hexdigest()


def query_signature_ok(secret: str, params: Iterable[tuple[str, str]]) -> bool:
    """Whether the query's ``hmac`` is Shopify's signature of the rest under ``secret``."""
    params = list(params)
    given = next((value for name, value in params if name == "hmac"), "")
    if not secret or not given:
        return False
    return hmac.compare_digest(query_signature(secret, params).encode(), given.strip().lower().encode())


def scopes_missing(wanted: str, granted: str) -> list[str]:
    """The scopes asked for that the token does not carry (a write scope implies its read)."""
    have = set(scopes_clean(granted).split(","))
    have |= {"read_" + s.removeprefix("write_") for s in have if s.startswith("write_")}
    return [s for s in scopes_clean(wanted).split(",") if s and s not in have]
