"""Plain rules of WooCommerce's webhooks (class-wc-webhook.php): the signature, the activation
ping, the event's key, and what a stored delivery asks of us. No database here.

- ``X-WC-Webhook-Signature`` is base64(HMAC-SHA256(secret, raw body)); compared in constant time.
- Saving a webhook as active sends a ping: a form body ``webhook_id=N``, no signature, no topic
  header. It must be answered 200 (or WooCommerce counts a failure), and nothing is stored.
- ``X-WC-Webhook-Delivery-ID`` is a hash of the webhook id and the current second, not of the
  event: two changes in one second share it, so the event's key is (order id, date_modified) —
  the same version of the order delivered twice is one event, a newer version another.
- WooCommerce never re-delivers a failed event and disables the webhook after 5 consecutive
  failures: the poll (``adapter.poll_checks``) re-enables it and brings in what was missed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl

from ..platforms import EventKind, EventRead
from ..rules import NotAnOrder
from .orders import CANCEL_STATUSES, deleted_order, import_statuses, status_label, woo_order

SIGNATURE_HEADER = "x-wc-webhook-signature"
TOPIC_HEADER = "x-wc-webhook-topic"
SOURCE_HEADER = "x-wc-webhook-source"
WEBHOOK_ID_HEADER = "x-wc-webhook-id"
DELIVERY_ID_HEADER = "x-wc-webhook-delivery-id"

ORDER_TOPICS = ("order.created", "order.updated", "order.deleted")
PING = re.compile(rb"^webhook_id=\d{1,20}$")


def woo_signature(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def woo_signature_ok(secret: str, body: bytes, given: str) -> bool:
    """Whether ``given`` signs ``body`` under ``secret``, in constant time."""
    if not secret or not given:
        return False
    return hmac.compare_digest(woo_signature(secret, body).encode(), given.strip().encode())


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


def is_ping(headers: Mapping[str, str], body: bytes) -> bool:
    """WooCommerce's activation ping: form-encoded ``webhook_id=N``, no signature, no topic."""
    h = _lower(headers)
    if h.get(SIGNATURE_HEADER) or h.get(TOPIC_HEADER):
        return False
    return bool(PING.match(bytes(body).strip()))


def ping_webhook_id(body: bytes) -> str:
    return dict(parse_qsl(bytes(body).decode("ascii", "replace"))).get("webhook_id", "")


def event_key(topic: str, body: bytes) -> str:
    """(order id, date_modified) of the delivery: the same version twice is one event. A body with
    neither (order.deleted has only the id) is keyed by its topic and id, else by its hash."""
    try:
        data = json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError):
        data = None
    if isinstance(data, dict) and data.get("id") not in (None, ""):
        modified = data.get("date_modified_gmt") or data.get("date_modified")
        if modified:
            return f"{data['id']}:{modified}"[:255]
        if topic.endswith(".deleted"):
            return f"{data['id']}:deleted"[:255]
    return "sha256:" + hashlib.sha256(bytes(body)).hexdigest()


def event_read(topic: str, body: bytes, options: dict | None = None) -> EventRead:
    """What a stored WooCommerce delivery asks of us. ``options`` are the connection's
    (``import_statuses``). A body that is not an order raises NotAnOrder."""
    if topic not in ORDER_TOPICS:
        return EventRead(EventKind.IGNORE, why=f"The topic {topic or '(none)'} is not handled.")
    try:
        data = json.loads(bytes(body))
    except (ValueError, UnicodeDecodeError):
        raise NotAnOrder("The body is not JSON.") from None
    if topic == "order.deleted":
        return EventRead(EventKind.CANCEL, order=deleted_order(data))
    order = woo_order(data)
    status = str(data.get("status") or "").lower()
    if status in CANCEL_STATUSES:
        return EventRead(EventKind.CANCEL, order=order)
    wanted = import_statuses(options)
    if status in wanted or status == "completed":
        # completed: an order shipped here comes back completed (nothing changes); one completed on the
        # store before it was imported is refused by the import as fulfilled already.
        return EventRead(EventKind.ORDER, order=order)
    return EventRead(
        EventKind.IGNORE,
        order=order,
        why=f"{order.name} is {status_label(status)} on WooCommerce; it is imported once it is "
        + " or ".join(status_label(s) for s in sorted(wanted))
        + ".",
    )
