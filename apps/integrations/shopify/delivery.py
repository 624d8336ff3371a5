"""Telling Shopify a parcel was delivered: a DELIVERED fulfillment event on the fulfillment that
carries our tracking number (``fulfillmentEventCreate``), so the order's status page and the
merchant's admin say Delivered. Plain Python over the client's transport; userErrors are final
``ShopifyError``s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .client import ShopifyClient, ShopifyError

ORDER_FULFILLMENTS_QUERY = """
query OrderFulfillments($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 10) { id trackingInfo { number } events(first: 50) { nodes { status } } }
  }
}
"""

FULFILLMENT_EVENT_CREATE_MUTATION = """
mutation FulfillmentEventCreate($fulfillmentEvent: FulfillmentEventInput!) {
  fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
    fulfillmentEvent { id status }
    userErrors { field message }
  }
}
"""


@dataclass(frozen=True)
class Fulfillment:
    id: str
    tracking_numbers: tuple[str, ...]
    event_statuses: tuple[str, ...]


def order_fulfillments(client: ShopifyClient, order_id: str) -> tuple[Fulfillment, ...]:
    gid = order_id if str(order_id).startswith("gid://") else f"gid://shopify/Order/{order_id}"
    order = client.execute(ORDER_FULFILLMENTS_QUERY, {"id": gid}).get("order")
    if order is None:
        raise ShopifyError(f"Shopify has no order {order_id}.", retryable=False, code="NOT_FOUND")
    return tuple(
        Fulfillment(
            id=node.get("id") or "",
            tracking_numbers=tuple(str(t.get("number") or "") for t in node.get("trackingInfo") or []),
            event_statuses=tuple(str(e.get("status") or "") for e in (node.get("events") or {}).get("nodes") or []),
        )
        for node in order.get("fulfillments") or []
    )


def fulfillment_delivered(client: ShopifyClient, fulfillment_id: str, happened_at: datetime) -> str:
    """Add the DELIVERED event; its id."""
    event = {"fulfillmentId": fulfillment_id, "status": "DELIVERED", "happenedAt": happened_at.isoformat()}
    payload = (
        client.execute(FULFILLMENT_EVENT_CREATE_MUTATION, {"fulfillmentEvent": event}).get("fulfillmentEventCreate")
        or {}
    )
    errors = payload.get("userErrors") or []
    if errors:
        words = "; ".join(error.get("message") or "unknown error" for error in errors)
        raise ShopifyError(f"Shopify refused the delivery event: {words}", retryable=False, code="USER_ERRORS")
    return (payload.get("fulfillmentEvent") or {}).get("id") or ""
