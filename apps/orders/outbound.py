"""An order's life after Submit Shipment, as the warehouse and the carriers move it: packed (no
longer cancellable), shipped (stock leaves its bins, the hold settles against the actual freight
and fee), delivered, returned. The fulfillment and tracking apps call these; the state changes go
through the one transition service."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from apps.billing.choices import EntryKind
from apps.billing.errors import InsufficientBalance
from apps.billing.services import Posting, charge, post_many, release
from apps.billing.topups import misc_fee_notice
from apps.core.outbox import outbox_emit
from apps.core.retry import atomic_retry
from apps.inventory.services import stock_ship

from .choices import EventKind, OrderSource, OrderStatus
from .errors import OrderInvalid, OrderLocked
from .models import Order
from .transitions import order_event, order_lock, order_transition

ZERO = Decimal("0")
SHOP_SOURCES = {OrderSource.SHOPIFY, OrderSource.WOOCOMMERCE, OrderSource.EBAY}
TRACKING_OUT = "integrations.tracking_out"  # integrations sits above orders: named, not imported
TRACK_SHIPMENT = "tracking.track_shipment"  # tracking sits above orders too
DELIVERED_OUT = "integrations.delivered_out"


def _require_pending(order: Order, doing: str) -> None:
    if order.status != OrderStatus.PENDING_SHIPMENT:
        raise OrderLocked(
            f"Order {order.number} is {order.get_status_display()}; only Pending Shipment orders can be {doing}.",
            code="order_not_pending",
        )


@atomic_retry
def order_mark_packed(
    *, actor, order: Order, weight_g: int, actual_freight: Decimal, tracking_number: str, channel=None
) -> Order:
    """The parcel is packed, weighed and labelled: from now on the customer cannot cancel. The one
    writer of ``packed_at``, the order's packed state."""
    order = order_lock(order)
    _require_pending(order, "packed")
    if order.is_packed:
        raise OrderLocked(
            f"Order {order.number} is already packed (tracking {order.tracking_number}).", code="order_packed"
        )
    order.packed_at = timezone.now()
    order.packed_weight_g = weight_g
    order.actual_freight = actual_freight
    order.tracking_number = tracking_number
    if channel is not None:
        order.channel = channel
    order.save()
    order_event(
        order,
        actor=actor,
        kind=EventKind.ACTION,
        message=f"Packed: {weight_g} g, label {tracking_number}; freight from the packed parcel "
        f"{actual_freight} {order.currency}",
    )
    return order


@dataclass(frozen=True)
class Pick:
    product: object
    bin: object  # None for units not shelved in a bin
    quantity: int


def _check_picks(order: Order, picks: list[Pick]) -> None:
    wanted = {line.product_id: line.quantity for line in order.lines.all()}
    given: dict[int, int] = {}
    for pick in picks:
        given[pick.product.pk] = given.get(pick.product.pk, 0) + pick.quantity
    if given != wanted:
        raise OrderInvalid(
            f"The picked units of {order.number} do not match its lines; pack it again.", code="picks_mismatch"
        )


def _settle(order: Order, *, actor) -> None:
    """Release the hold; charge the actual freight and fulfilment fee — together in one posting
    when the wallet can take them, else one by one, and what the wallet cannot pay any more (a
    heavier parcel than estimated, a wallet emptied meanwhile) becomes a misc-fee notice that
    waits for the next top-up — the wallet never goes negative."""
    reference = {"reference_type": "order", "reference_id": order.number, "reference": order.number}
    key = f"order:{order.pk}:ship"
    together = [
        Posting(EntryKind.RELEASE, ZERO, -order.held_amount, f"{key}:release", **reference),
        *(
            Posting(
                kind, -amount, ZERO, f"{key}:{kind}", memo=f"{EntryKind(kind).label} of {order.number}", **reference
            )
            for kind, amount in (
                (EntryKind.FREIGHT, order.actual_freight),
                (EntryKind.FULFILMENT_FEE, order.actual_fee),
            )
            if amount
        ),
    ]
    together = [p for p in together if p.amount or p.held]
    if together and post_many(customer=order.customer, postings=together, actor=actor):
        order.held_amount = ZERO  # the usual case: one statement, and nothing freed to announce
        return
    if order.held_amount > ZERO:
        release(
            customer=order.customer,
            amount=order.held_amount,
            idempotency_key=f"{key}:release",
            actor=actor,
            **reference,
        )
        order.held_amount = ZERO
    unpaid = ZERO
    for kind, amount in ((EntryKind.FREIGHT, order.actual_freight), (EntryKind.FULFILMENT_FEE, order.actual_fee)):
        if not amount:
            continue
        try:
            charge(
                customer=order.customer,
                amount=amount,
                kind=kind,
                idempotency_key=f"{key}:{kind}",
                actor=actor,
                memo=f"{EntryKind(kind).label} of {order.number}",
                **reference,
            )
        except InsufficientBalance:
            unpaid += amount
    if unpaid:
        misc_fee_notice(
            actor=actor,
            customer=order.customer,
            amount=unpaid,
            reason=f"Unpaid freight and fees of order {order.number} (shipped {timezone.localdate()})",
        )


@atomic_retry
def order_ship(*, actor, order: Order, picks: list[Pick]) -> Order:
    """Handed to the carrier: the units leave their bins (ship moves), the hold settles against
    the actual freight and fee, and the order becomes Shipped with its tracking number."""
    order = order_lock(order)
    _require_pending(order, "shipped")
    if not order.is_packed:
        raise OrderLocked(
            f"Order {order.number} is not packed yet; pack and label it before handing it over.",
            code="order_not_packed",
        )
    _check_picks(order, picks)
    reference = {"reference_type": "order", "reference_id": order.number, "reference": order.number}
    for pick in sorted(picks, key=lambda p: (p.product.pk, getattr(p.bin, "pk", 0))):
        key = f"order:{order.pk}:ship:{pick.product.pk}:{getattr(pick.bin, 'pk', 0)}"
        stock_ship(
            actor=actor,
            product=pick.product,
            warehouse=order.warehouse,
            quantity=pick.quantity,
            bin=pick.bin,
            idempotency_key=key,
            **reference,
        )
    order.stock_allocated = False
    if order.actual_fee is None:
        order.actual_fee = order.estimated_fee or ZERO
    if order.actual_freight is None:
        order.actual_freight = order.estimated_freight or ZERO
    order.actual_cost = order.actual_freight + order.actual_fee
    _settle(order, actor=actor)
    difference = order.actual_cost - (order.estimated_cost or ZERO)
    if order.tracking_number:  # the tracking provider follows the parcel from now on
        outbox_emit(
            kind="order_shipped_tracking",
            task=TRACK_SHIPMENT,
            payload={"order_id": order.pk, "customer_id": order.customer_id},
            key=f"track_shipment:{order.pk}",
        )
    if order.source in SHOP_SOURCES:  # the shop gets the tracking (integrations names the task)
        outbox_emit(
            kind="order_shipped",
            task=TRACKING_OUT,
            payload={"order_id": order.pk, "customer_id": order.customer_id},
            key=f"tracking_out:{order.pk}",
        )
    return order_transition(
        order=order,
        to=OrderStatus.SHIPPED,
        actor=actor,
        message=f"Handed to the carrier, tracking {order.tracking_number}; charged {order.actual_cost} "
        f"{order.currency} (estimate {order.estimated_cost}, difference {difference:+})",
    )


@atomic_retry
def order_deliver(*, actor, order: Order, message: str = "") -> Order:
    order = order_lock(order)
    delivered = order_transition(order=order, to=OrderStatus.DELIVERED, actor=actor, message=message or "Delivered")
    if delivered.source in SHOP_SOURCES:  # the shop is told too (integrations names the task)
        outbox_emit(
            kind="order_delivered",
            task=DELIVERED_OUT,
            payload={"order_id": delivered.pk, "customer_id": delivered.customer_id},
            key=f"delivered_out:{delivered.pk}",
        )
    return delivered


@atomic_retry
def order_return(*, actor, order: Order, message: str = "") -> Order:
    order = order_lock(order)
    return order_transition(
        order=order, to=OrderStatus.RETURNED, actor=actor, message=message or "Returned to the sender"
    )
