"""The fake eBay's orders (``fake_server.FakeEbay`` is made of this and the HTTP side): realistic
getOrders JSON, the filter eBay parses (``lastmodifieddate:[a..b]``, ``creationdate:[a..b]``,
``orderfulfillmentstatus:{A|B}``, ``orderIds:{…}``) with offset paging, getOrder with the
cancellation requests getOrders leaves out, and the shipping fulfillments.
"""

from __future__ import annotations

import re
import time
import zlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

RANGE = re.compile(r"(lastmodifieddate|creationdate):\[([^\]]*)\]")
SET = re.compile(r"(orderfulfillmentstatus|orderIds):\{([^}]*)\}")


def listing_id(sku: str) -> str:
    """A stable 12-digit eBay item id for the SKU's listing."""
    return f"1{zlib.crc32(sku.encode()) % 10**11:011d}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def moment_of(text: str) -> datetime | None:
    text = (text or "").strip()
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


class FilterError(ValueError):
    pass


def filter_read(text: str) -> dict:
    """eBay's getOrders filter as {field: value}; FilterError for what eBay refuses (errorId 30800)."""
    found: dict = {}
    rest = text or ""
    for match in RANGE.finditer(text or ""):
        start, _, end = match.group(2).partition("..")
        try:
            found[match.group(1)] = (moment_of(start), moment_of(end))
        except ValueError:
            raise FilterError(f"Invalid date in the filter: {match.group(2)}") from None
        rest = rest.replace(match.group(0), "")
    for match in SET.finditer(text or ""):
        found[match.group(1)] = {v.strip() for v in match.group(2).split("|" if "|" in match.group(2) else ",")}
        rest = rest.replace(match.group(0), "")
    if rest.strip(" ,"):
        raise FilterError(f"The filter '{text}' is not valid.")
    return found


class FakeOrders:
    """Orders, fulfillments and the knobs about them; mixed into FakeEbay (which owns the lock)."""

    def orders_init(self) -> None:
        self.orders: dict[str, dict] = {}
        self.order_numbers = iter(range(10_001, 10_000_000))
        self.fulfillments: dict[str, list[dict]] = {}
        self.posted: list[dict] = []  # each createShippingFulfillment body that was accepted
        self.post_delay = 0.0  # seconds to sit on an accepted POST before answering (a lost answer)
        self.clock = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    def tick(self) -> datetime:
        self.clock += timedelta(minutes=1)
        return self.clock

    def add_order(
        self,
        *,
        sku: str = "TEE",
        quantity: int = 1,
        lines: list[dict] | None = None,
        buyer: str = "buyer_jane",
        created_at: datetime | None = None,
        status: str = "NOT_STARTED",
        cancel_state: str = "NONE_REQUESTED",
        ship_to: dict | None = None,
    ) -> dict:
        """A realistic order (each call moves the clock on a minute); returns it."""
        with self.lock:
            now = self.tick()
            number = next(self.order_numbers)
            order_id = f"12-{number:05d}-{number * 7 % 100000:05d}"
            items = lines or [{"sku": sku, "quantity": quantity}]
            order = {
                "orderId": order_id,
                "legacyOrderId": f"1100{number}-2200{number}",
                "creationDate": iso(created_at or now),
                "lastModifiedDate": iso(now),
                "orderFulfillmentStatus": status,
                "orderPaymentStatus": "PAID",
                "sellerId": self.username,
                "buyer": {"username": buyer},
                "cancelStatus": {"cancelState": cancel_state, "cancelRequests": []},
                "fulfillmentStartInstructions": [
                    {
                        "fulfillmentInstructionsType": "SHIP_TO",
                        "shippingStep": {
                            "shipTo": ship_to
                            or {
                                "fullName": "Jane Doe",
                                "contactAddress": {
                                    "addressLine1": "500 Market St",
                                    "addressLine2": "Apt 4",
                                    "city": "San Francisco",
                                    "stateOrProvince": "CA",
                                    "postalCode": "94105",
                                    "countryCode": "US",
                                },
                                "primaryPhone": {"phoneNumber": "4155550142"},
                                "email": "f3c1a9e2b7@members.ebay.com",
                            },
                            "shippingCarrierCode": "USPS",
                            "shippingServiceCode": "USPSPriority",
                        },
                    }
                ],
                "lineItems": [
                    {
                        "lineItemId": f"{number}{n:03d}",
                        # A listing's id is the same in every order of it (one listing per SKU here).
                        "legacyItemId": item.get("legacy_item_id", listing_id(item.get("sku", "") or str(n))),
                        "legacyVariationId": item.get("legacy_variation_id", ""),
                        "sku": item.get("sku", ""),
                        "title": item.get("title", f"Item {item.get('sku') or n}"),
                        "quantity": item.get("quantity", 1),
                        "lineItemFulfillmentStatus": "NOT_STARTED",
                    }
                    for n, item in enumerate(items, start=1)
                ],
            }
            for item in order["lineItems"]:
                if not item["legacyVariationId"]:
                    del item["legacyVariationId"]
            self.orders[order_id] = order
            return order

    def change_order(self, order_id: str, **fields) -> dict:
        """Change an order as eBay would (moves its lastModifiedDate on)."""
        with self.lock:
            order = self.orders[order_id]
            order.update(fields)
            order["lastModifiedDate"] = iso(self.tick())
            return order

    def buyer_cancel_request(self, order_id: str, *, state: str = "REQUESTED") -> dict:
        """The buyer asks to cancel (REQUESTED); then the seller answers: REJECTED or COMPLETED."""
        with self.lock:
            order = self.orders[order_id]
            status = order["cancelStatus"]
            requests = status.setdefault("cancelRequests", [])
            if not requests:
                requests.append(
                    {
                        "cancelRequestId": f"5{len(self.orders):09d}",
                        "cancelInitiator": "Buyer",
                        "cancelReason": "ORDERED_BY_MISTAKE",
                        "cancelRequestedDate": iso(self.clock),
                        "cancelRequestState": state,
                    }
                )
            requests[0]["cancelRequestState"] = state
            status["cancelState"] = {"REQUESTED": "IN_PROGRESS", "COMPLETED": "CANCELED"}.get(state, "NONE_REQUESTED")
            order["lastModifiedDate"] = iso(self.tick())
            return order

    # Answers.

    def get_orders(self, query: dict) -> tuple[int, dict, dict]:
        try:
            wanted = filter_read(query.get("filter", ""))
            limit = int(query.get("limit") or 50)
            offset = int(query.get("offset") or 0)
        except (FilterError, ValueError) as exc:
            return 400, {}, self.error(30800, "API_FULFILLMENT", "REQUEST", str(exc))
        if not 1 <= limit <= 1000 or offset < 0:
            return 400, {}, self.error(30820, "API_FULFILLMENT", "REQUEST", "Invalid limit or offset.")
        with self.lock:
            rows = [o for o in self.sorted_orders() if self.matches(o, wanted)]
            page = [self.public(o) for o in rows[offset : offset + limit]]
        base = "/sell/fulfillment/v1/order?"
        body = {
            "href": base + urlencode({**query, "limit": limit, "offset": offset}),
            "total": len(rows),
            "limit": limit,
            "offset": offset,
            "orders": page,
        }
        if offset + limit < len(rows):
            body["next"] = base + urlencode({**query, "limit": limit, "offset": offset + limit})
        if offset > 0:
            body["prev"] = base + urlencode({**query, "limit": limit, "offset": max(0, offset - limit)})
        return 200, {}, body

    def sorted_orders(self) -> list[dict]:
        """The orders by creation date, kept until one is added or changed (both move the clock on)."""
        version = (len(self.orders), self.clock)
        if getattr(self, "_sorted", (None, None))[0] != version:
            self._sorted = (version, sorted(self.orders.values(), key=lambda o: (o["creationDate"], o["orderId"])))
        return self._sorted[1]

    @staticmethod
    def matches(order: dict, wanted: dict) -> bool:
        for name, key in (("lastmodifieddate", "lastModifiedDate"), ("creationdate", "creationDate")):
            if name in wanted:
                start, end = wanted[name]
                value = moment_of(order[key])  # ISO with Z: compared as times, as eBay does
                if (start and value < start) or (end and value > end):
                    return False
        statuses = wanted.get("orderfulfillmentstatus")
        if statuses is not None and order["orderFulfillmentStatus"] not in statuses:
            return False
        return "orderIds" not in wanted or order["orderId"] in wanted["orderIds"]

    @staticmethod
    def public(order: dict, *, detail: bool = False) -> dict:
        """getOrders leaves cancelRequests empty (eBay's documented behaviour); getOrder has them."""
        if detail:
            return order
        status = dict(order["cancelStatus"], cancelRequests=[])
        return dict(order, cancelStatus=status)

    def get_order(self, order_id: str) -> tuple[int, dict, dict]:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return 404, {}, self.error(32100, "API_FULFILLMENT", "REQUEST", "Invalid order ID: " + order_id)
            return 200, {}, self.public(order, detail=True)

    def get_fulfillments(self, order_id: str) -> tuple[int, dict, dict]:
        with self.lock:
            if order_id not in self.orders:
                return 404, {}, self.error(32100, "API_FULFILLMENT", "REQUEST", "Invalid order ID: " + order_id)
            made = list(self.fulfillments.get(order_id, []))
        return 200, {}, {"fulfillments": made, "total": len(made)}

    def create_fulfillment(self, order_id: str, details: dict) -> tuple[int, dict, dict]:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return 404, {}, self.error(32100, "API_FULFILLMENT", "REQUEST", "Invalid order ID: " + order_id)
            ids = {item["lineItemId"] for item in order["lineItems"]}
            wanted = details.get("lineItems") or []
            if not wanted or any(item.get("lineItemId") not in ids for item in wanted):
                return 400, {}, self.error(32200, "API_FULFILLMENT", "REQUEST", "Invalid line item ID.")
            if not details.get("trackingNumber") or not details.get("shippingCarrierCode"):
                return 400, {}, self.error(34500, "API_FULFILLMENT", "REQUEST", "Invalid shipment tracking number.")
            fulfillment_id = details["trackingNumber"].upper()
            made = {
                "fulfillmentId": fulfillment_id,
                "shipmentTrackingNumber": details["trackingNumber"],
                "shippingCarrierCode": details["shippingCarrierCode"],
                "shippedDate": details.get("shippedDate") or iso(self.clock),
                "lineItems": [{"lineItemId": i["lineItemId"], "quantity": i.get("quantity", 1)} for i in wanted],
            }
            self.fulfillments.setdefault(order_id, []).append(made)
            self.posted.append(dict(details, orderId=order_id))
            order["orderFulfillmentStatus"] = "FULFILLED"
            order["lastModifiedDate"] = iso(self.tick())
            delay = self.post_delay
        if delay:
            time.sleep(delay)  # accepted, but the answer comes too late for the caller
        location = f"{self.url}/sell/fulfillment/v1/order/{order_id}/shipping_fulfillment/{fulfillment_id}"
        return 201, {"Location": location}, {}
