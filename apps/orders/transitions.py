"""The one place an order's status changes (DESIGN §5's table), its timeline, and its row lock."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from apps.core.actors import actor_label, actor_person

from .choices import TRANSITIONS, EventKind, OrderStatus
from .errors import OrderLocked
from .models import Order, OrderEvent

STATUS_TIMESTAMPS = {
    OrderStatus.PENDING_SHIPMENT: "submitted_at",
    OrderStatus.SHIPPED: "shipped_at",
    OrderStatus.DELIVERED: "delivered_at",
    OrderStatus.CANCELLED: "cancelled_at",
}


def order_event(order: Order, *, actor, kind: str, message: str = "", from_status: str = "", to_status: str = ""):
    """One line of the order's timeline (who, what); call inside the change's own transaction."""
    return OrderEvent.objects.create(
        order=order,
        actor=actor_person(actor),
        actor_label=actor_label(actor),
        kind=kind,
        message=message[:500],
        from_status=from_status,
        to_status=to_status,
    )


def order_transition(*, order: Order, to: str, actor=None, message: str = "", code: str = "") -> Order:
    """The one place an order's status changes: checks DESIGN §5's table, stamps the time, keeps
    the Abnormal reason, writes the timeline. Call inside a transaction with the row locked."""
    current = OrderStatus(order.status)
    if to not in TRANSITIONS[current]:
        raise OrderLocked(
            f"Order {order.number} is {current.label}; it cannot become {OrderStatus(to).label}.",
            code="order_state_conflict",
        )
    order.status = to
    order.abnormal_code = code if to == OrderStatus.ABNORMAL else ""
    order.abnormal_message = message[:500] if to == OrderStatus.ABNORMAL else ""
    stamp = STATUS_TIMESTAMPS.get(to)
    if stamp:
        setattr(order, stamp, timezone.now())
    order.save()
    order_event(order, actor=actor, kind=EventKind.STATUS, message=message, from_status=current, to_status=to)
    return order


def order_lock(order: Order) -> Order:
    """The order's row, locked for the rest of the transaction, with what the services read."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("customer__wallet", "warehouse", "channel")
        .get(pk=order.pk)
    )


@dataclass
class OrderChange:
    """One order's part of a change saved for many orders at once: a status move (checked like
    ``order_transition``), or with ``to=None`` a timeline line for fields the caller set."""

    order: Order
    to: str | None
    message: str = ""
    code: str = ""


SUBMISSION_FIELDS = [
    "status",
    "abnormal_code",
    "abnormal_message",
    "submitted_at",
    "channel",
    "estimated_freight",
    "estimated_fee",
    "estimated_cost",
    "estimated_weight_g",
    "held_amount",
    "stock_allocated",
    "submit_count",
    "updated_at",
]


def order_changes_save(changes: list[OrderChange], *, actor, fields=SUBMISSION_FIELDS) -> None:
    """``order_transition`` for many orders (the rows locked by the caller): every move checked
    against the table and stamped, then one UPDATE of ``fields`` for all of them and one insert
    of their timeline lines."""
    if not changes:
        return
    now, who, label = timezone.now(), actor_person(actor), actor_label(actor)
    events = []
    for change in changes:
        order = change.order
        if change.to is None:
            events.append(OrderEvent(order=order, kind=EventKind.ACTION, message=change.message[:500]))
        else:
            current = OrderStatus(order.status)
            if change.to not in TRANSITIONS[current]:
                raise OrderLocked(
                    f"Order {order.number} is {current.label}; it cannot become {OrderStatus(change.to).label}.",
                    code="order_state_conflict",
                )
            order.status = change.to
            order.abnormal_code = change.code if change.to == OrderStatus.ABNORMAL else ""
            order.abnormal_message = change.message[:500] if change.to == OrderStatus.ABNORMAL else ""
            stamp = STATUS_TIMESTAMPS.get(change.to)
            if stamp:
                setattr(order, stamp, now)
            events.append(
                OrderEvent(
                    order=order,
                    kind=EventKind.STATUS,
                    message=change.message[:500],
                    from_status=current,
                    to_status=change.to,
                )
            )
        order.updated_at = now
    for event in events:
        event.actor, event.actor_label = who, label
    if len(changes) == 1:  # one order: a plain UPDATE, far cheaper to build than bulk_update's CASEs
        order = changes[0].order
        values = {name: getattr(order, Order._meta.get_field(name).attname) for name in fields}
        Order.objects.filter(pk=order.pk).update(**values)
    else:
        Order.objects.bulk_update([change.order for change in changes], fields=fields)
    OrderEvent.objects.bulk_create(events)
