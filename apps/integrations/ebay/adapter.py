"""The eBay connection's adapter (``platforms.Adapter``): the poll's pages of getOrders, tracking
out as a shipping fulfillment, and how an eBay delivery in the inbox reads.

- ``orders_page``: getOrders filtered on ``lastmodifieddate`` since the poll's start and on the
  open fulfillment statuses, ``PAGE_SIZE`` (200, eBay's most) orders a page by offset (the cursor is the next
  offset). An order whose cancellation is IN_PROGRESS is read again with getOrder (getOrders
  leaves the requests out) so a buyer's request holds it and a rejected one does not.
- ``tracking_send``: getOrder (its line items) and getShippingFulfillments first — a package with
  our tracking number already there (our earlier call went through, its answer was lost) counts
  as sent — then createShippingFulfillment with every line, our carrier as eBay's code.
- ``poll_checks``: warns on the card when the seller's authorization runs out within 30 days.
The token is renewed before it lapses and once more when eBay refuses it early (tokens.py).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from ..models import Connection, OrderLink
from ..platforms import EventKind, EventRead, OrdersPage, Tracking
from ..rules import NotAnOrder
from .client import EbayClient
from .notifications import DELETION_TOPIC
from .orders import cancel_detail_needed, ebay_order, fulfillment_details, fulfillment_has, orders_filter
from .tokens import connection_origins, connection_token

PAGE_SIZE = 200  # getOrders' most: fewer round trips, and a fixed number of queries a page
REAUTHORIZE_WARNING = datetime.timedelta(days=30)


class EbayAdapter:
    def __init__(self, connection: Connection, client: EbayClient | None = None, **client_options) -> None:
        self.connection = connection
        self._client = client
        self._own = client is None
        self.client_options = client_options  # timeouts, sleep: for tests

    @property
    def client(self) -> EbayClient:
        if self._client is None:
            token = connection_token(self.connection)
            self._client = EbayClient(
                origins=connection_origins(self.connection),
                access_token=token,
                renew=self._renew,
                **{"read_timeout": settings.EBAY_TIMEOUT_SECONDS, **self.client_options},
            )
        return self._client

    def _renew(self) -> str:
        return connection_token(self.connection, refused=self._client.token if self._client else "")

    def orders_page(self, since: datetime.datetime, after: str | None) -> OrdersPage:
        offset = int(after) if after and after.isdigit() else 0
        page = self.client.orders(filter=orders_filter(since), offset=offset, limit=PAGE_SIZE)
        orders, skipped, moments = [], [], []
        for data in page.orders:
            try:
                if cancel_detail_needed(data):
                    data = self.client.order(str(data["orderId"]))
                order = ebay_order(data)
            except NotAnOrder as exc:
                skipped.append((str(data.get("orderId") or "?"), str(exc)))
                continue
            orders.append(order)
            if order.updated_at:
                moments.append(order.updated_at)
        next_after = str(page.next_offset) if page.next_offset is not None else None
        return OrdersPage(orders=orders, next_after=next_after, skipped=skipped, newest=max(moments, default=None))

    def poll_checks(self) -> str:
        lapses = self.connection.refresh_token_expires_at
        if lapses is not None and lapses - REAUTHORIZE_WARNING <= timezone.now():
            return f"The eBay authorization runs out on {lapses:%Y-%m-%d}: reconnect the eBay account before then."
        return ""

    def delivered_send(self, link: OrderLink, tracking: Tracking, delivered_at: datetime.datetime) -> str | None:
        return None  # eBay takes the delivery from the carrier's own tracking: nothing for us to send

    def tracking_send(self, link: OrderLink, tracking: Tracking) -> str:
        order_id = link.platform_order_id
        existing = self.client.shipping_fulfillments(order_id)
        if fulfillment_has(existing, tracking.number):
            return f"eBay shows tracking {tracking.number} on the order already"
        order = ebay_order(self.client.order(order_id))
        details = fulfillment_details(
            order,
            carrier_code=tracking.carrier_code,
            carrier_name=tracking.carrier_name,
            number=tracking.number,
            shipped_at=timezone.now(),
        )
        self.client.shipping_fulfillment_create(order_id, details)
        return f"Tracking sent to eBay: {details['shippingCarrierCode']} {tracking.number}"

    def close(self) -> None:
        if self._own and self._client is not None:
            self._client.close()


def ebay_event_read(topic: str, body: bytes, options: dict | None = None) -> EventRead:
    """eBay sends no order webhooks we subscribe to (the poll brings orders in); the account
    deletion notification is processed by the inbox's privacy step, not as an order."""
    if topic == DELETION_TOPIC:
        return EventRead(EventKind.IGNORE, why="An account deletion is handled by the privacy step.")
    return EventRead(EventKind.IGNORE, why=f"The eBay topic {topic} is not handled.")
