"""The fake Shopify's app authentication (`fake_server.FakeShopify` is made of this and the other
mixins): the token endpoint with its three grants, tokens that expire, the OAuth authorize step,
and webhook subscriptions made through GraphQL.

- `POST /admin/oauth/access_token` (form-encoded or JSON): `grant_type=client_credentials`
  (a ~24 h token, no refresh token), an authorization `code` (with `expiring=1`: a 60-minute
  token and a 90-day refresh token; without: a token that never expires), and
  `grant_type=refresh_token` (a new pair). A wrong client id or secret gets 400
  `invalid_client`, an unknown, used or expired code or refresh token 400 `invalid_grant`.
- Every token it issued is accepted by the GraphQL endpoint until it expires, then 401 like the
  fixed `token`. `expire_tokens()` makes every issued token lapse now.
- `GET /admin/oauth/authorize?client_id&scope&redirect_uri&state`: the merchant approves at once;
  the answer is a 302 back to redirect_uri with code, host, shop, state, timestamp and hmac (hex
  HMAC-SHA256 of the sorted others under the client secret), so a test runs the whole dance.
- `webhookSubscriptionCreate` / `webhookSubscriptionDelete`, kept in `subscriptions`
  (`refuse_subscriptions(message)` answers userErrors instead).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from urllib.parse import parse_qsl, urlencode

DEFAULT_CLIENT_ID = "fake0client0id0123456789"
DEFAULT_CLIENT_SECRET = "shpss_fake_client_secret_0123456789"
# write_* implies read_*, as Shopify reports granted scopes.
DEFAULT_SCOPES = (
    "read_orders,read_products,read_locations,write_inventory,write_merchant_managed_fulfillment_orders,"
    "write_fulfillments"
)
CLIENT_CREDENTIALS_SECONDS = 86_399
OFFLINE_SECONDS = 3_600
REFRESH_SECONDS = 90 * 86_400
INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Client authentication failed due to unknown client, no client authentication included, "
    "or unsupported authentication method.",
}


def invalid_grant(description: str) -> tuple[int, dict, dict]:
    return 400, {}, {"error": "invalid_grant", "error_description": description}


class FakeAuth:
    """App credentials, issued tokens and webhook subscriptions; mixed into FakeShopify, which
    owns the lock, the ids and the fixed `token` (always valid)."""

    AUTH_DOCUMENTS = (
        ("webhookSubscriptionCreate(", "webhook_subscription_create"),
        ("webhookSubscriptionDelete(", "webhook_subscription_delete"),
    )
    AUTH_ROUTES = ((re.compile(r"/admin/oauth/access_token"), "token_endpoint"),)
    AUTH_GET_ROUTES = ((re.compile(r"/admin/oauth/authorize"), "authorize"),)

    def auth_init(self, *, client_id: str, client_secret: str, scopes: str = DEFAULT_SCOPES) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes  # what a client-credentials token is granted
        self.issued: dict[str, float | None] = {}  # token → expiry (epoch seconds; None: never)
        self.refresh_tokens: dict[str, float] = {}
        self.codes: dict[str, str] = {}  # authorization code → the scopes approved
        self.grants: list[str] = []  # each token request that succeeded, by grant
        self.authorizations: list[dict] = []  # each authorize request, as asked
        self.subscriptions: dict[str, dict] = {}  # id → {topic, uri}
        self.subscription_refusal = ""

    # Knobs.

    def expire_tokens(self) -> None:
        """Every token issued so far lapses now (the fixed `token` stays valid)."""
        with self.lock:
            for token in self.issued:
                self.issued[token] = time.time() - 1

    def refuse_subscriptions(self, message: str) -> None:
        self.subscription_refusal = message

    def token_valid(self, token: str | None) -> bool:
        if not token:
            return False
        if hmac.compare_digest(token, self.token):
            return True
        with self.lock:
            if token not in self.issued:
                return False
            expiry = self.issued[token]
        return expiry is None or expiry > time.time()

    # The token endpoint.

    def _issue(self, grant: str, seconds: int | None, *, refresh: bool, scope: str) -> dict:
        token = "shpat_" + secrets.token_hex(16)
        answer = {"access_token": token, "scope": scope}
        with self.lock:
            self.issued[token] = time.time() + seconds if seconds else None
            if seconds:
                answer["expires_in"] = seconds
            if refresh:
                refresh_token = "shprt_" + secrets.token_hex(16)
                self.refresh_tokens[refresh_token] = time.time() + REFRESH_SECONDS
                answer |= {"refresh_token": refresh_token, "refresh_token_expires_in": REFRESH_SECONDS}
            self.grants.append(grant)
        return answer

    def token_endpoint(self, headers, body: bytes) -> tuple[int, dict, dict]:
        if "json" in (headers.get("Content-Type") or ""):
            try:
                form = {k: str(v) for k, v in (json.loads(body or b"{}") or {}).items()}
            except (ValueError, AttributeError):
                return 400, {}, {"error": "invalid_request"}
        else:
            form = dict(parse_qsl(body.decode("utf-8", "replace")))
        if form.get("client_id") != self.client_id or not hmac.compare_digest(
            form.get("client_secret", "").encode(), self.client_secret.encode()
        ):
            return 400, {}, INVALID_CLIENT
        grant = form.get("grant_type", "")
        if grant == "client_credentials":
            return 200, {}, self._issue(grant, CLIENT_CREDENTIALS_SECONDS, refresh=False, scope=self.scopes)
        if grant == "refresh_token":
            with self.lock:
                expiry = self.refresh_tokens.get(form.get("refresh_token", ""))
            if expiry is None or expiry <= time.time():
                return invalid_grant("The refresh token is invalid or has expired.")
            return 200, {}, self._issue(grant, OFFLINE_SECONDS, refresh=True, scope=self.scopes)
        if not grant and form.get("code"):
            with self.lock:
                scope = self.codes.pop(form["code"], None)
            if scope is None:
                return invalid_grant("The authorization code was not found or was already used.")
            expiring = form.get("expiring") == "1"
            return (
                200,
                {},
                self._issue("authorization_code", OFFLINE_SECONDS if expiring else None, refresh=expiring, scope=scope),
            )
        return 400, {}, {"error": "unsupported_grant_type"}

    # The authorize step (a browser redirect).

    def query_hmac(self, params: dict) -> str:
        message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k not in ("hmac", "signature"))
        return hmac.new(self.client_secret.encode(), message.encode(), hashlib.sha256).hexdigest()

    def authorize(self, headers, query: dict) -> tuple[int, dict, dict]:
        with self.lock:
            self.authorizations.append(dict(query))
        if query.get("client_id") != self.client_id:
            return 400, {}, {"errors": "Oauth error invalid_request: The client_id is invalid."}
        redirect_uri = query.get("redirect_uri") or ""
        if not redirect_uri.startswith(("http://", "https://")):
            return 400, {}, {"errors": "Oauth error invalid_request: The redirect_uri is missing or not allowed."}
        code = secrets.token_hex(16)
        with self.lock:
            self.codes[code] = query.get("scope") or ""
        params = {
            "code": code,
            "host": base64.urlsafe_b64encode(f"{self.domain}/admin".encode()).decode().rstrip("="),
            "shop": self.domain,
            "state": query.get("state") or "",
            "timestamp": str(int(time.time())),
        }
        params["hmac"] = self.query_hmac(params)
        separator = "&" if "?" in redirect_uri else "?"
        return 302, {"Location": redirect_uri + separator + urlencode(params)}, {}

    # Webhook subscriptions.

    def webhook_subscription_create(self, variables: dict) -> dict:
        topic = variables.get("topic") or ""
        uri = (variables.get("webhookSubscription") or {}).get("uri") or ""
        errors = []
        if self.subscription_refusal:
            errors.append({"field": ["webhookSubscription"], "message": self.subscription_refusal})
        elif not uri.startswith(("http://", "https://")):
            errors.append({"field": ["webhookSubscription", "uri"], "message": "Address is invalid"})
        with self.lock:
            if not errors and any(s == {"topic": topic, "uri": uri} for s in self.subscriptions.values()):
                errors.append(
                    {
                        "field": ["webhookSubscription", "uri"],
                        "message": "Address for this topic has already been taken",
                    }
                )
            if errors:
                return {"webhookSubscriptionCreate": {"webhookSubscription": None, "userErrors": errors}}
            subscription_id = f"gid://shopify/WebhookSubscription/{next(self.ids)}"
            self.subscriptions[subscription_id] = {"topic": topic, "uri": uri}
        node = {"id": subscription_id, "topic": topic, "uri": uri}
        return {"webhookSubscriptionCreate": {"webhookSubscription": node, "userErrors": []}}

    def webhook_subscription_delete(self, variables: dict) -> dict:
        subscription_id = variables.get("id") or ""
        with self.lock:
            found = self.subscriptions.pop(subscription_id, None)
        if found is None:
            errors = [{"field": ["id"], "message": "Webhook subscription does not exist"}]
            return {"webhookSubscriptionDelete": {"deletedWebhookSubscriptionId": None, "userErrors": errors}}
        return {"webhookSubscriptionDelete": {"deletedWebhookSubscriptionId": subscription_id, "userErrors": []}}
