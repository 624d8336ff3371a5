"""The warehouse side of an inbound: arrival, counting each box, finishing receiving (stock moves
and a normal Damage/Gain slip), shelving into bins and differences found while shelving (an
abnormal slip with its stock moves)."""

from __future__ import annotations

import re
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from apps.catalog.models import Product
from apps.core.errors import NotFound, StateConflict
from apps.inventory.services import stock_adjust, stock_put_away, stock_receive, stock_record_damage, stock_record_gain

from .choices import DifferenceKind, InboundStatus, SlipKind
from .errors import InboundInvalid
from .models import DamageGainLine, DamageGainSlip, InboundBox, InboundBoxItem, InboundLine, InboundOrder
from .services import inbound_transition

BOX_MARK_RE = re.compile(r"^(IN\d{11})(?:-(\d{1,4}))?$")
OVER_RECEIPT_FACTOR = 10


def parse_scan(code: str) -> tuple[str, int | None]:
    """'IN26112500001-003' → ('IN26112500001', 3); an inbound number alone → (number, None)."""
    match = BOX_MARK_RE.match(code.strip().upper())
    if not match:
        raise InboundInvalid(f"“{code}” is not an inbound number or a box mark (IN…-001).")
    return match.group(1), int(match.group(2)) if match.group(2) else None


def inbound_find(*, code: str) -> tuple[InboundOrder, InboundBox | None]:
    number, box_no = parse_scan(code)
    inbound = InboundOrder.objects.select_related("customer", "warehouse").filter(number=number).first()
    if inbound is None:
        raise NotFound(f"No inbound {number}.")
    box = None
    if box_no is not None:
        box = inbound.boxes.filter(box_no=box_no).first()
        if box is None:
            raise NotFound(f"Inbound {number} has no box {box_no}.")
    return inbound, box


def _lock(inbound) -> InboundOrder:
    return InboundOrder.objects.select_for_update().get(pk=inbound.pk)


@transaction.atomic
def inbound_mark_arrived(*, actor, inbound: InboundOrder) -> InboundOrder:
    """The goods are at the dock: the shipping information locks, receiving can start."""
    inbound = _lock(inbound)
    inbound.boxes.update(arrived=True)
    inbound = inbound_transition(inbound=inbound, to=InboundStatus.ARRIVED, actor=actor, note="Goods arrived")
    _notify(inbound, "arrived")
    return inbound


def _ensure_receiving(inbound, actor) -> InboundOrder:
    if inbound.status == InboundStatus.ARRIVED:
        return inbound_transition(inbound=inbound, to=InboundStatus.RECEIVING, actor=actor, note="Receiving started")
    if inbound.status != InboundStatus.RECEIVING:
        raise StateConflict(
            f"Inbound {inbound.number} is {inbound.get_status_display().lower()}; "
            "boxes are counted after it has arrived and before receiving is finished."
        )
    return inbound


def _count(value, what) -> int:
    if value in (None, ""):
        return 0
    text = str(value).strip()
    if not text.isdecimal() or int(text) > 10_000_000:
        raise InboundInvalid(f"{what} must be a whole number of 0 or more.")
    return int(text)


@transaction.atomic
def inbound_count_box(
    *, actor, inbound: InboundOrder, box: InboundBox, counts: dict[int, tuple], confirm_large: bool = False
) -> InboundBox:
    """Record good and damaged units per SKU in one box (replacing earlier counts of it).
    ``counts``: product id → (good, damaged). A count over 10× what the box should hold needs
    ``confirm_large`` (a typo guard)."""
    inbound = _ensure_receiving(_lock(inbound), actor)
    if box.inbound_id != inbound.pk:
        raise InboundInvalid(f"Box {box.box_no} belongs to another inbound.")
    items = {item.product_id: item for item in box.items.select_related("product")}
    products = {p.pk: p for p in Product.objects.filter(pk__in=counts, customer=inbound.customer)}
    for product_id, (good, damaged) in counts.items():
        product = products.get(product_id)
        if product is None:
            raise InboundInvalid("One of the counted SKUs is not a product of this customer.")
        good, damaged = _count(good, f"Good units of {product.sku}"), _count(damaged, f"Damaged units of {product.sku}")
        expected = items[product_id].quantity if product_id in items else 0
        if good + damaged > max(expected, 1) * OVER_RECEIPT_FACTOR and not confirm_large:
            raise InboundInvalid(
                f"{product.sku}: {good + damaged} counted where {expected} were packed. If that is right, tick "
                "“confirm large counts” and save again.",
                code="confirm_required",
            )
        item = items.get(product_id) or InboundBoxItem(box=box, product=product, quantity=0)
        item.good, item.damaged = good, damaged
        item.save()
    box.received = True
    box.save(update_fields=["received"])
    return box


@transaction.atomic
def inbound_scan_into_box(*, actor, inbound: InboundOrder, box: InboundBox, code: str) -> InboundBoxItem:
    """A scanned SKU or UPC barcode adds one good unit to that SKU in the box."""
    inbound = _ensure_receiving(_lock(inbound), actor)
    if box.inbound_id != inbound.pk:
        raise InboundInvalid(f"Box {box.box_no} belongs to another inbound.")
    code = code.strip()
    if not code:
        raise InboundInvalid("Scan a SKU or UPC barcode (the scan was empty).")
    product = Product.objects.filter(Q(sku__iexact=code) | Q(upc=code), customer=inbound.customer).first()
    if product is None:
        raise InboundInvalid(f"“{code}” is not a SKU or UPC of customer {inbound.customer.code}.")
    item = InboundBoxItem.objects.select_for_update().filter(box=box, product=product).first()
    if item is None:
        item = InboundBoxItem(box=box, product=product, quantity=0)
    item.good = (item.good or 0) + 1
    item.damaged = item.damaged or 0
    item.save()
    return item


@transaction.atomic
def inbound_finish_receiving(*, actor, inbound: InboundOrder) -> DamageGainSlip | None:
    """All boxes counted: post the stock (receive good and damaged units, then set the damaged
    apart), note what was found on each line, and make a normal Damage/Gain slip for every
    difference against the packing list. Returns the slip, if any."""
    inbound = _lock(inbound)
    if inbound.status != InboundStatus.RECEIVING:
        raise StateConflict(
            f"Inbound {inbound.number} is {inbound.get_status_display().lower()}; "
            "count its boxes before finishing receiving."
        )
    missing = list(inbound.boxes.filter(received=False).values_list("box_no", flat=True))
    if missing:
        raise InboundInvalid(
            f"Boxes not counted yet: {', '.join(map(str, missing[:20]))}. Count them (0 if a box "
            "is missing) and finish again."
        )
    packed, good, damaged = defaultdict(int), defaultdict(int), defaultdict(int)
    for item in InboundBoxItem.objects.filter(box__inbound=inbound):
        packed[item.product_id] += item.quantity
        good[item.product_id] += item.good or 0
        damaged[item.product_id] += item.damaged or 0
    products = {p.pk: p for p in Product.objects.filter(pk__in=set(packed) | set(good))}
    lines = {line.product_id: line for line in inbound.lines.all()}
    slip_lines = []
    ref = {"reference_type": "inbound", "reference_id": inbound.number, "reference": f"Inbound {inbound.number}"}
    for product_id, product in products.items():
        g, d, expected = good[product_id], damaged[product_id], packed[product_id]
        if not (g or d or expected):
            continue
        if g + d:
            stock_receive(
                actor=actor,
                product=product,
                warehouse=inbound.warehouse,
                quantity=g + d,
                idempotency_key=f"inbound:{inbound.pk}:receive:{product_id}",
                **ref,
            )
        if d:
            stock_record_damage(
                actor=actor,
                product=product,
                warehouse=inbound.warehouse,
                quantity=d,
                idempotency_key=f"inbound:{inbound.pk}:damage:{product_id}",
                **ref,
            )
            slip_lines.append(
                DamageGainLine(
                    product=product,
                    kind=DifferenceKind.DAMAGED,
                    quantity=d,
                    expected=expected,
                    found=g + d,
                    note="Damaged at receiving",
                )
            )
        if g + d < expected:
            slip_lines.append(
                DamageGainLine(
                    product=product,
                    kind=DifferenceKind.SHORT,
                    quantity=expected - g - d,
                    expected=expected,
                    found=g + d,
                )
            )
        elif g + d > expected:
            slip_lines.append(
                DamageGainLine(
                    product=product, kind=DifferenceKind.OVER, quantity=g + d - expected, expected=expected, found=g + d
                )
            )
        line = lines.get(product_id) or InboundLine(inbound=inbound, product=product, quantity=max(expected, g + d))
        line.received_good, line.received_damaged = g, d
        line.save()
    slip = None
    if slip_lines:
        slip = DamageGainSlip.objects.create(
            customer=inbound.customer, inbound=inbound, kind=SlipKind.NORMAL, created_by=actor
        )
        for line in slip_lines:
            line.slip = slip
        DamageGainLine.objects.bulk_create(slip_lines)
    inbound_transition(
        inbound=inbound,
        to=InboundStatus.RECEIVED,
        actor=actor,
        note="Receiving finished" + (" with differences (Damage/Gain slip)" if slip else ""),
    )
    _notify(inbound, "received")
    return slip


@transaction.atomic
def inbound_shelve(*, actor, inbound: InboundOrder, bin, product, quantity: int) -> InboundLine:
    """Put received units into a bin; the inbound completes when everything is shelved."""
    inbound = _lock(inbound)
    if inbound.status != InboundStatus.RECEIVED:
        raise StateConflict(
            f"Inbound {inbound.number} is {inbound.get_status_display().lower()}; "
            "goods are shelved after receiving is finished."
        )
    line = InboundLine.objects.select_for_update().filter(inbound=inbound, product=product).first()
    if line is None:
        raise InboundInvalid(f"{product.sku} is not part of inbound {inbound.number}.")
    if quantity > line.to_shelve:
        raise InboundInvalid(
            f"Only {line.to_shelve} of {product.sku} are left to shelve. If you found more, report a difference first."
        )
    stock_put_away(
        actor=actor,
        product=product,
        warehouse=inbound.warehouse,
        bin=bin,
        quantity=quantity,
        reference_type="inbound",
        reference_id=inbound.number,
        reference=f"Inbound {inbound.number}",
    )
    line.shelved += quantity
    line.save(update_fields=["shelved"])
    _complete_if_shelved(inbound, actor)
    return line


@transaction.atomic
def inbound_report_difference(
    *, actor, inbound: InboundOrder, product, kind: str, quantity: int, note: str = ""
) -> DamageGainLine:
    """A difference found while shelving: an abnormal slip line with its stock move."""
    inbound = _lock(inbound)
    if inbound.status != InboundStatus.RECEIVED:
        raise StateConflict("Differences while shelving are reported after receiving and before completion.")
    if kind not in DifferenceKind.values:
        raise InboundInvalid("Choose short, over or damaged.")
    if not isinstance(quantity, int) or quantity <= 0:
        raise InboundInvalid("The quantity must be a whole number above 0.")
    line = InboundLine.objects.select_for_update().filter(inbound=inbound, product=product).first()
    if line is None:
        raise InboundInvalid(f"{product.sku} is not part of inbound {inbound.number}.")
    if kind != DifferenceKind.OVER and quantity > line.to_shelve:
        raise InboundInvalid(f"Only {line.to_shelve} of {product.sku} are left to shelve.")
    reason = f"Inbound {inbound.number}: {DifferenceKind(kind).label.lower()} while shelving" + (
        f" — {note}" if note else ""
    )
    ref = {"reference_type": "inbound", "reference_id": inbound.number, "reference": f"Inbound {inbound.number}"}
    if kind == DifferenceKind.OVER:
        stock_record_gain(actor=actor, product=product, warehouse=inbound.warehouse, quantity=quantity, **ref)
        line.shelving_gain += quantity
    elif kind == DifferenceKind.DAMAGED:
        stock_record_damage(actor=actor, product=product, warehouse=inbound.warehouse, quantity=quantity, **ref)
        line.shelving_loss += quantity
    else:
        stock_adjust(
            actor=actor, product=product, warehouse=inbound.warehouse, quantity=-quantity, reason=reason, **ref
        )
        line.shelving_loss += quantity
    line.save(update_fields=["shelving_gain", "shelving_loss"])
    slip = DamageGainSlip.objects.filter(
        inbound=inbound, kind=SlipKind.ABNORMAL
    ).first() or DamageGainSlip.objects.create(
        customer=inbound.customer, inbound=inbound, kind=SlipKind.ABNORMAL, created_by=actor
    )
    entry = DamageGainLine.objects.create(
        slip=slip, product=product, kind=kind, quantity=quantity, note=note.strip()[:300] or "Found while shelving"
    )
    _complete_if_shelved(inbound, actor)
    return entry


def _complete_if_shelved(inbound, actor) -> None:
    lines = list(InboundLine.objects.filter(inbound=inbound))
    if lines and all(line.to_shelve == 0 for line in lines):
        inbound_transition(inbound=inbound, to=InboundStatus.COMPLETED, actor=actor, note="Everything shelved")


def _notify(inbound, event: str) -> None:
    from .tasks import notify_customer

    notify_customer.delay_on_commit(inbound.pk, event, customer_id=inbound.customer_id)
