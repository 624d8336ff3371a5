"""Every write of an inbound reservation, customer side: lines, packing, shipping, submit, cancel.
The warehouse side (arrival, receiving, shelving) is in receiving.py."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.errors import StateConflict
from apps.core.numbers import read_decimal
from apps.core.services import sequence_next
from apps.inventory.services import stock_in_transit_set
from apps.warehouses.selectors import customer_warehouses

from .choices import EDITABLE, IN_TRANSIT, SHIPPING_EDITABLE, TRANSITIONS, InboundStatus, PackingMethod, TransportMode
from .errors import InboundInvalid, InboundLocked, PackingMismatch
from .models import InboundBox, InboundBoxItem, InboundEvent, InboundLine, InboundOrder

MAX_UNITS_PER_LINE = 1_000_000
MAX_BOXES = 2000
STATUS_TIMESTAMPS = {
    InboundStatus.SUBMITTED: "submitted_at",
    InboundStatus.ARRIVED: "arrived_at",
    InboundStatus.RECEIVED: "received_at",
    InboundStatus.COMPLETED: "completed_at",
}


def inbound_transition(*, inbound: InboundOrder, to: str, actor=None, note: str = "") -> InboundOrder:
    """The one place an inbound's status changes: checks the table, stamps the time, writes the
    timeline event. Call inside the caller's transaction, with the row locked."""
    current = InboundStatus(inbound.status)
    if to not in TRANSITIONS[current]:
        raise StateConflict(
            f"Inbound {inbound.number} is {current.label.lower()}; it cannot become {InboundStatus(to).label.lower()}.",
            code="inbound_state_conflict",
        )
    inbound.status = to
    stamp = STATUS_TIMESTAMPS.get(to)
    if stamp:
        setattr(inbound, stamp, timezone.now())
    inbound.save()
    InboundEvent.objects.create(
        inbound=inbound,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=current,
        to_status=to,
        note=note[:300],
    )
    if (current in IN_TRANSIT) != (to in IN_TRANSIT):
        _announce_in_transit(inbound, on_the_way=to in IN_TRANSIT)
    return inbound


def _announce_in_transit(inbound: InboundOrder, *, on_the_way: bool) -> None:
    """Tell inventory what this reservation has on its way (submitted until received) or that it
    has nothing any more (received, cancelled): the inventory pages show it as in transit."""
    lines = inbound.lines.select_related("product") if on_the_way else ()
    stock_in_transit_set(
        customer=inbound.customer,
        reference_type="inbound",
        reference_id=inbound.number,
        quantities=[(line.product, inbound.warehouse, line.quantity) for line in lines],
    )


def _lock(inbound: InboundOrder) -> InboundOrder:
    return InboundOrder.objects.select_for_update().get(pk=inbound.pk)


LOCKABLE_STEPS = {"lines": "the warehouse and SKUs", "packing": "the packing list"}


def lock_reason(inbound: InboundOrder, step: str) -> str:
    """Why a step of the wizard can no longer change, for people ("" while it can)."""
    status = inbound.status
    if step == "shipping":
        if status in SHIPPING_EDITABLE:
            return ""
        if status == InboundStatus.CANCELLED:
            return f"Inbound {inbound.number} is cancelled: its shipping information can no longer change."
        return (
            f"The goods of inbound {inbound.number} have arrived at the warehouse "
            f"({inbound.get_status_display().lower()}): the shipping information is locked."
        )
    if status in EDITABLE:
        return ""
    what = LOCKABLE_STEPS[step]
    if status == InboundStatus.CANCELLED:
        return f"Inbound {inbound.number} is cancelled: {what} can no longer change."
    if status == InboundStatus.SUBMITTED:
        when = f" on {timezone.localtime(inbound.submitted_at):%Y-%m-%d}" if inbound.submitted_at else ""
        return (
            f"Inbound {inbound.number} was submitted{when}: {what} can no longer change. "
            "Only the shipping information may change until the goods arrive."
        )
    return (
        f"Inbound {inbound.number} is {inbound.get_status_display().lower()} at the warehouse: "
        f"{what} can no longer change."
    )


def _require_draft(inbound: InboundOrder, what: str) -> None:
    if inbound.status not in EDITABLE:
        raise InboundLocked(
            f"Inbound {inbound.number} is {inbound.get_status_display().lower()}: {what} can no longer change. "
            "Only the shipping information may change until the goods arrive.",
        )


def _next_number() -> str:
    day = timezone.localdate().strftime("%y%m%d")
    return f"IN{day}{sequence_next(name='inbound', period=day, own_transaction=True):05d}"


def _clean_lines(*, customer, lines) -> list[tuple]:
    """[(product, quantity)] from the caller, checked: own active SKUs, whole positive units."""
    merged: dict[int, list] = {}
    errors = []
    for product, quantity in lines:
        if product is None or product.customer_id != customer.pk:
            errors.append("One of the SKUs is not one of your products.")
            continue
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= MAX_UNITS_PER_LINE:
            errors.append(f"{product.sku}: the quantity must be a whole number from 1 to {MAX_UNITS_PER_LINE:,}.")
            continue
        if not product.is_active:
            errors.append(f"{product.sku} is deactivated; activate it before sending it in.")
            continue
        if product.pk in merged:
            merged[product.pk][1] += quantity
        else:
            merged[product.pk] = [product, quantity]
    if errors:
        raise InboundInvalid(" ".join(errors[:5]), extra={"lines": errors})
    if not merged:
        raise InboundInvalid("Add at least one SKU with a quantity.", extra={"lines": ["Add at least one SKU."]})
    return [tuple(v) for v in merged.values()]


def _check_warehouse(customer, warehouse) -> None:
    if warehouse is None or not customer_warehouses(customer=customer).filter(pk=warehouse.pk).exists():
        raise InboundInvalid(
            "Choose one of the warehouses in your logistics plan.", extra={"warehouse": ["not one of your warehouses"]}
        )


@transaction.atomic
def inbound_create(*, actor, warehouse, lines, note: str = "") -> InboundOrder:
    """Step 1: a draft reservation for one of the customer's warehouses, with its SKUs."""
    customer = actor.customer
    _check_warehouse(customer, warehouse)
    cleaned = _clean_lines(customer=customer, lines=lines)
    inbound = InboundOrder.objects.create(
        customer=customer, number=_next_number(), warehouse=warehouse, created_by=actor, note=note.strip()[:500]
    )
    InboundLine.objects.bulk_create([InboundLine(inbound=inbound, product=p, quantity=q) for p, q in cleaned])
    InboundEvent.objects.create(inbound=inbound, actor=actor, to_status=InboundStatus.DRAFT, note="Reservation saved")
    return inbound


@transaction.atomic
def inbound_update_lines(*, actor, inbound: InboundOrder, warehouse, lines, note: str | None = None) -> InboundOrder:
    """Step 1 again while Draft. Boxes packed for other quantities are dropped (packing again
    is the honest way to make them add up)."""
    inbound = _lock(inbound)
    _require_draft(inbound, "the warehouse and SKUs")
    _check_warehouse(inbound.customer, warehouse)
    cleaned = _clean_lines(customer=inbound.customer, lines=lines)
    before = {line.product_id: line.quantity for line in inbound.lines.all()}
    after = {p.pk: q for p, q in cleaned}
    inbound.lines.all().delete()
    InboundLine.objects.bulk_create([InboundLine(inbound=inbound, product=p, quantity=q) for p, q in cleaned])
    if before != after:
        inbound.boxes.all().delete()
        inbound.packing_method = ""
    inbound.warehouse = warehouse
    if note is not None:
        inbound.note = note.strip()[:500]
    inbound.save()
    return inbound


# --- Packing (step 3) ----------------------------------------------------------------------------


def _dimension(value, name: str, limit: Decimal, places: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = read_decimal(value, grouping=False)  # "1,5" is 1.5, as the packing-list import reads it
    except ValueError:
        raise InboundInvalid(f"The box {name} must be a number.", extra={name: ["must be a number"]}) from None
    if not number.is_finite() or not Decimal("0") < number <= limit:
        raise InboundInvalid(
            f"The box {name} must be more than 0 and at most {limit}.",
            extra={name: [f"more than 0 and at most {limit}"]},
        )
    return number.quantize(Decimal(places))


@dataclass
class BoxSpec:
    items: list[tuple] = field(default_factory=list)  # [(product, quantity)]
    length_cm: object = None
    width_cm: object = None
    height_cm: object = None
    weight_kg: object = None


def packing_differences(*, inbound: InboundOrder, boxes: list[BoxSpec] | None = None) -> dict[str, int]:
    """SKU → packed minus reserved, for every SKU where they differ (empty when they add up)."""
    reserved = {line.product.sku: line.quantity for line in inbound.lines.select_related("product")}
    packed: dict[str, int] = defaultdict(int)
    if boxes is None:
        for item in InboundBoxItem.objects.filter(box__inbound=inbound).select_related("product"):
            packed[item.product.sku] += item.quantity
    else:
        for box in boxes:
            for product, quantity in box.items:
                packed[product.sku] += quantity
    return {
        sku: packed.get(sku, 0) - reserved.get(sku, 0)
        for sku in sorted(set(reserved) | set(packed))
        if packed.get(sku, 0) != reserved.get(sku, 0)
    }


def _describe(differences: dict[str, int]) -> str:
    parts = [f"{sku}: {abs(d)} {'more' if d > 0 else 'fewer'} packed than reserved" for sku, d in differences.items()]
    return "The packed quantities do not add up to the reservation — " + "; ".join(parts[:6]) + "."


@transaction.atomic
def inbound_pack(*, actor, inbound: InboundOrder, boxes: list[BoxSpec], method: str) -> InboundOrder:
    """Step 3: replace the packing list. Every box's contents must be the inbound's SKUs, and the
    packed units per SKU must add up to the reserved ones; otherwise nothing changes."""
    inbound = _lock(inbound)
    _require_draft(inbound, "the packing list")
    if method not in PackingMethod.values:
        raise InboundInvalid("Choose a packing method.")
    if not boxes:
        raise InboundInvalid("Add at least one box.")
    if len(boxes) > MAX_BOXES:
        raise InboundInvalid(f"At most {MAX_BOXES:,} boxes per inbound; split the shipment.")
    line_products = {line.product_id for line in inbound.lines.all()}
    for number, box in enumerate(boxes, start=1):
        if not box.items:
            raise InboundInvalid(f"Box {number} is empty; remove it or add its contents.")
        for product, quantity in box.items:
            if product is None or product.pk not in line_products:
                raise InboundInvalid(
                    f"Box {number} holds a SKU that is not in this reservation; add it in step 1 first."
                )
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
                raise InboundInvalid(f"Box {number}: quantities must be whole numbers above 0.")
    differences = packing_differences(inbound=inbound, boxes=boxes)
    if differences:
        raise PackingMismatch(_describe(differences), extra={"differences": differences})
    inbound.boxes.all().delete()
    created = InboundBox.objects.bulk_create(
        [
            InboundBox(
                inbound=inbound,
                box_no=n,
                length_cm=_dimension(b.length_cm, "length", Decimal("300"), "0.1"),
                width_cm=_dimension(b.width_cm, "width", Decimal("300"), "0.1"),
                height_cm=_dimension(b.height_cm, "height", Decimal("300"), "0.1"),
                weight_kg=_dimension(b.weight_kg, "weight", Decimal("500"), "0.01"),
            )
            for n, b in enumerate(boxes, start=1)
        ]
    )
    items = []
    for box, spec in zip(created, boxes, strict=True):
        merged: dict[int, list] = {}
        for product, quantity in spec.items:
            merged.setdefault(product.pk, [product, 0])[1] += quantity
        items += [InboundBoxItem(box=box, product=p, quantity=q) for p, q in merged.values()]
    InboundBoxItem.objects.bulk_create(items)
    inbound.packing_method = method
    inbound.save(update_fields=["packing_method", "updated_at"])
    return inbound


def boxes_for_single_sku(*, inbound: InboundOrder, per_sku: dict[int, dict]) -> list[BoxSpec]:
    """One SKU per box: from units per box, the boxes (the last one partial) with the dimensions
    and weight given for that SKU's full box. ``per_sku``: product id → {units_per_box, length_cm, …}."""
    boxes = []
    for line in inbound.lines.select_related("product"):
        spec = per_sku.get(line.product_id) or {}
        per_box = spec.get("units_per_box")
        if not isinstance(per_box, int) or per_box <= 0:
            raise InboundInvalid(
                f"{line.product.sku}: enter how many units go in one box (a whole number above 0).",
                extra={f"units_{line.product_id}": ["a whole number above 0"]},
            )
        count = math.ceil(line.quantity / per_box)
        for i in range(count):
            units = per_box if i < count - 1 else line.quantity - per_box * (count - 1)
            boxes.append(
                BoxSpec(
                    items=[(line.product, units)],
                    length_cm=spec.get("length_cm"),
                    width_cm=spec.get("width_cm"),
                    height_cm=spec.get("height_cm"),
                    weight_kg=spec.get("weight_kg"),
                )
            )
    return boxes


# --- Shipping (step 4), submit, cancel -------------------------------------------------------------

SHIPPING_FIELDS = ("carrier", "tracking_number", "transport_mode", "ship_date", "eta")


@transaction.atomic
def inbound_set_shipping(*, actor, inbound: InboundOrder, data: dict) -> InboundOrder:
    """Step 4: how the goods travel. Changeable while Draft or Submitted (until they arrive); a
    change after the submit goes on the timeline (what changed, from what to what, who)."""
    inbound = _lock(inbound)
    if inbound.status not in SHIPPING_EDITABLE:
        raise InboundLocked(
            f"Inbound {inbound.number} has {inbound.get_status_display().lower()}: "
            "its shipping information can no longer change."
        )
    values = {k: v for k, v in data.items() if k in SHIPPING_FIELDS}
    for name in ("carrier", "tracking_number"):
        if name in values:
            values[name] = str(values[name] or "").strip()[:80]
    if values.get("transport_mode") and values["transport_mode"] not in TransportMode.values:
        raise InboundInvalid("Choose express, air, sea or truck.", extra={"transport_mode": ["unknown mode"]})
    ship_date = values.get("ship_date", inbound.ship_date)
    eta = values.get("eta", inbound.eta)
    if ship_date and eta and eta < ship_date:
        raise InboundInvalid("The ETA cannot be before the ship date.", extra={"eta": ["before the ship date"]})
    changes = [
        (name, getattr(inbound, name), value) for name, value in values.items() if getattr(inbound, name) != value
    ]
    for name, value in values.items():
        setattr(inbound, name, value)
    inbound.save()
    if changes and inbound.status != InboundStatus.DRAFT:  # a draft is still being filled in
        InboundEvent.objects.create(
            inbound=inbound,
            actor=actor if getattr(actor, "pk", None) else None,
            from_status=inbound.status,
            to_status=inbound.status,
            note=_describe_shipping(inbound, changes)[:300],
        )
    return inbound


SHIPPING_LABELS = {
    "carrier": "carrier",
    "tracking_number": "tracking number",
    "transport_mode": "transport",
    "ship_date": "ship date",
    "eta": "ETA",
}
SUBMIT_REQUIRED_SHIPPING = ("carrier", "tracking_number", "transport_mode", "ship_date")


def _shown(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name == "transport_mode":
        return TransportMode(value).label
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _describe_shipping(inbound: InboundOrder, changes) -> str:
    """ "Shipping information changed: tracking number JD0146 → JD0199; ETA — → 2026-11-28"."""
    parts = [f"{SHIPPING_LABELS[name]} {_shown(name, old)} → {_shown(name, new)}" for name, old, new in changes]
    return "Shipping information changed: " + "; ".join(parts)


def submit_problems(inbound: InboundOrder) -> list[str]:
    """What still stops the reservation from being submitted, for people."""
    problems = []
    if not inbound.lines.exists():
        problems.append("Add at least one SKU (step 1).")
    if not inbound.boxes.exists():
        problems.append("Fill in the packing list (step 3).")
    else:
        differences = packing_differences(inbound=inbound)
        if differences:
            problems.append(_describe(differences))
    missing = [
        label
        for name, label in (
            ("carrier", "carrier"),
            ("tracking_number", "tracking number"),
            ("transport_mode", "transport mode"),
            ("ship_date", "ship date"),
        )
        if not getattr(inbound, name)
    ]
    if missing:
        problems.append("Fill in the shipping information (step 4): " + ", ".join(missing) + ".")
    return problems


@transaction.atomic
def inbound_submit(*, actor, inbound: InboundOrder) -> InboundOrder:
    """Submit Shipment: the goods are on their way. Needs lines, a packing list that adds up and
    the shipping information; from now on only the shipping information may change."""
    inbound = _lock(inbound)
    if inbound.status != InboundStatus.DRAFT:
        raise InboundLocked(f"Inbound {inbound.number} was already submitted.")
    problems = submit_problems(inbound)
    if problems:
        raise InboundInvalid(" ".join(problems), extra={"submit": problems})
    return inbound_transition(inbound=inbound, to=InboundStatus.SUBMITTED, actor=actor, note="Shipment submitted")


@transaction.atomic
def inbound_cancel(*, actor, inbound: InboundOrder, reason: str = "") -> InboundOrder:
    """Cancel while Draft or Submitted (before the goods arrive)."""
    inbound = _lock(inbound)
    if inbound.status not in (InboundStatus.DRAFT, InboundStatus.SUBMITTED):
        raise InboundLocked(
            f"Inbound {inbound.number} has {inbound.get_status_display().lower()}; it can no longer be cancelled."
        )
    return inbound_transition(
        inbound=inbound, to=InboundStatus.CANCELLED, actor=actor, note=reason.strip() or "Cancelled by the customer"
    )


@transaction.atomic
def inbound_create_complete(
    *,
    actor,
    warehouse,
    lines,
    boxes: list[BoxSpec] | None = None,
    method: str = "mixed",
    shipping: dict | None = None,
    submit: bool = False,
    note: str = "",
) -> InboundOrder:
    """One call for what the portal does in four steps (the API's create): lines, then the packing
    list, the shipping information and the submit when given — all or nothing."""
    inbound = inbound_create(actor=actor, warehouse=warehouse, lines=lines, note=note)
    if boxes:
        inbound_pack(actor=actor, inbound=inbound, boxes=boxes, method=method)
    if shipping:
        inbound_set_shipping(actor=actor, inbound=inbound, data=shipping)
    if submit:
        inbound_submit(actor=actor, inbound=inbound)
    return inbound
