"""Shopify's fulfillment-service API (GraphQL Admin, 2026-04 and later), on a `ShopifyClient`:
register a service (it brings its own location), list the fulfillment orders assigned to our
locations by assignment status (cursor pages), and answer fulfillment and cancellation requests.

Plain Python, results as dataclasses; userErrors are final `ShopifyError`s (code USER_ERRORS).
Names checked against shopify.dev: `fulfillmentServiceCreate(name, callbackUrl, trackingSupport,
inventoryManagement)` → `fulfillmentService { id serviceName location { id } }`;
`assignedFulfillmentOrders(assignmentStatus, locationIds)` on QueryRoot;
`fulfillmentOrderAcceptFulfillmentRequest(id, message)`,
`fulfillmentOrderRejectFulfillmentRequest(id, reason: FulfillmentOrderRejectionReason, message)`,
`fulfillmentOrderAcceptCancellationRequest(id, message)` / `…RejectCancellationRequest(id, message)`.
With a callback URL Shopify POSTs to ``<callbackUrl>/fulfillment_order_notification``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .client import ShopifyClient, ShopifyError

NOTIFICATION_PATH = "/fulfillment_order_notification"  # what Shopify appends to the callback URL
REQUESTED, CANCELLATION_REQUESTED = "FULFILLMENT_REQUESTED", "CANCELLATION_REQUESTED"
PAGE_SIZE = 10
LINES_PER_ORDER = 50

SERVICE_CREATE_MUTATION = """
mutation FulfillmentServiceCreate($name: String!, $callbackUrl: URL, $trackingSupport: Boolean,
    $inventoryManagement: Boolean) {
  fulfillmentServiceCreate(name: $name, callbackUrl: $callbackUrl, trackingSupport: $trackingSupport,
      inventoryManagement: $inventoryManagement) {
    fulfillmentService { id serviceName callbackUrl location { id } }
    userErrors { field message }
  }
}
"""

SERVICE_DELETE_MUTATION = """
mutation FulfillmentServiceDelete($id: ID!, $inventoryAction: FulfillmentServiceDeleteInventoryAction) {
  fulfillmentServiceDelete(id: $id, inventoryAction: $inventoryAction) {
    deletedId
    userErrors { field message }
  }
}
"""

SERVICES_QUERY = """
query FulfillmentServices { shop { fulfillmentServices { id serviceName callbackUrl location { id } } } }
"""

ASSIGNED_QUERY = """
query AssignedFulfillmentOrders($status: FulfillmentOrderAssignmentStatus, $locationIds: [ID!], $first: Int!,
    $after: String, $lines: Int!) {
  assignedFulfillmentOrders(assignmentStatus: $status, locationIds: $locationIds, first: $first, after: $after) {
    nodes {
      id status requestStatus
      assignedLocation { location { id } }
      order { id name createdAt email }
      destination { firstName lastName company address1 address2 city province countryCode zip phone email }
      lineItems(first: $lines) {
        nodes { id sku totalQuantity remainingQuantity productTitle variant { id } lineItem { id } }
        pageInfo { hasNextPage }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ANSWERS = {
    "accept": ("fulfillmentOrderAcceptFulfillmentRequest", "$id: ID!, $message: String", "id: $id, message: $message"),
    "reject": (
        "fulfillmentOrderRejectFulfillmentRequest",
        "$id: ID!, $reason: FulfillmentOrderRejectionReason, $message: String",
        "id: $id, reason: $reason, message: $message",
    ),
    "accept_cancellation": (
        "fulfillmentOrderAcceptCancellationRequest",
        "$id: ID!, $message: String",
        "id: $id, message: $message",
    ),
    "reject_cancellation": (
        "fulfillmentOrderRejectCancellationRequest",
        "$id: ID!, $message: String",
        "id: $id, message: $message",
    ),
}


def answer_document(what: str) -> str:
    field, params, args = ANSWERS[what]
    return (
        f"mutation Answer({params}) {{\n  {field}({args}) {{\n"
        "    fulfillmentOrder { id status requestStatus }\n    userErrors { field message }\n  }\n}\n"
    )


@dataclass(frozen=True)
class RegisteredService:
    id: str
    name: str
    callback_url: str
    location_id: str


@dataclass(frozen=True)
class RequestedLine:
    id: str  # gid://shopify/FulfillmentOrderLineItem/…
    line_item_id: str  # the order's LineItem gid
    sku: str
    variant_id: str
    quantity: int  # remaining to fulfil
    title: str


@dataclass(frozen=True)
class AssignedFulfillmentOrder:
    id: str  # gid://shopify/FulfillmentOrder/…
    status: str  # OPEN, IN_PROGRESS, …
    request_status: str  # SUBMITTED, ACCEPTED, CANCELLATION_REQUESTED, …
    location_id: str
    order_id: str  # gid://shopify/Order/…
    order_name: str
    email: str
    destination: dict  # FulfillmentOrderDestination's fields, by Shopify's names
    lines: tuple[RequestedLine, ...]
    lines_truncated: bool


def _user_errors(payload: dict, what: str) -> None:
    errors = payload.get("userErrors") or []
    if errors:
        words = "; ".join(error.get("message") or "unknown error" for error in errors)
        raise ShopifyError(f"Shopify refused {what}: {words}", retryable=False, code="USER_ERRORS")


def _service(node: dict) -> RegisteredService:
    return RegisteredService(
        id=node.get("id") or "",
        name=node.get("serviceName") or "",
        callback_url=node.get("callbackUrl") or "",
        location_id=((node.get("location") or {}).get("id")) or "",
    )


def services_list(client: ShopifyClient) -> list[RegisteredService]:
    """The shop's fulfillment services (ours among them, by name)."""
    shop = client.execute(SERVICES_QUERY).get("shop") or {}
    return [_service(node) for node in shop.get("fulfillmentServices") or []]


def service_create(client: ShopifyClient, *, name: str, callback_url: str) -> RegisteredService:
    """Register a fulfillment service (and so its location). We push tracking (fulfillmentCreate)
    and stock ourselves, so Shopify is not asked to fetch either from the callback URL."""
    data = client.execute(
        SERVICE_CREATE_MUTATION,
        {"name": name, "callbackUrl": callback_url, "trackingSupport": False, "inventoryManagement": False},
    )
    payload = data.get("fulfillmentServiceCreate") or {}
    _user_errors(payload, f"the fulfillment service {name}")
    return _service(payload.get("fulfillmentService") or {})


def service_delete(client: ShopifyClient, *, service_id: str) -> None:
    """Delete our service; its location stays with the merchant's inventory (KEEP: it becomes a
    merchant-managed location), so nothing of the shop's stock is lost."""
    data = client.execute(SERVICE_DELETE_MUTATION, {"id": service_id, "inventoryAction": "KEEP"})
    _user_errors(data.get("fulfillmentServiceDelete") or {}, f"deleting the fulfillment service {service_id}")


def _fulfillment_order(node: dict) -> AssignedFulfillmentOrder:
    lines = node.get("lineItems") or {}
    order = node.get("order") or {}
    return AssignedFulfillmentOrder(
        id=node.get("id") or "",
        status=node.get("status") or "",
        request_status=node.get("requestStatus") or "",
        location_id=(((node.get("assignedLocation") or {}).get("location") or {}).get("id")) or "",
        order_id=order.get("id") or "",
        order_name=order.get("name") or "",
        email=order.get("email") or "",
        destination=node.get("destination") or {},
        lines=tuple(
            RequestedLine(
                id=line.get("id") or "",
                line_item_id=((line.get("lineItem") or {}).get("id")) or "",
                sku=(line.get("sku") or "").strip(),
                variant_id=((line.get("variant") or {}).get("id")) or "",
                quantity=int(line.get("remainingQuantity") or 0),
                title=line.get("productTitle") or "",
            )
            for line in lines.get("nodes") or []
        ),
        lines_truncated=bool((lines.get("pageInfo") or {}).get("hasNextPage")),
    )


def assigned_page(
    client: ShopifyClient, *, status: str, location_ids: list[str], after: str | None = None
) -> tuple[list[AssignedFulfillmentOrder], str | None, bool]:
    """One page of the fulfillment orders assigned to our locations in this assignment status:
    (fulfillment orders, end cursor, has next page)."""
    data = client.execute(
        ASSIGNED_QUERY,
        {"status": status, "locationIds": location_ids, "first": PAGE_SIZE, "after": after, "lines": LINES_PER_ORDER},
    )
    connection = data.get("assignedFulfillmentOrders") or {}
    info = connection.get("pageInfo") or {}
    nodes = [_fulfillment_order(node) for node in connection.get("nodes") or []]
    return nodes, info.get("endCursor"), bool(info.get("hasNextPage"))


def request_answer(
    client: ShopifyClient, what: str, *, fulfillment_order_id: str, message: str, reason: str = ""
) -> str:
    """Answer a request (``what`` is a key of ANSWERS); the fulfillment order's request status after."""
    variables = {"id": fulfillment_order_id, "message": message[:500]}
    if what == "reject":
        variables["reason"] = reason or "OTHER"
    field = ANSWERS[what][0]
    payload = client.execute(answer_document(what), variables).get(field) or {}
    _user_errors(payload, f"{field} on {fulfillment_order_id}")
    return ((payload.get("fulfillmentOrder") or {}).get("requestStatus")) or ""
