"""Demo warehouses with bins, and the demo customers' logistics plans (idempotent)."""

from .models import BinLocation, Warehouse
from .services import bin_codes_in_range, bins_create, customer_warehouses_set, warehouse_create

WAREHOUSES = [
    {
        "code": "LAX1",
        "name": "Los Angeles fulfilment centre",
        "address1": "2150 E Dominguez St",
        "city": "Carson",
        "state": "CA",
        "postal_code": "90810",
        "country": "US",
        "timezone": "America/Los_Angeles",
        "phone": "+1 310 555 0100",
    },
    {
        "code": "NJ1",
        "name": "New Jersey fulfilment centre",
        "address1": "400 Port Newark Blvd",
        "city": "Newark",
        "state": "NJ",
        "postal_code": "07114",
        "country": "US",
        "timezone": "America/New_York",
        "phone": "+1 973 555 0100",
    },
]
PLANS = {"C10001": ["LAX1", "NJ1"], "C10002": ["LAX1"]}


def seed_warehouses(customers) -> dict:
    found = {}
    for data in WAREHOUSES:
        warehouse = Warehouse.objects.filter(code=data["code"]).first() or warehouse_create(actor=None, data=data)
        if not BinLocation.objects.filter(warehouse=warehouse).exists():
            for aisle in ("A", "B"):
                bins_create(
                    actor=None,
                    warehouse=warehouse,
                    zone=aisle,
                    codes=bin_codes_in_range(start=f"{aisle}-01-01", end=f"{aisle}-01-20"),
                )
        found[warehouse.code] = warehouse
    for customer in customers:
        customer_warehouses_set(
            actor=None, customer=customer, warehouses=[found[c] for c in PLANS.get(customer.code, [])]
        )
    return found
