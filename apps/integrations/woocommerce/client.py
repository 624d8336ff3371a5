"""WooCommerce's REST API v3, as the integration needs it: orders modified since a time (page
numbers), the store's webhooks, Shipment Tracking items, order notes and the order's status.

Plain Python over httpx (STYLE rule 11), explicit timeouts; errors are ``PlatformError``s.

Authentication over HTTPS is HTTP Basic with the consumer key and secret. Some hosts strip the
``Authorization`` header before PHP sees it; WooCommerce then answers 401 as to a stranger, and
the client sends the keys again as ``consumer_key`` / ``consumer_secret`` query parameters (the
documented fallback), and keeps doing so (``query_auth``; the adapter remembers it on the
connection). Keys never appear in an error message.

Retries inside one call, within bounds: 429 (with Retry-After), 5xx, timeouts and broken
connections back off exponentially; at most ``max_attempts`` sends, no single wait over
``MAX_WAIT_SECONDS``; then the error is raised retryable with ``retry_after``. ``sleep`` is
injectable so tests record the waits.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ..platforms import PlatformError

API_PREFIX = "/wp-json/wc/v3"
TRACKING_PREFIX = "/wp-json/wc-shipment-tracking/v3"
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 30.0
MAX_ATTEMPTS = 4
MAX_WAIT_SECONDS = 30.0
BACKOFF_BASE_SECONDS = 0.5
PER_PAGE = 100  # the WordPress REST API's cap
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 522, 524})
NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


@dataclass(frozen=True)
class WooPage:
    orders: list[dict]
    page: int
    total: int | None  # X-WP-Total
    total_pages: int | None  # X-WP-TotalPages
    has_next: bool  # a Link rel="next", or page < total_pages


def retry_after_seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Retry(Exception):
    def __init__(self, seconds: float | None, error: PlatformError) -> None:
        super().__init__(error.message)
        self.seconds = seconds
        self.error = error


class WooClient:
    """One store's REST API. ``store_url`` is the site's root (https://shop.example); ``api_base``
    another server's root in its place (a local fake)."""

    def __init__(
        self,
        *,
        store_url: str,
        consumer_key: str,
        consumer_secret: str,
        api_base: str | None = None,
        query_auth: bool = False,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not consumer_key or not consumer_secret:
            raise PlatformError("The connection has no WooCommerce API keys.", retryable=False, code="NO_KEYS")
        self.root = (api_base or store_url).rstrip("/")
        self.key, self.secret = consumer_key, consumer_secret
        self.query_auth = query_auth
        self.max_attempts = max(1, max_attempts)
        self.sleep = sleep
        self.http = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"Accept": "application/json", "User-Agent": "FulfillmentHub/1 (WooCommerce integration)"},
            follow_redirects=False,
        )

    def __enter__(self) -> WooClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # Orders.

    def orders_modified_after(self, since_gmt: str, page: int = 1, per_page: int = PER_PAGE) -> WooPage:
        """One page of orders modified after ``since_gmt`` (GMT, "YYYY-MM-DDTHH:MM:SS"), oldest first."""
        params = {
            "modified_after": since_gmt,
            "dates_are_gmt": "true",
            "per_page": per_page,
            "page": page,
            "orderby": "modified",
            "order": "asc",
        }
        response, data = self.call("GET", f"{API_PREFIX}/orders", params=params)
        total_pages = _int(response.headers.get("X-WP-TotalPages"))
        link = response.headers.get("Link") or ""
        has_next = bool(NEXT_LINK.search(link)) or (total_pages is not None and page < total_pages)
        return WooPage(
            orders=[o for o in (data or []) if isinstance(o, dict)],
            page=page,
            total=_int(response.headers.get("X-WP-Total")),
            total_pages=total_pages,
            has_next=has_next,
        )

    def order(self, order_id: str) -> dict:
        return self.call("GET", f"{API_PREFIX}/orders/{order_id}")[1] or {}

    def order_update(self, order_id: str, fields: dict) -> dict:
        return self.call("PUT", f"{API_PREFIX}/orders/{order_id}", json=fields)[1] or {}

    def notes(self, order_id: str) -> list[dict]:
        data = self.call("GET", f"{API_PREFIX}/orders/{order_id}/notes", params={"type": "customer"})[1]
        return [n for n in (data or []) if isinstance(n, dict)]

    def note_create(self, order_id: str, note: str, *, customer_note: bool = True) -> dict:
        body = {"note": note, "customer_note": customer_note}
        return self.call("POST", f"{API_PREFIX}/orders/{order_id}/notes", json=body)[1] or {}

    # Shipment Tracking (the extension): None when the store does not have it.

    def trackings(self, order_id: str) -> list[dict] | None:
        try:
            data = self.call("GET", f"{TRACKING_PREFIX}/orders/{order_id}/shipment-trackings")[1]
        except PlatformError as exc:
            if exc.status == 404 and exc.code == "rest_no_route":
                return None
            raise
        return [t for t in (data or []) if isinstance(t, dict)]

    def tracking_create(self, order_id: str, item: dict) -> dict:
        return self.call("POST", f"{TRACKING_PREFIX}/orders/{order_id}/shipment-trackings", json=item)[1] or {}

    # Webhooks.

    def webhooks(self) -> list[dict]:
        found, page = [], 1
        while True:
            response, data = self.call("GET", f"{API_PREFIX}/webhooks", params={"per_page": PER_PAGE, "page": page})
            found.extend(w for w in (data or []) if isinstance(w, dict))
            total_pages = _int(response.headers.get("X-WP-TotalPages")) or 1
            if page >= total_pages or page >= 20:
                return found
            page += 1

    def webhook_create(self, *, name: str, topic: str, delivery_url: str, secret: str) -> dict:
        body = {"name": name, "topic": topic, "delivery_url": delivery_url, "secret": secret, "status": "active"}
        return self.call("POST", f"{API_PREFIX}/webhooks", json=body)[1] or {}

    def webhook_update(self, webhook_id, fields: dict) -> dict:
        return self.call("PUT", f"{API_PREFIX}/webhooks/{webhook_id}", json=fields)[1] or {}

    def webhook_delete(self, webhook_id) -> None:
        self.call("DELETE", f"{API_PREFIX}/webhooks/{webhook_id}", params={"force": "true"})

    # Products (stock out).

    def products(self, *, include: list[str] | None = None, type: str = "", page: int = 1) -> list[dict]:  # noqa: A002
        params = {"per_page": PER_PAGE, "page": page}
        if include:
            params["include"] = ",".join(include)
        if type:
            params["type"] = type
        data = self.call("GET", f"{API_PREFIX}/products", params=params)[1]
        return [p for p in (data or []) if isinstance(p, dict)]

    def products_batch(self, updates: list[dict]) -> list[dict]:
        data = self.call("POST", f"{API_PREFIX}/products/batch", json={"update": updates})[1] or {}
        return [p for p in (data.get("update") or []) if isinstance(p, dict)]

    def variations_batch(self, product_id: str, updates: list[dict]) -> list[dict]:
        path = f"{API_PREFIX}/products/{product_id}/variations/batch"
        data = self.call("POST", path, json={"update": updates})[1] or {}
        return [p for p in (data.get("update") or []) if isinstance(p, dict)]

    # The transport, with the retry and fallback rules.

    def call(self, method: str, path: str, *, params: dict | None = None, json=None) -> tuple[httpx.Response, object]:
        """Send one request (retrying within bounds) and return (response, its JSON)."""
        last: PlatformError | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self.send_once(method, path, params or {}, json)
            except _Retry as wait:
                last = wait.error
                seconds = wait.seconds if wait.seconds is not None else self.backoff(attempt)
                last.retry_after = seconds
                if seconds > MAX_WAIT_SECONDS:
                    break
                if attempt < self.max_attempts:
                    self.sleep(seconds)
        raise last

    def backoff(self, attempt: int) -> float:
        return min(BACKOFF_BASE_SECONDS * 2 ** (attempt - 1), MAX_WAIT_SECONDS)

    def send_once(self, method: str, path: str, params: dict, json) -> tuple[httpx.Response, object]:
        response = self._send(method, path, params, json)
        if response.status_code == 401 and not self.query_auth:
            # The host may have stripped the Authorization header: the keys as query parameters.
            self.query_auth = True
            response = self._send(method, path, params, json)
            if response.status_code == 401:
                self.query_auth = False
        return response, self._read(response)

    def _send(self, method: str, path: str, params: dict, json) -> httpx.Response:
        params = dict(params)
        auth = None
        if self.query_auth:
            params.update(consumer_key=self.key, consumer_secret=self.secret)
        else:
            auth = httpx.BasicAuth(self.key, self.secret)
        try:
            return self.http.request(method, self.root + path, params=params, json=json, auth=auth)
        except httpx.TimeoutException as exc:
            error = PlatformError("WooCommerce did not answer in time.", retryable=True, code="TIMEOUT")
            raise _Retry(None, error) from exc
        except httpx.TransportError as exc:
            error = PlatformError(
                f"Could not reach the WooCommerce store ({type(exc).__name__}).", retryable=True, code="NETWORK"
            )
            raise _Retry(None, error) from exc

    def _read(self, response: httpx.Response):
        status = response.status_code
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = None
        code, message = "", ""
        if isinstance(data, dict) and "code" in data and status >= 400:
            code, message = str(data.get("code") or ""), str(data.get("message") or "")[:300]
        if status == 429:
            words = "The WooCommerce store is limiting our requests."
            error = PlatformError(words, retryable=True, status=status, code=code or "THROTTLED")
            raise _Retry(retry_after_seconds(response.headers.get("Retry-After")), error)
        if status in RETRYABLE_STATUSES or status >= 500:
            error = PlatformError(f"WooCommerce answered {status}.", retryable=True, status=status, code=code)
            raise _Retry(None, error)
        if status in (401, 403):
            raise PlatformError(
                "WooCommerce refused the API keys"
                + (f" ({message})" if message else "")
                + ": check that they exist and have Read/Write permission, then reconnect the store.",
                retryable=False,
                status=status,
                code=code or "UNAUTHORIZED",
            )
        if status >= 400:
            words = message or f"HTTP {status}"
            raise PlatformError(f"WooCommerce refused the request: {words}", retryable=False, status=status, code=code)
        if 300 <= status < 400:
            raise PlatformError(
                f"WooCommerce redirected the request ({status}); check the store URL (https, pretty permalinks).",
                retryable=False,
                status=status,
                code="REDIRECT",
            )
        if data is None and response.content:
            error = PlatformError("WooCommerce's answer was not JSON.", retryable=True, status=status, code="BAD_JSON")
            raise _Retry(None, error)
        return data
