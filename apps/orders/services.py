"""Every write of an order: create, edit, submit, cancel, copy, and the one transition service.

Submitting is all or nothing: the address and lines are checked, a channel is chosen from the
quote service, the stock is allocated and the estimated charges are held on the wallet inside one
savepoint; any failure undoes what was done and leaves the order Abnormal with a machine reason
code and a sentence for people (DESIGN §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.billing.services import release, wallet_for
from apps.core.actors import actor_person
from apps.core.errors import PermissionDenied, problems_error
from apps.core.identifiers import order_number
from apps.core.retry import atomic_retry
from apps.core.services import sequence_block, sequence_next
from apps.inventory.services import stock_release
from apps.shipping.selectors import channel_warehouse_problem, customer_channels
from apps.warehouses.selectors import customer_warehouses, unknown_warehouse_problem

from . import submission
from .choices import (
    EDITABLE,
    AbnormalReason,
    EventKind,
    OrderSource,
    OrderStatus,
)
from .errors import OrderInvalid, OrderLocked
from .models import RECIPIENT_FIELDS, Order, OrderEvent, OrderLine
from .rules import (
    LABELS,
    MAX_REF,
    NO_LINES,
    RECIPIENT,
    REF_TOO_LONG,
    clean_recipient,
    duplicate_ref_message,
    lines_merge,
    recipient_message,
)
from .transitions import order_event, order_lock, order_transition

ZERO = Decimal("0")
UNKNOWN_SOURCE = "Unknown order source."


_person = actor_person  # the user behind an actor, None for a system actor


def _next_number() -> str:
    today = timezone.localdate()
    return order_number(today, sequence_next(name="order", period=f"{today:%y%m%d}", own_transaction=True))


def order_numbers(count: int) -> list[str]:
    """``count`` new order numbers at once (one sequence update, for batch imports)."""
    today = timezone.localdate()
    first = sequence_block(name="order", period=f"{today:%y%m%d}", count=count, own_transaction=True)
    return [order_number(today, first + i) for i in range(count)]


# --- What an order is made of ------------------------------------------------------------------


@dataclass
class OrderData:
    """What a person or a system gives for an order, resolved to objects (products, warehouse,
    channel) by the order intake (intake.py); the services check every rule."""

    warehouse: object
    recipient: dict
    lines: list  # [(product, quantity)]
    channel: object = None
    external_ref: str = ""
    note: str = ""
    allocated: str = ""  # the allocation's reason when the intake chose the warehouse (for the timeline)


def _customer_of(actor, customer):
    """The customer an order belongs to: the actor's own, or — for staff only — the one given."""
    own = getattr(actor, "customer", None)
    if own is not None:
        return own
    if customer is None or not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only staff can place an order for a customer.")
    return customer


def check_lines(*, customer, lines) -> list[tuple]:
    """[(product, quantity)] merged per SKU and checked: the customer's active SKUs, whole units."""
    problems = ["One of the SKUs is not one of your products."] * sum(
        1 for product, _q in lines if product is None or product.customer_id != customer.pk
    )
    mine = [(i, p, q) for i, (p, q) in enumerate(lines) if p is not None and p.customer_id == customer.pk]
    merged, wrong = lines_merge(mine)
    problems += [message for _i, _field, message in wrong]
    if problems:
        raise OrderInvalid(" ".join(problems[:5]), code="invalid_lines", extra={"lines": problems})
    if not merged:
        raise OrderInvalid(NO_LINES, code="invalid_lines", extra={"lines": [NO_LINES]})
    return merged


def check_destination(*, customer, warehouse, channel) -> None:
    """The warehouse is in the customer's plan and the channel (if any) ships from it, in the
    words of the code resolvers (warehouses, shipping)."""
    if warehouse is None:  # the intake allocates one; a caller that gives objects must name it
        raise OrderInvalid(
            "Choose one of the warehouses in your logistics plan.",
            code="unknown_warehouse",
            extra={"warehouse": ["Choose one of the warehouses in your logistics plan."]},
        )
    if not customer_warehouses(customer=customer).filter(pk=warehouse.pk).exists():
        raise problems_error([unknown_warehouse_problem(warehouse.code)], OrderInvalid)
    if channel is not None:
        allowed = customer_channels(customer=customer).filter(pk=channel.pk, warehouse=warehouse).exists()
        if not allowed:
            raise problems_error([channel_warehouse_problem(channel.code, warehouse.code)], OrderInvalid)


def check_recipient(recipient: dict) -> dict:
    fields, problems = clean_recipient(recipient, complete=False)
    if problems:
        message = " ".join(recipient_message(key, text) for key, text in problems.items())
        raise OrderInvalid(message, code="invalid_address", extra=problems)
    return fields


def _check_external_ref(customer, external_ref: str, exclude_pk=None) -> str:
    ref = (external_ref or "").strip()
    if len(ref) > MAX_REF:
        raise OrderInvalid(REF_TOO_LONG, code="invalid_external_ref", extra={"external_ref": [REF_TOO_LONG]})
    if ref and Order.objects.filter(customer=customer, external_ref=ref).exclude(pk=exclude_pk).exists():
        raise duplicate_ref_error(ref)
    return ref


def duplicate_ref_error(ref: str) -> OrderInvalid:
    message = duplicate_ref_message(ref)
    return OrderInvalid(message, code="duplicate_external_ref", extra={"external_ref": [message]})


# --- Create, edit, copy --------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *, actor, data: OrderData, source: str = OrderSource.MANUAL, customer=None, submit: bool = False
) -> Order:
    """A new Confirming order (then submitted at once when asked). Staff name the customer."""
    customer = _customer_of(actor, customer)
    if source not in OrderSource.values:
        raise OrderInvalid(UNKNOWN_SOURCE, code="invalid_source", extra={"source": [UNKNOWN_SOURCE]})
    check_destination(customer=customer, warehouse=data.warehouse, channel=data.channel)
    recipient = check_recipient(data.recipient)
    lines = check_lines(customer=customer, lines=data.lines)
    ref = _check_external_ref(customer, data.external_ref)
    try:
        with transaction.atomic():
            order = Order.objects.create(
                customer=customer,
                number=_next_number(),
                source=source,
                external_ref=ref,
                warehouse=data.warehouse,
                channel=data.channel,
                note=(data.note or "").strip()[:500],
                currency=wallet_for(customer).currency,
                created_by=_person(actor),
                **recipient,
            )
    except IntegrityError:  # a concurrent create took the same external reference
        raise duplicate_ref_error(ref) from None
    OrderLine.objects.bulk_create([OrderLine(order=order, product=p, quantity=q) for p, q in lines])
    by = "by staff " if source == OrderSource.STAFF else ""
    order_event(
        order,
        actor=actor,
        kind=EventKind.STATUS,
        to_status=OrderStatus.CONFIRMING,
        message=f"Order created {by}({OrderSource(source).label})",
    )
    if data.allocated:
        order_event(
            order, actor=actor, kind=EventKind.ACTION, message=allocation_message(order.warehouse, data.allocated)
        )
    if submit:
        order = order_submit(actor=actor, order=order)
    return order


@transaction.atomic
def order_create_held(
    *, actor, recipient: dict, lines, warehouse, external_ref: str, source: str, code: str, message: str
) -> Order:
    """An order a shop sent that cannot go on as it came — a line that matches none of the
    customer's SKUs, an address that does not validate: created straight in Abnormal with the
    reason, so it waits for a person (or the SKU mapping) instead of being lost. ``lines`` are the
    lines that did match (maybe none); the recipient is kept as sent, cut to the fields' lengths,
    and checked again when the order is submitted."""
    customer = _customer_of(actor, None)
    if code not in AbnormalReason.values or source not in OrderSource.values:
        raise OrderInvalid("Unknown reason code or source.")
    check_destination(customer=customer, warehouse=warehouse, channel=None)
    fields, problems = clean_recipient(recipient, complete=False)
    for key in problems:
        field, length, _required = RECIPIENT[key]
        fields[field] = "" if key == "country" else str(recipient.get(key) or "").strip()[:length]
    merged, wrong = lines_merge([(i, p, q) for i, (p, q) in enumerate(lines) if p.customer_id == customer.pk])
    if wrong:
        raise OrderInvalid(" ".join(text for _i, _f, text in wrong[:5]), code="invalid_lines")
    ref = _check_external_ref(customer, external_ref)
    try:
        with transaction.atomic():
            order = Order.objects.create(
                customer=customer,
                number=_next_number(),
                source=source,
                external_ref=ref,
                warehouse=warehouse,
                status=OrderStatus.ABNORMAL,
                abnormal_code=code,
                abnormal_message=message[:500],
                currency=wallet_for(customer).currency,
                **fields,
            )
    except IntegrityError:
        raise duplicate_ref_error(ref) from None
    OrderLine.objects.bulk_create([OrderLine(order=order, product=p, quantity=q) for p, q in merged])
    order_event(
        order,
        actor=actor,
        kind=EventKind.STATUS,
        to_status=OrderStatus.ABNORMAL,
        message=f"Order created ({OrderSource(source).label}), waiting: {message}",
    )
    return order


def allocation_message(warehouse, reason: str) -> str:
    """The timeline line of a warehouse the intake allocated (order_create and its bulk twin)."""
    return f"Allocated warehouse {warehouse.code}: {reason}"[:500]


def _changes(order: Order, recipient: dict, lines, data: OrderData) -> list[str]:
    changed = [LABELS[key] for key, (field, _l, _r) in RECIPIENT.items() if getattr(order, field) != recipient[field]]
    before = {line.product_id: line.quantity for line in order.lines.all()}
    if before != {p.pk: q for p, q in lines}:
        changed.append("SKUs")
    if order.warehouse_id != data.warehouse.pk:
        changed.append("warehouse")
    if order.channel_id != getattr(data.channel, "pk", None):
        changed.append("shipping method")
    if order.note != (data.note or "").strip()[:500]:
        changed.append("note")
    if order.external_ref != (data.external_ref or "").strip():
        changed.append("external reference")
    return changed


@transaction.atomic
def order_update(*, actor, order: Order, data: OrderData) -> Order:
    """Change address, SKUs, warehouse, shipping method or note — only while Confirming or
    Abnormal. A fixed Abnormal order goes back to Confirming, ready to submit again."""
    order = order_lock(order)
    if order.status not in EDITABLE:
        raise OrderLocked(
            f"Order {order.number} is {order.get_status_display()}: it can no longer be edited. "
            "Cancel it and create a new one (Copy does it quickly)."
        )
    customer = order.customer
    check_destination(customer=customer, warehouse=data.warehouse, channel=data.channel)
    recipient = check_recipient(data.recipient)
    lines = check_lines(customer=customer, lines=data.lines)
    ref = _check_external_ref(customer, data.external_ref, exclude_pk=order.pk)
    changed = _changes(order, recipient, lines, data)
    if not changed:
        return order
    if "SKUs" in changed:
        order.lines.all().delete()
        OrderLine.objects.bulk_create([OrderLine(order=order, product=p, quantity=q) for p, q in lines])
    for field, value in recipient.items():
        setattr(order, field, value)
    order.warehouse, order.channel = data.warehouse, data.channel
    order.note, order.external_ref = (data.note or "").strip()[:500], ref
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:  # a concurrent create or edit took the same external reference
        raise duplicate_ref_error(ref) from None
    order_event(order, actor=actor, kind=EventKind.EDIT, message="Changed: " + ", ".join(changed))
    if order.status == OrderStatus.ABNORMAL:
        order_transition(order=order, to=OrderStatus.CONFIRMING, actor=actor, message="Edited; ready to submit again")
    return order


@transaction.atomic
def order_copy(*, actor, order: Order) -> Order:
    """A new Confirming order with the same recipient, SKUs, warehouse and shipping method."""
    source = OrderSource.STAFF if getattr(actor, "customer_id", None) is None else OrderSource.MANUAL
    lines = [(line.product, line.quantity) for line in order.lines.select_related("product")]
    copy = Order.objects.create(
        customer=order.customer,
        number=_next_number(),
        source=source,
        warehouse=order.warehouse,
        channel=order.channel,
        note=order.note,
        currency=order.currency,
        copied_from=order,
        created_by=_person(actor),
        **{field: getattr(order, field) for field in RECIPIENT_FIELDS},
    )
    OrderLine.objects.bulk_create([OrderLine(order=copy, product=p, quantity=q) for p, q in lines])
    order_event(
        copy,
        actor=actor,
        kind=EventKind.STATUS,
        to_status=OrderStatus.CONFIRMING,
        message=f"Copied from {order.number}",
    )
    order_event(order, actor=actor, kind=EventKind.ACTION, message=f"Copied to {copy.number}")
    return copy


def order_note_add(*, actor, order: Order, message: str) -> OrderEvent:
    text = (message or "").strip()
    if not text:
        raise OrderInvalid("Write the note first.", extra={"message": ["is required"]})
    return order_event(order, actor=actor, kind=EventKind.NOTE, message=text)


# --- Submit (apps.orders.submission) ------------------------------------------------------------

order_submit = submission.order_submit


def _mark_abnormal(order: Order, *, actor, code: str, message: str) -> Order:
    if order.status != OrderStatus.ABNORMAL:
        return order_transition(order=order, to=OrderStatus.ABNORMAL, actor=actor, message=message, code=code)
    if (order.abnormal_code, order.abnormal_message) != (code, message[:500]) or _person(actor):
        order.abnormal_code, order.abnormal_message = code, message[:500]
        order.save(update_fields=["abnormal_code", "abnormal_message", "updated_at"])
        order_event(order, actor=actor, kind=EventKind.ACTION, message=f"Submitted again, still Abnormal: {message}")
    return order


def order_mark_abnormal(*, actor, order: Order, code: str, message: str) -> Order:
    """Staff or the warehouse stop an order (Confirming or Pending Shipment) with a reason; a
    Pending Shipment order gives its stock and hold back first."""
    if code not in AbnormalReason.values:
        raise OrderInvalid("Unknown reason code.")
    return _stop(actor=actor, order=order, code=code, message=message)


@atomic_retry
def _stop(*, actor, order: Order, code: str, message: str) -> Order:
    order = order_lock(order)
    _give_back(order, actor=actor)
    return _mark_abnormal(order, actor=actor, code=code, message=message)


def _give_back(order: Order, *, actor) -> None:
    """Release the order's allocated stock and held money (cancel, stop)."""
    reference = {"reference_type": "order", "reference_id": order.number, "reference": order.number}
    if order.stock_allocated:
        for line in sorted(order.lines.select_related("product"), key=lambda line: line.product_id):
            stock_release(
                actor=actor, product=line.product, warehouse=order.warehouse, quantity=line.quantity, **reference
            )
        order.stock_allocated = False
    if order.held_amount > ZERO:
        release(
            customer=order.customer,
            amount=order.held_amount,
            idempotency_key=f"order:{order.pk}:release:{order.submit_count}",
            actor=actor,
            **reference,
        )
        order.held_amount = ZERO


# --- Cancel --------------------------------------------------------------------------------------


@atomic_retry
def order_cancel(*, actor, order: Order, reason: str = "") -> Order:
    """Cancel while Confirming, Abnormal, or Pending Shipment until the warehouse has packed it;
    the allocated stock and the held money go back."""
    order = order_lock(order)
    refusal = order.cancel_refusal()
    if refusal is not None:
        raise refusal
    _give_back(order, actor=actor)
    text = (reason or "").strip()
    return order_transition(
        order=order, to=OrderStatus.CANCELLED, actor=actor, message=f"Cancelled: {text}" if text else "Cancelled"
    )
