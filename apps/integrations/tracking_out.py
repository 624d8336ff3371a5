"""Tracking out: when an order that came from a shop is Shipped, the shop gets a fulfillment with
our carrier, tracking number and link, so the seller's customer is told.

The orders app announces the shipment through the outbox (``integrations.tracking_out``), so the
message is never lost; this service is idempotent — a link whose tracking was taken sends nothing
again, and a fulfillment order already closed on the shop (a retry after a lost answer) counts as
sent. A retryable refusal (throttling, the shop down) is raised for the task to try again with
backoff; a final one (a revoked token, the order gone) is recorded on the link and the order's
timeline, so customer service sees it."""

from __future__ import annotations

from django.utils import timezone

from apps.orders.choices import EventKind
from apps.orders.transitions import order_event

from .errors import SecretsUnavailable
from .models import OrderLink
from .shopify.client import ShopifyError
from .sync import client_for

# Our carrier codes → the tracking company names Shopify knows (its list of supported carriers).
SHOPIFY_CARRIERS = {
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl": "DHL Express",
    "dhl-ecommerce": "DHL eCommerce",
}
OPEN = {"OPEN", "IN_PROGRESS", "SCHEDULED", "ON_HOLD"}


def tracking_of(order) -> tuple[str, str, str]:
    """(company, number, url) for the shop."""
    carrier = order.channel.carrier if order.channel_id else None
    company = SHOPIFY_CARRIERS.get(carrier.code, carrier.name) if carrier else ""
    template = (carrier.tracking_url if carrier else "") or ""
    url = template.replace("{number}", order.tracking_number) if "{number}" in template else ""
    return company, order.tracking_number, url


def tracking_send(*, order_id: int, client=None) -> str:
    """Send the shipped order's tracking to its shop once. What happened, in a few words."""
    link = OrderLink.objects.select_related("connection", "order__channel__carrier").filter(order_id=order_id).first()
    if link is None:
        return "not from a connected shop"
    if link.tracking_sent_at is not None:
        return "already sent"
    order, connection = link.order, link.connection
    own = client is None
    company, number, url = tracking_of(order)
    try:
        client = client or client_for(connection)  # a missing token is a refusal recorded below
        fulfillment_orders = client.fulfillment_orders(link.platform_order_id)
        open_ones = [fo_id for fo_id, status in fulfillment_orders if status in OPEN]
        if link.fulfillment_order_id:  # fulfillment-service mode: only the one we accepted is ours to fulfil
            open_ones = [fo_id for fo_id in open_ones if fo_id == link.fulfillment_order_id]
        if open_ones:
            client.fulfillment_create(open_ones[0], company, number, url)
            message = f"Tracking sent to {connection.get_platform_display()}: {company} {number}"
        else:  # closed on the shop already: our earlier call went through, or the seller did it
            message = f"{connection.get_platform_display()} shows the order fulfilled already; tracking {number}"
    except (ShopifyError, SecretsUnavailable) as exc:
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
        if own and client is not None:
            client.close()
    OrderLink.objects.filter(pk=link.pk).update(tracking_sent_at=timezone.now(), tracking_error="")
    order_event(order, actor=None, kind=EventKind.ACTION, message=message)
    return "sent"
