"""What the shop reconciliation benches share (shop_reconcile, woocommerce_reconcile,
ebay_reconcile): a statement counter, a client mixin that notes the count at each page it asks
for, and the seller with its SKUs. Import after django.setup()."""

import time

import _world

from apps.catalog.services import products_import
from apps.core.tenancy import customer_scope


class QueryCounter:
    """Counts SQL statements without recording them (a connection.execute_wrapper)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class PageMarks:
    """For a client subclass that sets ``counter``, ``marks = []`` and ``waited = 0.0``:
    ``asked(call)`` notes the statement count when a page is asked for and adds up the time waiting
    for it, so the statements between two requests are one page's work."""

    def asked(self, call):
        self.marks.append(self.counter.count)
        started = time.perf_counter()
        try:
            return call()
        finally:
            self.waited += time.perf_counter() - started

    def per_page(self, end: int) -> list[int]:
        """Queries of each page: from its request to the next one (the last page: to the run's end)."""
        marks = [*self.marks, end]
        return [b - a for a, b in zip(marks, marks[1:], strict=False)]


def reconcile_seller(tag: str, *, skus: int, prefix: str = "RC", name: str = "Reconcile"):
    """A customer with ``skus`` products (PREFIX-0000 …), the bench warehouse in its plan."""
    seller = _world.seller(_world.warehouse(), tag=f"{name}{tag}", skus=0)
    with customer_scope(seller.customer):
        products_import(
            actor=seller.user,
            customer=seller.customer,
            rows=[
                (
                    i + 2,
                    {"sku": f"{prefix}-{i:04d}", "name": f"{name} SKU {i}", "declared_value": 5, "weight_g": 100 + i},
                )
                for i in range(skus)
            ],
        )
    return seller
