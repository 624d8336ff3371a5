"""Demo orders in the states a customer acts on (idempotent: each has a DEMO- external reference).
They go through the real services, so stock is allocated and money held exactly as in use."""

from apps.catalog.models import Product
from apps.core.tenancy import customer_scope
from apps.warehouses.models import Warehouse

from .choices import OrderSource
from .models import Order
from .services import OrderData, order_cancel, order_create, order_submit

US = [
    {
        "name": "Maria Garcia",
        "phone": "+1 213-555-0148",
        "email": "maria.garcia@example.com",
        "address1": "1420 W 7th St",
        "address2": "Apt 3B",
        "city": "Los Angeles",
        "state": "CA",
        "postal_code": "90017",
        "country": "US",
    },
    {
        "name": "James Miller",
        "phone": "+1 512-555-0199",
        "address1": "2100 Barton Springs Rd",
        "city": "Austin",
        "state": "TX",
        "postal_code": "78704",
        "country": "US",
    },
    {
        "name": "Aiko Tanaka",
        "company": "Pine & Co",
        "phone": "+1 206-555-0123",
        "address1": "400 Pine St",
        "address2": "Suite 200",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
    },
    {
        "name": "Robert Johnson",
        "phone": "+1 312-555-0175",
        "address1": "233 S Wacker Dr",
        "city": "Chicago",
        "state": "IL",
        "postal_code": "60606",
        "country": "US",
    },
    {
        "name": "Emily Chen",
        "phone": "+1 917-555-0111",
        "email": "emily@example.com",
        "address1": "350 5th Ave",
        "city": "New York",
        "state": "NY",
        "postal_code": "10118",
        "country": "US",
    },
]
# (customer, ref, source, recipient index, [(sku, qty)], then: "save" | "submit" | "cancel"; recipient changes)
ORDERS = [
    ("C10001", "DEMO-1001", OrderSource.SHOPIFY, 0, [("ACME-TEE-BLK-M", 2), ("ACME-SOCK-3PK", 1)], "save", {}),
    ("C10001", "DEMO-1002", OrderSource.MANUAL, 1, [("ACME-MUG-350", 1)], "save", {}),
    ("C10001", "DEMO-1003", OrderSource.API, 2, [("ACME-HOOD-GRY-L", 1)], "submit", {}),
    ("C10001", "DEMO-1004", OrderSource.SHOPIFY, 3, [("ACME-CAP-NAVY", 3)], "submit", {}),
    ("C10001", "DEMO-1005", OrderSource.BATCH, 4, [("ACME-NOTE-A5", 2), ("ACME-PEN-GEL-BLK", 2)], "submit", {}),
    ("C10001", "DEMO-1006", OrderSource.WOOCOMMERCE, 0, [("ACME-BOTTLE-750", 1)], "submit", {}),
    ("C10001", "DEMO-1007", OrderSource.SHOPIFY, 1, [("ACME-CAP-NAVY", 1)], "submit", {}),  # none left: Abnormal
    ("C10001", "DEMO-1008", OrderSource.MANUAL, 2, [("ACME-CANDLE-SOY", 1)], "submit", {"postal_code": ""}),
    ("C10001", "DEMO-1009", OrderSource.EBAY, 3, [("ACME-TOTE-NAT", 1)], "cancel", {}),
    ("C10002", "DEMO-2001", OrderSource.API, 4, [("GX-RELAY-5V", 2)], "submit", {}),
    ("C10002", "DEMO-2002", OrderSource.API, 0, [("GX-TOOLKIT-S", 30), ("GX-CASE-ALU", 30)], "submit", {}),
    ("C10002", "DEMO-2003", OrderSource.MANUAL, 1, [("GX-WIDGET-01", 5)], "save", {}),
]


def seed_orders(owners) -> None:
    by_code = {owner.customer.code: owner for owner in owners}
    warehouse = Warehouse.objects.get(code="LAX1")
    for code, ref, source, who, lines, then, changes in ORDERS:
        owner = by_code.get(code)
        if owner is None:
            continue
        with customer_scope(owner.customer):
            if Order.objects.filter(customer=owner.customer, external_ref=ref).exists():
                continue
            products = {
                p.sku: p for p in Product.objects.filter(customer=owner.customer, sku__in=[sku for sku, _q in lines])
            }
            data = OrderData(
                warehouse=warehouse,
                recipient={**US[who], **changes},
                external_ref=ref,
                lines=[(products[sku], quantity) for sku, quantity in lines],
            )
            order = order_create(actor=owner, data=data, source=source)
            if then in ("submit", "cancel"):
                order = order_submit(actor=owner, order=order)
            if then == "cancel":
                order_cancel(actor=owner, order=order, reason="Customer asked to cancel")
