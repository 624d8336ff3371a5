"""Shopify's token endpoint, `POST https://<shop>/admin/oauth/access_token`, for the three grants
the integration uses (form-encoded, as shopify.dev documents them):

- `client_credentials` (client_id, client_secret): a Dev-Dashboard app installed on a store of
  the app's own organization; the token lasts about 24 hours (`expires_in`) and has no refresh
  token, so it is asked for again before it runs out;
- the authorization code of the OAuth install (client_id, client_secret, code, `expiring=1`):
  an expiring offline token (60 minutes) with a refresh token (90 days);
- `refresh_token` (client_id, client_secret, refresh_token): a new token pair; store both.

Plain Python over httpx like client.py: explicit timeouts, no retries here (a person is waiting,
or the caller's schedule retries), every failure a `ShopifyError` that says whether trying again
later may help. Secrets never appear in a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx

from .client import CONNECT_TIMEOUT_SECONDS, RETRYABLE_STATUSES, ShopifyError

READ_TIMEOUT_SECONDS = 15.0
TOKEN_PATH = "/admin/oauth/access_token"
AUTHORIZE_PATH = "/admin/oauth/authorize"


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    scope: str  # comma-separated, as granted
    expires_at: datetime | None  # None: the token does not expire
    refresh_token: str = ""
    refresh_token_expires_at: datetime | None = None


def shop_origin(shop: str, api_base: str | None = None) -> str:
    """Where the shop's OAuth endpoints live: ``https://<shop>``, or the scheme and host of
    ``api_base`` when the connection points at another server (the local fake)."""
    if api_base:
        parts = urlsplit(api_base)
        return f"{parts.scheme}://{parts.netloc}"
    return f"https://{shop}"


def client_credentials_token(*, origin: str, client_id: str, client_secret: str, now: datetime) -> TokenGrant:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    return token_request(origin, form, now=now)


def authorization_code_token(
    *, origin: str, client_id: str, client_secret: str, code: str, now: datetime, expiring: bool = True
) -> TokenGrant:
    form = {"client_id": client_id, "client_secret": client_secret, "code": code}
    if expiring:
        form["expiring"] = "1"
    return token_request(origin, form, now=now)


def refreshed_token(
    *, origin: str, client_id: str, client_secret: str, refresh_token: str, now: datetime
) -> TokenGrant:
    form = {
        "grant_type": "refresh_token",
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
    }
    return token_request(origin, form, now=now)


def _after(now: datetime, seconds) -> datetime | None:
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return None
    return now + timedelta(seconds=seconds) if seconds > 0 else None


def token_request(origin: str, form: dict, *, now: datetime) -> TokenGrant:
    """POST the form to the token endpoint and read the grant; ShopifyError on any failure."""
    host = urlsplit(origin).netloc or origin
    try:
        response = httpx.post(
            origin + TOKEN_PATH,
            data=form,
            headers={"Accept": "application/json"},
            timeout=httpx.Timeout(READ_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
            follow_redirects=False,
        )
    except httpx.TimeoutException as exc:
        raise ShopifyError(f"{host} did not answer in time.", retryable=True, code="TIMEOUT") from exc
    except httpx.TransportError as exc:
        raise ShopifyError(f"Could not reach {host} ({type(exc).__name__}).", retryable=True, code="NETWORK") from exc
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if status in RETRYABLE_STATUSES or status >= 500:
        raise ShopifyError(f"Shopify's token endpoint answered {status}.", retryable=True, status=status)
    if status == 404:
        raise ShopifyError(f"No Shopify shop answers at {host}.", retryable=False, status=status, code="NOT_FOUND")
    if status != 200:
        error = str(body.get("error") or "")
        words = str(body.get("error_description") or error or body.get("errors") or f"HTTP {status}")
        raise ShopifyError(
            f"Shopify refused the app's credentials: {words[:200]}",
            retryable=False,
            status=status,
            code=(error or "REFUSED").upper()[:40],
        )
    token = str(body.get("access_token") or "")
    if not token:
        raise ShopifyError(
            "Shopify's token answer held no access token.", retryable=True, status=status, code="BAD_JSON"
        )
    return TokenGrant(
        access_token=token,
        scope=str(body.get("scope") or ""),
        expires_at=_after(now, body.get("expires_in")),
        refresh_token=str(body.get("refresh_token") or ""),
        refresh_token_expires_at=_after(now, body.get("refresh_token_expires_in")),
    )
