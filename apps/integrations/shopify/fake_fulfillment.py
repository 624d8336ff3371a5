"""The fake Shopify's fulfillment services (a mixin of `fake_server.FakeShopify`): services and
their locations, fulfillment orders assigned to them with request statuses, the
`assignedFulfillmentOrders` query in cursor pages, the accept / reject mutations (userErrors when
the fulfillment order is not in a state that allows them, as Shopify answers), and the signed
`fulfillment_order_notification` Shopify POSTs to a service's callback URL.

A test moves a fake order to one of our locations and requests fulfillment with
``request_fulfillment(order, location_id)``; ``request_cancellation(fo_id)`` asks to cancel an
accepted one. What we answered is in ``fake.fulfillment_orders[fo_id]``."""

from __future__ import annotations

import base64
import json
import re
import uuid

import httpx

from .fake_orders import WEBHOOK_API_VERSION, sign

# assignmentStatus → the (status, requestStatus) pairs of the fulfillment orders it lists.
ASSIGNMENT = {
    "FULFILLMENT_REQUESTED": lambda fo: fo["requestStatus"] == "SUBMITTED" and fo["status"] == "OPEN",
    "FULFILLMENT_ACCEPTED": lambda fo: fo["requestStatus"] == "ACCEPTED",
    "CANCELLATION_REQUESTED": lambda fo: fo["requestStatus"] == "CANCELLATION_REQUESTED",
    "FULFILLMENT_UNSUBMITTED": lambda fo: fo["requestStatus"] == "UNSUBMITTED",
}
# mutation → (the request statuses it may act on, the request status and status after).
ANSWERS = {
    "fulfillmentOrderAcceptFulfillmentRequest": ({"SUBMITTED"}, "ACCEPTED", "IN_PROGRESS"),
    "fulfillmentOrderRejectFulfillmentRequest": ({"SUBMITTED"}, "REJECTED", "OPEN"),
    "fulfillmentOrderAcceptCancellationRequest": ({"CANCELLATION_REQUESTED"}, "CANCELLATION_ACCEPTED", "CLOSED"),
    "fulfillmentOrderRejectCancellationRequest": ({"CANCELLATION_REQUESTED"}, "CANCELLATION_REJECTED", "IN_PROGRESS"),
}
REJECTION_REASONS = frozenset(
    {
        "INCORRECT_ADDRESS", "INCORRECT_PRODUCT_INFO", "INELIGIBLE_PRODUCT", "INTERNATIONAL_SHIPPING_UNAVAILABLE",
        "INVALID_CONTACT_INFORMATION", "INVALID_SKU", "INVENTORY_OUT_OF_STOCK", "MERCHANT_BLOCKED_OR_SUSPENDED",
        "MISSING_CUSTOMS_INFO", "OTHER", "UNDELIVERABLE_DESTINATION",
    }
)  # fmt: skip


class FakeFulfillmentService:
    """Fulfillment services and assigned fulfillment orders; FakeShopify owns the lock and ids."""

    FS_DOCUMENTS = (
        ("fulfillmentServiceCreate(", "fulfillment_service_create"),
        ("fulfillmentServiceDelete(", "fulfillment_service_delete"),
        (re.compile(r"\bshop\s*{\s*fulfillmentServices"), "fulfillment_services_list"),
        ("assignedFulfillmentOrders(", "assigned_fulfillment_orders"),
        ("fulfillmentOrderAcceptFulfillmentRequest(", "fo_accept"),
        ("fulfillmentOrderRejectFulfillmentRequest(", "fo_reject"),
        ("fulfillmentOrderAcceptCancellationRequest(", "fo_accept_cancellation"),
        ("fulfillmentOrderRejectCancellationRequest(", "fo_reject_cancellation"),
    )

    def fs_init(self) -> None:
        self.services: dict[str, dict] = {}  # by id
        self.fulfillment_orders: dict[str, dict] = {}  # by id: also in their order's fulfillmentOrders
        self.notifications: list[dict] = []  # what send_fulfillment_notification sent
        self.deleted_services: list[dict] = []

    # GraphQL.

    def fulfillment_service_create(self, variables: dict) -> dict:
        name = (variables.get("name") or "").strip()
        with self.lock:
            if not name or any(s["serviceName"] == name for s in self.services.values()):
                message = "Name can't be blank" if not name else "Name has already been taken"
                return {"fulfillmentServiceCreate": {"fulfillmentService": None, "userErrors": [
                    {"field": ["name"], "message": message}]}}  # fmt: skip
            number = next(self.ids)
            service = {
                "id": f"gid://shopify/FulfillmentService/{number}",
                "serviceName": name,
                "callbackUrl": variables.get("callbackUrl"),
                "trackingSupport": bool(variables.get("trackingSupport")),
                "inventoryManagement": bool(variables.get("inventoryManagement")),
                "location": {"id": f"gid://shopify/Location/{number}"},
            }
            self.services[service["id"]] = service
        return {"fulfillmentServiceCreate": {"fulfillmentService": service, "userErrors": []}}

    def fulfillment_service_delete(self, variables: dict) -> dict:
        with self.lock:
            service = self.services.pop(variables.get("id") or "", None)
        if service is None:
            return {"fulfillmentServiceDelete": {"deletedId": None, "userErrors": [
                {"field": ["id"], "message": "Fulfillment service could not be found."}]}}  # fmt: skip
        self.deleted_services.append({"id": service["id"], "inventoryAction": variables.get("inventoryAction")})
        return {"fulfillmentServiceDelete": {"deletedId": service["id"], "userErrors": []}}

    def fulfillment_services_list(self, variables: dict) -> dict:
        with self.lock:
            return {"shop": {"fulfillmentServices": list(self.services.values())}}

    def assigned_fulfillment_orders(self, variables: dict) -> dict:
        first = max(1, min(int(variables.get("first") or 50), 250))
        wanted = ASSIGNMENT.get(variables.get("assignmentStatus") or variables.get("status") or "")
        locations = set(variables.get("locationIds") or [])
        with self.lock:
            ours = {s["location"]["id"] for s in self.services.values()}
            rows = [
                fo
                for fo in sorted(self.fulfillment_orders.values(), key=lambda fo: fo["number"])
                if fo["assignedLocation"]["location"]["id"] in ours
                and (not locations or fo["assignedLocation"]["location"]["id"] in locations)
                and (wanted(fo) if wanted else fo["status"] != "CLOSED")
            ]
            if variables.get("after"):
                after = json.loads(base64.urlsafe_b64decode(variables["after"]))
                rows = [fo for fo in rows if fo["number"] > after]
            page, rest = rows[:first], rows[first:]
            lines = int(variables.get("lines") or 250)
            nodes = [self._fo_node(fo, lines) for fo in page]
        cursor = base64.urlsafe_b64encode(json.dumps(page[-1]["number"]).encode()).decode() if page else None
        return {
            "assignedFulfillmentOrders": {"nodes": nodes, "pageInfo": {"hasNextPage": bool(rest), "endCursor": cursor}}
        }

    def _fo_node(self, fo: dict, lines: int) -> dict:
        order = self.orders[fo["order_number"]]
        address = order["shippingAddress"] or {}
        return {
            "id": fo["id"],
            "status": fo["status"],
            "requestStatus": fo["requestStatus"],
            "assignedLocation": fo["assignedLocation"],
            "order": {
                "id": order["id"],
                "name": order["name"],
                "createdAt": order["createdAt"],
                "email": order["email"],
            },
            "destination": {
                "firstName": address.get("firstName"),
                "lastName": address.get("lastName"),
                "company": address.get("company"),
                "address1": address.get("address1"),
                "address2": address.get("address2"),
                "city": address.get("city"),
                "province": address.get("province"),
                "countryCode": address.get("countryCodeV2"),
                "zip": address.get("zip"),
                "phone": address.get("phone"),
                "email": order["email"],
            },
            "lineItems": {
                "nodes": [
                    {
                        "id": f"gid://shopify/FulfillmentOrderLineItem/{line['id'].rsplit('/', 1)[1]}",
                        "sku": line["sku"],
                        "totalQuantity": line["quantity"],
                        "remainingQuantity": line["quantity"],
                        "productTitle": line["title"],
                        "variant": {"id": line["variant"]["id"]},
                        "lineItem": {"id": line["id"]},
                    }
                    for line in order["lineItems"][:lines]
                ],
                "pageInfo": {"hasNextPage": len(order["lineItems"]) > lines},
            },
        }

    def fo_accept(self, variables: dict) -> dict:
        return self.fulfillment_order_answer("fulfillmentOrderAcceptFulfillmentRequest", variables)

    def fo_reject(self, variables: dict) -> dict:
        return self.fulfillment_order_answer("fulfillmentOrderRejectFulfillmentRequest", variables)

    def fo_accept_cancellation(self, variables: dict) -> dict:
        return self.fulfillment_order_answer("fulfillmentOrderAcceptCancellationRequest", variables)

    def fo_reject_cancellation(self, variables: dict) -> dict:
        return self.fulfillment_order_answer("fulfillmentOrderRejectCancellationRequest", variables)

    def fulfillment_order_answer(self, name: str, variables: dict) -> dict:
        allowed, request_status, status = ANSWERS[name]
        fo_id = variables.get("id") or ""
        with self.lock:
            fo = self.fulfillment_orders.get(fo_id)
            error = None
            if fo is None:
                error = {"field": ["id"], "message": "Fulfillment order does not exist."}
            elif fo["requestStatus"] not in allowed:
                error = {"field": ["id"], "message": f"Cannot do this while the request is {fo['requestStatus']}."}
            elif (
                name == "fulfillmentOrderRejectFulfillmentRequest" and variables.get("reason") not in REJECTION_REASONS
            ):
                error = {"field": ["reason"], "message": f"Unknown rejection reason {variables.get('reason')!r}."}
            if error is not None:
                return {name: {"fulfillmentOrder": None, "userErrors": [error]}}
            fo["requestStatus"], fo["status"] = request_status, status
            fo["answers"].append(
                {"mutation": name, "reason": variables.get("reason"), "message": variables.get("message")}
            )
            node = {"id": fo["id"], "status": status, "requestStatus": request_status}
        return {name: {"fulfillmentOrder": node, "userErrors": []}}

    # Knobs for tests.

    def request_fulfillment(self, order: dict, location_id: str) -> dict:
        """The merchant assigns the order to one of our locations and requests fulfillment: a new
        fulfillment order there (the order's first one stays, at the merchant's own location)."""
        with self.lock:
            number = next(self.ids)
            fo = {
                "id": f"gid://shopify/FulfillmentOrder/{number}",
                "number": number,
                "order_number": order["number"],
                "status": "OPEN",
                "requestStatus": "SUBMITTED",
                "assignedLocation": {"location": {"id": location_id}},
                "answers": [],
            }
            self.fulfillment_orders[fo["id"]] = fo
            self.orders[order["number"]]["fulfillmentOrders"].append(fo)  # fulfillmentCreate knows it
            return fo

    def request_cancellation(self, fo_id: str) -> dict:
        with self.lock:
            fo = self.fulfillment_orders[fo_id]
            fo["requestStatus"] = "CANCELLATION_REQUESTED"
            return fo

    def send_fulfillment_notification(
        self, service_id: str, *, secret: str, kind: str = "FULFILLMENT_REQUEST", hmac: str | None = None
    ) -> httpx.Response:
        """POST the signed ping Shopify sends to ``<callbackUrl>/fulfillment_order_notification``
        (``hmac`` overrides the signature, to forge one)."""
        service = self.services[service_id]
        body = json.dumps({"kind": kind}).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Hmac-Sha256": hmac if hmac is not None else sign(body, secret),
            "X-Shopify-Shop-Domain": self.domain,
            "X-Shopify-API-Version": WEBHOOK_API_VERSION,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        }
        url = service["callbackUrl"].rstrip("/") + "/fulfillment_order_notification"
        self.notifications.append({"url": url, "kind": kind})
        return httpx.post(url, content=body, headers=headers, timeout=httpx.Timeout(30.0, connect=1.0))
