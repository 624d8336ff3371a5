import pytest

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.warehouses.models import BinLocation, Warehouse


@pytest.fixture
def warehouse(db):
    return Warehouse.objects.create(
        code="LAX1",
        name="Los Angeles",
        address1="1 Dock Rd",
        city="Los Angeles",
        state="CA",
        postal_code="90001",
        country="US",
        timezone="America/Los_Angeles",
    )


@pytest.fixture
def warehouse2(db):
    return Warehouse.objects.create(
        code="NJ1", name="New Jersey", address1="2 Port Ave", city="Newark", country="US", timezone="America/New_York"
    )


@pytest.fixture
def bin_a(warehouse):
    return BinLocation.objects.create(warehouse=warehouse, code="A-01-01", zone="A")


@pytest.fixture
def make_product(user_a):
    def make(sku="MUG", owner=None, **data):
        owner = owner or user_a
        with customer_scope(owner.customer):
            return product_create(actor=owner, data={"sku": sku, "name": f"{sku} name", "declared_value": "2", **data})

    return make
