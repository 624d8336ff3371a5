"""An eBay order (Sell Fulfillment API v1, getOrders/getOrder JSON) read into our terms, and the
few rules around it: the poll's filter, a buyer's cancellation request, the tracking we send.

- The ship-to is ``fulfillmentStartInstructions[0].shippingStep.shipTo`` (fullName,
  contactAddress{addressLine1, addressLine2, city, stateOrProvince, postalCode, countryCode},
  primaryPhone.phoneNumber, email); eBay's ``orderId`` is both the key and the reference the seller
  knows (DESIGN §10: external_ref).
- A line without a SKU (a listing made without one) is matched by its listing instead:
  ``legacyVariationId`` for a variation, else ``legacyItemId``, as ``PlatformLine.variant_id``.
- Cancellation: ``cancelStatus.cancelState`` is NONE_REQUESTED, IN_PROGRESS (a request is open) or
  CANCELED; each ``cancelRequests[]`` entry is REQUESTED, REJECTED or COMPLETED. getOrders always
  leaves ``cancelRequests`` empty, so an order IN_PROGRESS is read again with getOrder
  (``cancel_detail_needed``). An open buyer request holds the order here (Abnormal,
  BUYER_CANCEL_REQUESTED) until eBay resolves it: CANCELED cancels it, REJECTED releases it.
"""

from __future__ import annotations

import datetime

from ..rules import NotAnOrder, PlatformLine, PlatformOrder, field_moment, field_text
from .client import ebay_time

OPEN_STATUSES = "NOT_STARTED|IN_PROGRESS"
HOLD_BUYER_CANCEL = "BUYER_CANCEL_REQUESTED"  # orders.choices.AbnormalReason's value
# Our carrier codes (shipping.Carrier.code) → eBay's shippingCarrierCode (Trading GeteBayDetails,
# ShippingCarrierDetails, eBay US). A carrier not listed is sent by its name.
EBAY_CARRIERS = {
    "usps": "USPS",
    "ups": "UPS",
    "fedex": "FedEx",
    "dhl": "DHL",
    "dhl-ecommerce": "DHLEcommerce",
    "ontrac": "OnTrac",
    "yunexpress": "YunExpress",
    "4px": "4PX",
    "royalmail": "RoyalMail",
    "canadapost": "CanadaPost",
    "auspost": "AustraliaPost",
}


def orders_filter(since: datetime.datetime) -> str:
    """getOrders' filter: changed since ``since``, not yet shipped."""
    return f"lastmodifieddate:[{ebay_time(since)}..],orderfulfillmentstatus:{{{OPEN_STATUSES}}}"


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def ship_to(data: dict) -> dict:
    instructions = data.get("fulfillmentStartInstructions") or []
    first = _dict(instructions[0]) if isinstance(instructions, list) and instructions else {}
    return _dict(_dict(first.get("shippingStep")).get("shipTo"))


def cancel_state(data: dict) -> str:
    return field_text(_dict(data.get("cancelStatus")).get("cancelState"), 40).upper()


def cancel_detail_needed(data: dict) -> bool:
    """A cancellation is in progress but getOrders does not say whose or how it stands."""
    requests = _dict(data.get("cancelStatus")).get("cancelRequests") or []
    return cancel_state(data) == "IN_PROGRESS" and not requests


def buyer_cancel_open(data: dict) -> bool:
    """Whether a cancellation request waits for the seller's answer (REQUESTED). Without the
    requests' detail an IN_PROGRESS state counts as one: holding is the safe side."""
    status = _dict(data.get("cancelStatus"))
    requests = [r for r in status.get("cancelRequests") or [] if isinstance(r, dict)]
    if not requests:
        return cancel_state(data) == "IN_PROGRESS"
    return any(field_text(r.get("cancelRequestState"), 40).upper() == "REQUESTED" for r in requests)


def ebay_order(data) -> PlatformOrder:
    """One eBay order (getOrders' orders[] item, or getOrder) in our terms."""
    if not isinstance(data, dict) or not field_text(data.get("orderId")):
        raise NotAnOrder("The body is not an eBay order: it has no orderId.")
    to = ship_to(data)
    address = _dict(to.get("contactAddress"))
    recipient = {
        "name": field_text(to.get("fullName")),
        "company": field_text(to.get("companyName")),
        "phone": field_text(_dict(to.get("primaryPhone")).get("phoneNumber")),
        "email": field_text(to.get("email")),
        "address1": field_text(address.get("addressLine1")),
        "address2": field_text(address.get("addressLine2")),
        "city": field_text(address.get("city")),
        "state": field_text(address.get("stateOrProvince")),
        "postal_code": field_text(address.get("postalCode")),
        "country": field_text(address.get("countryCode")),
    }
    lines = []
    for item in data.get("lineItems") or []:
        if not isinstance(item, dict):
            continue
        listing = field_text(item.get("legacyVariationId"), 64) or field_text(item.get("legacyItemId"), 64)
        lines.append(
            PlatformLine(
                line_id=field_text(item.get("lineItemId"), 64),
                sku=field_text(item.get("sku"), 100),
                variant_id=listing,
                quantity=item.get("quantity"),
                title=field_text(item.get("title")),
            )
        )
    order_id = field_text(data["orderId"], 64)
    state = cancel_state(data)
    held = state != "CANCELED" and buyer_cancel_open(data)
    fulfilled = field_text(data.get("orderFulfillmentStatus"), 40).upper() == "FULFILLED"
    return PlatformOrder(
        order_id=order_id,
        name=order_id,
        created_at=field_moment(data.get("creationDate")),
        recipient=recipient,
        lines=lines,
        financial_status=field_text(data.get("orderPaymentStatus"), 40).lower(),
        fulfillment_status="fulfilled" if fulfilled else "",
        cancelled=state == "CANCELED",
        updated_at=field_moment(data.get("lastModifiedDate")),
        hold_reason=HOLD_BUYER_CANCEL if held else "",
        hold_message=(
            f"The buyer asked eBay to cancel order {order_id}: it waits here until the request is answered on eBay "
            "(accepted: the order is cancelled; rejected: it goes back to Confirming)."
            if held
            else ""
        ),
        buyer_ref=field_text(_dict(data.get("buyer")).get("username"), 100).lower(),
    )


def fulfillment_details(order: PlatformOrder, *, carrier_code: str, carrier_name: str, number: str, shipped_at) -> dict:
    """createShippingFulfillment's body: every line of the order in one package."""
    lines = []
    for line in order.lines:
        try:
            quantity = int(line.quantity)
        except (TypeError, ValueError):
            quantity = 1
        lines.append({"lineItemId": line.line_id, "quantity": max(1, quantity)})
    return {
        "lineItems": lines,
        "shippedDate": ebay_time(shipped_at),
        "shippingCarrierCode": EBAY_CARRIERS.get(carrier_code, carrier_name or carrier_code or "Other"),
        "trackingNumber": number,
    }


def fulfillment_has(fulfillments: list[dict], number: str) -> bool:
    """Whether one of the order's shipping fulfillments already carries this tracking number."""
    wanted = "".join(number.split()).upper()
    return any("".join(str(f.get("shipmentTrackingNumber") or "").split()).upper() == wanted for f in fulfillments)
