"""Fulfillment-service mode (a connection's ``mode``): Shopify's own way for a 3PL to work. Each
warehouse in the customer's logistics plan is registered on the shop as a fulfillment service,
which is a location there; the merchant (our customer) sends fulfillment orders to it and we
answer every request.

- ``fulfillment_services_register``: one service per warehouse, idempotent — a warehouse with a
  row is skipped, and a service already on the shop under our name is adopted, not made twice.
- ``fulfillment_requests_process``: the fulfillment orders assigned to our locations with
  FULFILLMENT_REQUESTED are read (all pages first, since answering takes them off the list) and
  each goes the webhooks' way in (``inbox.order_in``, at the warehouse of its location), so the
  OrderLink of (connection, Shopify order id) makes callback, poll and re-run converge on one order.
  Then, by what our order is:
    Confirming / Pending Shipment / further → accepted (the link keeps the fulfillment order, so
      tracking goes out against it);
    Abnormal UNKNOWN_SKU → rejected INVALID_SKU, INVALID_ADDRESS → INCORRECT_ADDRESS,
      INSUFFICIENT_STOCK or STOCK_DISCREPANCY → INVENTORY_OUT_OF_STOCK, each with the order's
      message — and our held order is cancelled (after Shopify took the rejection), so nothing is
      shipped that the shop no longer expects from us (a mapped item or a stock arrival would
      otherwise move it on by itself). The SKU mapping row stays: map it, and the next order comes
      in whole;
    Abnormal for a cause of the seller's account here (balance, channel, weight, warehouse) →
      not answered yet: the request waits until the order moves on (a top-up retries it), and the
      next poll accepts it;
    Cancelled here, or not imported (the intake refused it) → rejected OTHER with the reason.
  CANCELLATION_REQUESTED: the order is cancelled here while it still can be (orders.services
  ``order_cancel``: until the warehouse packed it) and the cancellation accepted; once packed or
  shipped the cancellation is rejected with the reason. Every answer happens after our own change
  committed, so a lost answer is simply given again on the next poll (idempotent).
- ``fulfillment_notification_receive``: Shopify's ping to ``<callback>/fulfillment_order_notification``,
  HMAC-checked like a webhook, only queues ``integrations.fulfillment_requests``.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.core.actors import integration_actor
from apps.core.errors import ApplicationError, ValidationFailed
from apps.core.outbox import outbox_emit
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.rules import clean_recipient, describe_problems, recipient_of
from apps.orders.services import order_cancel
from apps.warehouses.selectors import customer_warehouses

from .choices import ConnectionMode, ConnectionStatus, Platform
from .errors import SecretsUnavailable, WebhookRefused
from .inbox import order_in
from .models import Connection, FulfillmentService, OrderLink, SyncRun
from .rules import HMAC_HEADER, PlatformLine, PlatformOrder, headers_lower, shopify_signature_ok
from .shopify.client import ShopifyError
from .shopify.fulfillment_service import (
    CANCELLATION_REQUESTED,
    NOTIFICATION_PATH,
    REQUESTED,
    AssignedFulfillmentOrder,
    assigned_page,
    request_answer,
    service_create,
    service_delete,
    services_list,
)
from .tokens import client_for

logger = logging.getLogger(__name__)

TASK = "integrations.fulfillment_requests"
BAD_SIGNATURE = "The notification's signature does not match this connection's secret."
SERVICE_NAME = "Fulfillment Hub {code}"
MAX_PAGES = 100
MAX_NOTES = 20
# Our Abnormal reasons Shopify has a rejection reason for (FulfillmentOrderRejectionReason).
REJECTIONS = {
    AbnormalReason.UNKNOWN_SKU: "INVALID_SKU",
    AbnormalReason.INVALID_ADDRESS: "INCORRECT_ADDRESS",
    AbnormalReason.INSUFFICIENT_STOCK: "INVENTORY_OUT_OF_STOCK",
    AbnormalReason.STOCK_DISCREPANCY: "INVENTORY_OUT_OF_STOCK",
}


def callback_url_of(webhook_url: str) -> str:
    """The callback URL we register, from the connection's webhook URL
    (``…/integrations/shopify/<id>/webhook/`` → ``…/integrations/shopify/<id>``): Shopify appends
    ``/fulfillment_order_notification``, which is our notification route."""
    return webhook_url.rstrip("/").removesuffix("/webhook")


def numeric_id(gid: str) -> str:
    """gid://shopify/Order/5500000001 → 5500000001, the id webhooks (and so our links) use."""
    return (gid or "").rsplit("/", 1)[-1]


# --- Registering ----------------------------------------------------------------------------------


@dataclass
class RegisterResult:
    created: list[FulfillmentService] = field(default_factory=list)
    existing: int = 0


def fulfillment_services_register(*, connection: Connection, callback_url: str, client=None) -> RegisterResult:
    """One fulfillment service (location) on the shop per warehouse of the customer's logistics
    plan, each once (see the module). Raises ShopifyError when the shop refuses."""
    have = set(FulfillmentService.objects.filter(connection=connection).values_list("warehouse_id", flat=True))
    missing = [w for w in customer_warehouses(customer=connection.customer) if w.pk not in have]
    result = RegisterResult(existing=len(have))
    if not missing:
        return result
    own = client is None
    client = client or client_for(connection)
    try:
        on_shop = {service.name: service for service in services_list(client)}
        for warehouse in missing:
            name = SERVICE_NAME.format(code=warehouse.code)
            service = on_shop.get(name) or service_create(client, name=name, callback_url=callback_url)
            row, made = FulfillmentService.objects.get_or_create(
                connection=connection,
                warehouse=warehouse,
                defaults={"name": name, "service_id": service.id, "location_id": service.location_id},
            )
            if made:
                result.created.append(row)
    finally:
        if own:
            client.close()
    return result


def fulfillment_services_remove(*, connection: Connection) -> tuple[int, int]:
    """Disconnecting: delete our services on the shop, best effort (their locations stay as the
    merchant's); (deleted, left). A service deleted loses its row; one left keeps it."""
    rows = list(FulfillmentService.objects.filter(connection=connection))
    if not rows:
        return 0, 0
    deleted = 0
    try:
        with client_for(connection) as client:
            for row in rows:
                try:
                    service_delete(client, service_id=row.service_id)
                except ShopifyError:
                    continue
                row.delete()
                deleted += 1
    except (ShopifyError, SecretsUnavailable):
        pass
    return deleted, len(rows) - deleted


# --- Answering requests -------------------------------------------------------------------------


@dataclass
class RequestCounts:
    fetched: int = 0
    accepted: int = 0
    rejected: int = 0
    waiting: int = 0
    cancelled: int = 0
    cancellations_rejected: int = 0
    failed: int = 0
    error: str = ""
    notes: list[dict] = field(default_factory=list)

    def note(self, name: str, said: str) -> None:
        if len(self.notes) < MAX_NOTES:
            self.notes.append({"order": name, "why": said[:300]})


def fulfillment_platform_order(fo: AssignedFulfillmentOrder) -> PlatformOrder:
    """A requested fulfillment order in the terms of a webhook's order (``rules.shopify_order``):
    its destination is the recipient, its remaining lines the lines. No creation date: the
    merchant's request is what asks us to ship it, so the connection's import start does not apply."""
    d = fo.destination
    name = " ".join(str(d.get(k) or "").strip() for k in ("firstName", "lastName") if d.get(k))
    recipient = {
        "name": name[:255],
        "company": d.get("company") or "",
        "phone": d.get("phone") or "",
        "email": d.get("email") or fo.email or "",
        "address1": d.get("address1") or "",
        "address2": d.get("address2") or "",
        "city": d.get("city") or "",
        "state": d.get("provinceCode") or d.get("province") or "",
        "postal_code": d.get("zip") or "",
        "country": d.get("countryCode") or "",
    }
    lines = [
        PlatformLine(
            line_id=numeric_id(line.line_item_id or line.id),
            sku=line.sku[:100],
            variant_id=numeric_id(line.variant_id),
            quantity=line.quantity,
            title=line.title[:255],
        )
        for line in fo.lines
        if line.quantity > 0
    ]
    return PlatformOrder(
        order_id=numeric_id(fo.order_id), name=fo.order_name[:64], created_at=None, recipient=recipient, lines=lines
    )


def _all(client, status: str, location_ids: list[str]) -> list[AssignedFulfillmentOrder]:
    found, after = [], None
    for _page in range(MAX_PAGES):
        nodes, after, has_next = assigned_page(client, status=status, location_ids=location_ids, after=after)
        found.extend(nodes)
        if not has_next:
            break
    return found


def _at_warehouse(connection: Connection, warehouse) -> Connection:
    """The connection as order_in should see it for this request: its default warehouse is the
    one of the location Shopify assigned (a copy; the row is not changed)."""
    here = copy.copy(connection)
    here.default_warehouse = warehouse
    return here


def _link(connection: Connection, fo: AssignedFulfillmentOrder) -> OrderLink | None:
    rows = OrderLink.objects.select_related("order").filter(
        connection=connection, platform_order_id=numeric_id(fo.order_id)
    )
    return rows.first()


def _reject(client, fo, counts: RequestCounts, reason: str, message: str) -> None:
    request_answer(client, "reject", fulfillment_order_id=fo.id, reason=reason, message=message)
    counts.rejected += 1
    counts.note(fo.order_name, f"rejected {reason}: {message}")


def _cancel_rejected(ours, actor, reason: str, fo, counts: RequestCounts) -> None:
    """After Shopify took the rejection: our order is cancelled, so it is never shipped."""
    try:
        order_cancel(actor=actor, order=ours, reason=f"fulfillment request rejected on Shopify ({reason})")
    except ApplicationError as exc:
        counts.note(fo.order_name, f"rejected, but order {ours.number} was not cancelled: {exc.message}")


def _requested(connection, service, fo, client, actor, counts: RequestCounts) -> None:
    if fo.lines_truncated:
        _reject(client, fo, counts, "OTHER", "More lines than we read in one request; split the order.")
        return
    _status, result, _action = order_in(
        _at_warehouse(connection, service.warehouse), fulfillment_platform_order(fo), actor
    )
    link = _link(connection, fo)
    if link is None or link.order is None:
        _reject(client, fo, counts, "OTHER", result)
        return
    ours = link.order
    if link.fulfillment_order_id and link.fulfillment_order_id != fo.id:
        text = (
            f"{fo.order_name} is already order {ours.number} here from another fulfillment order; "
            "split orders are not taken yet."
        )
        _reject(client, fo, counts, "OTHER", text)
        return
    if ours.status == OrderStatus.CANCELLED:
        _reject(client, fo, counts, "OTHER", f"Order {ours.number} for {fo.order_name} was cancelled here.")
        return
    if ours.status == OrderStatus.ABNORMAL:
        reason = REJECTIONS.get(ours.abnormal_code)
        if reason is None:  # the seller's account here (balance, channel…): answer once it moves on
            counts.waiting += 1
            counts.note(fo.order_name, f"waiting: order {ours.number} is Abnormal: {ours.abnormal_message}")
            return
        _reject(client, fo, counts, reason, ours.abnormal_message or ours.get_abnormal_code_display())
        _cancel_rejected(ours, actor, reason, fo, counts)
        return
    _fields, wrong = clean_recipient(recipient_of(ours), complete=True)
    if wrong and ours.status == OrderStatus.CONFIRMING:  # Confirming takes an unfinished address; we ship it
        _reject(
            client, fo, counts, "INCORRECT_ADDRESS", f"The address cannot be shipped to: {describe_problems(wrong)}"
        )
        _cancel_rejected(ours, actor, "INCORRECT_ADDRESS", fo, counts)
        return
    if link.fulfillment_order_id != fo.id:  # kept first: tracking goes out against it
        OrderLink.objects.filter(pk=link.pk).update(fulfillment_order_id=fo.id)
    request_answer(client, "accept", fulfillment_order_id=fo.id, message=f"Accepted as order {ours.number}.")
    counts.accepted += 1
    counts.note(fo.order_name, f"accepted as order {ours.number} ({ours.get_status_display()})")


def _cancellation(connection, fo, client, actor, counts: RequestCounts) -> None:
    link = _link(connection, fo)
    ours = link.order if link is not None else None
    if ours is not None and ours.status != OrderStatus.CANCELLED:
        refusal = ours.cancel_refusal()
        if refusal is None:
            try:
                ours = order_cancel(
                    actor=actor, order=ours, reason=f"cancellation requested on Shopify ({fo.order_name})"
                )
            except ApplicationError as exc:  # packed in the meantime
                refusal = exc
        if refusal is not None:
            request_answer(client, "reject_cancellation", fulfillment_order_id=fo.id, message=refusal.message)
            counts.cancellations_rejected += 1
            counts.note(fo.order_name, f"cancellation rejected: {refusal.message}")
            return
    said = f"Order {ours.number} is cancelled." if ours is not None else "Nothing was started here."
    request_answer(client, "accept_cancellation", fulfillment_order_id=fo.id, message=said)
    counts.cancelled += 1
    counts.note(fo.order_name, f"cancellation accepted: {said}")


def fulfillment_requests_process(*, connection: Connection, client=None) -> RequestCounts:
    """Answer every open request to our locations on the shop (see the module); the counts,
    also kept as the connection's SyncRun (created = accepted, skipped = waiting, failed =
    rejected or not answered; the notes say which and why)."""
    counts = RequestCounts()
    services = {
        s.location_id: s for s in FulfillmentService.objects.filter(connection=connection).select_related("warehouse")
    }
    if not services:
        return counts
    actor = integration_actor(
        platform=connection.get_platform_display(), name=connection.display_name, customer=connection.customer
    )
    own, started = client is None, timezone.now()
    try:
        client = client or client_for(connection)
        work = [(REQUESTED, fo) for fo in _all(client, REQUESTED, list(services))]
        work += [(CANCELLATION_REQUESTED, fo) for fo in _all(client, CANCELLATION_REQUESTED, list(services))]
        for status, fo in work:
            counts.fetched += 1
            try:
                if status == REQUESTED and fo.location_id in services:
                    _requested(connection, services[fo.location_id], fo, client, actor, counts)
                elif status == CANCELLATION_REQUESTED:
                    _cancellation(connection, fo, client, actor, counts)
            except ShopifyError as exc:  # this one is answered on the next poll
                counts.failed += 1
                counts.note(fo.order_name, exc.message)
    except (ShopifyError, SecretsUnavailable) as exc:
        counts.error = getattr(exc, "message", str(exc))[:500]
        Connection.objects.filter(pk=connection.pk).update(last_error_at=timezone.now(), last_error=counts.error)
    else:
        Connection.objects.filter(pk=connection.pk).update(last_success_at=timezone.now())
    finally:
        if own and client is not None:
            client.close()
    SyncRun.objects.create(
        connection=connection,
        started_at=started,
        finished_at=timezone.now(),
        fetched=counts.fetched,
        created=counts.accepted,
        skipped=counts.waiting,
        failed=counts.rejected + counts.failed,
        error=counts.error,
        notes=counts.notes,
    )
    return counts


def _service_mode_active(connection: Connection) -> None:
    if connection.mode != ConnectionMode.FULFILLMENT_SERVICE:
        raise ValidationFailed(
            f"{connection.display_name} is not in fulfillment-service mode.", code="not_service_mode"
        )
    if connection.status in (ConnectionStatus.PAUSED, ConnectionStatus.DISCONNECTED):
        raise ValidationFailed(
            f"{connection.display_name} is {connection.get_status_display().lower()}; resume it first.",
            code="connection_not_active",
        )


def fulfillment_requests_now(*, actor, connection: Connection) -> RequestCounts:
    """ "Sync now" of a fulfillment-service connection: answer its open requests at once."""
    _service_mode_active(connection)
    return fulfillment_requests_process(connection=connection)


def fulfillment_services_register_now(*, actor, connection: Connection, callback_url: str) -> RegisterResult:
    """The card's "Register warehouses": services for warehouses added to the plan since (or that
    connecting could not register). ValidationFailed with Shopify's words when the shop refuses."""
    _service_mode_active(connection)
    try:
        return fulfillment_services_register(connection=connection, callback_url=callback_url)
    except (ShopifyError, SecretsUnavailable) as exc:
        text = f"Shopify did not register the warehouses: {getattr(exc, 'message', exc)}"
        raise ValidationFailed(text, code="register_refused") from None


def fulfillment_connections_process() -> int:
    """The beat's share: answer the requests of every active fulfillment-service connection.
    How many connections were processed; one shop's trouble never stops the others."""
    done = 0
    for connection in Connection.objects.filter(
        platform=Platform.SHOPIFY, status=ConnectionStatus.ACTIVE, mode=ConnectionMode.FULFILLMENT_SERVICE
    ).select_related("customer", "default_warehouse"):
        try:
            fulfillment_requests_process(connection=connection)
            done += 1
        except Exception:  # noqa: BLE001 - logged; the next beat runs it again
            logger.exception("fulfillment requests of connection %s failed", connection.pk)
    return done


# --- The callback -------------------------------------------------------------------------------


def fulfillment_notification_receive(*, connection: Connection, headers: Mapping[str, str], body: bytes) -> str:
    """Shopify's fulfillment_order_notification: checked like a webhook (HMAC-SHA256 of the raw
    body with the connection's secret; WebhookRefused when it fails, nothing queued), then the
    processing is queued by name. The notification is only a ping (the work is read from the
    shop), so nothing of it is stored; its kind is returned for the answer."""
    if not shopify_signature_ok(connection.webhook_secret(), body, headers_lower(headers).get(HMAC_HEADER, "")):
        raise WebhookRefused(BAD_SIGNATURE)
    try:
        kind = str((json.loads(body or b"{}") or {}).get("kind") or "")[:40]
    except (ValueError, UnicodeDecodeError, AttributeError):
        kind = ""
    with transaction.atomic():
        outbox_emit(
            kind=TASK,
            task=TASK,
            payload={"connection_id": connection.pk, "customer_id": connection.customer_id},
            key=f"{TASK}:{connection.pk}",
        )
    return kind


__all__ = [
    "NOTIFICATION_PATH",
    "callback_url_of",
    "fulfillment_connections_process",
    "fulfillment_notification_receive",
    "fulfillment_requests_process",
    "fulfillment_services_register",
]
