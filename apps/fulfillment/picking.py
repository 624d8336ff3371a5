"""Pick waves: Pending Shipment orders of a warehouse grouped for one walk through the shelves,
each unit planned from a bin (lowest bin code first), confirmed by scanning the bin and the SKU.
A short pick stops the order (Abnormal, stock discrepancy), opens a count of the bin for review
and tells the customer.

Staff work across customers: callers have checked the warehouse permission and run outside the
customer scope."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.core.errors import ValidationFailed
from apps.core.retry import atomic_retry
from apps.core.services import sequence_next
from apps.inventory.cycle_counts import cycle_count_create, cycle_count_record
from apps.inventory.models import BinStock
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.models import PACKED, Order
from apps.orders.services import order_mark_abnormal

from .choices import WAVE_ORDER_ACTIVE as ACTIVE
from .choices import ItemsKind, PickStatus, WaveOrderStatus, WaveStatus
from .errors import OutboundConflict, ScanRefused
from .models import PickLine, Wave, WaveOrder
from .transitions import person, record_created, transition

MAX_WAVE = 200


def wave_candidates(*, warehouse, channel=None, cutoff: datetime | None = None, items: str = "", order_ids=None):
    """Pending Shipment orders of the warehouse not packed and on no pick list yet, oldest first
    (only the given ones when ``order_ids`` is given)."""
    busy = WaveOrder.objects.filter(status__in=ACTIVE).values("order_id")
    qs = (
        Order.objects.filter(warehouse=warehouse, status=OrderStatus.PENDING_SHIPMENT)
        .exclude(PACKED)
        .exclude(pk__in=busy)
        .annotate(units=Sum("lines__quantity"), skus=Count("lines"))
    )
    if order_ids is not None:
        qs = qs.filter(pk__in=list(order_ids))
    if channel is not None:
        qs = qs.filter(channel=channel)
    if cutoff is not None:
        qs = qs.filter(submitted_at__lte=cutoff)
    if items == ItemsKind.SINGLE:
        qs = qs.filter(units=1)
    elif items == ItemsKind.MULTI:
        qs = qs.filter(units__gt=1)
    return qs.order_by("submitted_at", "id")


def _planned(warehouse) -> dict[tuple[int, int], int]:
    """(product, bin) → units already planned by open pick lines (not yet shipped)."""
    rows = (
        PickLine.objects.filter(
            wave_order__status__in=ACTIVE,
            wave_order__wave__warehouse=warehouse,
            bin__isnull=False,
            # shipped units have left the bins already; cancelled ones go back
            wave_order__order__status=OrderStatus.PENDING_SHIPMENT,
        )
        .values("product_id", "bin_id")
        .annotate(units=Sum("quantity"))
    )
    return {(r["product_id"], r["bin_id"]): r["units"] for r in rows}


def _plan_bins(order, stock: dict[int, list], planned: dict) -> list[PickLine]:
    """Pick lines for one order: each SKU from the bins that still hold unplanned units, lowest
    bin code first; what the bins cannot cover comes from stock not shelved yet (no bin)."""
    picks = []
    for line in order.lines.all():
        wanted = line.quantity
        for bin_stock in stock.get(line.product_id, []):
            key = (line.product_id, bin_stock.bin_id)
            free = bin_stock.quantity - planned.get(key, 0)
            if free <= 0:
                continue
            take = min(free, wanted)
            picks.append(PickLine(product_id=line.product_id, bin_id=bin_stock.bin_id, quantity=take))
            planned[key] = planned.get(key, 0) + take
            wanted -= take
            if not wanted:
                break
        if wanted:
            picks.append(PickLine(product_id=line.product_id, bin=None, quantity=wanted))
    return picks


def _number() -> str:
    day = timezone.localdate().strftime("%y%m%d")
    return f"PW{day}{sequence_next(name='wave', period=day):04d}"


@transaction.atomic
def wave_create(
    *, actor, warehouse, channel=None, cutoff: datetime | None = None, items: str = "", limit: int = 50, order_ids=None
) -> Wave:
    """A pick list of up to ``limit`` waiting orders; the orders are locked so two clerks making
    waves at once never get the same order."""
    limit = max(1, min(int(limit or 50), MAX_WAVE))
    ids = list(
        wave_candidates(
            warehouse=warehouse, channel=channel, cutoff=cutoff, items=items, order_ids=order_ids
        ).values_list("pk", flat=True)[:limit]
    )
    orders = list(
        Order.objects.select_for_update(skip_locked=True)
        .filter(pk__in=ids, status=OrderStatus.PENDING_SHIPMENT)
        .exclude(  # a wave committed since the read
            pk__in=WaveOrder.objects.filter(status__in=ACTIVE).values("order_id")
        )
        .order_by("submitted_at", "id")
        .prefetch_related("lines")
    )
    if not orders:
        raise ValidationFailed(
            f"No Pending Shipment orders in {warehouse.code} wait for picking with these filters.",
            code="nothing_to_pick",
        )
    products = {line.product_id for order in orders for line in order.lines.all()}
    stock = defaultdict(list)
    for row in (
        BinStock.objects.filter(product_id__in=products, bin__warehouse=warehouse, quantity__gt=0)
        .select_related("bin")
        .order_by("bin__code")
    ):
        stock[row.product_id].append(row)
    planned = _planned(warehouse)
    parts = (
        [f"{warehouse.code}"]
        + ([f"channel {channel.code}"] if channel else [])
        + ([f"submitted by {timezone.localtime(cutoff):%Y-%m-%d %H:%M}"] if cutoff else [])
        + ([ItemsKind(items).label.lower()] if items else [])
    )
    wave = Wave.objects.create(warehouse=warehouse, number=_number(), created_by=actor, criteria=", ".join(parts))
    wave_orders, lines = [], []
    for slot, order in enumerate(orders, start=1):
        wave_order = WaveOrder.objects.create(wave=wave, order=order, slot=slot)
        wave_orders.append(wave_order)
        for pick in _plan_bins(order, stock, planned):
            pick.wave_order = wave_order
            lines.append(pick)
    PickLine.objects.bulk_create(lines)
    record_created(
        [wave], actor=actor, message=f"Made with {len(orders)} order{'s' if len(orders) != 1 else ''}: {wave.criteria}"
    )
    record_created(wave_orders, actor=actor, message=f"On pick list {wave.number}")
    record_created(lines, actor=actor, message=f"Planned on pick list {wave.number}")
    return wave


def wave_lines(*, wave: Wave):
    """The pick list in walking order: by bin, then SKU."""
    return (
        PickLine.objects.filter(wave_order__wave=wave)
        .select_related("product", "bin", "wave_order__order")
        .order_by("bin__code", "product__sku", "wave_order__slot")
    )


def _product_matches(product, code: str) -> bool:
    code = code.strip()
    return bool(code) and (code.lower() == product.sku.lower() or (product.upc and code == product.upc))


def _refresh(wave_order: WaveOrder, *, actor) -> None:
    """Move the order (and the wave) on when its last line is picked. Each row is locked before
    its lines are read, so of two pickers finishing at once the later one sees both lines."""
    status = WaveOrder.objects.select_for_update().values_list("status", flat=True).get(pk=wave_order.pk)
    statuses = set(wave_order.picks.values_list("status", flat=True))
    if status == WaveOrderStatus.PICKING and statuses == {PickStatus.PICKED}:
        transition(wave_order, to=WaveOrderStatus.PICKED, actor=actor, message="Every line picked")
    wave = wave_order.wave = Wave.objects.select_for_update().get(pk=wave_order.wave_id)
    if (
        wave.status == WaveStatus.PICKING
        and not PickLine.objects.filter(
            wave_order__wave=wave, status=PickStatus.OPEN, wave_order__status=WaveOrderStatus.PICKING
        ).exists()
    ):
        transition(
            wave,
            to=WaveStatus.DONE,
            actor=actor,
            message="No line left to pick",
            fields={"finished_at": timezone.now()},
        )


def skip_if_stopped(wave_order: WaveOrder, *, actor=None) -> Order | None:
    """The customer may cancel until the order is packed (and staff may stop it): the pick list
    then skips the order, in its own transaction. The order when it was skipped, else None."""
    with transaction.atomic():
        wave_order = (
            WaveOrder.objects.select_for_update(of=("self",)).select_related("order", "wave").get(pk=wave_order.pk)
        )
        order = wave_order.order
        if order.status == OrderStatus.PENDING_SHIPMENT or wave_order.status not in (
            WaveOrderStatus.PICKING,
            WaveOrderStatus.PICKED,
        ):
            return None
        transition(
            wave_order,
            to=WaveOrderStatus.CANCELLED,
            actor=actor,
            message=f"Order {order.number} is {order.get_status_display()}: skipped",
        )
        _refresh(wave_order, actor=actor)
    return order


def refuse_if_cancelled(wave_order: WaveOrder, *, actor=None) -> None:
    """The scan that found a cancelled (or stopped) order is refused; the skip is saved."""
    order = skip_if_stopped(wave_order, actor=actor)
    if order is None:
        return
    raise OutboundConflict(
        f"Order {order.number} (slot {wave_order.slot}) is {order.get_status_display()} now: "
        "do not pick or pack it, and put back any units already picked.",
        code="order_not_pending",
    )


def pick_confirm(*, actor, line: PickLine, bin_code: str, product_code: str, quantity: int | None = None) -> PickLine:
    """The picker scanned the bin and the item: the line is picked (all of it unless a quantity
    is given). A wrong bin or a wrong item is refused and nothing changes."""
    refuse_if_cancelled(line.wave_order, actor=actor)
    with transaction.atomic():
        return _pick(actor=actor, line=line, bin_code=bin_code, product_code=product_code, quantity=quantity)


def _pick(*, actor, line, bin_code, product_code, quantity) -> PickLine:
    line = (
        PickLine.objects.select_for_update(of=("self",))
        .select_related("product", "bin", "wave_order__wave", "wave_order__order")
        .get(pk=line.pk)
    )
    if line.status != PickStatus.OPEN or line.wave_order.status != WaveOrderStatus.PICKING:
        raise OutboundConflict(f"This line is already {line.get_status_display().lower()}.")
    expected_bin = line.bin.code if line.bin else ""
    if expected_bin and bin_code.strip().lower() != expected_bin.lower():
        raise ScanRefused(
            f"Wrong bin: you scanned {bin_code or 'nothing'}, this line is in {expected_bin}.",
            extra={"bin": ["wrong bin"]},
        )
    if not _product_matches(line.product, product_code):
        raise ScanRefused(
            f"Wrong item: {product_code or 'nothing'} is not {line.product.sku}"
            f"{' / ' + line.product.upc if line.product.upc else ''}.",
            extra={"sku": ["wrong item"]},
        )
    remaining = line.quantity - line.picked
    take = remaining if quantity in (None, "") else int(quantity)
    if not 0 < take <= remaining:
        raise ScanRefused(f"Enter 1 to {remaining} units for this line.", extra={"quantity": ["out of range"]})
    line.picked += take
    line.save(update_fields=["picked"])
    if line.picked == line.quantity:
        transition(
            line,
            to=PickStatus.PICKED,
            actor=actor,
            message=f"{line.quantity} × {line.product.sku} from {expected_bin or 'unshelved stock'}",
            fields={"picked_by": person(actor), "picked_at": timezone.now()},
        )
    _refresh(line.wave_order, actor=actor)
    return line


@atomic_retry
def pick_short(*, actor, line: PickLine, found: int) -> WaveOrder:
    """The bin holds fewer units than the line needs: the order stops (Abnormal, stock
    discrepancy — its stock and hold go back), the bin gets a count to review, the customer is
    told. The picker puts the order's picked units back."""
    line = (
        PickLine.objects.select_for_update(of=("self",))
        .select_related("product", "bin", "wave_order__wave", "wave_order__order__customer")
        .get(pk=line.pk)
    )
    wave_order = line.wave_order
    if line.status != PickStatus.OPEN or wave_order.status != WaveOrderStatus.PICKING:
        raise OutboundConflict("Only a line still to pick can be reported short.")
    if not isinstance(found, int) or not 0 <= found < line.quantity - line.picked:
        raise ScanRefused(
            f"Enter how many units the bin holds: 0 to {line.quantity - line.picked - 1}.",
            extra={"found": ["out of range"]},
        )
    where = f"bin {line.bin.code}" if line.bin else "the unshelved stock"
    found_text = f"Found {found} of {line.quantity - line.picked} {line.product.sku} in {where}"
    transition(line, to=PickStatus.SHORT, actor=actor, message=found_text)
    transition(wave_order, to=WaveOrderStatus.SHORT, actor=actor, message=found_text)
    order = wave_order.order
    order_mark_abnormal(
        actor=actor,
        order=order,
        code=AbnormalReason.STOCK_DISCREPANCY,
        message=f"The warehouse found {found} of {line.quantity - line.picked} {line.product.sku} "
        f"in {where} while picking. The stock is being recounted; the order goes on once "
        "you resubmit it (or cancel it).",
    )
    if line.bin is not None:
        _count_bin(actor=actor, line=line, found=found)
    _refresh(wave_order, actor=actor)
    from .tasks import notify_short_pick

    notify_short_pick.delay_on_commit(order.pk, customer_id=order.customer_id)
    return wave_order


def _count_bin(*, actor, line: PickLine, found: int) -> None:
    """A cycle count of the bin with the picker's figure for the SKU (plus what other open picks
    have already taken out of it), for a supervisor to finish and post."""
    count = cycle_count_create(actor=actor, warehouse=line.bin.warehouse, bin_from=line.bin.code, bin_to=line.bin.code)
    taken = (
        PickLine.objects.filter(
            bin=line.bin,
            product=line.product,
            wave_order__status__in=ACTIVE,
            wave_order__order__status=OrderStatus.PENDING_SHIPMENT,
        )
        .exclude(pk=line.pk)
        .aggregate(n=Sum("picked"))["n"]
        or 0
    )
    for count_line in count.lines.filter(product=line.product):
        cycle_count_record(actor=actor, count=count, counts={count_line.pk: found + taken})


def pick_progress(*, wave: Wave) -> dict:
    totals = PickLine.objects.filter(wave_order__wave=wave).aggregate(
        lines=Count("id"),
        open=Count("id", filter=Q(status=PickStatus.OPEN)),
        units=Sum("quantity"),
        picked=Sum("picked"),
    )
    return {key: value or 0 for key, value in totals.items()}
