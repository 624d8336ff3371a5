"""A local fake eBay for the tests and the demo, over real HTTP on 127.0.0.1, speaking the wire
format of the calls in ``auth.py``, ``client.py`` and ``notifications.py``:

    with FakeEbay() as ebay:
        ebay.add_order(sku="TEE", quantity=2)

- ``GET /oauth2/authorize?client_id&redirect_uri=<RuName>&response_type=code&scope&state``: a
  consent page ("Agree" → ``GET /oauth2/consent``) that sends the seller to the RuName's accepted
  URL (``accept_url``) with ``code``, ``state`` and ``expires_in``; ``auto_consent`` skips the page;
- ``POST /identity/v1/oauth2/token`` (Basic client auth, form): authorization_code (a 7200 s token
  and an 18-month refresh token), refresh_token, client_credentials; eBay's error JSON
  ``{error, error_description}`` (invalid_client, invalid_grant for spent/unknown/revoked codes
  and refresh tokens, ``revoke_refresh_tokens()``);
- the Sell Fulfillment API (fake_orders.py); ``GET /commerce/identity/v1/user/``;
  ``GET /commerce/notification/v1/public_key/{kid}`` (application token), the key it signs with;
- errors as eBay sends them: ``{"errors": [{errorId, domain, category, message}]}``; 401 errorId
  1001 for a missing, unknown or expired token (``expire_tokens()``); ``throttle_next(n,
  retry_after=…)`` answers 429 with Retry-After; ``fail_next(n)`` 500s; ``post_delay`` accepts a
  shipping fulfillment and answers late (the caller times out after eBay took it);
- ``send_deletion(url, username=…)`` POSTs a signed MARKETPLACE_ACCOUNT_DELETION notification
  (``forged=True``: signed with another key).
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, unquote, urlencode

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from apps.core.fake_http import LocalFakeServer

from .auth import basic_auth
from .fake_orders import FakeOrders, iso
from .notifications import DELETION_TOPIC, sign

DEFAULT_CLIENT_ID = "FakeSell-fulfilmen-PRD-0a1b2c3d4-e5f6a7b8"
DEFAULT_CLIENT_SECRET = "PRD-fake0secret0123-4567-89ab"
DEFAULT_RU_NAME = "Fulfillment_Hub-FakeSell-fulfil-abcdef"
DEFAULT_TOKEN = "v^1.1#i^1#f^0#fake-demo-user-token"  # always accepted (demo data and scripts), never expires
DEMO_PORT = 8766
ACCESS_SECONDS = 7200
REFRESH_SECONDS = 47_304_000
ORDER_PATH = re.compile(r"/sell/fulfillment/v1/order/([^/]+)")
FULFILLMENTS_PATH = re.compile(r"/sell/fulfillment/v1/order/([^/]+)/shipping_fulfillment")
KEY_PATH = re.compile(r"/commerce/notification/v1/public_key/([^/]+)")


def invalid_grant(description: str) -> dict:
    return {"error": "invalid_grant", "error_description": description}


class FakeEbay(LocalFakeServer, FakeOrders):
    thread_name = "fake-ebay"

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return FakeEbayHandler

    def __init__(
        self,
        *,
        port: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        ru_name: str = DEFAULT_RU_NAME,
        accept_url: str = "",
        username: str = "fake_seller",
        user_id: str = "fAkEsElLeR1",
        token: str = DEFAULT_TOKEN,
    ) -> None:
        self.port = port
        self.token = token
        self.lock = threading.Lock()
        self.client_id, self.client_secret, self.ru_name = client_id, client_secret, ru_name
        self.accept_url = accept_url  # where consent sends the seller (the RuName's accepted URL)
        self.auto_consent = False
        self.username, self.user_id = username, user_id
        self.codes: dict[str, str] = {}  # code → scopes
        self.issued: dict[str, float] = {}  # access token → expiry (epoch seconds)
        self.app_tokens: dict[str, float] = {}
        self.refresh_tokens: dict[str, str] = {}  # refresh token → scopes
        self.grants: list[str] = []  # each successful token request's grant type
        self.requests: list[dict] = []  # {method, path, status}
        self.failures: list[int] = []
        self.throttles: list[float] = []
        self.kid = str(uuid.uuid4())
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.orders_init()

    # Running.

    @property
    def api_base(self) -> str:  # every eBay host is this server
        return self.url

    # Knobs.

    def token_issue(self, *, seconds: int = ACCESS_SECONDS, scopes: str = "") -> tuple[str, str]:
        """(access token, refresh token) as a consent would give them, for scripts and tests."""
        with self.lock:
            token, refresh = "v^1.1#i^1#f^0#" + secrets.token_urlsafe(24), "v^1.1#r^1#" + secrets.token_urlsafe(24)
            self.issued[token] = time.time() + seconds
            self.refresh_tokens[refresh] = scopes
            return token, refresh

    def expire_tokens(self) -> None:
        with self.lock:
            for token in self.issued:
                self.issued[token] = time.time() - 1

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            self.refresh_tokens.clear()

    def fail_next(self, times: int, *, status: int = 500) -> None:
        with self.lock:
            self.failures.extend([status] * times)

    def throttle_next(self, times: int = 1, *, retry_after: float = 1.0) -> None:
        with self.lock:
            self.throttles.extend([retry_after] * times)

    @staticmethod
    def error(error_id: int, domain: str, category: str, message: str) -> dict:
        return {"errors": [{"errorId": error_id, "domain": domain, "category": category, "message": message}]}

    def public_key_pem(self) -> str:
        pem = self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return "".join(pem.decode().splitlines())  # on one line, as eBay sends it

    def deletion_body(self, *, username: str, user_id: str = "") -> bytes:
        payload = {
            "metadata": {"topic": DELETION_TOPIC, "schemaVersion": "1.0", "deprecated": False},
            "notification": {
                "notificationId": f"{uuid.uuid4()}_{uuid.uuid4()}",
                "eventDate": iso(self.clock),
                "publishDate": iso(self.clock),
                "publishAttemptCount": 1,
                "data": {"username": username, "userId": user_id or username[::-1], "eiasToken": "nY+sHZ2PrBmdj6w=="},
            },
        }
        return json.dumps(payload).encode()

    def send_deletion(self, url: str, *, username: str, user_id: str = "", forged: bool = False) -> httpx.Response:
        """POST a signed account-deletion notification to ``url`` as eBay does."""
        body = self.deletion_body(username=username, user_id=user_id)
        key = ec.generate_private_key(ec.SECP256R1()) if forged else self.private_key
        headers = {"Content-Type": "application/json", "X-EBAY-SIGNATURE": sign(body, key, self.kid)}
        return httpx.post(url, content=body, headers=headers, timeout=10)

    # Authentication.

    def bearer_ok(self, header: str | None, tokens: dict | None = None) -> bool:
        token = (header or "").removeprefix("Bearer ").strip()
        if tokens is None and self.token and secrets.compare_digest(token, self.token):
            return True
        with self.lock:
            expiry = (self.issued if tokens is None else tokens).get(token)
        return expiry is not None and expiry > time.time()

    def client_ok(self, header: str | None) -> bool:
        return secrets.compare_digest(header or "", basic_auth(self.client_id, self.client_secret))

    def authorize(self, query: dict, consent: bool = False) -> tuple[int, dict, object]:
        if query.get("client_id") != self.client_id or query.get("redirect_uri") != self.ru_name:
            return 400, {}, {"error": "invalid_request", "error_description": "unknown client_id or redirect_uri"}
        if query.get("response_type") != "code":
            return 400, {}, {"error": "unsupported_response_type", "error_description": "response_type must be code"}
        if consent or self.auto_consent:
            code = "v^1.1#i^1#c^" + secrets.token_urlsafe(16)
            with self.lock:
                self.codes[code] = query.get("scope", "")
            target = self.accept_url + ("&" if "?" in self.accept_url else "?")
            target += urlencode({"state": query.get("state", ""), "code": code, "expires_in": 299})
            return 302, {"Location": target}, None
        agree = "/oauth2/consent?" + urlencode(query)
        scopes = "".join(f"<li>{html.escape(s)}</li>" for s in query.get("scope", "").split())
        page = (
            "<!doctype html><html><head><title>eBay sign in (fake)</title></head><body>"
            f"<h1>Grant application access: {html.escape(self.username)}</h1><ul>{scopes}</ul>"
            f'<a id="agree" href="{html.escape(agree)}">Agree and continue</a></body></html>'
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page

    def token_endpoint(self, headers, body: bytes) -> tuple[int, dict, dict]:
        if not self.client_ok(headers.get("Authorization")):
            return 401, {}, {"error": "invalid_client", "error_description": "client authentication failed"}
        form = dict(parse_qsl(body.decode(errors="replace")))
        grant = form.get("grant_type", "")
        with self.lock:
            if grant == "authorization_code":
                scopes = self.codes.pop(form.get("code", ""), None)
                if scopes is None or form.get("redirect_uri") != self.ru_name:
                    return (
                        400,
                        {},
                        invalid_grant(
                            "the provided authorization grant code is invalid or was issued to another client"
                        ),
                    )
            elif grant == "refresh_token":
                scopes = self.refresh_tokens.get(form.get("refresh_token", ""))
                if scopes is None:
                    return (
                        400,
                        {},
                        invalid_grant(
                            "the provided authorization refresh token is invalid or was issued to another client"
                        ),
                    )
            elif grant == "client_credentials":
                token = "v^1.1#i^1#p^1#" + secrets.token_urlsafe(24)
                self.app_tokens[token] = time.time() + ACCESS_SECONDS
                self.grants.append(grant)
                answer = {"access_token": token, "expires_in": ACCESS_SECONDS, "token_type": "Application Access Token"}
                return 200, {}, answer
            else:
                return 400, {}, {"error": "unsupported_grant_type", "error_description": "grant type not supported"}
            token = "v^1.1#i^1#f^0#" + secrets.token_urlsafe(24)
            self.issued[token] = time.time() + ACCESS_SECONDS
            self.grants.append(grant)
            answer = {"access_token": token, "expires_in": ACCESS_SECONDS, "token_type": "User Access Token"}
            if grant == "authorization_code":
                refresh = "v^1.1#r^1#" + secrets.token_urlsafe(24)
                self.refresh_tokens[refresh] = scopes
                answer |= {"refresh_token": refresh, "refresh_token_expires_in": REFRESH_SECONDS}
            return 200, {}, answer

    # Routing.

    def answer(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple[int, dict, object]:
        if method == "GET" and path == "/oauth2/authorize":
            return self.authorize(query)
        if method == "GET" and path == "/oauth2/consent":
            return self.authorize(query, consent=True)
        if method == "POST" and path == "/identity/v1/oauth2/token":
            return self.token_endpoint(headers, body)
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            throttle = self.throttles.pop(0) if self.throttles else None
        if failure:
            return failure, {}, self.error(10001, "API_FULFILLMENT", "APPLICATION", "System error.")
        if throttle is not None:
            return 429, {"Retry-After": f"{throttle:g}"}, self.error(2001, "ACCESS", "REQUEST", "Too many requests.")
        if match := KEY_PATH.fullmatch(path):
            if not self.bearer_ok(headers.get("Authorization"), self.app_tokens):
                return 401, {}, self.error(1001, "OAuth", "REQUEST", "Invalid access token")
            if unquote(match.group(1)) != self.kid:
                return 404, {}, self.error(195001, "API_NOTIFICATION", "REQUEST", "The public key was not found.")
            return 200, {}, {"algorithm": "ECDSA", "digest": "SHA1", "key": self.public_key_pem()}
        if not self.bearer_ok(headers.get("Authorization")):
            return 401, {}, self.error(1001, "OAuth", "REQUEST", "Invalid access token")
        if method == "GET" and path == "/commerce/identity/v1/user/":
            return 200, {}, {"userId": self.user_id, "username": self.username, "accountType": "BUSINESS"}
        if method == "GET" and path == "/sell/fulfillment/v1/order":
            return self.get_orders(query)
        if match := FULFILLMENTS_PATH.fullmatch(path):
            order_id = unquote(match.group(1))
            if method == "GET":
                return self.get_fulfillments(order_id)
            try:
                details = json.loads(body or b"{}")
            except ValueError:
                return 400, {}, self.error(32000, "API_FULFILLMENT", "REQUEST", "Invalid JSON.")
            return self.create_fulfillment(order_id, details)
        if method == "GET" and (match := ORDER_PATH.fullmatch(path)):
            return self.get_order(unquote(match.group(1)))
        return 404, {}, self.error(2002, "API_FULFILLMENT", "REQUEST", "Resource not found.")


class FakeEbayHandler(BaseHTTPRequestHandler):
    fake: FakeEbay
    protocol_version = "HTTP/1.1"

    def handle_one(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        status, headers, payload = self.fake.answer(method, path, dict(parse_qsl(query)), self.headers, body)
        with self.fake.lock:
            self.fake.requests.append({"method": method, "path": path, "status": status})
        if isinstance(payload, str):
            data = payload.encode()
        else:
            data = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            if data and "Content-Type" not in headers:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the caller gave up waiting (post_delay)
            pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.handle_one("GET")

    def do_POST(self) -> None:  # noqa: N802
        self.handle_one("POST")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet in tests
        return
