"""Submit Shipment, for one order or many of a customer at once (bulk actions, batch imports'
"submit at once", the automatic retries when stock or money arrives).

The set is planned in a fixed number of queries, whatever its size: the orders locked (by primary
key), their lines, the customer's plan (warehouses, channels, price list), the stock balances the
lines touch locked in the ledger's order; then each order in turn either fits — its channel is
quoted, its units and its estimated freight + fulfilment fee are taken from what is left — or
goes Abnormal with the reason (DESIGN §5). The allocations of every order that fits are written
in one statement, their holds in another, the orders and their timeline in two more.

Nothing is written for an order that goes Abnormal but its status and reason, so no savepoint is
needed. The wallet is read, not locked: when a concurrent charge takes the money between the read
and the hold, the hold's guard refuses and the whole transaction runs again (``Contended``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from apps.billing.errors import InsufficientBalance
from apps.billing.services import Hold, fee_of, hold_many, level_price, shortage_message, wallet_for
from apps.core.actors import actor_person
from apps.core.errors import ApplicationError
from apps.core.retry import Contended, atomic_retry
from apps.inventory.batch import Line, stock_allocate_lines, stock_levels_lock
from apps.inventory.choices import MoveKind
from apps.inventory.errors import InsufficientStock
from apps.inventory.services import shortage_message as stock_shortage_message
from apps.shipping.quotes import parcel_from_lines, quote
from apps.shipping.selectors import customer_channels
from apps.warehouses.selectors import customer_warehouses

from .choices import SHOP_HOLDS, SUBMITTABLE, AbnormalReason, OrderStatus
from .customs import missing_customs_message
from .errors import OrderLocked
from .models import Order, OrderLine
from .rules import RECIPIENT, clean_recipient, describe_problems
from .transitions import OrderChange, order_changes_save

ZERO = Decimal("0")
CHUNK = 100  # orders per transaction in a bulk submit: locks stay short, the plan stays set-based


class _Abnormal(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Plan:
    """The customer's side of a submission, read once for the set."""

    warehouses: set[int]
    channels: dict[int, set[int]]  # warehouse id → the channel ids the plan allows there
    price: object  # billing.LevelPrice
    currency: str


@dataclass
class Submitted:
    """What submitting one order of the set came to: the order (Pending Shipment or Abnormal),
    or the refusal when it could not be submitted at all (not Confirming or Abnormal)."""

    order: Order
    refusal: ApplicationError | None = None
    lines: list = field(default_factory=list)


def _plan_of(customer) -> Plan:
    channels: dict[int, set[int]] = defaultdict(set)
    for pk, warehouse_id in customer_channels(customer=customer).values_list("pk", "warehouse_id"):
        channels[warehouse_id].add(pk)
    wallet = getattr(customer, "wallet", None)
    return Plan(
        warehouses=set(customer_warehouses(customer=customer).values_list("pk", flat=True)),
        channels=channels,
        price=level_price(customer.level_id),
        currency=wallet.currency if wallet is not None else "USD",
    )


def _quote(order: Order, lines, plan: Plan) -> tuple:
    """(channel option, parcel, fee) for an order about to be submitted, or _Abnormal with the reason."""
    if order.warehouse_id not in plan.warehouses:
        raise _Abnormal(
            AbnormalReason.NO_WAREHOUSE,
            f"Warehouse {order.warehouse.code} is not in your logistics plan any more; choose another.",
        )
    if not lines:
        raise _Abnormal(AbnormalReason.UNKNOWN_SKU, "The order has no SKUs; add at least one.")
    inactive = [line.product.sku for line in lines if not line.product.is_active]
    if inactive:
        raise _Abnormal(
            AbnormalReason.UNKNOWN_SKU,
            f"Deactivated SKUs: {', '.join(inactive)}. Activate them or remove them from the order.",
        )
    _fields, problems = clean_recipient(
        {key: getattr(order, name) for key, (name, _l, _r) in RECIPIENT.items()}, complete=True
    )
    if problems:
        raise _Abnormal(AbnormalReason.INVALID_ADDRESS, f"Check the address: {describe_problems(problems)}")
    try:
        parcel = parcel_from_lines([(line.product, line.quantity) for line in lines])
    except ApplicationError as exc:
        raise _Abnormal(AbnormalReason.MISSING_WEIGHT, exc.message) from None
    allowed = plan.channels.get(order.warehouse_id, set())
    if order.channel_id is not None:
        if order.channel_id not in allowed:
            raise _Abnormal(
                AbnormalReason.NO_CHANNEL,
                f"The shipping method {order.channel.name} is not available "
                "in your logistics plan any more; choose another.",
            )
        allowed = {order.channel_id}
    result = quote(
        warehouse=order.warehouse,
        country=order.country,
        postal_code=order.postal_code,
        parcel=parcel,
        level_id=order.customer.level_id,
        channel_ids=allowed,
    )
    if not result.options:
        reasons = "; ".join(f"{i.channel_name}: {_lower_first(i.reason)}" for i in result.ineligible[:4])
        raise _Abnormal(
            AbnormalReason.NO_CHANNEL,
            "No shipping method can take this parcel"
            + (f" ({reasons})" if reasons else " — none is set up for this warehouse")
            + ".",
        )
    missing_customs = missing_customs_message(order, [line.product for line in lines])
    if missing_customs:  # only once the parcel can go at all: no channel is the first thing to fix
        raise _Abnormal(AbnormalReason.MISSING_CUSTOMS_INFO, missing_customs)
    units = sum(line.quantity for line in lines)
    return result.options[0], parcel, fee_of(plan.price, units=units, currency=plan.currency)


def _lower_first(sentence: str) -> str:
    """A reason inside another sentence: "Too heavy: 3 kg." → "too heavy: 3 kg"."""
    sentence = sentence.rstrip(".")
    return sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence


class _Ledger:
    """What is left of the stock and the money while the set is planned, order by order."""

    def __init__(self, levels: dict, available: Decimal, currency: str):
        self.levels, self.available, self.currency = levels, available, currency
        self.used: dict[tuple[int, int], int] = defaultdict(int)
        self.spent = ZERO

    def take(self, order: Order, lines, option, fee) -> Decimal:
        for line in lines:  # in product order: the first line short is the one named
            key = (line.product_id, order.warehouse_id)
            on_hand, allocated = self.levels.get(key, (0, 0))
            allocated += self.used[key]
            if on_hand - allocated < line.quantity:
                raise _Abnormal(
                    AbnormalReason.INSUFFICIENT_STOCK,
                    stock_shortage_message(
                        MoveKind.ALLOCATE, line.product.sku, order.warehouse.code, on_hand, allocated, line.quantity
                    ),
                )
        total = option.total + fee
        left = self.available - self.spent
        if total > left:
            raise _Abnormal(
                AbnormalReason.INSUFFICIENT_BALANCE,
                f"This order needs {total} {order.currency} (freight {option.total} + fulfilment fee "
                f"{fee}). {shortage_message(left, total, self.currency)}",
            )
        for line in lines:
            self.used[(line.product_id, order.warehouse_id)] += line.quantity
        self.spent += total
        return total


def _abnormal(order: Order, *, actor, code: str, message: str) -> OrderChange | None:
    if order.status != OrderStatus.ABNORMAL:
        return OrderChange(order, to=OrderStatus.ABNORMAL, message=message, code=code)
    if (order.abnormal_code, order.abnormal_message) != (code, message[:500]) or actor_person(actor):
        order.abnormal_code, order.abnormal_message = code, message[:500]
        return OrderChange(order, to=None, message=f"Submitted again, still Abnormal: {message}")
    return None  # a retry that found nothing new: no write, no timeline line


def _submit_set(*, actor, customer, orders: list[Order], lines_of: dict) -> None:
    """Plan and write one customer's submittable orders (locked, in primary-key order)."""
    plan = _plan_of(customer)
    quoted, changes = [], []
    for order in orders:
        lines = lines_of.get(order.pk, [])
        try:
            quoted.append((order, lines, *_quote(order, lines, plan)))
        except _Abnormal as failure:
            changes.append(_abnormal(order, actor=actor, code=failure.code, message=failure.message))
    pairs = {(line.product_id, order.warehouse_id) for order, lines, *_ in quoted for line in lines}
    wallet = getattr(customer, "wallet", None) or wallet_for(customer)
    ledger = _Ledger(stock_levels_lock(pairs=pairs), Decimal(wallet.balance) - Decimal(wallet.held), plan.currency)
    allocations, holds = [], []
    for order, lines, option, parcel, fee in quoted:
        try:
            total = ledger.take(order, lines, option, fee)
        except _Abnormal as failure:
            changes.append(_abnormal(order, actor=actor, code=failure.code, message=failure.message))
            continue
        ref = {"reference_type": "order", "reference_id": order.number, "reference": order.number}
        allocations += [Line(line.product, order.warehouse, line.quantity, **ref) for line in lines]
        attempt = order.submit_count + 1
        holds.append(Hold(total, f"order:{order.pk}:hold:{attempt}", **ref))
        order.channel_id = option.channel_id
        order.estimated_freight, order.estimated_fee, order.estimated_cost = option.total, fee, total
        order.estimated_weight_g = parcel.weight_g
        order.held_amount, order.stock_allocated, order.submit_count = total, True, attempt
        changes.append(
            OrderChange(
                order,
                to=OrderStatus.PENDING_SHIPMENT,
                message=f"Submitted: {option.channel_name}, estimated {total} {order.currency} held",
            )
        )
    try:
        stock_allocate_lines(actor=actor, lines=allocations)  # the balances are ours: it fits
        hold_many(customer=customer, wallet=wallet, holds=holds, actor=actor)
    except (InsufficientStock, InsufficientBalance) as lost:
        raise Contended(str(lost)) from lost  # the money went elsewhere since the read: run it all again
    order_changes_save([c for c in changes if c is not None], actor=actor)


@atomic_retry
def orders_submit_many(*, actor, orders) -> list[Submitted]:
    """Submit Shipment for a set of orders in one transaction (keep it to about ``CHUNK``): each
    becomes Pending Shipment (stock allocated, estimated freight + fulfilment fee held) or
    Abnormal with the reason, in primary-key order, so the earlier orders get the stock and the
    money first. Orders that are not Confirming or Abnormal are refused one by one."""
    ids = sorted({order.pk for order in orders})
    locked = list(
        Order.objects.select_for_update(of=("self",))
        .select_related("customer__wallet", "warehouse", "channel")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    results, waiting = [], defaultdict(list)
    for order in locked:
        if order.status == OrderStatus.ABNORMAL and order.abnormal_code in SHOP_HOLDS:
            text = f"Order {order.number} is on hold: {order.abnormal_message} It cannot be submitted until then."
            results.append(Submitted(order, OrderLocked(text)))
        elif order.status in SUBMITTABLE:
            waiting[order.customer_id].append(order)
            results.append(Submitted(order))
        else:
            results.append(
                Submitted(
                    order,
                    OrderLocked(
                        f"Order {order.number} is {order.get_status_display()}; only Confirming and Abnormal "
                        "orders can be submitted."
                    ),
                )
            )
    if waiting:
        lines_of = defaultdict(list)
        submittable = [order.pk for group in waiting.values() for order in group]
        for line in (
            OrderLine.objects.filter(order_id__in=submittable)
            .select_related("product")
            .order_by("order_id", "product_id")
        ):
            lines_of[line.order_id].append(line)
        for group in waiting.values():
            _submit_set(actor=actor, customer=group[0].customer, orders=group, lines_of=lines_of)
    return results


def order_submit(*, actor, order: Order) -> Order:
    """Submit Shipment: Confirming or Abnormal → Pending Shipment (stock allocated, estimated
    freight + fulfilment fee held), or → Abnormal with the reason. Returns the order either way."""
    (result,) = orders_submit_many(actor=actor, orders=[order])
    if result.refusal is not None:
        raise result.refusal
    return result.order


def chunks(orders, size: int = CHUNK):
    """The orders in sets of one customer of at most ``size``, in primary-key order."""
    by_customer: dict[int, list] = defaultdict(list)
    for order in sorted(orders, key=lambda o: o.pk):
        by_customer[order.customer_id].append(order)
    for group in by_customer.values():
        for start in range(0, len(group), size):
            yield group[start : start + size]
