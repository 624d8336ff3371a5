"""eBay's REST APIs, as the integration needs them: the Sell Fulfillment API v1 (getOrders,
getOrder, getShippingFulfillments, createShippingFulfillment), the Identity API's getUser (who
consented, once on connect) and the Notification API's getPublicKey (to verify the pushes).

Plain Python over httpx (STYLE rule 11): no models, eBay's JSON as it comes (``orders.py`` reads
it into our terms). Explicit connect/read timeouts. Errors are ``PlatformError``s carrying eBay's
``errors[0].errorId`` as ``code``:

- 401 (errorId 1001, "Invalid access token": the ~2-hour token lapsed): when the client was given
  ``renew`` (a callable returning a fresh token), it renews once and sends again; otherwise final;
- 429 with ``Retry-After``, 5xx, timeouts and broken connections: waited out within bounds for
  reads (``max_attempts``, no single wait over ``MAX_WAIT_SECONDS``), then raised retryable with
  ``retry_after``; a POST is never sent twice by the client — a lost answer may have been taken,
  and only the caller can look first (createShippingFulfillment after getShippingFulfillments);
- other 4xx: final, with eBay's message.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote

import httpx

from ..platforms import PlatformError
from .auth import RETRYABLE_STATUSES, Origins

FULFILLMENT_PATH = "/sell/fulfillment/v1"
IDENTITY_PATH = "/commerce/identity/v1/user/"
PUBLIC_KEY_PATH = "/commerce/notification/v1/public_key/"
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 20.0
MAX_ATTEMPTS = 4
MAX_WAIT_SECONDS = 30.0
BACKOFF_BASE_SECONDS = 0.5
PAGE_LIMIT = 200  # getOrders takes at most 200 a page
INVALID_TOKEN = "1001"


@dataclass(frozen=True)
class OrdersPage:
    orders: list[dict]
    total: int
    offset: int
    next_offset: int | None  # None: the last page


def retry_after_seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


def ebay_time(moment) -> str:
    """A datetime as eBay's filters want it: UTC, milliseconds, Z."""
    if moment.tzinfo is None:
        raise ValueError("the time must be timezone-aware")
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "Z"


def error_of(response: httpx.Response) -> tuple[str, str]:
    """(errorId, message) of eBay's error JSON ``{"errors": [{errorId, domain, category, message}]}``."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return "", ""
    first = errors[0]
    return str(first.get("errorId") or ""), str(first.get("longMessage") or first.get("message") or "")[:300]


class EbayClient:
    """One seller's eBay APIs. Use as a context manager, or call close()."""

    def __init__(
        self,
        *,
        origins: Origins,
        access_token: str,
        renew: Callable[[], str] | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not access_token:
            raise PlatformError("The eBay connection has no access token.", retryable=False, code="NO_TOKEN")
        self.origins = origins
        self.token = access_token
        self.renew = renew
        self.max_attempts = max(1, max_attempts)
        self.sleep = sleep
        self.http = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )

    def __enter__(self) -> EbayClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # The calls.

    def orders(self, *, filter: str, offset: int = 0, limit: int = PAGE_LIMIT) -> OrdersPage:  # noqa: A002
        """One page of getOrders (``filter`` in eBay's syntax, e.g.
        ``lastmodifieddate:[2026-12-01T00:00:00.000Z..],orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}``)."""
        limit = max(1, min(limit, PAGE_LIMIT))
        params = {"filter": filter, "limit": str(limit), "offset": str(max(0, offset))}
        body = self.request("GET", f"{self.origins.api}{FULFILLMENT_PATH}/order", params=params).json()
        orders = [o for o in body.get("orders") or [] if isinstance(o, dict)]
        total = int(body.get("total") or 0)
        offset = int(body.get("offset") or offset)
        following = offset + len(orders)
        more = bool(body.get("next")) and orders and following < total
        return OrdersPage(orders=orders, total=total, offset=offset, next_offset=following if more else None)

    def order(self, order_id: str) -> dict:
        """getOrder: one order with its cancellation requests (getOrders leaves them empty)."""
        return self.request("GET", f"{self.origins.api}{FULFILLMENT_PATH}/order/{quote(order_id, safe='')}").json()

    def shipping_fulfillments(self, order_id: str) -> list[dict]:
        """getShippingFulfillments: the packages already marked shipped on the order."""
        url = f"{self.origins.api}{FULFILLMENT_PATH}/order/{quote(order_id, safe='')}/shipping_fulfillment"
        body = self.request("GET", url).json()
        return [f for f in body.get("fulfillments") or [] if isinstance(f, dict)]

    def shipping_fulfillment_create(self, order_id: str, details: dict) -> str:
        """createShippingFulfillment; returns the fulfillmentId eBay made (from the Location header)."""
        url = f"{self.origins.api}{FULFILLMENT_PATH}/order/{quote(order_id, safe='')}/shipping_fulfillment"
        response = self.request("POST", url, json=details, once=True)
        return (response.headers.get("Location") or "").rstrip("/").rsplit("/", 1)[-1]

    def user(self) -> dict:
        """getUser: the consenting account (userId, username)."""
        return self.request("GET", f"{self.origins.apiz}{IDENTITY_PATH}").json()

    def public_key(self, kid: str) -> dict:
        """getPublicKey (with an application token): {key (PEM), algorithm, digest}."""
        return self.request("GET", f"{self.origins.api}{PUBLIC_KEY_PATH}{quote(kid, safe='')}").json()

    # The transport, with the retry rules.

    def request(self, method: str, url: str, *, params=None, json=None, once: bool = False) -> httpx.Response:
        """Send with the bearer token; renew it once on 401 1001; retry reads within the bounds."""
        renewed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._send(method, url, params=params, json=json)
            except _TokenLapsed as lapsed:
                if renewed or self.renew is None:
                    raise lapsed.error from None
                self.token = self.renew()
                renewed = True
                attempt -= 1
            except _Retry as wait:
                error = wait.error
                seconds = wait.seconds if wait.seconds is not None else self.backoff(attempt)
                error.retry_after = seconds
                if once or attempt >= self.max_attempts or seconds > MAX_WAIT_SECONDS:
                    raise error from None
                self.sleep(seconds)

    def backoff(self, attempt: int) -> float:
        return min(BACKOFF_BASE_SECONDS * 2 ** (attempt - 1), MAX_WAIT_SECONDS)

    def _send(self, method: str, url: str, *, params, json) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self.http.request(method, url, params=params, json=json, headers=headers)
        except httpx.TimeoutException as exc:
            raise _Retry(None, PlatformError("eBay did not answer in time.", retryable=True, code="TIMEOUT")) from exc
        except httpx.TransportError as exc:
            error = PlatformError(f"Could not reach eBay ({type(exc).__name__}).", retryable=True, code="NETWORK")
            raise _Retry(None, error) from exc
        status = response.status_code
        if status in (200, 201, 204):
            return response
        code, words = error_of(response)
        if status == 429:
            error = PlatformError("eBay is rate limiting this app.", retryable=True, status=status, code=code or "429")
            raise _Retry(retry_after_seconds(response.headers.get("Retry-After")), error)
        if status in RETRYABLE_STATUSES or status >= 500:
            error = PlatformError(f"eBay answered {status}.", retryable=True, status=status, code=code)
            raise _Retry(retry_after_seconds(response.headers.get("Retry-After")), error)
        if status == 401:
            error = PlatformError(
                "eBay refused the access token; reconnect the eBay account.",
                retryable=False,
                status=status,
                code=code or "401",
            )
            raise _TokenLapsed(error)
        if status == 403:
            text = f"eBay refused the request: the account did not grant the app this access ({words or status})."
            raise PlatformError(text, retryable=False, status=status, code=code or "403")
        if status == 404:
            raise PlatformError(f"eBay has no such resource ({words or url}).", retryable=False, status=404, code=code)
        raise PlatformError(
            f"eBay refused the request ({status}): {words or 'no reason given'}",
            retryable=False,
            status=status,
            code=code,
        )


class _Retry(Exception):
    def __init__(self, seconds: float | None, error: PlatformError) -> None:
        super().__init__(error.message)
        self.seconds = seconds
        self.error = error


class _TokenLapsed(Exception):
    def __init__(self, error: PlatformError) -> None:
        super().__init__(error.message)
        self.error = error
