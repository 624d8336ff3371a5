"""Shopify's app/uninstalled and its three mandatory privacy topics, acted on.

- ``app/uninstalled``: the shop removed the app — its token is dead. The connection is
  Disconnected with the time and its credentials wiped; the webhook secret stays, so the privacy
  topics Shopify sends afterwards (shop/redact comes 48 hours later) can still be verified.
- ``customers/data_request``: a shop customer asked the shop for their data. We report which of
  our orders hold it (the event's result, shown in the event log; the order pages show the data).
- ``customers/redact``: erase that customer's personal data from their orders here (orders'
  ``order_recipient_redact``: an order still being fulfilled is reported and flagged instead), and
  from the stored webhook bodies about those orders.
- ``shop/redact``: delete what the connection holds of the shop — its events, sync runs, SKU
  mappings and order links — and its secrets. Our orders stay: they are the seller's records of
  what we fulfilled and billed (README "Integrations").
The request's own body carries the person's e-mail and phone: it is stored masked once acted on.

eBay's MARKETPLACE_ACCOUNT_DELETION (``account_deleted``): an eBay user closed their account. Their
data goes from our orders of theirs as a buyer (the links' ``buyer_ref``, like customers/redact);
when the user is the connection's own seller account, the connection is disconnected and its
tokens deleted. The notification's username and ids are masked once acted on.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.tenancy import customer_scope, staff_scope
from apps.orders.privacy import order_recipient_redact

from .choices import ConnectionStatus, EventStatus, Platform
from .ebay.notifications import DELETION_TOPIC, SIGNATURE_HEADER, deletion_read
from .models import Connection, OrderLink, PlatformEvent
from .rules import CANCEL_TOPIC, MASK, ORDER_TOPICS, REDACTED, Outcome, headers_lower, personal_data_masked
from .services import event_store
from .updates import link_flag


def app_uninstalled(connection: Connection, event: PlatformEvent) -> Outcome:
    if connection.status == ConnectionStatus.DISCONNECTED:
        return Outcome(EventStatus.IGNORED, "The connection was disconnected already.")
    when = timezone.localtime(event.received_at)
    changes = {
        "status": ConnectionStatus.DISCONNECTED,
        "status_reason": f"The app was uninstalled from {connection.shop_domain} on Shopify ({when:%Y-%m-%d %H:%M}).",
        "credentials_encrypted": "",
        "token_expires_at": None,
        "refresh_token_expires_at": None,
        "webhook_subscriptions": [],  # Shopify deletes an app's subscriptions with the app
        "updated_at": timezone.now(),
    }
    Connection.objects.filter(pk=connection.pk).update(**changes)
    return Outcome(
        EventStatus.PROCESSED,
        "The app was uninstalled on Shopify: the connection is disconnected and its token deleted. "
        "Orders already imported stay; connect the shop again to import more.",
    )


def _body(event: PlatformEvent) -> dict:
    try:
        data = json.loads(bytes(event.body))
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _mask(event: PlatformEvent, data: dict) -> None:
    masked = json.dumps(personal_data_masked(data)).encode()
    PlatformEvent.objects.filter(pk=event.pk).update(body=masked)


def _links(connection: Connection, data: dict, key: str):
    """The links of the orders the request names (their Shopify ids), and of the orders sent to
    the customer's e-mail."""
    ids = [str(i) for i in (data.get(key) or []) if i not in (None, "")]
    email = str((data.get("customer") or {}).get("email") or "").strip()
    links = OrderLink.objects.filter(connection=connection, order__isnull=False).select_related("order")
    found = {link.pk: link for link in links.filter(platform_order_id__in=ids)}
    if email:
        found.update({link.pk: link for link in links.filter(order__recipient_email__iexact=email)})
    return sorted(found.values(), key=lambda link: link.pk)


def customers_data_request(connection: Connection, event: PlatformEvent) -> Outcome:
    data = _body(event)
    request_id = (data.get("data_request") or {}).get("id") or "?"
    links = _links(connection, data, "orders_requested")
    _mask(event, data)
    if not links:
        return Outcome(EventStatus.PROCESSED, f"Data request {request_id}: no order here holds this customer's data.")
    named = ", ".join(f"{link.order.number} ({link.platform_order_name or link.platform_order_id})" for link in links)
    return Outcome(
        EventStatus.PROCESSED,
        f"Data request {request_id}: {len(links)} order(s) here hold this customer's name, address, phone and "
        f"e-mail: {named}. Each order's page shows them; send them to the shop customer.",
    )


def customers_redact(connection: Connection, event: PlatformEvent, actor) -> Outcome:
    data = _body(event)
    links = _links(connection, data, "orders_to_redact")
    reason = "the shop customer asked Shopify to erase their data"
    erased, kept = [], []
    for link in links:
        if order_recipient_redact(actor=actor, order=link.order, reason=reason):
            erased.append(link)
        else:
            kept.append(link)
            text = (
                f"Shopify asked to erase this recipient's data ({link.platform_order_name}), but the order "
                "is still being fulfilled: erase it once it has shipped."
            )
            link_flag(link, actor=actor, text=text)
    _events_masked(connection, {link.platform_order_id for link in erased})
    _mask(event, data)
    said = f"Erased the recipient's personal data from {len(erased)} order(s)"
    if erased:
        said += ": " + ", ".join(link.order.number for link in erased)
    if kept:
        said += f"; {len(kept)} still being fulfilled, flagged for customer service: "
        said += ", ".join(link.order.number for link in kept)
    return Outcome(EventStatus.PROCESSED, said + ".")


def _events_masked(connection: Connection, order_ids: set[str]) -> int:
    """Mask the stored webhook bodies about these orders; how many were masked."""
    if not order_ids:
        return 0
    masked = 0
    events = PlatformEvent.objects.filter(connection=connection, topic__in=[*ORDER_TOPICS, CANCEL_TOPIC])
    for pk, body in events.values_list("pk", "body").iterator():
        try:
            data = json.loads(bytes(body))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and str(data.get("id")) in order_ids:
            PlatformEvent.objects.filter(pk=pk).update(body=json.dumps(personal_data_masked(data)).encode())
            masked += 1
    return masked


def shop_redact(connection: Connection, event: PlatformEvent) -> Outcome:
    data = _body(event)
    with transaction.atomic():
        events = _deleted(PlatformEvent.objects.filter(connection=connection).exclude(pk=event.pk))
        runs = _deleted(connection.sync_runs.all())
        mappings = _deleted(connection.sku_mappings.all())
        links = _deleted(connection.order_links.all())
        Connection.objects.filter(pk=connection.pk).update(
            status=ConnectionStatus.DISCONNECTED,
            status_reason=f"Shopify asked to delete this shop's data (shop/redact); deleted {timezone.localdate()}.",
            credentials_encrypted="",
            webhook_secret_encrypted="",
            webhook_subscriptions=[],
            sync_cursor="",
            updated_at=timezone.now(),
        )
        _mask(event, data)
    return Outcome(
        EventStatus.PROCESSED,
        f"Deleted the shop's data: {events} events, {runs} sync runs, {mappings} SKU mappings (and the lines "
        f"waiting for them) and {links} order links; its secrets are gone. Our orders stay as the seller's records.",
    )


def _deleted(queryset) -> int:
    """Delete the rows; how many of the queryset's own model went (not what cascaded with them)."""
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


def account_deleted(connection: Connection, event: PlatformEvent, actor) -> Outcome:
    """eBay's account deletion notification, acted on (see the module)."""
    try:
        user = deletion_read(bytes(event.body))
    except ValueError as exc:
        return Outcome(EventStatus.FAILED, str(exc))
    reason = "the buyer closed their eBay account"
    erased, kept = [], []
    names = {name.lower() for name in (user["username"], user["user_id"]) if name}
    links = OrderLink.objects.select_related("order").filter(connection=connection, buyer_ref__in=names)
    for link in links.exclude(order=None):
        if order_recipient_redact(actor=actor, order=link.order, reason=reason):
            erased.append(link)
        else:
            kept.append(link)
            link_flag(link, actor=actor, text=f"eBay asked to erase this buyer's data ({link.platform_order_name}), "
                      "but the order is still being fulfilled: erase it once it has shipped.")  # fmt: skip
    OrderLink.objects.filter(pk__in=[link.pk for link in erased]).update(buyer_ref="")
    said = f"Erased the buyer's personal data from {len(erased)} order(s)"
    if erased:
        said += ": " + ", ".join(link.order.number for link in erased)
    if kept:
        said += f"; {len(kept)} still being fulfilled, flagged for customer service: "
        said += ", ".join(link.order.number for link in kept)
    if connection.shop_domain in names and connection.status != ConnectionStatus.DISCONNECTED:
        Connection.objects.filter(pk=connection.pk).update(
            status=ConnectionStatus.DISCONNECTED,
            status_reason=f"The seller's eBay account was closed ({timezone.localdate()}).",
            credentials_encrypted="",
            token_expires_at=None,
            refresh_token_expires_at=None,
            updated_at=timezone.now(),
        )
        said += "; the seller's own account was closed, so the connection is disconnected and its tokens deleted"
    data = _body(event)
    for key in ("username", "userId", "eiasToken"):
        ((data.get("notification") or {}).get("data") or {})[key] = MASK
    event.body = json.dumps(data).encode()
    event.save(update_fields=["body"])
    return Outcome(EventStatus.PROCESSED, said + ".")


def account_deletion_store(*, user: dict, headers: dict, body: bytes) -> int:
    """A verified account-deletion notification (``ebay.notifications.deletion_read``'s ``user``)
    stored in the inbox of each live eBay connection holding that user's data — as a buyer on our
    orders or as the connection's own seller account — and queued for ``account_deleted``. eBay
    sends one for every closed account to every app, so most concern nobody here: 0, nothing stored."""
    names = {name.lower() for name in (user["username"], user["user_id"]) if name}
    if not names:
        return 0
    secret = {SIGNATURE_HEADER, "authorization", "cookie"}
    kept = {k: (REDACTED if k in secret else v[:500]) for k, v in headers_lower(headers).items()}
    event_id = user["notification_id"] or "sha256:" + hashlib.sha256(bytes(body)).hexdigest()
    with staff_scope():  # eBay's notification is for the app, not for one customer: find who holds the data
        buyers = OrderLink.objects.filter(buyer_ref__in=names).values("connection_id")
        connections = list(
            Connection.objects.filter(platform=Platform.EBAY)
            .exclude(status=ConnectionStatus.DISCONNECTED)
            .filter(Q(shop_domain__in=names) | Q(pk__in=buyers))
            .select_related("customer")
        )
    for connection in connections:
        with customer_scope(connection.customer):
            event_store(
                connection=connection, topic=DELETION_TOPIC, event_id=event_id, webhook_id="", headers=kept, body=body
            )
    return len(connections)
