"""A WooCommerce order (REST v3 JSON, the same in a webhook body and in GET /orders) in our terms,
and what its status means for us. Plain Python, no database.

- The recipient comes from ``shipping``; phone and e-mail fall back to ``billing`` (WooCommerce
  keeps the e-mail only there, and the shipping phone only since 5.6). An order with no shipping
  address at all (a store that ships nothing by default) takes the billing address.
- A line's ``sku`` may be empty: the item is then known by its variation (or product) id, which
  goes into ``PlatformLine.variant_id`` so a SkuMapping row maps it like a Shopify variant.
- Times are the ``*_gmt`` fields (WooCommerce writes them without an offset: they are UTC).
- The name is ``#<number>`` (``number`` may differ from ``id`` with sequential-number plugins).
"""

from __future__ import annotations

import datetime

from ..rules import NotAnOrder, PlatformLine, PlatformOrder, field_text

DEFAULT_IMPORT_STATUSES = ("processing",)
CANCEL_STATUSES = frozenset({"cancelled", "refunded", "trash"})
FULFILLED_STATUSES = frozenset({"completed"})
STATUS_LABELS = {
    "pending": "pending payment",
    "processing": "processing",
    "on-hold": "on hold",
    "completed": "completed",
    "cancelled": "cancelled",
    "refunded": "refunded",
    "failed": "failed",
    "draft": "a draft",
    "checkout-draft": "a checkout draft",
    "trash": "in the trash",
}


def gmt_moment(value) -> datetime.datetime | None:
    """WooCommerce's ``…_gmt`` time ("2026-11-01T09:00:00", no offset) as an aware UTC datetime."""
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=datetime.UTC) if moment.tzinfo is None else moment.astimezone(datetime.UTC)


def gmt_text(moment: datetime.datetime) -> str:
    """An aware datetime as WooCommerce's GMT query parameters want it (with dates_are_gmt=true)."""
    if moment.tzinfo is None:
        raise ValueError("the moment must be timezone-aware")
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def import_statuses(options: dict | None) -> frozenset[str]:
    """The statuses a connection imports (``Connection.options["import_statuses"]``), default processing."""
    wanted = (options or {}).get("import_statuses") or DEFAULT_IMPORT_STATUSES
    if isinstance(wanted, str):
        wanted = [wanted]
    return frozenset(field_text(s, 40).lower().removeprefix("wc-") for s in wanted if field_text(s)) or frozenset(
        DEFAULT_IMPORT_STATUSES
    )


def order_name(data: dict) -> str:
    number = field_text(data.get("number"), 60) or field_text(data.get("id"), 60)
    return f"#{number}"


def _recipient(data: dict) -> dict:
    shipping = data.get("shipping") if isinstance(data.get("shipping"), dict) else {}
    billing = data.get("billing") if isinstance(data.get("billing"), dict) else {}
    address = shipping if (field_text(shipping.get("address_1")) or field_text(shipping.get("country"))) else billing
    name = " ".join(p for p in (field_text(address.get("first_name")), field_text(address.get("last_name"))) if p)
    return {
        "name": name[:255],
        "company": field_text(address.get("company")),
        "phone": field_text(shipping.get("phone") or billing.get("phone")),
        "email": field_text(billing.get("email") or shipping.get("email")),
        "address1": field_text(address.get("address_1")),
        "address2": field_text(address.get("address_2")),
        "city": field_text(address.get("city")),
        "state": field_text(address.get("state")),
        "postal_code": field_text(address.get("postcode")),
        "country": field_text(address.get("country")),
    }


def _line(item: dict) -> PlatformLine:
    # The item's own id on the store: the variation when it is one, else the product.
    variation = item.get("variation_id") or 0
    product = item.get("product_id") or 0
    return PlatformLine(
        line_id=field_text(item.get("id"), 64),
        sku=field_text(item.get("sku"), 100),
        variant_id=field_text(variation or product or "", 64),
        quantity=item.get("quantity"),
        title=field_text(item.get("name")),
    )


def woo_order(data) -> PlatformOrder:
    """A WooCommerce order (webhook body or REST resource) in our terms (see the module)."""
    if not isinstance(data, dict) or data.get("id") in (None, "", 0):
        raise NotAnOrder("The body is not a WooCommerce order: it has no id.")
    status = field_text(data.get("status"), 40).lower()
    items = data.get("line_items") if isinstance(data.get("line_items"), list) else []
    return PlatformOrder(
        order_id=field_text(data["id"], 64),
        name=order_name(data),
        created_at=gmt_moment(data.get("date_created_gmt")),
        recipient=_recipient(data),
        lines=[_line(item) for item in items if isinstance(item, dict)],
        financial_status="paid" if data.get("date_paid_gmt") else "",
        fulfillment_status="fulfilled" if status in FULFILLED_STATUSES else "",
        cancelled=status in CANCEL_STATUSES,
        updated_at=gmt_moment(data.get("date_modified_gmt")),
    )


def deleted_order(data) -> PlatformOrder:
    """order.deleted carries only ``{"id": …}``: the order as far as that says."""
    if not isinstance(data, dict) or data.get("id") in (None, "", 0):
        raise NotAnOrder("The body is not a WooCommerce order: it has no id.")
    return PlatformOrder(
        order_id=field_text(data["id"], 64), name=order_name(data), created_at=None, recipient={}, cancelled=True
    )


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status or "without a status")
