"""Many orders at once, in short transactions (a set of one customer's orders for a submit, one
order for a cancel), the results reported per order: bulk actions in the portal and the back
office, batch imports' "submit at once", automatic retries."""

from __future__ import annotations

from dataclasses import dataclass

from apps.core.errors import ApplicationError

from .choices import OrderStatus
from .models import Order
from .services import order_cancel
from .submission import chunks, orders_submit_many


@dataclass
class BulkResult:
    done: list
    failed: list  # [(order, message)]

    def summary(self, verb: str) -> str:
        parts = [f"{len(self.done)} order{'s' if len(self.done) != 1 else ''} {verb}"]
        if self.failed:
            parts.append(f"{len(self.failed)} not: " + "; ".join(f"{o.number} — {m}" for o, m in self.failed[:5]))
        return ". ".join(parts) + "."


def orders_submit(*, actor, orders) -> BulkResult:
    """Submit the orders in sets of one customer (``submission.CHUNK`` a transaction), each set
    planned in a fixed number of queries; Abnormal results and refusals are reported per order."""
    result = BulkResult(done=[], failed=[])
    for chunk in chunks(orders):
        try:
            outcomes = orders_submit_many(actor=actor, orders=chunk)
        except ApplicationError as exc:  # the set could not be planned (busy): say so for each
            result.failed += [(order, exc.message) for order in chunk]
            continue
        for outcome in outcomes:
            if outcome.refusal is not None:
                result.failed.append((outcome.order, outcome.refusal.message))
            elif outcome.order.status == OrderStatus.PENDING_SHIPMENT:
                result.done.append(outcome.order)
            else:
                result.failed.append((outcome.order, f"Abnormal: {outcome.order.abnormal_message}"))
    return result


def orders_cancel(*, actor, orders, reason: str = "") -> BulkResult:
    result = BulkResult(done=[], failed=[])
    for order in orders:
        try:
            result.done.append(order_cancel(actor=actor, order=order, reason=reason))
        except ApplicationError as exc:
            result.failed.append((order, exc.message))
    return result


def orders_retry_abnormal(*, customer, codes, limit: int = 500) -> BulkResult:
    """Submit again the customer's Abnormal orders with one of these reason codes, oldest first
    (called when stock arrives or a top-up is approved). Idempotent: an order that went on is
    no longer Abnormal, one that still cannot stays as it is."""
    waiting = list(
        Order.objects.filter(customer=customer, status=OrderStatus.ABNORMAL, abnormal_code__in=codes).order_by("id")[
            :limit
        ]
    )
    return orders_submit(actor=None, orders=waiting)
