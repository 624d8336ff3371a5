"""Shopify's GraphQL Admin API, as the integration needs it: orders updated since a time (cursor
pages), a fulfillment with its tracking, and the shop itself as a connection check.

Plain Python over httpx (STYLE rule 11): no models, results as the dataclasses below. Every call
has explicit connect/read timeouts. Errors are `ShopifyError`s; `retryable` tells the caller
whether the same request may succeed later (timeouts, 5xx, throttling that outlasted our
retries) or a person must act first (a refused token, a missing scope, userErrors).

Throttling is honoured inside one call, within bounds:
- HTTP 429 with `Retry-After` (seconds): wait that long and send again;
- a GraphQL `THROTTLED` error: wait until the bucket holds the query's cost again, from
  `extensions.cost` (`requestedQueryCost`, `throttleStatus.currentlyAvailable`, `restoreRate`);
- 5xx, timeouts and broken connections: exponential backoff.
At most `max_attempts` sends; a wait longer than `MAX_WAIT_SECONDS` is not slept but raised at
once. Either way the error is raised retryable, with `retry_after`, for the caller's own schedule
(an outbox row, the next poll). `sleep` is injectable
so tests record the waits instead of sitting them out.

The API version is `API_VERSION` unless settings name another (`SHOPIFY_API_VERSION`); the URL is
`https://<shop>/admin/api/<version>/graphql.json`, or `api_base` (the local fake) when given.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from ..platforms import PlatformError

# 2026-10 is the newest stable version on shopify.dev (Dec 2026); 2026-04 brings the inventory
# idempotency changes a 3PL needs. Bump quarterly; each version is supported ≥ 12 months.
API_VERSION = "2026-10"
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 20.0
MAX_ATTEMPTS = 5
MAX_WAIT_SECONDS = 60.0  # no single wait (Retry-After, bucket refill, backoff) is longer
BACKOFF_BASE_SECONDS = 0.5
# Requested cost is multiplied through nested connections (orders × line items); Shopify refuses
# a single query over 1,000 points. 10 orders × 50 lines with their variants stays under that.
ORDERS_PAGE_SIZE = 10
LINE_ITEMS_PER_ORDER = 50
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 522, 524})

ORDERS_QUERY = """
query OrdersUpdatedSince($first: Int!, $after: String, $query: String, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes {
      id name createdAt updatedAt cancelledAt email
      displayFinancialStatus displayFulfillmentStatus
      shippingAddress {
        name firstName lastName company address1 address2 city province provinceCode
        zip country countryCodeV2 phone
      }
      lineItems(first: $lines) {
        nodes { id sku quantity title variant { id barcode } }
        pageInfo { hasNextPage }
      }
      fulfillmentOrders(first: 5) { nodes { id status } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

FULFILLMENT_CREATE_MUTATION = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo { company number url } }
    userErrors { field message }
  }
}
"""

FULFILLMENT_ORDERS_QUERY = """
query OrderFulfillmentOrders($id: ID!) {
  order(id: $id) { id fulfillmentOrders(first: 10) { nodes { id status } } }
}
"""

SHOP_QUERY = """
query Shop { shop { name myshopifyDomain } }
"""


class ShopifyError(PlatformError):
    """Shopify did not do what was asked. `retryable`: the same request may succeed later; `code`
    is Shopify's extensions.code, or ours: TIMEOUT, NETWORK, USER_ERRORS …"""


@dataclass(frozen=True)
class ShopifyAddress:
    name: str
    first_name: str
    last_name: str
    company: str
    address1: str
    address2: str
    city: str
    province: str
    province_code: str
    zip: str
    country: str
    country_code: str
    phone: str


@dataclass(frozen=True)
class ShopifyLineItem:
    id: str  # gid://shopify/LineItem/…
    sku: str  # "" when the product has none
    quantity: int
    title: str
    variant_id: str  # "" when the variant was deleted
    barcode: str


@dataclass(frozen=True)
class ShopifyOrder:
    id: str  # gid://shopify/Order/…
    name: str  # "#1001": the reference the seller knows
    created_at: datetime
    updated_at: datetime
    cancelled_at: datetime | None
    email: str
    financial_status: str  # displayFinancialStatus, e.g. PAID
    fulfillment_status: str  # displayFulfillmentStatus, e.g. UNFULFILLED
    shipping_address: ShopifyAddress | None
    line_items: tuple[ShopifyLineItem, ...]
    lines_truncated: bool  # more than LINE_ITEMS_PER_ORDER lines: do not import as complete
    fulfillment_order_ids: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    orders: tuple[ShopifyOrder, ...]
    end_cursor: str | None
    has_next: bool


@dataclass(frozen=True)
class ShopifyFulfillment:
    id: str
    status: str
    tracking_company: str
    tracking_number: str
    tracking_url: str


@dataclass(frozen=True)
class ShopInfo:
    name: str
    domain: str  # the myshopify.com domain


def configured_api_version() -> str:
    """SHOPIFY_API_VERSION from settings when Django is set up and names one, else API_VERSION."""
    from django.conf import settings

    if not settings.configured:
        return API_VERSION
    return getattr(settings, "SHOPIFY_API_VERSION", "") or API_VERSION


def parse_datetime(value: str | None) -> datetime | None:
    """Shopify's ISO 8601 DateTime ("2026-12-02T10:00:00Z") as an aware datetime."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def search_time(moment: datetime) -> str:
    """A datetime as Shopify's search syntax wants it: UTC, seconds, Z, quoted."""
    if moment.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    return "'" + moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"


def retry_after_seconds(value: str | None) -> float | None:
    """The Retry-After header in seconds ("2.0"); None when missing or unreadable."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and math.isfinite(seconds) and seconds >= 0 else None


def throttle_wait_seconds(extensions: dict) -> float:
    """How long until the bucket holds the query's requested cost again (at least a second)."""
    cost = (extensions or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        requested = float(cost.get("requestedQueryCost") or 0)
        available = float(status.get("currentlyAvailable") or 0)
        restore_rate = float(status.get("restoreRate") or 0)
    except (TypeError, ValueError):
        return 1.0
    if restore_rate <= 0:
        return 1.0
    return max(1.0, (requested - available) / restore_rate)


def address_from(node: dict | None) -> ShopifyAddress | None:
    if not node:
        return None

    def text(key: str) -> str:
        return str(node.get(key) or "")

    return ShopifyAddress(
        name=text("name"),
        first_name=text("firstName"),
        last_name=text("lastName"),
        company=text("company"),
        address1=text("address1"),
        address2=text("address2"),
        city=text("city"),
        province=text("province"),
        province_code=text("provinceCode"),
        zip=text("zip"),
        country=text("country"),
        country_code=text("countryCodeV2"),
        phone=text("phone"),
    )


def order_from(node: dict) -> ShopifyOrder:
    lines = node.get("lineItems") or {}
    items = tuple(
        ShopifyLineItem(
            id=line["id"],
            sku=(line.get("sku") or "").strip(),
            quantity=int(line.get("quantity") or 0),
            title=line.get("title") or "",
            variant_id=((line.get("variant") or {}).get("id")) or "",
            barcode=((line.get("variant") or {}).get("barcode")) or "",
        )
        for line in lines.get("nodes") or []
    )
    return ShopifyOrder(
        id=node["id"],
        name=node.get("name") or "",
        created_at=parse_datetime(node["createdAt"]),
        updated_at=parse_datetime(node["updatedAt"]),
        cancelled_at=parse_datetime(node.get("cancelledAt")),
        email=node.get("email") or "",
        financial_status=node.get("displayFinancialStatus") or "",
        fulfillment_status=node.get("displayFulfillmentStatus") or "",
        shipping_address=address_from(node.get("shippingAddress")),
        line_items=items,
        lines_truncated=bool((lines.get("pageInfo") or {}).get("hasNextPage")),
        fulfillment_order_ids=tuple(fo["id"] for fo in (node.get("fulfillmentOrders") or {}).get("nodes") or []),
    )


class ShopifyClient:
    """One shop's GraphQL Admin API. Use as a context manager, or call close()."""

    def __init__(
        self,
        *,
        shop: str,
        access_token: str,
        api_base: str | None = None,
        api_version: str | None = None,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not access_token:
            raise ShopifyError("The connection has no access token.", retryable=False, code="NO_TOKEN")
        self.shop_domain = shop
        self.api_version = api_version or configured_api_version()
        self.url = api_base or f"https://{shop}/admin/api/{self.api_version}/graphql.json"
        self.max_attempts = max(1, max_attempts)
        self.sleep = sleep
        self.http = httpx.Client(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            headers={"X-Shopify-Access-Token": access_token, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __enter__(self) -> ShopifyClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    # The three calls the integration makes.

    def orders_updated_since(self, since: datetime, after: str | None = None, first: int = ORDERS_PAGE_SIZE) -> Page:
        """One page of orders updated after `since`, oldest update first; pass `end_cursor` on."""
        if not 1 <= first <= 250:
            raise ValueError("first must be between 1 and 250")
        data = self.execute(
            ORDERS_QUERY,
            {
                "first": first,
                "after": after,
                "query": f"updated_at:>{search_time(since)}",
                "lines": LINE_ITEMS_PER_ORDER,
            },
        )
        orders = data.get("orders") or {}
        info = orders.get("pageInfo") or {}
        return Page(
            orders=tuple(order_from(node) for node in orders.get("nodes") or []),
            end_cursor=info.get("endCursor"),
            has_next=bool(info.get("hasNextPage")),
        )

    def fulfillment_create(
        self,
        fulfillment_order_id: str,
        tracking_company: str,
        tracking_number: str,
        tracking_url: str = "",
        *,
        notify_customer: bool = True,
    ) -> ShopifyFulfillment:
        """Fulfil all lines of one fulfillment order with this tracking. userErrors are final."""
        tracking = {"company": tracking_company, "number": tracking_number}
        if tracking_url:
            tracking["url"] = tracking_url
        fulfillment = {
            "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fulfillment_order_id}],
            "trackingInfo": tracking,
            "notifyCustomer": notify_customer,
        }
        data = self.execute(FULFILLMENT_CREATE_MUTATION, {"fulfillment": fulfillment})
        payload = data.get("fulfillmentCreate") or {}
        errors = payload.get("userErrors") or []
        if errors:
            words = "; ".join(error.get("message") or "unknown error" for error in errors)
            raise ShopifyError(f"Shopify refused the fulfillment: {words}", retryable=False, code="USER_ERRORS")
        created = payload.get("fulfillment") or {}
        info = created.get("trackingInfo") or [{}]
        first_info = info[0] if info else {}
        return ShopifyFulfillment(
            id=created.get("id") or "",
            status=created.get("status") or "",
            tracking_company=first_info.get("company") or tracking_company,
            tracking_number=first_info.get("number") or tracking_number,
            tracking_url=first_info.get("url") or tracking_url,
        )

    def fulfillment_orders(self, order_id: str) -> tuple[tuple[str, str], ...]:
        """(id, status) of the order's fulfillment orders — what a fulfillment is created against.
        `order_id` is the GraphQL id or the webhooks' numeric id."""
        gid = order_id if str(order_id).startswith("gid://") else f"gid://shopify/Order/{order_id}"
        order = self.execute(FULFILLMENT_ORDERS_QUERY, {"id": gid}).get("order")
        if order is None:
            raise ShopifyError(f"Shopify has no order {order_id}.", retryable=False, code="NOT_FOUND")
        nodes = ((order.get("fulfillmentOrders") or {}).get("nodes")) or []
        return tuple((node.get("id") or "", node.get("status") or "") for node in nodes)

    def shop(self) -> ShopInfo:
        """The shop's name and myshopify domain: proves the token and the URL work."""
        shop = self.execute(SHOP_QUERY).get("shop") or {}
        return ShopInfo(name=shop.get("name") or "", domain=shop.get("myshopifyDomain") or "")

    # The transport, with the retry rules.

    def execute(self, query: str, variables: dict | None = None) -> dict:
        """POST one GraphQL document and return its `data`, retrying within the bounds above."""
        last_error: ShopifyError | None = None
        for attempt in range(1, self.max_attempts + 1):
            try:
                return self.send_once(query, variables or {})
            except RetryAfter as wait:
                last_error = wait.error
                seconds = wait.seconds if wait.seconds is not None else self.backoff(attempt)
                last_error.retry_after = seconds
                if seconds > MAX_WAIT_SECONDS:
                    break  # Shopify asks for longer than a call may block: the caller schedules it
                if attempt < self.max_attempts:
                    self.sleep(seconds)
        raise last_error

    def backoff(self, attempt: int) -> float:
        return min(BACKOFF_BASE_SECONDS * 2 ** (attempt - 1), MAX_WAIT_SECONDS)

    def send_once(self, query: str, variables: dict) -> dict:
        try:
            response = self.http.post(self.url, json={"query": query, "variables": variables})
        except httpx.TimeoutException as exc:
            raise RetryAfter(
                None, ShopifyError("Shopify did not answer in time.", retryable=True, code="TIMEOUT")
            ) from exc
        except httpx.TransportError as exc:
            raise RetryAfter(
                None, ShopifyError(f"Could not reach Shopify ({type(exc).__name__}).", retryable=True, code="NETWORK")
            ) from exc
        status = response.status_code
        if status == 429:
            error = ShopifyError("Shopify is rate limiting this shop.", retryable=True, status=status, code="THROTTLED")
            raise RetryAfter(retry_after_seconds(response.headers.get("Retry-After")), error)
        if status in RETRYABLE_STATUSES or status >= 500:
            raise RetryAfter(None, ShopifyError(f"Shopify answered {status}.", retryable=True, status=status))
        if status in (401, 403):
            raise ShopifyError(
                "Shopify refused the access token or its scopes; reconnect the shop.",
                retryable=False,
                status=status,
                code="UNAUTHORIZED" if status == 401 else "FORBIDDEN",
            )
        if status != 200:
            raise ShopifyError(f"Shopify refused the request ({status}).", retryable=False, status=status)
        try:
            body = response.json()
        except ValueError as exc:
            raise RetryAfter(
                None, ShopifyError("Shopify's answer was not JSON.", retryable=True, status=status, code="BAD_JSON")
            ) from exc
        errors = body.get("errors") or []
        if errors:
            codes = [((error.get("extensions") or {}).get("code") or "") for error in errors]
            if "THROTTLED" in codes:
                error = ShopifyError(
                    "Shopify's query budget is spent.", retryable=True, status=status, code="THROTTLED"
                )
                raise RetryAfter(throttle_wait_seconds(body.get("extensions") or {}), error)
            words = "; ".join(error.get("message") or "unknown error" for error in errors)
            code = next((c for c in codes if c), "GRAPHQL_ERROR")
            raise ShopifyError(f"Shopify refused the query: {words}", retryable=False, status=status, code=code)
        return body.get("data") or {}


class RetryAfter(Exception):
    """Internal to execute(): a retryable answer, with the wait Shopify asked for (None: back off)."""

    def __init__(self, seconds: float | None, error: ShopifyError) -> None:
        super().__init__(error.message)
        self.seconds = seconds
        self.error = error
