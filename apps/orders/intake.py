"""The order intake (DESIGN §2, STYLE rule 16): every door — the API, the portal and back-office
forms, the Regular and Kickstarter importers, the platform integrations — hands an order here as
codes (warehouse, channel, SKU or UPC, quantities, recipient, reference) and gets back what the
order services take, or a list of problems (field, stable code, one sentence) that each door only
maps to its JSON key, form field or spreadsheet column.

Set-based: a fixed number of queries for one order or ten thousand — the customer's products by
code, its warehouses, its channels (only when a channel is named), the references already taken,
and one allocation for the orders that name no warehouse. The codes are resolved by the lower
apps' resolvers (catalog, warehouses, shipping), which the inbound API and the quotes use too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.catalog.selectors import products_by_code, unknown_product_problem
from apps.core.errors import InputProblem
from apps.shipping.selectors import channel_warehouse_problem, channels_resolve, unknown_channel_problem
from apps.warehouses.selectors import no_warehouse_problem, unknown_warehouse_problem, warehouses_resolve

from .allocation import Allocation, AllocationRequest, allocate_warehouses
from .choices import OrderSource
from .errors import OrderInvalid
from .models import Order
from .rules import (
    MAX_REF,
    NO_LINES,
    REF_TOO_LONG,
    clean_recipient,
    duplicate_ref_message,
    lines_merge,
    recipient_message,
)
from .services import UNKNOWN_SOURCE, OrderData

RECIPIENT_PREFIX = "recipient."
SOURCES = frozenset(OrderSource.values)  # read once: TextChoices.values builds a new list per call


@dataclass(frozen=True)
class OrderCodes:
    """One order as a door gives it: codes and text, nothing resolved yet."""

    recipient: Mapping[str, Any]  # by the API's names (name, company, phone, ..., country)
    lines: Sequence[tuple[Any, Any]]  # (SKU or UPC, quantity) as typed
    warehouse: str = ""  # code; empty: the intake allocates one
    channel: str = ""  # code; empty: the cheapest is chosen at submission
    external_ref: str = ""
    source: str = OrderSource.MANUAL
    note: str = ""
    complete_address: bool = False  # the address must already be shippable (forms, files)
    editing: int | None = None  # the order being edited: its own reference is not a duplicate


@dataclass(frozen=True)
class IntakeProblem(InputProblem):
    """``field`` is one of warehouse, channel, external_ref, source, lines (the order's lines as a
    whole), sku or quantity (with ``line``, the index into OrderCodes.lines) or recipient.<key>."""

    line: int | None = None


@dataclass
class Intake:
    codes: OrderCodes
    problems: list[IntakeProblem] = field(default_factory=list)
    data: OrderData | None = None  # for order_create / order_update, when there is no problem
    recipient_fields: dict = field(default_factory=dict)  # the model's recipient fields, cleaned
    lines: list = field(default_factory=list)  # [(product, quantity)] merged per product
    allocation: Allocation | None = None  # when the intake chose the warehouse
    needs_allocation: bool = False  # named neither a warehouse nor a channel

    @property
    def ok(self) -> bool:
        return not self.problems


def _problem(problem: InputProblem, name: str, line: int | None = None) -> IntakeProblem:
    return IntakeProblem(name, problem.code, problem.message, line)


def intake_resolve(*, customer, orders: Sequence[OrderCodes]) -> list[Intake]:
    """An Intake per order, in order: resolved to objects by every rule that needs no lock, or
    with every problem found. Nothing is written."""
    codes = {str(code).strip() for order in orders for code, _q in order.lines if code is not None}
    codes.discard("")
    products = products_by_code(customer=customer, codes=codes) if codes else {}
    plan, _ = warehouses_resolve(customer=customer, codes=())
    channels, _ = channels_resolve(customer=customer, codes={o.channel for o in orders if o.channel})
    refs = {o.external_ref.strip() for o in orders if o.external_ref and len(o.external_ref.strip()) <= MAX_REF}
    taken: dict[str, set[int]] = {}
    if refs:
        for ref, pk in Order.objects.filter(customer=customer, external_ref__in=refs).values_list("external_ref", "pk"):
            taken.setdefault(ref, set()).add(pk)
    seen_refs: set[str] = set()
    results = [_resolve_one(order, products, plan, channels, taken, seen_refs) for order in orders]
    _allocate(customer, [r for r in results if r.needs_allocation])
    return results


def _resolve_one(order: OrderCodes, products, plan, channels, taken, seen_refs) -> Intake:
    result = Intake(codes=order)
    problems = result.problems

    # Where from: the warehouse named, else the named channel's, else allocated (below).
    warehouse = channel = None
    code = (order.warehouse or "").strip()
    if code:
        warehouse = plan.get(code.upper())
        if warehouse is None:
            problems.append(_problem(unknown_warehouse_problem(code), "warehouse"))
    method = (order.channel or "").strip()
    if method:
        channel = channels.get(method.lower())
        if channel is None:
            problems.append(_problem(unknown_channel_problem(method), "channel"))
        elif warehouse is None and not code:
            warehouse = channel.warehouse
        elif warehouse is not None and channel.warehouse_id != warehouse.pk:
            problems.append(_problem(channel_warehouse_problem(channel.code, warehouse.code), "channel"))

    fields, wrong = clean_recipient(order.recipient, complete=order.complete_address)
    for key, text in wrong.items():
        problems.append(IntakeProblem(RECIPIENT_PREFIX + key, "invalid_address", recipient_message(key, text)))
    result.recipient_fields = fields

    result.lines = lines = _lines(order.lines, products, problems)

    ref = (order.external_ref or "").strip()
    if len(ref) > MAX_REF:
        problems.append(IntakeProblem("external_ref", "invalid_external_ref", REF_TOO_LONG))
    elif ref and (_taken_by_another(taken.get(ref), order.editing) or ref in seen_refs):
        problems.append(IntakeProblem("external_ref", "duplicate_external_ref", duplicate_ref_message(ref)))
    if ref:
        seen_refs.add(ref)
    if order.source not in SOURCES:
        problems.append(IntakeProblem("source", "invalid_source", UNKNOWN_SOURCE))

    if warehouse is None and not code and not method:
        result.needs_allocation = True
    elif not problems:
        result.data = _data(result, warehouse, channel, lines)
    return result


def _taken_by_another(pks, editing) -> bool:
    return bool(pks) and (len(pks) > 1 or editing not in pks)


def _lines(given, products, problems) -> list[tuple]:
    found = []
    for index, (code, quantity) in enumerate(given):
        text = str(code if code is not None else "").strip()
        product = products.get(text.lower()) if text else None
        if product is None:
            problems.append(_problem(unknown_product_problem(text), "sku", index))
        else:
            found.append((index, product, quantity))
    if not given:
        problems.append(IntakeProblem("lines", "invalid_lines", NO_LINES))
    merged, wrong = lines_merge(found)
    problems.extend(IntakeProblem(name, "invalid_lines", message, index) for index, name, message in wrong)
    return merged


def _data(result: Intake, warehouse, channel, lines, allocated: str = "") -> OrderData:
    order = result.codes
    return OrderData(
        warehouse=warehouse,
        recipient=dict(order.recipient),
        lines=lines,
        channel=channel,
        external_ref=(order.external_ref or "").strip(),
        note=(order.note or "").strip()[:500],
        allocated=allocated,
    )


def _allocate(customer, waiting: list[Intake]) -> None:
    """One allocation call for every order that named no warehouse (and no channel)."""
    if not waiting:
        return
    requests = [
        AllocationRequest(country=r.recipient_fields.get("country", ""), lines=tuple((p.pk, q) for p, q in r.lines))
        for r in waiting
    ]
    for result, allocation in zip(waiting, allocate_warehouses(customer=customer, requests=requests), strict=True):
        if allocation.warehouse is None:
            result.problems.insert(0, _problem(no_warehouse_problem(), "warehouse"))
            continue
        result.allocation = allocation
        if not result.problems:
            result.data = _data(result, allocation.warehouse, None, result.lines, allocated=allocation.reason)


# --- For the doors that answer one order at a time ---------------------------------------------------


def intake_one(*, customer, codes: OrderCodes, name=None) -> OrderData:
    """OrderData for one order, or OrderInvalid with every problem: the first one's code, every
    sentence, and per field (as ``name`` maps an IntakeProblem to the door's key) the sentences."""
    result = intake_resolve(customer=customer, orders=[codes])[0]
    if result.ok:
        return result.data
    raise intake_error(result.problems, name=name)


def intake_error(problems: Sequence[IntakeProblem], *, name=None) -> OrderInvalid:
    name = name or (lambda p: p.field)
    extra: dict[str, list[str]] = {}
    for problem in problems:
        extra.setdefault(name(problem), []).append(problem.message)
    error = OrderInvalid(" ".join(p.message for p in problems[:5]), code=problems[0].code, extra=extra)
    error.problems = list(problems)
    return error
