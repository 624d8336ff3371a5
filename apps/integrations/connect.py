"""Connecting a Shopify shop from the portal, and disconnecting it.

Two ways in, one way through (``_connected``): the shop is asked who it is with the token
(``ShopifyClient.shop()``) before anything is saved — a refused token, an unknown shop, a token of
another shop or an unreachable one is a specific message and saves nothing —, then the connection
is created (``services.connection_create``, secrets encrypted) and its webhooks are subscribed
through the API. A subscription Shopify refuses is recorded on the connection as a warning, not a
refusal: the seller may declare them in the app's shopify.app.toml instead, and the poll brings
the orders in meanwhile.

- ``shop_connect``: a Dev-Dashboard app of the seller's: client id + client secret, and either an
  access token or the client-credentials grant (the token then expires and is asked for again,
  tokens.py).
- ``oauth_begin`` / ``oauth_finish``: our public app's install (SHOPIFY_APP_CLIENT_ID / _SECRET /
  _SCOPES): the authorize redirect with a state nonce kept in the customer's session, then the
  callback — its HMAC, the state, the shop's hostname — and the code exchanged for an expiring
  offline token with its refresh token.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import PermissionDenied, ValidationFailed
from apps.warehouses.selectors import customer_warehouses

from .choices import AuthMethod, ConnectionMode, ConnectionStatus, Platform
from .errors import SecretsUnavailable
from .fulfillment_service import callback_url_of, fulfillment_services_register, fulfillment_services_remove
from .models import Connection
from .oauth import authorize_url, query_signature_ok, scopes_missing, shop_hostname_ok, state_new, state_ok
from .services import api_base_clean, connection_create, shop_domain_clean
from .shopify.auth import TokenGrant, authorization_code_token, client_credentials_token, shop_origin
from .shopify.client import ShopifyClient, ShopifyError, ShopInfo
from .shopify.subscriptions import TOPICS, subscription_create, subscription_delete
from .tokens import client_for
from .woocommerce.adapter import webhooks_delete as woo_webhooks_delete

WebhookUrl = Callable[[Connection], str]
FS_TOPICS = ("APP_UNINSTALLED",)


@dataclass(frozen=True)
class ConnectOptions:
    """What the seller chooses about a new connection, whichever way it is made."""

    display_name: str = ""
    default_warehouse: Any = None
    import_since: datetime.date | None = None
    submit_automatically: bool = False
    api_base: str = ""
    mode: str = ConnectionMode.ORDERS


@dataclass(frozen=True)
class ConnectResult:
    connection: Connection
    shop_name: str
    subscribed: int  # webhook subscriptions made through the API
    warning: str  # what could not be done ("" when all went through)
    services: int = 0  # fulfillment-service mode: services (locations) registered on the shop


def _customer(actor):
    customer = getattr(actor, "customer", None)
    if customer is None:
        raise PermissionDenied("Connections belong to a customer: sign in as the customer's user.")
    return customer


def _refusal(exc: ShopifyError, *, domain: str, auth_field: str, refused: str) -> ValidationFailed:
    """A ShopifyError of the connection check as a message for the form (nothing was saved).
    ``refused`` is the sentence for refused credentials, with {status} and {message} to fill."""
    if exc.code == "NOT_FOUND" or exc.status == 404:
        text = f"No Shopify shop answers at {domain}: check the domain (it ends in .myshopify.com)."
        return ValidationFailed(text, code="unknown_shop", extra={"shop_domain": [text]})
    if exc.retryable:
        text = f"Could not reach {domain}: {exc.message} Nothing was saved; try again in a moment."
        return ValidationFailed(text, code="shop_unreachable")
    if exc.status in (400, 401, 403):
        text = refused.format(status=exc.status, message=exc.message.rstrip("."))
        return ValidationFailed(text, code="credentials_refused", extra={auth_field: [text]})
    return ValidationFailed(f"Shopify refused the connection check: {exc.message}", code="shop_refused")


def _shop_check(domain: str, token: str, api_base: str) -> ShopInfo:
    """Who the token opens: the shop must answer, and be the one typed."""
    try:
        with ShopifyClient(shop=domain, access_token=token, api_base=api_base or None, max_attempts=1) as client:
            info = client.shop()
    except ShopifyError as exc:
        raise _refusal(
            exc,
            domain=domain,
            auth_field="access_token",
            refused=f"Shopify refused the access token ({{status}}). Check that it was copied whole and that the "
            f"app is installed on {domain}.",
        ) from None
    if info.domain and info.domain.lower() != domain:
        text = f"This token belongs to {info.domain}, not {domain}: type {info.domain} as the shop's domain."
        raise ValidationFailed(text, code="shop_mismatch", extra={"shop_domain": [text]})
    return info


def _subscribe(connection: Connection, token: str, uri: str, topics=TOPICS) -> tuple[list[dict], list[str]]:
    made, failed = [], []
    try:
        client = ShopifyClient(
            shop=connection.shop_domain, access_token=token, api_base=connection.api_base or None, max_attempts=2
        )
    except ShopifyError as exc:
        return [], [exc.message]
    with client:
        for topic in topics:
            try:
                made.append({"topic": topic, "id": subscription_create(client, topic=topic, uri=uri)})
            except ShopifyError as exc:
                failed.append(f"{topic}: {exc.message}")
    return made, failed


def _connected(
    *, actor, domain: str, grant: TokenGrant, info: ShopInfo, options: ConnectOptions, webhook_url: WebhookUrl, **auth
) -> ConnectResult:
    connection = connection_create(
        actor=actor,
        platform=Platform.SHOPIFY,
        shop_domain=domain,
        token=grant.access_token,
        refresh_token=grant.refresh_token,
        token_expires_at=grant.expires_at,
        refresh_token_expires_at=grant.refresh_token_expires_at,
        api_base=options.api_base,
        display_name=options.display_name or info.name,
        default_warehouse=options.default_warehouse,
        import_since=options.import_since,
        submit_automatically=options.submit_automatically,
        mode=options.mode,
        **auth,
    )
    uri = webhook_url(connection)
    # Fulfillment-service mode: orders come as requests to our locations, not as order webhooks
    # (those would bring every order of the shop, also the ones the merchant ships himself).
    service_mode = options.mode == ConnectionMode.FULFILLMENT_SERVICE
    topics = FS_TOPICS if service_mode else TOPICS
    made, failed = _subscribe(connection, grant.access_token, uri, topics)
    warnings, services = [], 0
    if service_mode:
        try:
            services = len(
                fulfillment_services_register(connection=connection, callback_url=callback_url_of(uri)).created
            )
        except (ShopifyError, SecretsUnavailable) as exc:
            warnings.append(
                f"The fulfillment services could not be registered on the shop ({getattr(exc, 'message', exc)}); "
                "try again with “Register warehouses” on the shop's card."
            )
    if failed:
        warnings.append(
            f"{len(failed)} of {len(topics)} webhook subscriptions could not be made ({failed[0]}). Declare them "
            f'in the app\'s shopify.app.toml ([[webhooks.subscriptions]] with uri = "{uri}") instead; until '
            "then the poll every 10 minutes brings the orders in."
        )
    if grant.scope and (missing := scopes_missing(settings.SHOPIFY_APP_SCOPES, grant.scope)):
        warnings.append(f"The token lacks the scopes {', '.join(missing)}: add them to the app and install it again.")
    connection.webhook_subscriptions, connection.setup_warning = made, " ".join(warnings)[:500]
    Connection.objects.filter(pk=connection.pk).update(
        webhook_subscriptions=made, setup_warning=connection.setup_warning
    )
    return ConnectResult(
        connection=connection,
        shop_name=info.name,
        subscribed=len(made),
        warning=connection.setup_warning,
        services=services,
    )


def shop_connect(
    *,
    actor,
    shop_domain: str,
    client_id: str,
    client_secret: str,
    access_token: str = "",
    use_client_credentials: bool = False,
    options: ConnectOptions,
    webhook_url: WebhookUrl,
) -> ConnectResult:
    """Connect the seller's own Dev-Dashboard app (see the module). Nothing is saved unless the
    shop answers to the token as the shop typed."""
    _customer(actor)
    domain = shop_domain_clean(shop_domain)
    api_base = api_base_clean(options.api_base)
    client_id, client_secret, access_token = (v.strip() for v in (client_id, client_secret, access_token))
    if not client_secret:
        text = "Enter the app's client secret (Dev Dashboard › your app › Settings): Shopify signs webhooks with it."
        raise ValidationFailed(text, code="invalid_secret", extra={"client_secret": [text]})
    if use_client_credentials and not client_id:
        text = "Enter the app's client ID: the client-credentials grant needs it with the secret."
        raise ValidationFailed(text, code="invalid_client_id", extra={"client_id": [text]})
    if not use_client_credentials and not access_token:
        text = "Paste the Admin API access token, or choose the client-credentials grant."
        raise ValidationFailed(text, code="invalid_token", extra={"access_token": [text]})
    if use_client_credentials:
        try:
            grant = client_credentials_token(
                origin=shop_origin(domain, api_base),
                client_id=client_id,
                client_secret=client_secret,
                now=timezone.now(),
            )
        except ShopifyError as exc:
            raise _refusal(
                exc,
                domain=domain,
                auth_field="client_secret",
                refused="{message} ({status}). Check the client ID and secret (Dev Dashboard › your app › Settings) "
                f"and that the app is installed on {domain}: the grant works for stores of the app's own organization.",
            ) from None
        method = AuthMethod.CLIENT_CREDENTIALS
    else:
        grant, method = TokenGrant(access_token=access_token, scope="", expires_at=None), AuthMethod.TOKEN
    info = _shop_check(domain, grant.access_token, api_base)
    return _connected(
        actor=actor,
        domain=domain,
        grant=grant,
        info=info,
        options=replace(options, api_base=api_base),
        webhook_url=webhook_url,
        auth_method=method,
        client_id=client_id,
        client_secret=client_secret,
    )


# --- OAuth install of our public app ------------------------------------------------------------


def oauth_configured() -> bool:
    return bool(settings.SHOPIFY_APP_CLIENT_ID and settings.SHOPIFY_APP_CLIENT_SECRET)


def _oauth_required() -> None:
    if not oauth_configured():
        raise ValidationFailed(
            "OAuth install is not configured on this hub (SHOPIFY_APP_CLIENT_ID and SHOPIFY_APP_CLIENT_SECRET "
            "are unset). Connect your own Dev-Dashboard app below instead.",
            code="oauth_not_configured",
        )


def oauth_begin(*, actor, shop_domain: str, options: ConnectOptions, redirect_uri: str) -> tuple[str, dict]:
    """(the authorize URL to send the merchant to, what the session keeps until the callback)."""
    customer = _customer(actor)
    _oauth_required()
    domain = shop_domain_clean(shop_domain)
    if not shop_hostname_ok(domain):
        text = "Type the shop's myshopify.com domain (e.g. demo-store.myshopify.com): apps install there."
        raise ValidationFailed(text, code="invalid_shop", extra={"shop_domain": [text]})
    api_base = api_base_clean(options.api_base)
    warehouse = options.default_warehouse
    if warehouse is not None and not customer_warehouses(customer=customer).filter(pk=warehouse.pk).exists():
        raise ValidationFailed("Choose one of the warehouses in your logistics plan.", code="unknown_warehouse")
    state = state_new()
    pending = {
        "state": state,
        "customer_id": customer.pk,
        "shop": domain,
        "api_base": api_base,
        "display_name": options.display_name,
        "warehouse_id": warehouse.pk if warehouse is not None else None,
        "import_since": options.import_since.isoformat() if options.import_since else "",
        "submit_automatically": bool(options.submit_automatically),
        "mode": options.mode,
    }
    url = authorize_url(
        origin=shop_origin(domain, api_base),
        client_id=settings.SHOPIFY_APP_CLIENT_ID,
        scopes=settings.SHOPIFY_APP_SCOPES,
        redirect_uri=redirect_uri,
        state=state,
    )
    return url, pending


def _pending_options(customer, pending: dict) -> ConnectOptions:
    warehouse = None
    if pending.get("warehouse_id"):
        warehouse = customer_warehouses(customer=customer).filter(pk=pending["warehouse_id"]).first()
    since = pending.get("import_since") or ""
    return ConnectOptions(
        display_name=pending.get("display_name") or "",
        default_warehouse=warehouse,
        import_since=datetime.date.fromisoformat(since) if since else None,
        submit_automatically=bool(pending.get("submit_automatically")),
        api_base=pending.get("api_base") or "",
        mode=pending.get("mode") or ConnectionMode.ORDERS,
    )


def oauth_finish(
    *, actor, params: list[tuple[str, str]], pending: dict | None, webhook_url: WebhookUrl
) -> ConnectResult:
    """Shopify's redirect back: checked (HMAC under our app's secret, the session's state, the
    shop's hostname) before the code is exchanged; any failure refuses and saves nothing."""
    customer = _customer(actor)
    _oauth_required()
    secret = settings.SHOPIFY_APP_CLIENT_SECRET
    if not query_signature_ok(secret, params):
        raise ValidationFailed(
            "Shopify's answer is not signed with our app's secret (HMAC mismatch): refused, nothing was saved. "
            "Start the install again.",
            code="bad_hmac",
        )
    query = dict(params)
    if (
        not pending
        or pending.get("customer_id") != customer.pk
        or not state_ok(pending.get("state", ""), query.get("state", ""))
    ):
        raise ValidationFailed(
            "This answer does not belong to an install started from this session (state mismatch): refused, "
            "nothing was saved. Start the install again from this page.",
            code="bad_state",
        )
    shop = (query.get("shop") or "").strip().lower()
    if not shop_hostname_ok(shop) or shop != pending.get("shop"):
        raise ValidationFailed(
            f"Shopify answered for {shop or 'no shop'}, not {pending.get('shop')}: refused, nothing was saved.",
            code="bad_shop",
        )
    code = (query.get("code") or "").strip()
    if not code:
        raise ValidationFailed("Shopify sent no authorization code (was the install declined?).", code="no_code")
    options = _pending_options(customer, pending)
    try:
        grant = authorization_code_token(
            origin=shop_origin(shop, options.api_base or None),
            client_id=settings.SHOPIFY_APP_CLIENT_ID,
            client_secret=secret,
            code=code,
            now=timezone.now(),
        )
    except ShopifyError as exc:
        raise _refusal(
            exc,
            domain=shop,
            auth_field="shop_domain",
            refused="Shopify refused the authorization code ({status}): {message}. Start the install again.",
        ) from None
    info = _shop_check(shop, grant.access_token, options.api_base)
    return _connected(
        actor=actor,
        domain=shop,
        grant=grant,
        info=info,
        options=options,
        webhook_url=webhook_url,
        auth_method=AuthMethod.OAUTH,
        client_id=settings.SHOPIFY_APP_CLIENT_ID,
        client_secret=secret,
    )


# --- Disconnecting ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DisconnectResult:
    connection: Connection
    unsubscribed: int  # webhook subscriptions deleted on the shop
    left: int  # ones Shopify could not be asked to delete (they now get 404s)
    services_removed: int = 0  # fulfillment services deleted on the shop (their locations stay)
    services_left: int = 0


def _unsubscribe(connection: Connection) -> tuple[int, int]:
    """Best effort: delete the subscriptions connect made. Any trouble only counts them as left."""
    if connection.platform == Platform.WOOCOMMERCE:
        return woo_webhooks_delete(connection)
    ids = [s.get("id") for s in connection.webhook_subscriptions or [] if s.get("id")]
    if not ids:
        return 0, 0
    deleted = 0
    try:
        with client_for(connection) as client:
            for subscription_id in ids:
                try:
                    subscription_delete(client, subscription_id=subscription_id)
                    deleted += 1
                except ShopifyError:
                    continue
    except (ShopifyError, SecretsUnavailable):
        pass
    return deleted, len(ids) - deleted


def connection_disconnect(*, actor, connection: Connection, confirm: str, reason: str = "") -> DisconnectResult:
    """Disconnect a shop: status Disconnected with who and why, every credential wiped, its
    webhook answers 404 from now on. Its orders stay; the shop can be connected again. The seller
    confirms by typing the shop's domain."""
    if connection.status == ConnectionStatus.DISCONNECTED:
        raise ValidationFailed("This connection is disconnected already.", code="connection_disconnected")
    if (confirm or "").strip().lower() != connection.shop_domain:
        raise ValidationFailed(
            f"Type {connection.shop_domain} to confirm disconnecting it; nothing was changed.",
            code="confirm_disconnect",
        )
    unsubscribed, left = _unsubscribe(connection)
    services_removed, services_left = fulfillment_services_remove(connection=connection)
    who = getattr(actor, "email", "") or "someone"
    changes = {
        "status": ConnectionStatus.DISCONNECTED,
        "status_reason": (reason or f"Disconnected by {who}.")[:300],
        "credentials_encrypted": "",
        "webhook_secret_encrypted": "",
        "token_expires_at": None,
        "refresh_token_expires_at": None,
        "webhook_subscriptions": [],
        "setup_warning": "",
        "updated_at": timezone.now(),
    }
    with transaction.atomic():
        Connection.objects.filter(pk=connection.pk).update(**changes)
    for name, value in changes.items():
        setattr(connection, name, value)
    return DisconnectResult(
        connection=connection,
        unsubscribed=unsubscribed,
        left=left,
        services_removed=services_removed,
        services_left=services_left,
    )
