import datetime

import pytest

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inbound.services import BoxSpec, boxes_for_single_sku, inbound_create, inbound_pack, inbound_set_shipping
from apps.warehouses.models import BinLocation, Warehouse
from apps.warehouses.services import customer_warehouses_set


@pytest.fixture
def warehouse(db, customer_a):
    w = Warehouse.objects.create(
        code="LAX1",
        name="Los Angeles",
        address1="1 Dock Rd",
        city="Los Angeles",
        state="CA",
        postal_code="90001",
        country="US",
    )
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[w])
    return w


@pytest.fixture
def bins(warehouse):
    return [BinLocation.objects.create(warehouse=warehouse, code=f"A-01-0{i}") for i in range(1, 4)]


@pytest.fixture
def products(user_a):
    with customer_scope(user_a.customer):
        return [
            product_create(actor=user_a, data={"sku": sku, "name": f"{sku} name", "declared_value": "3", "upc": upc})
            for sku, upc in (("TEE", "012345678905"), ("MUG", ""), ("CAP", ""))
        ]


SHIPPING = {
    "carrier": "DHL",
    "tracking_number": "1234567890",
    "transport_mode": "express",
    "ship_date": datetime.date(2026, 11, 20),
    "eta": datetime.date(2026, 11, 28),
}


@pytest.fixture
def ready_inbound(user_a, warehouse, products):
    """TEE 30 and MUG 10 and CAP 5: a mixed box (TEE 10 + MUG 10 + CAP 5) and TEE 20 in one box."""
    tee, mug, cap = products
    with customer_scope(user_a.customer):
        inbound = inbound_create(actor=user_a, warehouse=warehouse, lines=[(tee, 30), (mug, 10), (cap, 5)])
        inbound_pack(
            actor=user_a,
            inbound=inbound,
            method="mixed",
            boxes=[
                BoxSpec(
                    items=[(tee, 10), (mug, 10), (cap, 5)],
                    length_cm="40",
                    width_cm="30",
                    height_cm="30",
                    weight_kg="8.5",
                ),
                BoxSpec(items=[(tee, 20)], length_cm="40", width_cm="30", height_cm="20", weight_kg="5"),
            ],
        )
        inbound_set_shipping(actor=user_a, inbound=inbound, data=SHIPPING)
        inbound.refresh_from_db()
    return inbound


__all__ = ["boxes_for_single_sku"]
