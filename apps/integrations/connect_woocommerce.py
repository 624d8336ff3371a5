"""Connecting a WooCommerce store: with keys the seller made (WooCommerce › Settings › Advanced ›
REST API), or through WooCommerce's key handshake so nobody copies keys by hand.

One way through (``woo_connect``): the store is asked for its webhooks with the keys before
anything is saved — refused keys, read-only keys, an unreachable store or one without pretty
permalinks are a specific message and save nothing —, then the connection is created
(``services.connection_create``, secrets encrypted; the webhook secret is ours, made here) and
the order webhooks are made on the store (``order.created``, ``order.updated``,
``order.deleted``) to this connection's webhook URL. Webhooks the store refuses are a warning on
the card, not a refusal: the poll brings the orders in meanwhile, and each poll tries again.

The handshake (``handshake_url`` → the store's /wc-auth/v1/authorize → the store POSTs the keys to
our callback → ``handshake_finish``) carries its state in the ``user_id`` parameter, signed by
Django (``signing``): who asked, for which store, with which choices. Nothing is kept in between;
the keys the callback brings are checked with the store like typed ones.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.core import signing
from django.db import transaction

from apps.accounts.models import User
from apps.core.errors import PermissionDenied, ValidationFailed
from apps.core.tenancy import customer_scope
from apps.warehouses.selectors import customer_warehouses

from .choices import AuthMethod, Platform
from .connect import ConnectOptions, ConnectResult
from .models import Connection
from .platforms import PlatformError
from .services import HOST, api_base_clean, connection_create
from .woocommerce.adapter import webhooks_ensure
from .woocommerce.client import WooClient
from .woocommerce.orders import DEFAULT_IMPORT_STATUSES, STATUS_LABELS

WebhookUrl = Callable[[Connection], str]
APP_NAME = "Fulfillment Hub"
HANDSHAKE_SALT = "integrations.woocommerce.handshake"
HANDSHAKE_MAX_AGE = 60 * 60  # seconds: the seller approves on the store within the hour
IMPORTABLE = ("processing", "on-hold", "pending")


@dataclasses.dataclass(frozen=True)
class WooOptions:
    """WooCommerce's own choices (Connection.options)."""

    import_statuses: tuple[str, ...] = DEFAULT_IMPORT_STATUSES
    complete_on_ship: bool = True


def store_domain_clean(text: str, *, api_base: str = "") -> str:
    """``https://Shop.Example/`` → ``shop.example``. The keys travel by HTTP Basic, so the store must
    answer on https (unless another server, a local fake, stands in for it)."""
    url = (text or "").strip()
    parts = urlsplit(url if "://" in url else f"https://{url}")
    domain = (parts.netloc or "").lower()
    if not HOST.match(domain):
        raise ValidationFailed(
            "Enter the store's address, e.g. https://shop.example.com.", code="invalid_shop", extra={"shop_domain": []}
        )
    if parts.scheme != "https" and not api_base:
        raise ValidationFailed(
            "The store must be reached over https: WooCommerce sends API keys only over a secure connection.",
            code="store_not_https",
        )
    if parts.path.strip("/"):
        raise ValidationFailed(
            "Enter the store's address without a path (a WordPress in a sub-folder is not supported yet).",
            code="store_path",
        )
    return domain


def woo_options_clean(statuses) -> WooOptions:
    wanted = tuple(s for s in (statuses or DEFAULT_IMPORT_STATUSES) if s)
    unknown = [s for s in wanted if s not in IMPORTABLE]
    if unknown:
        raise ValidationFailed(f"Orders cannot be imported while {', '.join(unknown)}.", code="invalid_statuses")
    return WooOptions(import_statuses=wanted or DEFAULT_IMPORT_STATUSES)


def _client(domain: str, key: str, secret: str, api_base: str) -> WooClient:
    return WooClient(
        store_url=f"https://{domain}",
        consumer_key=key,
        consumer_secret=secret,
        api_base=api_base or None,
        max_attempts=2,
    )


def _keys_check(client: WooClient, domain: str) -> None:
    """The keys open the store's webhooks (what connecting needs first), or a ValidationFailed."""
    try:
        client.webhooks()
    except PlatformError as exc:
        if exc.retryable:
            raise ValidationFailed(
                f"Could not reach {domain}: {exc.message} Nothing was saved; try again in a moment.",
                code="shop_unreachable",
            ) from None
        if exc.status in (401, 403):
            text = (
                f"{domain} refused the keys ({exc.code or exc.status}). Check that both were copied whole, that they "
                "have Read/Write permission and that their user may manage WooCommerce."
            )
            raise ValidationFailed(text, code="credentials_refused", extra={"consumer_key": [text]}) from None
        if exc.status == 404:
            text = (
                f"No WooCommerce REST API answers at {domain}: check the address, that WooCommerce is active and "
                "that WordPress › Settings › Permalinks is not “Plain”."
            )
            raise ValidationFailed(text, code="unknown_shop", extra={"shop_domain": [text]}) from None
        text = f"WooCommerce refused the connection check: {exc.message}"
        raise ValidationFailed(text, code="shop_refused") from None


def woo_connect(
    *,
    actor,
    store_url: str,
    consumer_key: str,
    consumer_secret: str,
    options: ConnectOptions,
    woo: WooOptions = WooOptions(),  # noqa: B008 - frozen, never changed
    webhook_url: WebhookUrl,
) -> ConnectResult:
    """Connect a store with its keys (see the module). Nothing is saved unless the keys work."""
    if getattr(actor, "customer", None) is None:
        raise PermissionDenied("Connections belong to a customer: sign in as the customer's user.")
    api_base = api_base_clean(options.api_base)
    domain = store_domain_clean(store_url, api_base=api_base)
    key, secret = (consumer_key or "").strip(), (consumer_secret or "").strip()
    if not key.startswith("ck_") or not secret.startswith("cs_"):
        text = "Enter the consumer key (ck_…) and the consumer secret (cs_…) of a Read/Write REST API key."
        raise ValidationFailed(text, code="invalid_keys", extra={"consumer_key": [text]})
    with _client(domain, key, secret, api_base) as client:
        _keys_check(client, domain)
        try:
            site = client.call("GET", "/wp-json/")[1]
            name = str(site.get("name") or "")[:100] if isinstance(site, dict) else ""
        except PlatformError:
            name = ""
        with transaction.atomic():
            connection = connection_create(
                actor=actor,
                platform=Platform.WOOCOMMERCE,
                shop_domain=domain,
                webhook_secret=secrets.token_urlsafe(32),
                api_base=api_base,
                display_name=options.display_name or name,
                default_warehouse=options.default_warehouse,
                import_since=options.import_since,
                submit_automatically=options.submit_automatically,
                auth_method=AuthMethod.API_KEYS,
            )
            connection.set_credentials({"consumer_key": key, "consumer_secret": secret})
            connection.options = {
                "import_statuses": list(woo.import_statuses),
                "complete_on_ship": woo.complete_on_ship,
                "query_auth": client.query_auth,
                "webhook_url": webhook_url(connection),
            }
            connection.save(update_fields=["credentials_encrypted", "options", "updated_at"])
        # Committed first: WooCommerce pings the webhook URL as it saves each webhook.
        made, warning = [], ""
        try:
            if connection.options["webhook_url"]:
                made = webhooks_ensure(
                    client, delivery_url=connection.options["webhook_url"], secret=connection.webhook_secret()
                )["subscriptions"]
            else:
                warning = "No webhooks were made (this site's address was not given): the poll brings orders in."
        except PlatformError as exc:
            warning = (
                f"The store's webhooks could not be made ({exc.message}); until they are, the poll every 10 minutes "
                "brings the orders in, and each poll tries to make them again."
            )
    connection.webhook_subscriptions, connection.setup_warning = made, warning[:500]
    Connection.objects.filter(pk=connection.pk).update(webhook_subscriptions=made, setup_warning=warning[:500])
    return ConnectResult(connection=connection, shop_name=name or domain, subscribed=len(made), warning=warning)


# --- The key handshake -------------------------------------------------------------------------


def handshake_url(
    *, actor, store_url: str, options: ConnectOptions, woo: WooOptions, return_url: str, callback_url: str
) -> str:
    """Where to send the seller to approve our app on the store (see the module)."""
    if getattr(actor, "customer", None) is None:
        raise PermissionDenied("Connections belong to a customer: sign in as the customer's user.")
    api_base = api_base_clean(options.api_base)
    domain = store_domain_clean(store_url, api_base=api_base)
    state = {
        "u": actor.pk,
        "d": domain,
        "b": api_base,
        "n": options.display_name,
        "w": options.default_warehouse.pk if options.default_warehouse else None,
        "i": options.import_since.isoformat() if options.import_since else None,
        "s": options.submit_automatically,
        "t": list(woo.import_statuses),
        "c": woo.complete_on_ship,
    }
    params = {
        "app_name": APP_NAME,
        "scope": "read_write",
        "user_id": signing.dumps(state, salt=HANDSHAKE_SALT, compress=True),
        "return_url": return_url,
        "callback_url": callback_url,
    }
    root = (api_base or f"https://{domain}").rstrip("/")
    return f"{root}/wc-auth/v1/authorize?{urlencode(params)}"


def handshake_state(user_id: str) -> dict:
    try:
        return signing.loads(user_id or "", salt=HANDSHAKE_SALT, max_age=HANDSHAKE_MAX_AGE)
    except signing.BadSignature:
        raise ValidationFailed(
            "This WooCommerce approval is not ours or has expired; connect the store again.", code="handshake_invalid"
        ) from None


def handshake_finish(*, payload, webhook_url: WebhookUrl) -> ConnectResult:
    """The store's POST to our callback: {key_id, user_id, consumer_key, consumer_secret,
    key_permissions}. Connects the store as the user who started the handshake."""
    if not isinstance(payload, dict):
        raise ValidationFailed("The callback body is not the keys WooCommerce sends.", code="handshake_body")
    state = handshake_state(str(payload.get("user_id") or ""))
    if payload.get("key_permissions") not in ("read_write", "write"):
        raise ValidationFailed("The store granted read-only keys; read/write is needed.", code="handshake_scope")
    user = User.objects.select_related("customer").filter(pk=state["u"], is_active=True).first()
    if user is None or user.customer_id is None:
        raise PermissionDenied("The user who started connecting this store is gone.")
    with customer_scope(user.customer):
        warehouse = customer_warehouses(customer=user.customer).filter(pk=state.get("w")).first()
        options = ConnectOptions(
            display_name=state.get("n") or "",
            default_warehouse=warehouse,
            import_since=datetime.date.fromisoformat(state["i"]) if state.get("i") else None,
            submit_automatically=bool(state.get("s")),
            api_base=state.get("b") or "",
        )
        return woo_connect(
            actor=user,
            store_url=state["d"],
            consumer_key=str(payload.get("consumer_key") or ""),
            consumer_secret=str(payload.get("consumer_secret") or ""),
            options=options,
            woo=WooOptions(
                import_statuses=tuple(state.get("t") or DEFAULT_IMPORT_STATUSES), complete_on_ship=bool(state.get("c"))
            ),
            webhook_url=webhook_url,
        )


def status_choices() -> list[tuple[str, str]]:
    return [(s, STATUS_LABELS[s].capitalize()) for s in IMPORTABLE]
