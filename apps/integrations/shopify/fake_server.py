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
- the `shop` query;
- locations, variants' inventory items and `inventorySetQuantities` (fake_inventory.py).
A missing or wrong `X-Shopify-Access-Token` gets 401 as Shopify sends it. It can be told to fail
(`fail_next(n)`: n answers of 500), to throttle with HTTP 429 and Retry-After
(`throttle_next(n, retry_after=…)`) or with a GraphQL THROTTLED error carrying throttleStatus
(`throttle_graphql_next(n, …)`), and to sign and POST a webhook (`send_webhook`).

It tells documents apart by the operation they run, not with a GraphQL parser: it is a fake of the
few documents this codebase sends, and refuses others with a GraphQL error.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from apps.core.fake_http import LocalFakeServer

from .fake_auth import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FakeAuth
from .fake_fulfillment import FakeFulfillmentService
from .fake_inventory import FakeGraphQLError, FakeInventory
from .fake_orders import WEBHOOK_API_VERSION, FakeOrders

DEFAULT_TOKEN = "shpat_fake_0123456789abcdef"
DEFAULT_DOMAIN = "fake-shop.myshopify.com"


class FakeShopify(LocalFakeServer, FakeAuth, FakeOrders, FakeInventory, FakeFulfillmentService):
    """The fake shop: a threaded HTTP server, the knobs tests turn, and the mixins' data (orders in
    fake_orders.py). A mixin adds the GraphQL documents it answers to DOCUMENTS — (a substring or a
    compiled pattern of the query, the name of a method taking the variables and returning `data`)
    — and any other HTTP route to ROUTES — (a compiled path pattern, the name of a method taking
    (headers, body) and returning (status, headers, JSON payload)) — and GET routes to GET_ROUTES
    (the method takes (headers, the query as a dict)). App authentication is in fake_auth.py."""

    DOCUMENTS = (
        *FakeAuth.AUTH_DOCUMENTS,
        *FakeFulfillmentService.FS_DOCUMENTS,  # before `shop {`: one of them asks for shop { fulfillmentServices }
        *FakeOrders.ORDER_DOCUMENTS,
        *FakeInventory.INVENTORY_DOCUMENTS,
        (re.compile(r"\bshop\s*{"), "shop_info"),
    )
    ROUTES: tuple = (*FakeAuth.AUTH_ROUTES,)
    GET_ROUTES: tuple = (*FakeAuth.AUTH_GET_ROUTES,)

    thread_name = "fake-shopify"

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return FakeShopifyHandler

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        domain: str = DEFAULT_DOMAIN,
        port: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
    ) -> None:
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
        self.auth_init(client_id=client_id, client_secret=client_secret)
        self.inventory_init()
        self.fs_init()

    # Running.

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

    # One request, as the handler hands it over.

    def document_method(self, query: str):
        for pattern, name in self.DOCUMENTS:
            if pattern.search(query) if isinstance(pattern, re.Pattern) else pattern in query:
                return getattr(self, name)
        return None

    def shop_info(self, variables: dict) -> dict:
        return {"shop": {"name": "Fake Shop", "myshopifyDomain": self.domain}}

    def route(self, path: str, routes: tuple | None = None):
        for pattern, name in self.ROUTES if routes is None else routes:
            if pattern.fullmatch(path):
                return getattr(self, name)
        return None

    def answer(self, token: str | None, body: bytes) -> tuple[int, dict, dict]:
        """(status, extra headers, JSON body) for one POST to the GraphQL endpoint."""
        if not self.token_valid(token):  # the fixed token, or one fake_auth issued and not expired
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
        method = self.document_method(query)
        if method is None:
            return (
                200,
                {},
                {"errors": [{"message": "The fake does not know this document.", "extensions": {"code": "UNKNOWN"}}]},
            )
        try:
            data = method(variables, query) if getattr(method, "takes_query", False) else method(variables)
        except FakeGraphQLError as exc:
            return 200, {}, {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
        cost = {
            "requestedQueryCost": 12,
            "actualQueryCost": 12,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 1988.0, "restoreRate": 100.0},
        }
        return 200, {}, {"data": data, "extensions": {"cost": cost}}


class FakeShopifyHandler(BaseHTTPRequestHandler):
    fake: FakeShopify  # set on the subclass FakeShopify.start makes
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        if re.fullmatch(r"/admin/api/[\w-]+/graphql\.json", path):
            status, headers, payload = self.fake.answer(self.headers.get("X-Shopify-Access-Token"), body)
        elif (other := self.fake.route(path)) is not None:
            status, headers, payload = other(self.headers, body)
        else:
            status, headers, payload = 404, {}, {"errors": "Not Found"}
        with self.fake.lock:
            self.fake.requests.append({"status": status})
        self.reply(status, headers, payload)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path, _, query = self.path.partition("?")
        if (other := self.fake.route(path, self.fake.GET_ROUTES)) is not None:
            status, headers, payload = other(self.headers, dict(parse_qsl(query)))
        else:
            status, headers, payload = 404, {}, {"errors": "Not Found"}
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
