"""A local fake WooCommerce store for the tests and the demo, over real HTTP on 127.0.0.1, speaking
the REST v3 wire format the client in ``client.py`` uses.

    with FakeWooCommerce() as store:
        store.add_order(sku="TEE", quantity=2)
        client = WooClient(store_url=store.url, consumer_key=store.key, consumer_secret=store.secret)

What it does, as WooCommerce does it:
- authentication by HTTP Basic (key, secret) or ``consumer_key``/``consumer_secret`` query
  parameters; ``strip_authorization=True`` drops the Authorization header as some hosts do (the
  client must fall back to the query keys); no or wrong keys get 401 with WordPress's error JSON
  (``woocommerce_rest_cannot_view``, ``woocommerce_rest_authentication_error``); read-only keys
  may not write;
- ``GET /wp-json/wc/v3/orders`` with modified_after (GMT), per_page ≤ 100, page, orderby=modified,
  order, status; X-WP-Total, X-WP-TotalPages and a Link rel="next" header; GET/PUT one order;
  order notes; webhooks (list, create, update, delete); products (simple and variable, with their
  variations: ``add_product``) and their stock through products/batch and variations/batch;
- the Shipment Tracking extension's routes (``tracking_extension``; off: 404 ``rest_no_route``);
- webhooks delivered signed (X-WC-Webhook-Source/-Topic/-Resource/-Event/-Signature/-ID/
  -Delivery-ID) when orders are added, changed or deleted; a webhook saved active is pinged
  with the form body ``webhook_id=N``; a delivery that fails counts, and a webhook whose failure
  count exceeds ``max_failures`` (WooCommerce's filter, default 5) is disabled, as
  class-wc-webhook.php does; a success resets the count. Failed deliveries are never retried;
- the key handshake (fake_auth.py): ``/wc-auth/v1/authorize`` → approve → keys POSTed as JSON to
  the callback URL → redirect to the return URL with success=1;
- injectable trouble: ``fail_next(n, status=500)``, ``throttle_next(n, retry_after)``,
  ``network_down`` (deliveries fail as if our site were unreachable).
Deliveries set off by the knobs (add_order …) are sent before the knob returns; those set off by a
request to the fake (an order PUT) go out from a background thread, after the answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import json
import queue
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

import httpx

from apps.core.fake_http import LocalFakeServer

from .fake_auth import FakeAuth
from .fake_store import FakeStore, wp_error
from .webhooks import woo_signature

DEFAULT_KEY = "ck_fake0123456789abcdef0123456789abcdef01"
DEFAULT_SECRET = "cs_fake0123456789abcdef0123456789abcdef01"
USER_AGENT = "WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)"

ROUTES = (  # (method, pattern, handler name); the groups are ints passed on
    ("GET", re.compile(r"/wp-json/wc/v3/orders"), "r_orders"),
    ("GET", re.compile(r"/wp-json/wc/v3/orders/(\d+)"), "r_order"),
    ("PUT", re.compile(r"/wp-json/wc/v3/orders/(\d+)"), "r_order_put"),
    ("POST", re.compile(r"/wp-json/wc/v3/orders/(\d+)"), "r_order_put"),
    ("GET", re.compile(r"/wp-json/wc/v3/orders/(\d+)/notes"), "r_notes"),
    ("POST", re.compile(r"/wp-json/wc/v3/orders/(\d+)/notes"), "r_note_post"),
    ("GET", re.compile(r"/wp-json/wc-shipment-tracking/v3/orders/(\d+)/shipment-trackings"), "r_trackings"),
    ("POST", re.compile(r"/wp-json/wc-shipment-tracking/v3/orders/(\d+)/shipment-trackings"), "r_tracking_post"),
    ("GET", re.compile(r"/wp-json/wc/v3/webhooks"), "r_webhooks"),
    ("POST", re.compile(r"/wp-json/wc/v3/webhooks"), "r_webhook_post"),
    ("PUT", re.compile(r"/wp-json/wc/v3/webhooks/(\d+)"), "r_webhook_put"),
    ("POST", re.compile(r"/wp-json/wc/v3/webhooks/(\d+)"), "r_webhook_put"),
    ("DELETE", re.compile(r"/wp-json/wc/v3/webhooks/(\d+)"), "r_webhook_delete"),
    ("GET", re.compile(r"/wp-json/wc/v3/products"), "r_products"),
    ("POST", re.compile(r"/wp-json/wc/v3/products/batch"), "r_products_batch"),
    ("POST", re.compile(r"/wp-json/wc/v3/products/(\d+)/variations/batch"), "r_variations_batch"),
)


class FakeWooCommerce(LocalFakeServer, FakeAuth, FakeStore):
    thread_name = "fake-woo"

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return FakeWooHandler

    def __init__(
        self,
        *,
        key: str = DEFAULT_KEY,
        secret: str = DEFAULT_SECRET,
        port: int = 0,
        strip_authorization: bool = False,
        tracking_extension: bool = True,
        max_failures: int = 5,
        name: str = "Fake Woo Store",
    ) -> None:
        self.lock = threading.RLock()
        self.ids = itertools.count(1001)
        self.keys: dict[str, dict] = {key: {"secret": secret, "permissions": "read_write", "user_id": 1}}
        self.key, self.secret = key, secret
        self.port = port
        self.name = name
        self.strip_authorization = strip_authorization
        self.tracking_extension = tracking_extension
        self.max_failures = max_failures
        self.network_down = False
        # Deliveries a request to the fake sets off (an order PUT completed) go out from a background
        # thread, as WooCommerce's Action Scheduler sends them. Off: they are kept in ``held`` instead —
        # for tests on SQLite, whose shared in-memory tables refuse a second writer at the same moment.
        self.deliver_in_background = True
        self.held: list[tuple[dict, bytes]] = []
        self.failures: list[int] = []
        self.throttles: list[float] = []
        self.requests: deque[dict] = deque(maxlen=20_000)  # {method, path, status, auth}
        self.deliveries: list[dict] = []  # {webhook_id, topic, status, delivery_id, event_key}
        self.pings: list[dict] = []
        self.local = threading.local()
        self.outgoing: queue.Queue = queue.Queue()
        self.store_init()
        self.auth_init()

    # Running.

    def started(self) -> None:
        threading.Thread(target=self._send_outgoing, name="fake-woo-webhooks", daemon=True).start()

    def stopping(self) -> None:
        self.outgoing.put(None)

    # Knobs.

    def fail_next(self, times: int, *, status: int = 500) -> None:
        with self.lock:
            self.failures.extend([status] * times)

    def throttle_next(self, times: int = 1, *, retry_after: float = 1.0) -> None:
        with self.lock:
            self.throttles.extend([retry_after] * times)

    def add_key(self, key: str, secret: str, *, permissions: str = "read_write", user_id: int = 1) -> None:
        with self.lock:
            self.keys[key] = {"secret": secret, "permissions": permissions, "user_id": user_id}

    def revoke_key(self, key: str) -> None:
        with self.lock:
            self.keys.pop(key, None)

    def webhook_disable(self, webhook_id: int) -> None:
        with self.lock:
            self.webhooks[webhook_id]["status"] = "disabled"

    def wait_deliveries(self, timeout: float = 10.0) -> None:
        """Block until the background deliveries queued so far are sent."""
        deadline = time.monotonic() + timeout
        while self.outgoing.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)

    # Webhooks out.

    def deliver(self, topic: str, payload: dict) -> None:
        """Send ``payload`` to every active webhook of ``topic`` (see the module on when)."""
        with self.lock:
            targets = [dict(w) for w in self.webhooks.values() if w["status"] == "active" and w["topic"] == topic]
        body = json.dumps(payload, separators=(",", ":")).encode()
        for webhook in targets:
            if getattr(self.local, "in_request", False):
                if self.deliver_in_background:
                    self.outgoing.put((webhook, body))
                else:
                    with self.lock:
                        self.held.append((webhook, body))
            else:
                self._deliver_one(webhook, body)

    def _send_outgoing(self) -> None:
        while True:
            item = self.outgoing.get()
            try:
                if item is None:
                    return
                self._deliver_one(*item)
            finally:
                self.outgoing.task_done()

    def _deliver_one(self, webhook: dict, body: bytes) -> None:
        delivery_id = hashlib.md5(f"{webhook['id']}{int(time.time())}".encode()).hexdigest()  # noqa: S324 - as Woo
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-WC-Webhook-Source": self.url + "/",
            "X-WC-Webhook-Topic": webhook["topic"],
            "X-WC-Webhook-Resource": webhook["resource"],
            "X-WC-Webhook-Event": webhook["event"],
            "X-WC-Webhook-Signature": woo_signature(webhook["secret"], body),
            "X-WC-Webhook-ID": str(webhook["id"]),
            "X-WC-Webhook-Delivery-ID": delivery_id,
        }
        status = 0
        if not self.network_down:
            try:
                response = httpx.post(webhook["delivery_url"], content=body, headers=headers, timeout=60.0)
                status = response.status_code
            except httpx.HTTPError:
                status = 0
        ok = 200 <= status < 300 or status in (301, 302)
        with self.lock:
            self.deliveries.append(
                {"webhook_id": webhook["id"], "topic": webhook["topic"], "status": status, "delivery_id": delivery_id}
            )
            stored = self.webhooks.get(webhook["id"])
            if stored is None:
                return
            if ok:
                stored["failure_count"] = 0
            elif stored["failure_count"] > self.max_failures:  # class-wc-webhook.php failed_delivery()
                stored["status"] = "disabled"
            else:
                stored["failure_count"] += 1

    def ping(self, webhook: dict) -> None:
        """What saving a webhook as active sends: ``webhook_id=N`` as a form, unsigned."""
        status = 0
        if not self.network_down:
            try:
                response = httpx.post(
                    webhook["delivery_url"],
                    content=f"webhook_id={webhook['id']}".encode(),
                    headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
                    timeout=10.0,
                )
                status = response.status_code
            except httpx.HTTPError:
                status = 0
        with self.lock:
            self.pings.append({"webhook_id": webhook["id"], "status": status})

    # Requests in.

    def authenticate(self, method: str, headers, query: dict) -> tuple[dict | None, tuple | None]:
        """(the key's record, None) or (None, the 401 answer)."""
        key = secret = ""
        given = "" if self.strip_authorization else (headers.get("Authorization") or "")
        if given.lower().startswith("basic "):
            try:
                key, _, secret = base64.b64decode(given[6:].strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                key = secret = ""
        if not key and query.get("consumer_key"):
            key, secret = query.get("consumer_key", ""), query.get("consumer_secret", "")
        if not key:
            verb = {"GET": "list resources", "POST": "create resources", "DELETE": "delete resources"}
            code = {"GET": "cannot_view", "POST": "cannot_create", "DELETE": "cannot_delete"}.get(method, "cannot_edit")
            return None, wp_error(401, f"woocommerce_rest_{code}", f"Sorry, you cannot {verb.get(method, 'edit')}.")
        with self.lock:
            record = self.keys.get(key)
        if record is None:
            return None, wp_error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        if record["secret"] != secret:
            return None, wp_error(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        if method != "GET" and record["permissions"] == "read":
            return None, wp_error(
                401, "woocommerce_rest_authentication_error", "The API key provided does not have write permissions."
            )
        return {**record, "key": key}, None

    def answer(self, method: str, path: str, headers, query: dict, body: bytes) -> tuple[int, dict, object]:
        if path in ("/wp-json", "/wp-json/"):
            return 200, {}, {"name": self.name, "url": self.url, "namespaces": self.namespaces()}
        matched = None
        for verb, pattern, name in ROUTES:
            found = pattern.fullmatch(path.rstrip("/"))
            if found and verb == method:
                matched = (getattr(self, name), [int(g) for g in found.groups()])
                break
        if matched is None:
            return wp_error(404, "rest_no_route", "No route was found matching the URL and request method.")
        if path.startswith("/wp-json/wc-shipment-tracking/") and not self.tracking_extension:
            return wp_error(404, "rest_no_route", "No route was found matching the URL and request method.")
        record, refusal = self.authenticate(method, headers, query)
        if refusal is not None:
            return refusal
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            throttle = self.throttles.pop(0) if self.throttles and not failure else None
        if failure:
            return wp_error(failure, "internal_server_error", "There has been a critical error on this website.")
        if throttle is not None:
            status, extra, payload = wp_error(429, "woocommerce_rest_too_many_requests", "Too many requests.")
            return status, {"Retry-After": f"{throttle:.0f}"}, payload
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            return wp_error(400, "rest_invalid_json", "Invalid JSON body passed.")
        method_of, args = matched
        return method_of(*args, query=query, data=data, record=record)

    def namespaces(self) -> list[str]:
        return ["wc/v3", "wc-auth/v1"] + (["wc-shipment-tracking/v3"] if self.tracking_extension else [])

    # Route adapters: (args…, query, data, record) → answer.

    def r_orders(self, *, query, data, record):
        return self.orders_list(query)

    def r_order(self, number, *, query, data, record):
        return self.order_get(number)

    def r_order_put(self, number, *, query, data, record):
        return self.order_put(number, data)

    def r_notes(self, number, *, query, data, record):
        return self.notes_list(number, query)

    def r_note_post(self, number, *, query, data, record):
        return self.note_post(number, data)

    def r_trackings(self, number, *, query, data, record):
        return self.trackings_list(number)

    def r_tracking_post(self, number, *, query, data, record):
        return self.tracking_post(number, data)

    def r_webhooks(self, *, query, data, record):
        return self.webhooks_list(query)

    def r_webhook_post(self, *, query, data, record):
        return self.webhook_post(data, record["secret"])

    def r_webhook_put(self, webhook_id, *, query, data, record):
        return self.webhook_put(webhook_id, data)

    def r_webhook_delete(self, webhook_id, *, query, data, record):
        return self.webhook_delete(webhook_id)

    def r_products(self, *, query, data, record):
        return self.products_list(query)

    def r_products_batch(self, *, query, data, record):
        return self.products_batch(data)

    def r_variations_batch(self, parent, *, query, data, record):
        return self.variations_batch(parent, data)


class FakeWooHandler(BaseHTTPRequestHandler):
    fake: FakeWooCommerce
    protocol_version = "HTTP/1.1"

    def _handle(self, method: str) -> None:
        self.fake.local.in_request = True
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path.startswith("/wc-auth/"):
            status, headers, payload = self.fake.auth_answer(method, parts.path, query, body)
        else:
            status, headers, payload = self.fake.answer(method, parts.path, self.headers, query, body)
        auth = "query" if "consumer_key" in query else ("basic" if "Authorization" in self.headers else "")
        with self.fake.lock:
            self.fake.requests.append({"method": method, "path": parts.path, "status": status, "auth": auth})
        self.reply(status, headers, payload)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._handle("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")

    def reply(self, status: int, headers: dict, payload) -> None:
        if isinstance(payload, str):  # an HTML page (the handshake)
            data, kind = payload.encode(), "text/html; charset=utf-8"
        else:
            data, kind = json.dumps(payload).encode(), "application/json; charset=UTF-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet in tests
        return
