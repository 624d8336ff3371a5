"""Plain rules of the Shopify webhooks: the signature, what of the headers is kept, the event's
key, and a Shopify order (REST-shaped webhook JSON) read into our terms. No database here."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

HMAC_HEADER = "x-shopify-hmac-sha256"
TOPIC_HEADER = "x-shopify-topic"
EVENT_ID_HEADER = "x-shopify-event-id"
WEBHOOK_ID_HEADER = "x-shopify-webhook-id"
SHOP_HEADER = "x-shopify-shop-domain"
REDACTED = "[redacted]"
# Never stored as received: the signature (it would let anyone replay-sign nothing, but it is a
# secret-derived value all the same) and anything that authenticates a caller.
SECRET_HEADERS = frozenset({HMAC_HEADER, "authorization", "cookie", "x-shopify-access-token", "x-api-key"})

ORDER_TOPICS = frozenset({"orders/create", "orders/updated"})
CANCEL_TOPIC = "orders/cancelled"
UNINSTALLED_TOPIC = "app/uninstalled"
# Shopify's mandatory compliance topics: they may come after the app was uninstalled.
PRIVACY_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})


def shopify_signature(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, raw body)), as Shopify sends it in X-Shopify-Hmac-Sha256."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def shopify_signature_ok(secret: str, body: bytes, given: str) -> bool:
    """Whether ``given`` is the signature of ``body`` under ``secret``, compared in constant time."""
    if not secret or not given:
        return False
    return hmac.compare_digest(shopify_signature(secret, body).encode(), given.strip().encode())


def headers_lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def headers_redacted(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers as stored with the event: lower-case names, secrets replaced."""
    return {k: (REDACTED if k in SECRET_HEADERS else v[:500]) for k, v in headers_lower(headers).items()}


def event_key(headers: Mapping[str, str], body: bytes) -> str:
    """The delivery's event id: X-Shopify-Event-Id, else X-Shopify-Webhook-Id (same on retries),
    else a hash of the body (the same bytes again are the same event)."""
    h = headers_lower(headers)
    given = (h.get(EVENT_ID_HEADER) or h.get(WEBHOOK_ID_HEADER) or "").strip()
    return given[:255] or "sha256:" + hashlib.sha256(body).hexdigest()


# --- A Shopify order ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformLine:
    line_id: str
    sku: str
    variant_id: str
    quantity: object
    title: str


@dataclass(frozen=True)
class PlatformOrder:
    order_id: str
    name: str  # "#1001": our external reference
    created_at: datetime.datetime | None
    recipient: dict  # by the order API's names
    lines: list[PlatformLine] = field(default_factory=list)
    financial_status: str = ""
    fulfillment_status: str = ""
    cancelled: bool = False
    updated_at: datetime.datetime | None = None
    # The shop asks us to wait (e.g. eBay: the buyer requested a cancellation): an
    # orders.AbnormalReason value and a sentence; "" when the order may go on.
    hold_reason: str = ""
    hold_message: str = ""
    buyer_ref: str = ""  # the platform's id of the buyer (eBay username), for account-deletion requests


class Outcome(NamedTuple):
    """What importing or applying a shop order did: the event's status, a sentence for people,
    and the action (ImportAction's value, empty when nothing was done)."""

    status: str
    result: str
    action: str = ""


class NotAnOrder(ValueError):
    """The body is not a Shopify order (no id)."""


def field_text(value, limit: int = 255) -> str:
    """A payload field as text: stripped, cut to ``limit``; None is ""."""
    return ("" if value is None else str(value)).strip()[:limit]


def field_moment(value) -> datetime.datetime | None:
    """An ISO 8601 payload field (a trailing Z included) as a datetime; unreadable is None."""
    try:
        return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def shopify_order(data) -> PlatformOrder:
    """A Shopify order webhook body (orders/create, orders/updated, orders/cancelled) in our terms."""
    if not isinstance(data, dict) or data.get("id") in (None, ""):
        raise NotAnOrder("The body is not a Shopify order: it has no id.")
    address = data.get("shipping_address") or {}
    if not isinstance(address, dict):
        address = {}
    name = " ".join(p for p in (field_text(address.get("first_name")), field_text(address.get("last_name"))) if p)
    recipient = {
        "name": name or field_text(address.get("name")),
        "company": field_text(address.get("company")),
        "phone": field_text(address.get("phone") or data.get("phone")),
        "email": field_text(data.get("email") or data.get("contact_email")),
        "address1": field_text(address.get("address1")),
        "address2": field_text(address.get("address2")),
        "city": field_text(address.get("city")),
        "state": field_text(address.get("province_code") or address.get("province")),
        "postal_code": field_text(address.get("zip")),
        "country": field_text(address.get("country_code")),
    }
    lines = [
        PlatformLine(
            line_id=field_text(item.get("id"), 64),
            sku=field_text(item.get("sku"), 100),
            variant_id=field_text(item.get("variant_id"), 64),
            quantity=item.get("quantity"),
            title=field_text(item.get("title") or item.get("name")),
        )
        for item in (data.get("line_items") or [])
        if isinstance(item, dict)
    ]
    return PlatformOrder(
        order_id=field_text(data["id"], 64),
        name=field_text(data.get("name"), 64) or (f"#{data['order_number']}"[:64] if data.get("order_number") else ""),
        created_at=field_moment(data.get("created_at")),
        recipient=recipient,
        lines=lines,
        financial_status=field_text(data.get("financial_status"), 40),
        fulfillment_status=field_text(data.get("fulfillment_status"), 40),
        cancelled=bool(data.get("cancelled_at")),
        updated_at=field_moment(data.get("updated_at")),
    )


def order_fingerprint(order: PlatformOrder) -> str:
    """A hash of what an import takes from a shop's order — its recipient and its items — so an
    update that changes only something else (tags, payment, notes) is recognised as no change."""
    items = sorted((line.sku, line.variant_id, str(line.quantity)) for line in order.lines)
    text = json.dumps([sorted(order.recipient.items()), items], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def line_label(line: PlatformLine) -> str:
    return f"“{line.title}”" if line.title else f"item {line.line_id}"


MASK = "•••"
# Keys of a platform payload that hold a person's data: shown masked in the portal's event log.
PERSONAL_KEYS = frozenset(
    {
        "shipping_address", "billing_address", "default_address", "addresses", "destination",
        "customer", "email", "contact_email", "phone", "first_name", "last_name", "name_on_card",
        "browser_ip", "client_details", "note",
        # WooCommerce's names: its address blocks, the buyer's note, IP and browser.
        "billing", "shipping", "customer_note", "customer_ip_address", "customer_user_agent",
    }
)  # fmt: skip


def personal_data_masked(data):
    """The JSON value with every personal field (PERSONAL_KEYS, at any depth) replaced by MASK."""
    if isinstance(data, dict):
        return {k: (MASK if k.lower() in PERSONAL_KEYS and v not in (None, "") else personal_data_masked(v))
                for k, v in data.items()}  # fmt: skip
    if isinstance(data, list):
        return [personal_data_masked(v) for v in data]
    return data


def event_body_masked(body: bytes) -> str:
    """A stored webhook body as indented JSON with personal data masked; never the raw bytes."""
    try:
        data = json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError):
        return "(not JSON: not shown)"
    return json.dumps(personal_data_masked(data), indent=2, ensure_ascii=False)
