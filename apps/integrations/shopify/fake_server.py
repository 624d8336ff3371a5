"""A local fake Shopify for the tests and the demo: the GraphQL shapes and the webhook signing the
adapter in `client.py` uses, over real HTTP on 127.0.0.1.

    with FakeShopify() as shop:
        shop.add_order(sku="TEE-M", quantity=2)
        client = ShopifyClient(shop=shop.domain, access_token=shop.token, api_base=shop.api_base)

What it answers (one POST endpoint, `/admin/api/<version>/graphql.json`; any version):
- the `orders` query (variables first / after / query with `updated_at:>'…'`), sorted by
  updated_at then id, in cursor pages (the cursor is opaque: base64 of the sort key);
- the `fulfillmentCreate` mutation, recorded in `fulfillments` (or answered with userErrors
  after `refuse_fulfillments(message)`);
- the `shop` query.
A missing or wrong `X-Shopify-Access-Token` gets 401 as Shopify sends it. It can be told to fail
(`fail_next(n)`: n answers of 500), to throttle with HTTP 429 and Retry-After
(`throttle_next(n, retry_after=…)`) or with a GraphQL THROTTLED error carrying throttleStatus
(`throttle_graphql_next(n, …)`), and to sign and POST a webhook (`send_webhook`).

It tells documents apart by the operation they run, not with a GraphQL parser: it is a fake of the
few documents this codebase sends, and refuses others with a GraphQL error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
import uuid
from collections import deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

DEFAULT_TOKEN = "shpat_fake_0123456789abcdef"
DEFAULT_DOMAIN = "fake-shop.myshopify.com"
WEBHOOK_API_VERSION = "2026-10"
UPDATED_AT_FILTER = re.compile(r"updated_at:(>=|>)\s*'?([0-9T:\-+.Z]+)'?")

FIRST_NAMES = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances")
LAST_NAMES = ("Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Ritchie", "Allen")
CITIES = (
    ("Springfield", "IL", "Illinois", "62701"),
    ("Austin", "TX", "Texas", "73301"),
    ("Portland", "OR", "Oregon", "97201"),
    ("Columbus", "OH", "Ohio", "43004"),
)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def sign(body: bytes, secret: str) -> str:
    """X-Shopify-Hmac-Sha256: base64 of the HMAC-SHA256 of the raw body with the app's secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class FakeShopify:
    """The fake shop: orders in memory, a threaded HTTP server, and the knobs tests turn."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, domain: str = DEFAULT_DOMAIN, port: int = 0) -> None:
        self.token = token
        self.domain = domain
        self.port = port
        self.lock = threading.Lock()
        self.orders: dict[int, dict] = {}
        self.fulfillments: list[dict] = []
        self.requests: deque[dict] = deque(maxlen=10_000)  # the answers' statuses, newest last
        self.failures: list[int] = []  # statuses to answer with before working normally
        self.throttles: list[float] = []  # Retry-After seconds of the next 429s
        self.graphql_throttles: list[dict] = []  # extensions.cost of the next THROTTLED answers
        self.refusal: str = ""  # when set, fulfillmentCreate answers with this userError
        self.ids = itertools.count(1001)
        self.clock = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # Running.

    def start(self) -> FakeShopify:
        handler = type("Handler", (FakeShopifyHandler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-shopify", daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def serve_forever(self) -> None:
        """For a long-running process: start, then block until interrupted."""
        self.start()
        try:
            self.thread.join()
        finally:
            self.stop()

    def __enter__(self) -> FakeShopify:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.url}/admin/api/{WEBHOOK_API_VERSION}/graphql.json"

    # Knobs.

    def fail_next(self, times: int, *, status: int = 500) -> None:
        with self.lock:
            self.failures.extend([status] * times)

    def throttle_next(self, times: int = 1, *, retry_after: float = 2.0) -> None:
        with self.lock:
            self.throttles.extend([retry_after] * times)

    def throttle_graphql_next(
        self, times: int = 1, *, requested: int = 252, available: float = 52.0, restore_rate: float = 100.0
    ) -> None:
        cost = {
            "requestedQueryCost": requested,
            "actualQueryCost": None,
            "throttleStatus": {
                "maximumAvailable": 2000.0,
                "currentlyAvailable": available,
                "restoreRate": restore_rate,
            },
        }
        with self.lock:
            self.graphql_throttles.extend([cost] * times)

    def refuse_fulfillments(self, message: str) -> None:
        self.refusal = message

    # Orders.

    def add_order(
        self,
        *,
        sku: str | None = None,
        quantity: int = 1,
        lines: list[dict] | None = None,
        updated_at: datetime | None = None,
        created_at: datetime | None = None,
        financial_status: str = "PAID",
        fulfillment_status: str = "UNFULFILLED",
        cancelled_at: datetime | None = None,
        email: str | None = None,
        shipping_address: dict | None = None,
    ) -> dict:
        """A realistic order; each call moves the fake's clock on a minute unless times are given.
        `lines` is a list of {sku, quantity, title?, barcode?}; `sku` + `quantity` make one line."""
        with self.lock:
            number = next(self.ids)
            self.clock += timedelta(minutes=1)
            created = created_at or self.clock
            first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number % len(LAST_NAMES)]
            city, province_code, province, zip_code = CITIES[number % len(CITIES)]
            address = shipping_address or {
                "name": f"{first} {last}",
                "firstName": first,
                "lastName": last,
                "company": None,
                "address1": f"{100 + number} Main Street",
                "address2": None,
                "city": city,
                "province": province,
                "provinceCode": province_code,
                "zip": zip_code,
                "country": "United States",
                "countryCodeV2": "US",
                "phone": f"+1 415-555-01{number % 100:02d}",  # the range kept for fiction, valid as a number
            }
            wanted = (
                lines
                if lines is not None
                else [{"sku": sku if sku is not None else f"SKU-{number % 7}", "quantity": quantity}]
            )
            line_nodes = []
            for position, line in enumerate(wanted):
                line_id = number * 100 + position
                line_nodes.append(
                    {
                        "id": f"gid://shopify/LineItem/{line_id}",
                        "sku": line.get("sku"),
                        "quantity": line.get("quantity", 1),
                        "title": line.get("title") or f"Product {line.get('sku') or line_id}",
                        "variant": {"id": f"gid://shopify/ProductVariant/{line_id}", "barcode": line.get("barcode")},
                    }
                )
            order = {
                "number": number,
                "id": f"gid://shopify/Order/{number}",
                "name": f"#{number}",
                "createdAt": iso(created),
                "updatedAt": iso(updated_at or created),
                "cancelledAt": iso(cancelled_at) if cancelled_at else None,
                "email": email if email is not None else f"{first.lower()}.{last.lower()}@example.com",
                "displayFinancialStatus": financial_status,
                "displayFulfillmentStatus": fulfillment_status,
                "shippingAddress": address,
                "lineItems": line_nodes,
                "fulfillmentOrders": [{"id": f"gid://shopify/FulfillmentOrder/{number}", "status": "OPEN"}],
            }
            self.orders[number] = order
            return order

    def update_order(self, number: int, **changes) -> dict:
        """Change an order's GraphQL fields (e.g. displayFinancialStatus) and touch updatedAt."""
        with self.lock:
            self.clock += timedelta(minutes=1)
            order = self.orders[number]
            order.update(changes)
            order["updatedAt"] = iso(self.clock)
            return order

    def orders_page(self, variables: dict) -> dict:
        first = max(1, min(int(variables.get("first") or 50), 250))
        match = UPDATED_AT_FILTER.search(variables.get("query") or "")
        with self.lock:
            rows = sorted(self.orders.values(), key=lambda o: (o["updatedAt"], o["number"]))
        if match:
            since = parse_iso(match.group(2))
            inclusive = match.group(1) == ">="
            rows = [
                o
                for o in rows
                if parse_iso(o["updatedAt"]) > since or (inclusive and parse_iso(o["updatedAt"]) == since)
            ]
        if variables.get("after"):
            after = tuple(json.loads(base64.urlsafe_b64decode(variables["after"])))
            rows = [o for o in rows if (o["updatedAt"], o["number"]) > after]
        page, rest = rows[:first], rows[first:]
        cursor = None
        if page:
            key = json.dumps([page[-1]["updatedAt"], page[-1]["number"]]).encode()
            cursor = base64.urlsafe_b64encode(key).decode()
        return {
            "orders": {
                "nodes": [graphql_order(order, int(variables.get("lines") or 250)) for order in page],
                "pageInfo": {"hasNextPage": bool(rest), "endCursor": cursor},
            }
        }

    def fulfillment_orders_of(self, order_id: str) -> dict:
        with self.lock:
            order = next((o for o in self.orders.values() if o["id"] == order_id), None)
            if order is None:
                return {"order": None}
            nodes = [{"id": fo["id"], "status": fo["status"]} for fo in order["fulfillmentOrders"]]
        return {"order": {"id": order["id"], "fulfillmentOrders": {"nodes": nodes}}}

    def fulfillment_create(self, variables: dict) -> dict:
        fulfillment = variables.get("fulfillment") or {}
        if self.refusal:
            return {
                "fulfillmentCreate": {
                    "fulfillment": None,
                    "userErrors": [{"field": ["fulfillment"], "message": self.refusal}],
                }
            }
        groups = fulfillment.get("lineItemsByFulfillmentOrder") or []
        known = {fo["id"] for order in self.orders.values() for fo in order["fulfillmentOrders"]}
        unknown = [g.get("fulfillmentOrderId") for g in groups if g.get("fulfillmentOrderId") not in known]
        if not groups or unknown:
            return {
                "fulfillmentCreate": {
                    "fulfillment": None,
                    "userErrors": [{"field": ["fulfillment"], "message": "Fulfillment order does not exist."}],
                }
            }
        tracking = fulfillment.get("trackingInfo") or {}
        with self.lock:
            record = {
                "id": f"gid://shopify/Fulfillment/{next(self.ids)}",
                "fulfillment_order_ids": [g["fulfillmentOrderId"] for g in groups],
                "tracking_company": tracking.get("company"),
                "tracking_number": tracking.get("number"),
                "tracking_url": tracking.get("url"),
                "notify_customer": fulfillment.get("notifyCustomer", False),
            }
            self.fulfillments.append(record)
            for order in self.orders.values():
                for fo in order["fulfillmentOrders"]:
                    if fo["id"] in record["fulfillment_order_ids"]:
                        fo["status"] = "CLOSED"
                        order["displayFulfillmentStatus"] = "FULFILLED"
        info = {
            "company": record["tracking_company"],
            "number": record["tracking_number"],
            "url": record["tracking_url"],
        }
        return {
            "fulfillmentCreate": {
                "fulfillment": {"id": record["id"], "status": "SUCCESS", "trackingInfo": [info]},
                "userErrors": [],
            }
        }

    # Webhooks.

    def webhook_payload(self, order: dict) -> dict:
        """The order as a webhook carries it: REST-shaped (snake_case, numeric ids)."""
        address = order["shippingAddress"] or {}
        return {
            "id": order["number"],
            "admin_graphql_api_id": order["id"],
            "name": order["name"],
            "order_number": order["number"],
            "email": order["email"],
            "created_at": order["createdAt"],
            "updated_at": order["updatedAt"],
            "cancelled_at": order["cancelledAt"],
            "financial_status": order["displayFinancialStatus"].lower(),
            "fulfillment_status": None if order["displayFulfillmentStatus"] == "UNFULFILLED" else "fulfilled",
            "currency": "USD",
            "shipping_address": {
                "first_name": address.get("firstName"),
                "last_name": address.get("lastName"),
                "name": address.get("name"),
                "company": address.get("company"),
                "address1": address.get("address1"),
                "address2": address.get("address2"),
                "city": address.get("city"),
                "province": address.get("province"),
                "province_code": address.get("provinceCode"),
                "zip": address.get("zip"),
                "country": address.get("country"),
                "country_code": address.get("countryCodeV2"),
                "phone": address.get("phone"),
            },
            "line_items": [
                {
                    "id": int(line["id"].rsplit("/", 1)[1]),
                    "admin_graphql_api_id": line["id"],
                    "sku": line["sku"],
                    "quantity": line["quantity"],
                    "title": line["title"],
                    "name": line["title"],
                    "variant_id": int(line["variant"]["id"].rsplit("/", 1)[1]),
                    "fulfillable_quantity": line["quantity"],
                }
                for line in order["lineItems"]
            ],
        }

    def webhook_request(
        self, topic: str, payload: dict, *, secret: str, event_id: str | None = None
    ) -> tuple[bytes, dict]:
        """The raw body and the headers Shopify would send for this delivery."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body, secret),
            "X-Shopify-Shop-Domain": self.domain,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
            "X-Shopify-API-Version": WEBHOOK_API_VERSION,
            "X-Shopify-Triggered-At": iso(datetime.now(UTC)),
        }
        return body, headers

    def send_webhook(
        self, url: str, topic: str, payload: dict, *, secret: str, event_id: str | None = None, timeout: float = 5.0
    ) -> httpx.Response:
        """Sign and POST one delivery (Shopify allows 1 s to connect, 5 s in all)."""
        body, headers = self.webhook_request(topic, payload, secret=secret, event_id=event_id)
        return httpx.post(url, content=body, headers=headers, timeout=httpx.Timeout(timeout, connect=1.0))

    # One request, as the handler hands it over.

    def answer(self, token: str | None, body: bytes) -> tuple[int, dict, dict]:
        """(status, extra headers, JSON body) for one POST to the GraphQL endpoint."""
        if not token or not hmac.compare_digest(token, self.token):
            return 401, {}, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            throttle = self.throttles.pop(0) if self.throttles else None
            graphql_throttle = (
                None
                if failure or throttle is not None
                else (self.graphql_throttles.pop(0) if self.graphql_throttles else None)
            )
        if failure:
            return failure, {}, {"errors": "Internal Server Error"}
        if throttle is not None:
            return 429, {"Retry-After": f"{throttle:.1f}"}, {"errors": "Exceeded 2 calls per second for api client."}
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return 400, {}, {"errors": "Bad Request"}
        if graphql_throttle is not None:
            return (
                200,
                {},
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {
                                "code": "THROTTLED",
                                "documentation": "https://shopify.dev/api/usage/rate-limits",
                            },
                        }
                    ],
                    "extensions": {"cost": graphql_throttle},
                },
            )
        query = request.get("query") or ""
        variables = request.get("variables") or {}
        if "fulfillmentCreate(" in query:
            data = self.fulfillment_create(variables)
        elif "orders(" in query:
            data = self.orders_page(variables)
        elif re.search(r"\border\s*\(\s*id:", query):
            data = self.fulfillment_orders_of(variables.get("id") or "")
        elif re.search(r"\bshop\s*{", query):
            data = {"shop": {"name": "Fake Shop", "myshopifyDomain": self.domain}}
        else:
            return (
                200,
                {},
                {"errors": [{"message": "The fake does not know this document.", "extensions": {"code": "UNKNOWN"}}]},
            )
        cost = {
            "requestedQueryCost": 12,
            "actualQueryCost": 12,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1988.0, "restoreRate": 100.0},
        }
        return 200, {}, {"data": data, "extensions": {"cost": cost}}


def graphql_order(order: dict, lines: int = 250) -> dict:
    """The stored order as the orders query returns it (connections with nodes), its line items
    cut to the `lines` the query asked for, as Shopify pages a nested connection."""
    node = {key: value for key, value in order.items() if key != "number"}
    node["lineItems"] = {
        "nodes": order["lineItems"][:lines],
        "pageInfo": {"hasNextPage": len(order["lineItems"]) > lines},
    }
    node["fulfillmentOrders"] = {"nodes": order["fulfillmentOrders"]}
    return node


class FakeShopifyHandler(BaseHTTPRequestHandler):
    fake: FakeShopify  # set on the subclass FakeShopify.start makes
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not re.fullmatch(r"/admin/api/[\w-]+/graphql\.json", self.path.split("?", 1)[0]):
            self.reply(404, {}, {"errors": "Not Found"})
            return
        status, headers, payload = self.fake.answer(self.headers.get("X-Shopify-Access-Token"), body)
        with self.fake.lock:
            self.fake.requests.append({"status": status})
        self.reply(status, headers, payload)

    def reply(self, status: int, headers: dict, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet in tests
        return
