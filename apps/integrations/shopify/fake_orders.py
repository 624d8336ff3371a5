"""The fake Shopify's orders (`fake_server.FakeShopify` is made of this and the other mixins): the
orders in memory, the `orders` query's cursor pages, fulfillment orders and `fulfillmentCreate`,
and the webhooks Shopify would send about them."""

from __future__ import annotations

import base64
import bisect
import hashlib
import hmac
import json
import math
import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx

WEBHOOK_API_VERSION = "2026-10"
UPDATED_AT_FILTER = re.compile(r"updated_at:(>=|>)\s*'?([0-9T:\-+.Z]+)'?")

FIRST_NAMES = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances")
LAST_NAMES = ("Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Ritchie", "Allen")
CITIES = (
    ("Springfield", "IL", "Illinois", "62701"),
    ("Austin", "TX", "Texas", "73301"),
    ("Portland", "OR", "Oregon", "97201"),
    ("Columbus", "OH", "Ohio", "43004"),
)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def sign(body: bytes, secret: str) -> str:
    """X-Shopify-Hmac-Sha256: base64 of the HMAC-SHA256 of the raw body with the app's secret."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class FakeOrders:
    """Orders in memory (``self.orders``) and what Shopify answers about them; mixed into FakeShopify,
    which owns the lock, the clock and the ids."""

    # Documents this mixin answers: (pattern in the query, method taking the variables).
    ORDER_DOCUMENTS = (
        ("fulfillmentCreate(", "fulfillment_create"),
        ("fulfillmentEventCreate(", "fulfillment_event_create"),
        ("fulfillments(first", "order_fulfillments"),
        ("orders(", "orders_page"),
        (re.compile(r"\border\s*\(\s*id:"), "order_fulfillment_orders"),
    )

    def add_order(
        self,
        *,
        sku: str | None = None,
        quantity: int = 1,
        lines: list[dict] | None = None,
        updated_at: datetime | None = None,
        created_at: datetime | None = None,
        financial_status: str = "PAID",
        fulfillment_status: str = "UNFULFILLED",
        cancelled_at: datetime | None = None,
        email: str | None = None,
        shipping_address: dict | None = None,
    ) -> dict:
        """A realistic order; each call moves the fake's clock on a minute unless times are given.
        `lines` is a list of {sku, quantity, title?, barcode?}; `sku` + `quantity` make one line."""
        with self.lock:
            number = next(self.ids)
            self.clock += timedelta(minutes=1)
            created = created_at or self.clock
            first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number % len(LAST_NAMES)]
            city, province_code, province, zip_code = CITIES[number % len(CITIES)]
            address = shipping_address or {
                "name": f"{first} {last}",
                "firstName": first,
                "lastName": last,
                "company": None,
                "address1": f"{100 + number} Main Street",
                "address2": None,
                "city": city,
                "province": province,
                "provinceCode": province_code,
                "zip": zip_code,
                "country": "United States",
                "countryCodeV2": "US",
                "phone": f"+1 415-555-01{number % 100:02d}",  # the range kept for fiction, valid as a number
            }
            wanted = (
                lines
                if lines is not None
                else [{"sku": sku if sku is not None else f"SKU-{number % 7}", "quantity": quantity}]
            )
            line_nodes = []
            for position, line in enumerate(wanted):
                line_id = number * 100 + position
                line_nodes.append(
                    {
                        "id": f"gid://shopify/LineItem/{line_id}",
                        "sku": line.get("sku"),
                        "quantity": line.get("quantity", 1),
                        "title": line.get("title") or f"Product {line.get('sku') or line_id}",
                        "variant": {"id": f"gid://shopify/ProductVariant/{line_id}", "barcode": line.get("barcode")},
                    }
                )
            order = {
                "number": number,
                "id": f"gid://shopify/Order/{number}",
                "name": f"#{number}",
                "createdAt": iso(created),
                "updatedAt": iso(updated_at or created),
                "cancelledAt": iso(cancelled_at) if cancelled_at else None,
                "email": email if email is not None else f"{first.lower()}.{last.lower()}@example.com",
                "displayFinancialStatus": financial_status,
                "displayFulfillmentStatus": fulfillment_status,
                "shippingAddress": address,
                "lineItems": line_nodes,
                "fulfillmentOrders": [{"id": f"gid://shopify/FulfillmentOrder/{number}", "status": "OPEN"}],
            }
            self.orders[number] = order
            return order

    def update_order(self, number: int, **changes) -> dict:
        """Change an order's GraphQL fields (e.g. displayFinancialStatus) and touch updatedAt."""
        with self.lock:
            self.clock += timedelta(minutes=1)
            order = self.orders[number]
            order.update(changes)
            order["updatedAt"] = iso(self.clock)
            return order

    def orders_page(self, variables: dict) -> dict:
        first = max(1, min(int(variables.get("first") or 50), 250))
        match = UPDATED_AT_FILTER.search(variables.get("query") or "")
        # Every updatedAt is written by iso() (UTC, seconds, Z): as text, their order is the time order, so
        # the filter and the cursor are bisections (a reconciliation of 10,000 orders asks for 1,000 pages).
        # The sorted list is kept until an order is added or changed: both move the clock on.
        with self.lock:
            version = (len(self.orders), self.clock)
            if getattr(self, "_sorted_version", None) != version:
                rows = sorted(self.orders.values(), key=lambda o: (o["updatedAt"], o["number"]))
                self._sorted = rows, [(o["updatedAt"], o["number"]) for o in rows]
                self._sorted_version = version
            rows, keys = self._sorted
        start = 0
        if match:
            since = iso(parse_iso(match.group(2)))
            inclusive = match.group(1) == ">="
            start = bisect.bisect_left(keys, (since,)) if inclusive else bisect.bisect_right(keys, (since, math.inf))
        if variables.get("after"):
            after = tuple(json.loads(base64.urlsafe_b64decode(variables["after"])))
            start = max(start, bisect.bisect_right(keys, after))
        page, more = rows[start : start + first], len(rows) > start + first
        cursor = None
        if page:
            key = json.dumps([page[-1]["updatedAt"], page[-1]["number"]]).encode()
            cursor = base64.urlsafe_b64encode(key).decode()
        return {
            "orders": {
                "nodes": [graphql_order(order, int(variables.get("lines") or 250)) for order in page],
                "pageInfo": {"hasNextPage": more, "endCursor": cursor},
            }
        }

    def fulfillment_orders_of(self, order_id: str) -> dict:
        with self.lock:
            order = next((o for o in self.orders.values() if o["id"] == order_id), None)
            if order is None:
                return {"order": None}
            nodes = [{"id": fo["id"], "status": fo["status"]} for fo in order["fulfillmentOrders"]]
        return {"order": {"id": order["id"], "fulfillmentOrders": {"nodes": nodes}}}

    def fulfillment_create(self, variables: dict) -> dict:
        fulfillment = variables.get("fulfillment") or {}
        if self.refusal:
            return {
                "fulfillmentCreate": {
                    "fulfillment": None,
                    "userErrors": [{"field": ["fulfillment"], "message": self.refusal}],
                }
            }
        groups = fulfillment.get("lineItemsByFulfillmentOrder") or []
        known = {fo["id"] for order in self.orders.values() for fo in order["fulfillmentOrders"]}
        unknown = [g.get("fulfillmentOrderId") for g in groups if g.get("fulfillmentOrderId") not in known]
        if not groups or unknown:
            return {
                "fulfillmentCreate": {
                    "fulfillment": None,
                    "userErrors": [{"field": ["fulfillment"], "message": "Fulfillment order does not exist."}],
                }
            }
        tracking = fulfillment.get("trackingInfo") or {}
        with self.lock:
            record = {
                "id": f"gid://shopify/Fulfillment/{next(self.ids)}",
                "fulfillment_order_ids": [g["fulfillmentOrderId"] for g in groups],
                "tracking_company": tracking.get("company"),
                "tracking_number": tracking.get("number"),
                "tracking_url": tracking.get("url"),
                "notify_customer": fulfillment.get("notifyCustomer", False),
                "events": [],  # fulfillmentEventCreate's, oldest first
            }
            self.fulfillments.append(record)
            for order in self.orders.values():
                for fo in order["fulfillmentOrders"]:
                    if fo["id"] in record["fulfillment_order_ids"]:
                        fo["status"] = "CLOSED"
                        order["displayFulfillmentStatus"] = "FULFILLED"
        info = {
            "company": record["tracking_company"],
            "number": record["tracking_number"],
            "url": record["tracking_url"],
        }
        return {
            "fulfillmentCreate": {
                "fulfillment": {"id": record["id"], "status": "SUCCESS", "trackingInfo": [info]},
                "userErrors": [],
            }
        }

    def order_fulfillments(self, variables: dict) -> dict:
        """The order's fulfillments with their tracking and events (`order { fulfillments }`)."""
        gid = str(variables.get("id") or "")
        with self.lock:
            order = next((o for o in self.orders.values() if o["id"] == gid), None)
            if order is None:
                return {"order": None}
            ids = {fo["id"] for fo in order["fulfillmentOrders"]}
            nodes = [
                {
                    "id": f["id"],
                    "trackingInfo": [{"number": f["tracking_number"]}] if f["tracking_number"] else [],
                    "events": {"nodes": [{"status": e["status"]} for e in f["events"]]},
                }
                for f in self.fulfillments
                if ids.intersection(f["fulfillment_order_ids"])
            ]
        return {"order": {"id": gid, "fulfillments": nodes}}

    def fulfillment_event_create(self, variables: dict) -> dict:
        event = variables.get("fulfillmentEvent") or {}
        with self.lock:
            record = next((f for f in self.fulfillments if f["id"] == event.get("fulfillmentId")), None)
            if record is None:
                errors = [{"field": ["fulfillmentEvent", "fulfillmentId"], "message": "Fulfillment does not exist."}]
                return {"fulfillmentEventCreate": {"fulfillmentEvent": None, "userErrors": errors}}
            created = {
                "id": f"gid://shopify/FulfillmentEvent/{next(self.ids)}",
                "status": event.get("status"),
                "happenedAt": event.get("happenedAt"),
            }
            record["events"].append(created)
        return {"fulfillmentEventCreate": {"fulfillmentEvent": created, "userErrors": []}}

    # Webhooks.

    def webhook_payload(self, order: dict) -> dict:
        """The order as a webhook carries it: REST-shaped (snake_case, numeric ids)."""
        address = order["shippingAddress"] or {}
        return {
            "id": order["number"],
            "admin_graphql_api_id": order["id"],
            "name": order["name"],
            "order_number": order["number"],
            "email": order["email"],
            "created_at": order["createdAt"],
            "updated_at": order["updatedAt"],
            "cancelled_at": order["cancelledAt"],
            "financial_status": order["displayFinancialStatus"].lower(),
            "fulfillment_status": None if order["displayFulfillmentStatus"] == "UNFULFILLED" else "fulfilled",
            "currency": "USD",
            "shipping_address": {
                "first_name": address.get("firstName"),
                "last_name": address.get("lastName"),
                "name": address.get("name"),
                "company": address.get("company"),
                "address1": address.get("address1"),
                "address2": address.get("address2"),
                "city": address.get("city"),
                "province": address.get("province"),
                "province_code": address.get("provinceCode"),
                "zip": address.get("zip"),
                "country": address.get("country"),
                "country_code": address.get("countryCodeV2"),
                "phone": address.get("phone"),
            },
            "line_items": [
                {
                    "id": int(line["id"].rsplit("/", 1)[1]),
                    "admin_graphql_api_id": line["id"],
                    "sku": line["sku"],
                    "quantity": line["quantity"],
                    "title": line["title"],
                    "name": line["title"],
                    "variant_id": int(line["variant"]["id"].rsplit("/", 1)[1]),
                    "fulfillable_quantity": line["quantity"],
                }
                for line in order["lineItems"]
            ],
        }

    def webhook_request(
        self, topic: str, payload: dict, *, secret: str, event_id: str | None = None
    ) -> tuple[bytes, dict]:
        """The raw body and the headers Shopify would send for this delivery."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign(body, secret),
            "X-Shopify-Shop-Domain": self.domain,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
            "X-Shopify-API-Version": WEBHOOK_API_VERSION,
            "X-Shopify-Triggered-At": iso(datetime.now(UTC)),
        }
        return body, headers

    def send_webhook(
        self, url: str, topic: str, payload: dict, *, secret: str, event_id: str | None = None, timeout: float = 5.0
    ) -> httpx.Response:
        """Sign and POST one delivery (Shopify allows 1 s to connect, 5 s in all)."""
        body, headers = self.webhook_request(topic, payload, secret=secret, event_id=event_id)
        return httpx.post(url, content=body, headers=headers, timeout=httpx.Timeout(timeout, connect=1.0))

    def order_fulfillment_orders(self, variables: dict) -> dict:
        return self.fulfillment_orders_of(variables.get("id") or "")


def graphql_order(order: dict, lines: int = 250) -> dict:
    """The stored order as the orders query returns it (connections with nodes), its line items
    cut to the `lines` the query asked for, as Shopify pages a nested connection."""
    node = {key: value for key, value in order.items() if key != "number"}
    node["lineItems"] = {
        "nodes": order["lineItems"][:lines],
        "pageInfo": {"hasNextPage": len(order["lineItems"]) > lines},
    }
    node["fulfillmentOrders"] = {"nodes": order["fulfillmentOrders"]}
    return node
