"""A small working world for order tests: customer A with warehouse LAX1, two priced channels,
three SKUs with weights, stock on hand and money in the wallet."""

import datetime
from decimal import Decimal

import pytest

from apps.billing.services import credit
from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inventory.services import stock_receive
from apps.orders.services import OrderData
from apps.shipping.models import Carrier, Channel
from apps.shipping.services import RateRow, rate_card_save, rate_table_replace
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

RECIPIENT = {
    "name": "Jane Doe",
    "company": "",
    "phone": "+1 415-555-0142",
    "email": "jane@example.com",
    "address1": "500 Market St",
    "address2": "Apt 4",
    "city": "San Francisco",
    "state": "CA",
    "postal_code": "94105",
    "country": "US",
}


def priced_channel(warehouse, code, name, carrier, price, transit=(3, 5), max_weight_g=30000):
    channel = Channel.objects.create(
        code=code,
        name=name,
        carrier=carrier,
        warehouse=warehouse,
        service_level=name.split()[-1],
        transit_days_min=transit[0],
        transit_days_max=transit[1],
        max_weight_g=max_weight_g,
        max_length_cm=Decimal("120"),
    )
    card = rate_card_save(
        actor=None,
        rate_card=None,
        data={
            "channel": channel,
            "name": "2026",
            "currency": "USD",
            "valid_from": datetime.date.today() - datetime.timedelta(days=1),
        },
    )
    rate_table_replace(
        actor=None, rate_card=card, rows=[RateRow(2, "World", "US,CA,GB,DE,AU", "", 0, max_weight_g, price, None, None)]
    )
    return channel


class World:
    def __init__(self, customer, user, warehouse, ground, express, products):
        self.customer, self.user, self.warehouse = customer, user, warehouse
        self.ground, self.express, self.products = ground, express, products

    def data(self, lines=None, **changes):
        """OrderData for a valid order (1 × TEE to San Francisco) with any field changed."""
        recipient = {**RECIPIENT, **changes.pop("recipient", {})}
        lines = lines if lines is not None else [(self.products["TEE"], 1)]
        return OrderData(
            warehouse=changes.pop("warehouse", self.warehouse), recipient=recipient, lines=lines, **changes
        )


@pytest.fixture
def world(db, customer_a, user_a):
    warehouse = Warehouse.objects.create(
        code="LAX1",
        name="Los Angeles",
        address1="1 Dock Rd",
        city="Carson",
        state="CA",
        postal_code="90810",
        country="US",
    )
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[warehouse])
    ups, dhl = Carrier.objects.create(code="ups", name="UPS"), Carrier.objects.create(code="dhl", name="DHL")
    ground = priced_channel(warehouse, "ups-ground", "UPS Ground", ups, "6.00")
    express = priced_channel(warehouse, "dhl-express", "DHL Express", dhl, "20.00", transit=(1, 2), max_weight_g=10000)
    with customer_scope(customer_a):
        products = {
            sku: product_create(
                actor=user_a, data={"sku": sku, "name": f"{sku} name", "declared_value": "3", "weight_g": weight}
            )
            for sku, weight in (("TEE", 200), ("MUG", 400), ("LAMP", 3000))
        }
        for sku, units in (("TEE", 10), ("MUG", 1)):
            stock_receive(actor=None, product=products[sku], warehouse=warehouse, quantity=units)
        credit(customer=customer_a, amount="100.00", idempotency_key="test-topup")
    world = World(customer_a, user_a, warehouse, ground, express, products)
    with customer_scope(customer_a):
        yield world
