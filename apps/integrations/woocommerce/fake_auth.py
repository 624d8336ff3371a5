"""The fake store's key handshake (WooCommerce's WC_Auth, /wc-auth/v1/): the seller, signed in to
the store, approves the app; the store makes a key pair, POSTs it as JSON to the app's callback
URL, and sends the browser to the return URL with ``success=1&user_id=…``. A denial, or a callback
that does not answer 200, sends the browser back with ``success=0`` (WooCommerce then deletes the
keys it made).

The real store insists on an HTTPS callback URL; the fake allows http on 127.0.0.1/localhost
(``allow_http_callback``), where the demo and the tests run."""

from __future__ import annotations

import html
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

SCOPES = {"read": "Read", "write": "Write", "read_write": "Read/Write"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver"}


def _with(url: str, **params) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


class FakeAuth:
    def auth_init(self) -> None:
        self.allow_http_callback = True
        self.handshakes: list[dict] = []  # {app_name, user_id, callback_status, key}

    def auth_answer(self, method: str, path: str, query: dict, body: bytes):
        path = path.rstrip("/")
        if path == "/wc-auth/v1/authorize" and method == "GET":
            return self.authorize_page(query)
        if path == "/wc-auth/v1/access_granted" and method == "POST":
            return self.access_granted(dict(parse_qsl(body.decode("utf-8", "replace"))))
        return 404, {}, "<h1>Not Found</h1>"

    def _params_problem(self, params: dict) -> str:
        for name in ("app_name", "scope", "user_id", "return_url", "callback_url"):
            if not params.get(name):
                return f"Missing parameter {name}"
        if params["scope"] not in SCOPES:
            return "Invalid scope"
        callback = urlsplit(params["callback_url"])
        if callback.scheme != "https" and not (self.allow_http_callback and callback.hostname in LOCAL_HOSTS):
            return "The callback_url needs to be over SSL"
        return ""

    def authorize_page(self, params: dict):
        problem = self._params_problem(params)
        if problem:
            return 400, {}, f"<h1>Error</h1><p>{html.escape(problem)}</p>"
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        app = html.escape(params["app_name"])
        page = f"""<!doctype html><html><head><title>{html.escape(self.name)} › Authorize</title></head><body>
<h1>{app} would like to connect to {html.escape(self.name)}</h1>
<p>This will give "{app}" {SCOPES[params["scope"]]} access: view and manage orders, webhooks and products.</p>
<form method="post" action="/wc-auth/v1/access_granted">{hidden}
<button type="submit" name="wc_auth_action" value="approve">Approve</button>
<button type="submit" name="wc_auth_action" value="deny">Deny</button></form></body></html>"""
        return 200, {}, page

    def access_granted(self, params: dict):
        problem = self._params_problem(params)
        if problem:
            return 400, {}, f"<h1>Error</h1><p>{html.escape(problem)}</p>"
        if params.get("wc_auth_action") != "approve":
            return 302, {"Location": _with(params["return_url"], success="0", user_id=params["user_id"])}, ""
        key = "ck_" + secrets.token_hex(20)
        secret = "cs_" + secrets.token_hex(20)
        permissions = params["scope"]
        self.add_key(key, secret, permissions="read_write" if permissions == "read_write" else permissions)
        key_id = next(self.ids)
        payload = {
            "key_id": key_id,
            "user_id": params["user_id"],
            "consumer_key": key,
            "consumer_secret": secret,
            "key_permissions": permissions,
        }
        try:
            status = httpx.post(params["callback_url"], json=payload, timeout=30.0).status_code
        except httpx.HTTPError:
            status = 0
        with self.lock:
            self.handshakes.append(
                {"app_name": params["app_name"], "user_id": params["user_id"], "callback_status": status, "key": key}
            )
        if status != 200:
            self.revoke_key(key)
            page = (
                "<h1>Error</h1><p>An error occurred in the request and at the time were unable to send the consumer"
                " data.</p>"
            )
            return 400, {}, page
        return 302, {"Location": _with(params["return_url"], success="1", user_id=params["user_id"])}, ""
