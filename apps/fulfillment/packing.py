"""The pack station: find the order by its number or pick-list slot, check every item by scan
(a wrong one is refused, a missing one blocks), weigh it, quote the freight from the packed
parcel, print the 4×6 label through the carrier adapter — then the order is Packed and can no
longer be cancelled. The scanned counts travel with the page; the service re-checks them all."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from apps.core.errors import ApplicationError
from apps.core.identifiers import order_number_problem
from apps.core.retry import atomic_retry
from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.orders.outbound import order_mark_packed
from apps.orders.transitions import order_lock
from apps.shipping.labels import IssuedLabel, order_recipient, parcel_label_issue, parcel_label_void
from apps.shipping.quotes import QuoteOption, compiled_channels, level_discount_pct, parcel_from_box, quote_channel

from .choices import WaveOrderStatus
from .errors import OutboundConflict, ScanRefused
from .models import Parcel, WaveOrder
from .picking import refuse_if_cancelled, skip_if_stopped
from .transitions import person, record_created, transition

logger = logging.getLogger(__name__)
SLOT_RE = re.compile(r"^(PW\d{10})-(\d{1,3})$", re.IGNORECASE)


@dataclass
class PackTask:
    order: Order
    wave_order: WaveOrder
    expected: dict[str, int]  # SKU → units


def _order_refusal(order: Order) -> OutboundConflict | None:
    """Why this order must not be packed now, or None: it must be Pending Shipment and not packed."""
    if order.status == OrderStatus.CANCELLED:
        return OutboundConflict(
            f"Order {order.number} was cancelled by the customer: do not pack it; put its items back.",
            code="order_cancelled",
        )
    if order.status != OrderStatus.PENDING_SHIPMENT:
        return OutboundConflict(
            f"Order {order.number} is {order.get_status_display()}; only Pending Shipment orders are packed.",
            code="order_not_pending",
        )
    if order.is_packed:
        return OutboundConflict(
            f"Order {order.number} is already packed (label {order.tracking_number}).", code="order_packed"
        )
    return None


def pack_find(*, warehouse, code: str) -> PackTask:
    """The order behind a scanned order number or pick-list slot (``PW…-03``), if this station
    may pack it; every refusal says why."""
    code = (code or "").strip().upper()
    slot = SLOT_RE.match(code)
    wave_order = None
    if slot:
        wave_order = (
            WaveOrder.objects.select_related("order", "wave")
            .filter(wave__number=slot.group(1), slot=int(slot.group(2)))
            .first()
        )
        if wave_order is None:
            raise ScanRefused(f"No slot {code} on any pick list.")
        order = wave_order.order
    else:
        problem = order_number_problem(code)
        if problem:
            raise ScanRefused(f"“{code}” is not an order number or a pick-list slot: {problem}.")
        order = Order.objects.filter(number=code).select_related("warehouse").first()
        if order is None:
            raise ScanRefused(f"No order {code}.")
    if order.warehouse_id != warehouse.pk:
        raise ScanRefused(
            f"Order {order.number} ships from {order.warehouse.code}, not from this station's "
            f"warehouse {warehouse.code}. Set it aside for {order.warehouse.code}.",
            code="other_warehouse",
        )
    refusal = _order_refusal(order)
    if refusal is not None:
        raise refusal
    if wave_order is None:
        wave_order = WaveOrder.objects.filter(
            order=order, status__in=(WaveOrderStatus.PICKING, WaveOrderStatus.PICKED)
        ).first()
    if wave_order is None or wave_order.status != WaveOrderStatus.PICKED:
        where = f"still being picked on {wave_order.wave.number}" if wave_order else "on no pick list yet"
        raise OutboundConflict(f"Order {order.number} is {where}; pick it before packing.", code="not_picked")
    refuse_if_cancelled(wave_order)
    expected = {line.product.sku: line.quantity for line in order.lines.select_related("product")}
    return PackTask(order=order, wave_order=wave_order, expected=expected)


def pack_scan(*, task: PackTask, scanned: dict[str, int], code: str) -> tuple[str, dict[str, int]]:
    """One item scanned (SKU or UPC): (its SKU, the new counts). Refused loudly when the item is
    not in the order or all its units are already scanned."""
    code = (code or "").strip()
    products = {line.product.sku: line.product for line in task.order.lines.select_related("product")}
    sku = next((s for s, p in products.items() if code.lower() == s.lower() or (p.upc and code == p.upc)), None)
    if sku is None:
        raise ScanRefused(
            f"WRONG ITEM: {code or 'nothing'} is not in order {task.order.number}. Put it back.", code="wrong_item"
        )
    counts = {s: int(scanned.get(s, 0)) for s in task.expected}
    if counts[sku] >= task.expected[sku]:
        raise ScanRefused(f"TOO MANY: all {task.expected[sku]} of {sku} are already scanned.", code="too_many")
    counts[sku] += 1
    return sku, counts


def missing_items(task: PackTask, scanned: dict[str, int]) -> dict[str, int]:
    return {sku: n - int(scanned.get(sku, 0)) for sku, n in task.expected.items() if int(scanned.get(sku, 0)) < n}


def quote_packed(*, order: Order, weight_g, length_cm=None, width_cm=None, height_cm=None) -> QuoteOption:
    """The freight of the packed parcel on the order's channel (level discount included); a
    parcel the channel cannot take is refused with the channel's reason."""
    try:
        parcel = parcel_from_box(weight_g=weight_g, length_cm=length_cm, width_cm=width_cm, height_cm=height_cm)
    except ApplicationError as exc:
        raise ScanRefused(exc.message, code=exc.code, extra=exc.extra) from None
    channel = next((c for c in compiled_channels(order.warehouse_id) if c.id == order.channel_id), None)
    if channel is None:
        raise OutboundConflict(
            f"The channel of {order.number} is no longer active; ask logistics.", code="channel_inactive"
        )
    result = quote_channel(
        channel,
        country=order.country,
        postal=order.postal_code.replace(" ", ""),
        parcel=parcel,
        discount_pct=level_discount_pct(order.customer.level_id),
    )
    if not isinstance(result, QuoteOption):
        raise ScanRefused(
            f"{channel.name} cannot take this parcel: {result.reason}",
            code=result.code,
            extra={"weight_g": [result.reason]},
        )
    return result


def _check_packable(order: Order, wave_order: WaveOrder) -> Order:
    """Lock the order and its slot and check both may be packed now; the caller's transaction
    holds the locks (order first, then the slot: STYLE rule 17)."""
    order = order_lock(order)
    refusal = _order_refusal(order)
    if refusal is None:
        status = WaveOrder.objects.select_for_update().values_list("status", flat=True).get(pk=wave_order.pk)
        if status != WaveOrderStatus.PICKED:
            refusal = OutboundConflict(
                f"Order {order.number} is {WaveOrderStatus(status).label.lower()} on its pick list now; "
                "it cannot be packed.",
                code="not_picked",
            )
    if refusal is not None:
        raise refusal
    return order


def _void(label: IssuedLabel, channel) -> str:
    """Void a label that will not be used; the sentence says what became of it."""
    try:
        parcel_label_void(channel=channel, tracking_number=label.tracking_number)
    except ApplicationError as exc:
        logger.warning("label %s not voided: %s", label.tracking_number, exc.message)
        return (
            f"Its label {label.tracking_number} could not be voided ({exc.message}): destroy it and void it "
            f"with {channel.carrier.name} by hand."
        )
    return f"Its label {label.tracking_number}, bought meanwhile, is voided with {channel.carrier.name}."


def pack_complete(
    *,
    actor,
    task: PackTask,
    scanned: dict[str, int],
    weight_g,
    length_cm=None,
    width_cm=None,
    height_cm=None,
    box: str = "",
) -> Parcel:
    """Every item scanned, the weight entered: quote, label, Packed — all or nothing. The label
    is bought outside the order's lock (lock, check, release; buy; lock, check again, attach), so
    a slow carrier never holds up the customer's cancel; if the order changed meanwhile the label
    is voided, nothing is packed and the refusal says so."""
    missing = missing_items(task, scanned)
    if missing:
        raise ScanRefused(
            "Scan every item first — missing: " + ", ".join(f"{n} × {s}" for s, n in missing.items()),
            code="items_missing",
        )
    order = task.order
    option = quote_packed(order=order, weight_g=weight_g, length_cm=length_cm, width_cm=width_cm, height_cm=height_cm)
    recipient = order_recipient(order)
    dims = tuple(Decimal(str(v)) if v not in (None, "") else None for v in (length_cm, width_cm, height_cm))
    refuse_if_cancelled(task.wave_order, actor=actor)  # commits the skip of a cancelled order before refusing
    with transaction.atomic():
        order = _check_packable(order, task.wave_order)
    channel = order.channel
    label = parcel_label_issue(
        channel=channel,
        order_number=order.number,
        recipient=recipient,
        recipient_country=order.country,
        recipient_postal_code=order.postal_code,
        weight_g=option.actual_weight_g,
        dimensions_cm=dims,
        reference=order.external_ref,
    )
    try:
        return _attach(
            actor=actor, order=order, wave_order=task.wave_order, option=option, label=label, dims=dims, box=box
        )
    except ApplicationError as exc:
        voided = _void(label, channel)
        skip_if_stopped(task.wave_order, actor=actor)  # a cancelled order leaves the pick list
        raise type(exc)(
            f"{exc.message} Nothing is packed: the order changed while its label was being bought. {voided}",
            code=exc.code,
            extra=exc.extra,
        ) from exc
    except Exception:
        _void(label, channel)
        raise


@atomic_retry
def _attach(
    *, actor, order: Order, wave_order: WaveOrder, option: QuoteOption, label: IssuedLabel, dims, box
) -> Parcel:
    """The order is Packed with its label (checked again under the lock): the order's packed
    state, the parcel, the slot."""
    order = _check_packable(order, wave_order)
    order_mark_packed(
        actor=actor,
        order=order,
        weight_g=option.actual_weight_g,
        actual_freight=option.total,
        tracking_number=label.tracking_number,
    )
    parcel = Parcel.objects.create(
        order=order,
        warehouse=order.warehouse,
        channel=order.channel,
        weight_g=option.actual_weight_g,
        length_cm=dims[0],
        width_cm=dims[1],
        height_cm=dims[2],
        box=(box or "").strip()[:40],
        freight=option.total,
        currency=option.currency,
        tracking_number=label.tracking_number,
        label_pdf=label.pdf,
        packed_by=person(actor),
    )
    record_created([parcel], actor=actor, message=f"Packed: {parcel.weight_g} g, label {parcel.tracking_number}")
    transition(wave_order, to=WaveOrderStatus.PACKED, actor=actor, message=f"Label {parcel.tracking_number}")
    return parcel
