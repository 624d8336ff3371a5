"""The orders world (customer A, LAX1, two channels, SKUs, stock, money) with the stock shelved in
bins and a warehouse clerk: TEE 6 in A-01-01 and 4 in A-01-02, MUG 1 in B-01-01."""

import pytest

from apps.core.tenancy import staff_scope
from apps.inventory.services import stock_put_away
from apps.orders.services import order_create, order_submit
from apps.orders.tests.conftest import world  # noqa: F401 - the fixture, shared
from apps.warehouses.models import BinLocation


@pytest.fixture
def floor(world, make_staff):  # noqa: F811 - uses the imported fixture
    bins = {
        code: BinLocation.objects.create(warehouse=world.warehouse, code=code)
        for code in ("A-01-01", "A-01-02", "B-01-01")
    }
    for sku, code, units in (("TEE", "A-01-02", 4), ("TEE", "A-01-01", 6), ("MUG", "B-01-01", 1)):
        stock_put_away(
            actor=None, product=world.products[sku], warehouse=world.warehouse, bin=bins[code], quantity=units
        )
    world.bins = bins
    world.clerk = make_staff("warehouse")
    return world


@pytest.fixture
def submitted(floor):
    """Makes Pending Shipment orders: submitted(lines=[(sku, qty)], **data changes)."""

    def make(lines=(("TEE", 1),), **changes):
        data = floor.data(lines=[(floor.products[sku], qty) for sku, qty in lines], **changes)
        order = order_submit(actor=floor.user, order=order_create(actor=floor.user, data=data))
        assert order.status == "pending_shipment", order.abnormal_message
        return order

    return make


@pytest.fixture
def staff_side():
    with staff_scope():
        yield


@pytest.fixture
def clerk(client, floor):
    client.force_login(floor.clerk)
    return client
