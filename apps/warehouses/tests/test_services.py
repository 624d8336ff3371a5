import pytest

from apps.core.errors import ApplicationError
from apps.warehouses.models import CustomerWarehouse, Warehouse, WarehouseZone
from apps.warehouses.selectors import customer_default_warehouse, customer_warehouse_list
from apps.warehouses.services import customer_warehouses_set, parse_zone_lines, warehouse_zones_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def three():
    return [
        Warehouse.objects.create(code=c, name=c, address1="1", city="X", country="US") for c in ("LAX1", "NJ1", "TX1")
    ]


def test_the_default_is_one_of_the_plan_and_only_one(customer_a, three, unscoped):
    lax, nj, tx = three
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[lax, nj], default=nj)
    assert customer_default_warehouse(customer=customer_a) == nj
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[lax, nj], default=lax)
    assert list(CustomerWarehouse.objects.filter(is_default=True).values_list("warehouse__code", flat=True)) == ["LAX1"]
    with pytest.raises(ApplicationError, match="must be one of the warehouses"):
        customer_warehouses_set(actor=None, customer=customer_a, warehouses=[nj], default=tx)
    assert customer_default_warehouse(customer=customer_a) == lax  # nothing changed


def test_leaving_the_default_out_keeps_it_while_it_stays_in_the_plan(customer_a, three, unscoped):
    lax, nj, tx = three
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[lax, nj], default=nj)
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[lax, nj, tx])
    assert customer_default_warehouse(customer=customer_a) == nj
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[tx, lax])  # NJ1 leaves the plan
    assert not CustomerWarehouse.objects.filter(is_default=True).exists()
    assert customer_default_warehouse(customer=customer_a) == lax  # the first by code counts


def test_the_list_marks_the_effective_default(customer_a, customer_b, three):
    lax, nj, tx = three
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=three, default=tx)
    customer_warehouses_set(actor=None, customer=customer_b, warehouses=[nj], default=nj)
    rows = [(w.code, w.is_default, w.default_marked) for w in customer_warehouse_list(customer=customer_a)]
    assert rows == [("LAX1", False, True), ("NJ1", False, True), ("TX1", True, True)]
    Warehouse.objects.filter(pk=tx.pk).update(is_active=False)  # an inactive default does not count
    rows = [(w.code, w.is_default, w.default_marked) for w in customer_warehouse_list(customer=customer_a)]
    assert rows == [("LAX1", True, False), ("NJ1", False, False)]
    assert customer_warehouse_list(customer=customer_b).get().is_default


def test_zone_table_is_replaced_whole_and_checked_first(three):
    lax = three[0]
    warehouse_zones_set(actor=None, warehouse=lax, zones=parse_zone_lines("us 1\nCA, 2\n\nMX=2"))
    assert dict(WarehouseZone.objects.values_list("country", "rank")) == {"US": 1, "CA": 2, "MX": 2}
    for zones, message in (
        ([("XX", 1)], "two-letter country code"),
        ([("DE", 0)], "from 1 \\(nearest\\)"),
        ([("DE", 1), ("de", 2)], "DE: listed twice"),
    ):
        with pytest.raises(ApplicationError, match=message):
            warehouse_zones_set(actor=None, warehouse=lax, zones=zones)
    with pytest.raises(ApplicationError, match="line 2"):
        parse_zone_lines("US 1\nfar away")
    assert WarehouseZone.objects.count() == 3
    warehouse_zones_set(actor=None, warehouse=lax, zones=[])
    assert not WarehouseZone.objects.exists()
