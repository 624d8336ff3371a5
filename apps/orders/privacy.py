"""A recipient's personal data erased from their orders, on the shop's request (GDPR erasure:
Shopify's customers/redact). What identifies the person goes — name, company, phone, e-mail and
the street lines; what the bills, the rate checks and the statistics need stays — city, state,
postal code, country. An order still being fulfilled (Pending Shipment) keeps its address: the
parcel must reach the person first; it is reported, not changed."""

from __future__ import annotations

from django.db import transaction

from .choices import EventKind, OrderStatus
from .models import Order
from .transitions import order_event, order_lock

REDACTED = "Redacted"
ERASED = {
    "recipient_name": REDACTED,
    "recipient_company": "",
    "recipient_phone": "",
    "recipient_email": "",
    "address1": REDACTED,
    "address2": "",
}
IN_FULFILMENT = (OrderStatus.PENDING_SHIPMENT,)


def order_recipient_redact(*, actor, order: Order, reason: str) -> bool:
    """Erase the order's recipient (see the module); False when it is still being fulfilled.
    Idempotent: an order redacted already is left as it is."""
    with transaction.atomic():
        order = order_lock(order)
        if order.status in IN_FULFILMENT:
            return False
        if all(getattr(order, field) == value for field, value in ERASED.items()):
            return True
        for field, value in ERASED.items():
            setattr(order, field, value)
        order.save(update_fields=[*ERASED, "updated_at"])
        order_event(order, actor=actor, kind=EventKind.ACTION, message=f"Recipient's personal data erased: {reason}")
    return True
