"""Many orders at once: each in its own short transaction, the results reported per order (bulk
actions in the portal and the back office, batch imports' "submit at once", automatic retries)."""

from __future__ import annotations

from dataclasses import dataclass

from apps.core.errors import ApplicationError

from .choices import OrderStatus
from .models import Order
from .services import order_cancel, order_submit


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
    """Submit each order in its own transaction; Abnormal results and refusals are reported."""
    result = BulkResult(done=[], failed=[])
    for order in orders:
        try:
            submitted = order_submit(actor=actor, order=order)
        except ApplicationError as exc:
            result.failed.append((order, exc.message))
            continue
        if submitted.status == OrderStatus.PENDING_SHIPMENT:
            result.done.append(submitted)
        else:
            result.failed.append((submitted, f"Abnormal: {submitted.abnormal_message}"))
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
