"""eBay's OAuth, as the integration uses it (developer.ebay.com, "Getting user access tokens"):

- the seller's consent: ``https://auth.ebay.com/oauth2/authorize?client_id&redirect_uri=<RuName>
  &response_type=code&scope=…&state=…``; eBay sends the seller back to the RuName's accepted URL
  with ``code`` (valid about 5 minutes) and our ``state``;
- ``POST /identity/v1/oauth2/token`` on api.ebay.com, form-encoded, authenticated with
  ``Basic base64(client_id:client_secret)``:
  ``grant_type=authorization_code`` (code, redirect_uri=RuName) → a user access token (~2 h,
  ``expires_in`` 7200) and a refresh token (~18 months, ``refresh_token_expires_in``);
  ``grant_type=refresh_token`` (refresh_token, scope) → a new access token (the refresh token
  stays); ``grant_type=client_credentials`` (scope …/oauth/api_scope) → an application token, which
  the Notification API's getPublicKey wants.
eBay answers refusals with ``{"error": "invalid_grant" | "invalid_client" | …, "error_description"}``.

Plain Python over httpx: explicit timeouts, no retries here, every failure a ``PlatformError``
saying whether trying later may help. Secrets never appear in a message.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

import httpx

from ..platforms import PlatformError

CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 15.0
TOKEN_PATH = "/identity/v1/oauth2/token"
AUTHORIZE_PATH = "/oauth2/authorize"
SCOPE_ROOT = "https://api.ebay.com/oauth/api_scope"
SCOPE_FULFILLMENT = SCOPE_ROOT + "/sell.fulfillment"
SCOPE_INVENTORY = SCOPE_ROOT + "/sell.inventory"
SCOPE_IDENTITY = SCOPE_ROOT + "/commerce.identity.readonly"  # who the seller is (getUser), once, on connect
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
HOSTS = {
    "production": {"api": "https://api.ebay.com", "apiz": "https://apiz.ebay.com", "auth": "https://auth.ebay.com"},
    "sandbox": {
        "api": "https://api.sandbox.ebay.com",
        "apiz": "https://apiz.sandbox.ebay.com",
        "auth": "https://auth.sandbox.ebay.com",
    },
}


@dataclass(frozen=True)
class Origins:
    api: str  # the Sell APIs, the token endpoint, the Notification API
    apiz: str  # the Identity API
    auth: str  # the consent page


def origins(environment: str = "production", api_base: str | None = None) -> Origins:
    """eBay's hosts for the environment, or the scheme and host of ``api_base`` for all of them
    (a connection pointed at the local fake)."""
    if api_base:
        parts = urlsplit(api_base)
        origin = f"{parts.scheme}://{parts.netloc}"
        return Origins(api=origin, apiz=origin, auth=origin)
    hosts = HOSTS.get(environment) or HOSTS["production"]
    return Origins(api=hosts["api"], apiz=hosts["apiz"], auth=hosts["auth"])


def scopes_for(*, stock_sync: bool = False, identity: bool = False) -> str:
    """The scopes asked for, space-separated as eBay wants them."""
    scopes = [SCOPE_FULFILLMENT]
    if stock_sync:
        scopes.append(SCOPE_INVENTORY)
    if identity:
        scopes.append(SCOPE_IDENTITY)
    return " ".join(scopes)


def authorize_url(*, origin: str, client_id: str, ru_name: str, scopes: str, state: str) -> str:
    """Where the seller signs in to eBay and grants the app its scopes."""
    query = urlencode(
        {"client_id": client_id, "redirect_uri": ru_name, "response_type": "code", "scope": scopes, "state": state}
    )
    return f"{origin}{AUTHORIZE_PATH}?{query}"


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_at: datetime | None
    refresh_token: str = ""  # only the authorization-code grant gives one
    refresh_token_expires_at: datetime | None = None


def basic_auth(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


def code_token(*, origin: str, client_id: str, client_secret: str, code: str, ru_name: str, now: datetime):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": ru_name}
    return token_request(origin, client_id, client_secret, form, now=now)


def refreshed_token(
    *, origin: str, client_id: str, client_secret: str, refresh_token: str, scopes: str, now: datetime
) -> TokenGrant:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": scopes}
    return token_request(origin, client_id, client_secret, form, now=now)


def application_token(*, origin: str, client_id: str, client_secret: str, now: datetime) -> TokenGrant:
    form = {"grant_type": "client_credentials", "scope": SCOPE_ROOT}
    return token_request(origin, client_id, client_secret, form, now=now)


def _after(now: datetime, seconds) -> datetime | None:
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return None
    return now + timedelta(seconds=seconds) if seconds > 0 else None


def token_request(origin: str, client_id: str, client_secret: str, form: dict, *, now: datetime) -> TokenGrant:
    """POST the grant to eBay's token endpoint and read the answer; PlatformError on any failure.
    ``code`` is eBay's ``error`` (``invalid_grant``: the code or refresh token is spent or revoked)."""
    if not client_id or not client_secret:
        raise PlatformError(
            "eBay's app keys are not configured (EBAY_CLIENT_ID, EBAY_CLIENT_SECRET).", retryable=False, code="NO_KEYS"
        )
    try:
        response = httpx.post(
            origin + TOKEN_PATH,
            data=form,
            headers={"Authorization": basic_auth(client_id, client_secret), "Accept": "application/json"},
            timeout=httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
            follow_redirects=False,
        )
    except httpx.TimeoutException as exc:
        raise PlatformError("eBay's token endpoint did not answer in time.", retryable=True, code="TIMEOUT") from exc
    except httpx.TransportError as exc:
        raise PlatformError(f"Could not reach eBay ({type(exc).__name__}).", retryable=True, code="NETWORK") from exc
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if status in RETRYABLE_STATUSES or status >= 500:
        raise PlatformError(f"eBay's token endpoint answered {status}.", retryable=True, status=status)
    if status != 200:
        error = str(body.get("error") or "refused")
        words = str(body.get("error_description") or error)[:200]
        if error == "invalid_grant":
            text = f"eBay refused the seller's authorization ({words}); reconnect the eBay account."
        elif error == "invalid_client":
            text = f"eBay refused the app's keys ({words}); check EBAY_CLIENT_ID and EBAY_CLIENT_SECRET."
        else:
            text = f"eBay refused the token request: {words}"
        raise PlatformError(text, retryable=False, status=status, code=error[:40])
    token = str(body.get("access_token") or "")
    if not token:
        raise PlatformError("eBay's token answer held no access token.", retryable=True, status=status, code="BAD_JSON")
    return TokenGrant(
        access_token=token,
        expires_at=_after(now, body.get("expires_in")),
        refresh_token=str(body.get("refresh_token") or ""),
        refresh_token_expires_at=_after(now, body.get("refresh_token_expires_in")),
    )
