"""Demo warehouses with bins and destination zones, and the demo customers' logistics plans with
their default warehouses (idempotent)."""

from .models import BinLocation, Warehouse, WarehouseZone
from .services import (
    bin_codes_in_range,
    bins_create,
    customer_warehouses_set,
    warehouse_create,
    warehouse_zones_set,
)

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
PLANS = {"C10001": ["LAX1", "NJ1"], "C10002": ["LAX1"]}  # the first code is the default
# Destination country -> rank (1 nearest): an ACME order to Canada that LAX1 cannot fill goes to NJ1.
ZONES = {
    "LAX1": {"US": 1, "MX": 1, "CA": 2, "AU": 2, "JP": 2, "GB": 3, "DE": 3},
    "NJ1": {"US": 1, "CA": 1, "GB": 2, "DE": 2, "FR": 2, "MX": 2, "AU": 3, "JP": 3},
}


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
        if not WarehouseZone.objects.filter(warehouse=warehouse).exists():
            warehouse_zones_set(actor=None, warehouse=warehouse, zones=ZONES.get(warehouse.code, {}).items())
        found[warehouse.code] = warehouse
    for customer in customers:
        plan = [found[c] for c in PLANS.get(customer.code, [])]
        customer_warehouses_set(actor=None, customer=customer, warehouses=plan, default=plan[0] if plan else None)
    return found
