"""Tracking out: when an order that came from a shop is Shipped, the shop is told, with our
carrier, tracking number and link, so the seller's customer is told — through the connection's
adapter (adapters.py): a Shopify fulfillment, a WooCommerce tracking entry or note, an eBay
shipping fulfillment. Once delivered, the shops that take it are told too (``delivered_send``:
a Shopify DELIVERED fulfillment event, a WooCommerce note).

The orders app announces the shipment through the outbox (``integrations.tracking_out``), so the
message is never lost; this service is idempotent — a link whose tracking was taken sends nothing
again, and each adapter looks at what the shop holds before it creates anything (a retry after a
lost answer counts as sent). A retryable refusal (throttling, the shop down) is raised for the task
to try again with backoff; a final one (a revoked token, the order gone) is recorded on the link
and the order's timeline, so customer service sees it."""

from __future__ import annotations

from django.utils import timezone

from apps.orders.choices import EventKind
from apps.orders.transitions import order_event

from .adapters import adapter_for
from .errors import SecretsUnavailable
from .models import OrderLink
from .platforms import Adapter, PlatformError, Tracking


def tracking_of(order) -> Tracking:
    """The shipped order's carrier, number and link, in our terms."""
    carrier = order.channel.carrier if order.channel_id else None
    template = (carrier.tracking_url if carrier else "") or ""
    url = template.replace("{number}", order.tracking_number) if "{number}" in template else ""
    return Tracking(
        carrier_code=carrier.code if carrier else "",
        carrier_name=carrier.name if carrier else "",
        number=order.tracking_number,
        url=url,
    )


def tracking_send(*, order_id: int, adapter: Adapter | None = None) -> str:
    """Send the shipped order's tracking to its shop once. What happened, in a few words."""
    link = OrderLink.objects.select_related("connection", "order__channel__carrier").filter(order_id=order_id).first()
    if link is None:
        return "not from a connected shop"
    if link.tracking_sent_at is not None:
        return "already sent"
    order, connection = link.order, link.connection
    own = adapter is None
    try:
        adapter = adapter or adapter_for(connection)
        message = adapter.tracking_send(link, tracking_of(order))
    except (PlatformError, SecretsUnavailable) as exc:
        if getattr(exc, "retryable", False):
            raise
        why = getattr(exc, "message", str(exc))
        OrderLink.objects.filter(pk=link.pk).update(tracking_error=why[:500])
        order_event(
            order,
            actor=None,
            kind=EventKind.ACTION,
            message=f"Tracking not sent to {connection.get_platform_display()}: {why}",
        )
        return "refused"
    finally:
        if own and adapter is not None:
            adapter.close()
    OrderLink.objects.filter(pk=link.pk).update(tracking_sent_at=timezone.now(), tracking_error="")
    order_event(order, actor=None, kind=EventKind.ACTION, message=message)
    return "sent"


def delivered_send(*, order_id: int, adapter: Adapter | None = None) -> str:
    """The shop's order was delivered (the tracking provider or staff said so): tell its shop
    once, after its tracking. What happened, in a few words. Tracking not taken yet is a
    retryable PlatformError (the task waits for it); a platform that takes no delivery news
    (eBay) sends nothing; a final refusal goes on the order's timeline."""
    link = OrderLink.objects.select_related("connection", "order__channel__carrier").filter(order_id=order_id).first()
    if link is None:
        return "not from a connected shop"
    if link.delivered_sent_at is not None:
        return "already sent"
    if link.tracking_sent_at is None:
        if link.tracking_error:
            return "the shop never took the tracking"
        raise PlatformError("The shop has not taken the tracking yet.", retryable=True, code="TRACKING_FIRST")
    order, connection = link.order, link.connection
    delivered_at = order.delivered_at or timezone.now()
    own = adapter is None
    try:
        adapter = adapter or adapter_for(connection)
        message = adapter.delivered_send(link, tracking_of(order), delivered_at)
    except (PlatformError, SecretsUnavailable) as exc:
        if getattr(exc, "retryable", False):
            raise
        why = getattr(exc, "message", str(exc))
        order_event(
            order,
            actor=None,
            kind=EventKind.ACTION,
            message=f"Delivery not sent to {connection.get_platform_display()}: {why}",
        )
        return "refused"
    finally:
        if own and adapter is not None:
            adapter.close()
    if message is None:
        return "not taken by this platform"
    OrderLink.objects.filter(pk=link.pk).update(delivered_sent_at=timezone.now())
    order_event(order, actor=None, kind=EventKind.ACTION, message=message)
    return "sent"
