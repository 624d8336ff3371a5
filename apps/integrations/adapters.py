"""The registry of shop platforms: for a connection, its adapter (``platforms.Adapter``) and how
its stored webhook deliveries read (``platforms.EventRead``). The poll (sync.py), the inbox
(inbox.py) and tracking out (tracking_out.py) go through here and know no platform.

Shopify's adapter is below: its GraphQL orders read into our terms, and tracking sent against the
order's open fulfillment order (in fulfillment-service mode only the one we accepted)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

from .choices import Platform
from .ebay.adapter import EbayAdapter, ebay_event_read
from .models import Connection, OrderLink
from .platforms import Adapter, EventKind, EventRead, OrdersPage, PlatformError, Tracking
from .rules import CANCEL_TOPIC, ORDER_TOPICS, NotAnOrder, PlatformLine, PlatformOrder, shopify_order
from .shopify.client import ShopifyClient, ShopifyOrder
from .shopify.delivery import fulfillment_delivered, order_fulfillments
from .tokens import client_for
from .woocommerce.adapter import WooAdapter
from .woocommerce.webhooks import event_read as woocommerce_event_read


@dataclass(frozen=True)
class PlatformSpec:
    adapter: Callable[[Connection], Adapter]
    # (topic, raw body, the connection's options) → what the delivery asks of us.
    event_read: Callable[[str, bytes, dict], EventRead]


def adapter_for(connection: Connection) -> Adapter:
    """The connection's adapter; a platform without one is a final PlatformError (nothing to retry)."""
    spec = PLATFORMS.get(connection.platform)
    if spec is None:
        raise PlatformError(
            f"{connection.get_platform_display()} connections are not built yet.", retryable=False, code="NOT_BUILT"
        )
    return spec.adapter(connection)


def event_read(connection: Connection, topic: str, body: bytes) -> EventRead:
    """What a stored delivery of the connection's platform asks of us; NotAnOrder when its body
    is not what the topic says."""
    spec = PLATFORMS.get(connection.platform)
    if spec is None:
        return EventRead(EventKind.IGNORE, why=f"{connection.get_platform_display()} events are not handled.")
    return spec.event_read(topic, bytes(body), connection.options or {})


# --- Shopify --------------------------------------------------------------------------------

# Our carrier codes → the tracking company names Shopify knows (its list of supported carriers).
SHOPIFY_CARRIERS = {
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl": "DHL Express",
    "dhl-ecommerce": "DHL eCommerce",
}
OPEN = {"OPEN", "IN_PROGRESS", "SCHEDULED", "ON_HOLD"}


def _numeric(gid: str) -> str:
    """Shopify's GraphQL id (gid://shopify/Order/5500000001) as the webhooks' numeric id."""
    return (gid or "").rsplit("/", 1)[-1]


def shopify_platform_order(order: ShopifyOrder) -> PlatformOrder:
    """A polled order in the same terms as a webhook's (``rules.shopify_order``)."""
    address = order.shipping_address
    name = " ".join(p for p in (address.first_name, address.last_name) if p) if address else ""
    recipient = {
        "name": (name or (address.name if address else ""))[:255],
        "company": address.company if address else "",
        "phone": address.phone if address else "",
        "email": order.email or "",
        "address1": address.address1 if address else "",
        "address2": address.address2 if address else "",
        "city": address.city if address else "",
        "state": (address.province_code or address.province) if address else "",
        "postal_code": address.zip if address else "",
        "country": address.country_code if address else "",
    }
    lines = [
        PlatformLine(
            line_id=_numeric(item.id),
            sku=item.sku,
            variant_id=_numeric(item.variant_id),
            quantity=item.quantity,
            title=item.title,
        )
        for item in order.line_items
    ]
    fulfilled = order.fulfillment_status.upper() in {"FULFILLED", "PARTIALLY_FULFILLED", "RESTOCKED"}
    return PlatformOrder(
        order_id=_numeric(order.id),
        name=order.name,
        created_at=order.created_at,
        recipient=recipient,
        lines=lines,
        financial_status=order.financial_status.lower(),
        fulfillment_status="fulfilled" if fulfilled else "",
        cancelled=order.cancelled_at is not None,
        updated_at=order.updated_at,
    )


class ShopifyAdapter:
    """A Shopify connection through its GraphQL client (built lazily: a missing token is the
    first call's error, recorded by the caller)."""

    def __init__(self, connection: Connection, client: ShopifyClient | None = None) -> None:
        self.connection = connection
        self._client = client
        self._own = client is None

    @property
    def client(self) -> ShopifyClient:
        if self._client is None:
            self._client = client_for(self.connection)
        return self._client

    def orders_page(self, since: datetime.datetime, after: str | None) -> OrdersPage:
        page = self.client.orders_updated_since(since, after=after)
        skipped = [
            (o.name, "more lines than one page holds; import it by hand") for o in page.orders if o.lines_truncated
        ]
        return OrdersPage(
            orders=[shopify_platform_order(o) for o in page.orders if not o.lines_truncated],
            next_after=page.end_cursor if page.has_next else None,
            skipped=skipped,
            newest=max((o.updated_at for o in page.orders), default=None),
        )

    def poll_checks(self) -> str:
        return ""  # Shopify retries its webhooks itself and tells the app by e-mail; the poll is enough

    def tracking_send(self, link: OrderLink, tracking: Tracking) -> str:
        company = SHOPIFY_CARRIERS.get(tracking.carrier_code, tracking.carrier_name)
        fulfillment_orders = self.client.fulfillment_orders(link.platform_order_id)
        open_ones = [fo_id for fo_id, status in fulfillment_orders if status in OPEN]
        if link.fulfillment_order_id:  # fulfillment-service mode: only the one we accepted is ours to fulfil
            open_ones = [fo_id for fo_id in open_ones if fo_id == link.fulfillment_order_id]
        if not open_ones:  # closed on the shop already: our earlier call went through, or the seller did it
            return f"Shopify shows the order fulfilled already; tracking {tracking.number}"
        self.client.fulfillment_create(open_ones[0], company, tracking.number, tracking.url)
        return f"Tracking sent to Shopify: {company} {tracking.number}"

    def delivered_send(self, link: OrderLink, tracking: Tracking, delivered_at: datetime.datetime) -> str | None:
        """A DELIVERED event on the fulfillment with our tracking number, unless it has one."""
        fulfillments = order_fulfillments(self.client, link.platform_order_id)
        ours = [f for f in fulfillments if tracking.number in f.tracking_numbers] or list(fulfillments[:1])
        if not ours:
            raise PlatformError(
                f"Shopify shows no fulfillment for this order to mark delivered (tracking {tracking.number}).",
                retryable=False,
                code="NO_FULFILLMENT",
            )
        if "DELIVERED" in ours[0].event_statuses:
            return f"Shopify shows the parcel delivered already; tracking {tracking.number}"
        fulfillment_delivered(self.client, ours[0].id, delivered_at)
        return f"Shopify told the parcel was delivered: tracking {tracking.number}"

    def close(self) -> None:
        if self._own and self._client is not None:
            self._client.close()


def shopify_event_read(topic: str, body: bytes, options: dict | None = None) -> EventRead:
    if topic not in ORDER_TOPICS and topic != CANCEL_TOPIC:
        return EventRead(EventKind.IGNORE, why=f"The topic {topic} is not handled.")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise NotAnOrder("The body is not JSON.") from None
    order = shopify_order(data)
    return EventRead(EventKind.CANCEL if topic == CANCEL_TOPIC else EventKind.ORDER, order)


PLATFORMS: dict[str, PlatformSpec] = {
    Platform.SHOPIFY: PlatformSpec(adapter=ShopifyAdapter, event_read=shopify_event_read),
    Platform.WOOCOMMERCE: PlatformSpec(adapter=WooAdapter, event_read=woocommerce_event_read),
    Platform.EBAY: PlatformSpec(adapter=EbayAdapter, event_read=ebay_event_read),
}
