"""Connections and the webhook inbox: every write of the integrations app except processing an
event (inbox.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.core.errors import PermissionDenied, StateConflict, ValidationFailed
from apps.core.outbox import outbox_emit
from apps.warehouses.selectors import customer_warehouses

from .choices import BUILT, AuthMethod, ConnectionMode, ConnectionStatus, EventStatus, Platform
from .errors import WebhookRefused
from .models import Connection, PlatformEvent
from .rules import (
    HMAC_HEADER,
    PRIVACY_TOPICS,
    TOPIC_HEADER,
    WEBHOOK_ID_HEADER,
    event_key,
    headers_lower,
    headers_redacted,
    shopify_signature_ok,
)

logger = logging.getLogger(__name__)

PROCESS_TASK = "integrations.process_event"
HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$")
BAD_SIGNATURE = "The webhook signature does not match this connection's secret."


def shop_domain_clean(text: str) -> str:
    """``https://Demo-Store.myshopify.com/`` → ``demo-store.myshopify.com``."""
    domain = (text or "").strip().lower()
    if "://" in domain:
        domain = urlsplit(domain).netloc
    domain = domain.strip("/")
    if not HOST.match(domain):
        raise ValidationFailed(
            "Enter the shop's domain, e.g. demo-store.myshopify.com.", code="invalid_shop", extra={"shop": [domain]}
        )
    return domain


# A marketplace account's name (eBay user IDs: letters, digits and . _ - *), where a shop has a domain.
ACCOUNT_NAME = re.compile(r"^[a-z0-9][a-z0-9._*-]{0,63}$")


def account_name_clean(text: str) -> str:
    """`` Fake_Seller `` → ``fake_seller`` (eBay user IDs are not case-sensitive)."""
    name = (text or "").strip().lower()
    if not ACCOUNT_NAME.match(name):
        raise ValidationFailed("Enter the eBay user ID of the seller account.", code="invalid_shop")
    return name


def api_base_clean(text: str) -> str:
    url = (text or "").strip()
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        raise ValidationFailed("The API base must be an http(s) URL.", code="invalid_api_base")
    return url.rstrip("/")


@transaction.atomic
def connection_create(
    *,
    actor,
    platform: str,
    shop_domain: str,
    webhook_secret: str = "",
    token: str = "",
    api_base: str = "",
    display_name: str = "",
    default_warehouse=None,
    import_since=None,
    submit_automatically: bool = False,
    client_id: str = "",
    client_secret: str = "",
    auth_method: str = AuthMethod.TOKEN,
    refresh_token: str = "",
    token_expires_at=None,
    refresh_token_expires_at=None,
    mode: str = ConnectionMode.ORDERS,
) -> Connection:
    """A new active connection of the actor's customer to a shop. The token, the app's client id
    and secret, the refresh token and the webhook secret are stored encrypted; nothing here logs
    them. Shopify signs webhooks with the app's client secret, so without a webhook secret the
    client secret is it."""
    customer = getattr(actor, "customer", None)
    if customer is None:
        raise PermissionDenied("Connections belong to a customer: sign in as the customer's user.")
    if platform not in Platform.values:
        raise ValidationFailed(f"Unknown platform {platform!r}.", code="invalid_platform")
    if platform not in BUILT:
        raise ValidationFailed(
            f"{Platform(platform).label} connections are not available yet.", code="platform_not_built"
        )
    domain = account_name_clean(shop_domain) if platform == Platform.EBAY else shop_domain_clean(shop_domain)
    secret = (webhook_secret or "").strip() or (client_secret or "").strip()
    if not secret:
        raise ValidationFailed("Enter the webhook signing secret (the app's client secret).", code="invalid_secret")
    if auth_method not in AuthMethod.values:
        raise ValidationFailed(f"Unknown way to authenticate {auth_method!r}.", code="invalid_auth_method")
    if mode not in ConnectionMode.values:
        raise ValidationFailed(f"Unknown connection mode {mode!r}.", code="invalid_mode")
    if default_warehouse is not None and not customer_warehouses(customer=customer).filter(pk=default_warehouse.pk):
        raise ValidationFailed("Choose one of the warehouses in your logistics plan.", code="unknown_warehouse")
    connection = Connection(
        customer=customer,
        platform=platform,
        shop_domain=domain,
        display_name=(display_name or "").strip()[:100] or domain.split(".")[0],
        api_base=api_base_clean(api_base),
        default_warehouse=default_warehouse,
        import_since=import_since,
        submit_automatically=submit_automatically,
        status=ConnectionStatus.ACTIVE,
        auth_method=auth_method,
        mode=mode,
        token_expires_at=token_expires_at,
        refresh_token_expires_at=refresh_token_expires_at,
    )
    credentials = {"access_token": (token or "").strip()}
    for name, value in (("client_id", client_id), ("client_secret", client_secret), ("refresh_token", refresh_token)):
        if (value or "").strip():
            credentials[name] = value.strip()
    connection.set_credentials(credentials)
    connection.set_webhook_secret(secret)
    try:
        with transaction.atomic():
            connection.save()
    except IntegrityError:
        raise ValidationFailed(
            f"{domain} is already connected. Disconnect it there first.", code="shop_already_connected"
        ) from None
    return connection


def webhook_receive(*, connection: Connection, headers: Mapping[str, str], body: bytes) -> tuple[PlatformEvent, bool]:
    """Store a Shopify webhook delivery in the inbox and queue its processing; (event, created).

    The signature is checked first over the raw bytes: a wrong one raises WebhookRefused and
    nothing is stored. A delivery already stored (same topic and event id) is returned as it is,
    with created False: acknowledged, not stored or processed twice. Processing runs in the
    background (``integrations.process_event`` through the outbox), so the caller answers at once."""
    given = headers_lower(headers)
    topic = given.get(TOPIC_HEADER, "").strip()[:100] or "unknown"
    secret = connection.webhook_secret()
    if not secret and topic in PRIVACY_TOPICS:  # disconnected by the seller: the public app's secret
        secret = settings.SHOPIFY_APP_CLIENT_SECRET
    if not shopify_signature_ok(secret, body, given.get(HMAC_HEADER, "")):
        logger.info("webhook refused for connection %s: bad signature", connection.pk)
        raise WebhookRefused(BAD_SIGNATURE)
    return event_store(
        connection=connection,
        topic=topic,
        event_id=event_key(given, body),
        webhook_id=given.get(WEBHOOK_ID_HEADER, ""),
        headers=headers_redacted(given),
        body=body,
    )


def event_store(
    *, connection: Connection, topic: str, event_id: str, webhook_id: str, headers: dict, body: bytes
) -> tuple[PlatformEvent, bool]:
    """Store a delivery whose signature the caller checked in the inbox and queue its processing
    after commit; (event, created). ``(connection, topic, event_id)`` is unique: a delivery already
    stored is returned as it is, with created False — acknowledged, not processed twice. The
    headers come redacted by the caller (no signature or credential is stored)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = PlatformEvent.objects.create(
                    connection=connection,
                    event_id=event_id[:255],
                    webhook_id=(webhook_id or "")[:255],
                    topic=topic[:100],
                    body=bytes(body),
                    headers=headers,
                )
        except IntegrityError:
            return PlatformEvent.objects.get(connection=connection, topic=topic[:100], event_id=event_id[:255]), False
        _process_later(event)
    return event, True


def _process_later(event: PlatformEvent) -> None:
    """Queue the event's processing after the caller's transaction commits (the outbox)."""
    outbox_emit(
        kind="integrations.event",
        task=PROCESS_TASK,
        payload={"event_id": event.pk, "customer_id": event.connection.customer_id},
        key=f"integrations.event:{event.pk}",
    )


def event_replay(*, actor, event: PlatformEvent) -> PlatformEvent:
    """Process a failed event again (support, once its cause is fixed: an item mapped, a
    warehouse added to the plan): it goes back to Received and its processing is queued as the
    webhook queues it. Only a failed event of a connection that is not disconnected is replayed;
    processed and ignored ones stay as they are, so a replay never imports an order twice."""
    with transaction.atomic():
        locked = (
            PlatformEvent.objects.select_for_update(of=("self",))
            .select_related("connection")
            .filter(pk=event.pk)
            .first()
        )
        if locked is None:
            raise ValidationFailed("This event no longer exists.", code="event_missing")
        if locked.status != EventStatus.FAILED:
            raise StateConflict(
                f"Only a failed event can be replayed; this {locked.topic} event is "
                f"{locked.get_status_display().lower()}, so nothing was changed.",
                code="event_not_failed",
            )
        if locked.connection.status == ConnectionStatus.DISCONNECTED:
            raise StateConflict(
                "The shop is disconnected: its events are not processed any more. Connect it again first.",
                code="connection_disconnected",
            )
        who = getattr(actor, "email", "") or "someone"
        locked.status = EventStatus.RECEIVED
        locked.result = f"Replayed by {who}; waiting to be processed again. Before: {locked.result}"[:1000]
        locked.save(update_fields=["status", "result"])
        logger.info("platform event %s replayed by %s", locked.pk, who)
        _process_later(locked)
    return locked


def _status_set(connection: Connection, status: str, reason: str) -> Connection:
    Connection.objects.filter(pk=connection.pk).update(status=status, status_reason=reason[:300])
    connection.status, connection.status_reason = status, reason[:300]
    return connection


def connection_pause(*, actor, connection: Connection, reason: str = "") -> Connection:
    """Stop the poll of a connection (and Sync now). Its webhook still stores and processes what
    the shop sends, so nothing is lost while paused; resuming lets the next poll bring in what
    webhooks missed meanwhile."""
    if connection.status == ConnectionStatus.DISCONNECTED:
        raise ValidationFailed("This connection is disconnected; it cannot be paused.", code="connection_disconnected")
    who = getattr(actor, "email", "") or "someone"
    return _status_set(connection, ConnectionStatus.PAUSED, reason or f"Paused by {who}.")


def connection_resume(*, actor, connection: Connection) -> Connection:
    if connection.status != ConnectionStatus.PAUSED:
        raise ValidationFailed("Only a paused connection can be resumed.", code="connection_not_paused")
    who = getattr(actor, "email", "") or "someone"
    return _status_set(connection, ConnectionStatus.ACTIVE, f"Resumed by {who}.")
