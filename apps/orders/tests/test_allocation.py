"""The warehouse allocation rule (apps/orders/allocation.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inventory.services import stock_allocate, stock_receive
from apps.orders.allocation import AllocationRequest, allocate_warehouses
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set, warehouse_zones_set

pytestmark = pytest.mark.django_db


def make_warehouse(code, country):
    return Warehouse.objects.create(code=code, name=f"{code} centre", address1="1 Dock", city="X", country=country)


@pytest.fixture
def plan(customer_a, user_a):
    """A's plan: LAX1 (default, US), NJ1 (US), FRA1 (DE); OUT1 exists but is not A's."""
    w = {code: make_warehouse(code, country) for code, country in (("LAX1", "US"), ("NJ1", "US"), ("FRA1", "DE"))}
    w["OUT1"] = make_warehouse("OUT1", "CA")
    customer_warehouses_set(
        actor=None, customer=customer_a, warehouses=[w["LAX1"], w["NJ1"], w["FRA1"]], default=w["LAX1"]
    )
    warehouse_zones_set(actor=None, warehouse=w["NJ1"], zones=[("CA", 1), ("US", 2), ("DE", 3)])
    warehouse_zones_set(actor=None, warehouse=w["FRA1"], zones=[("DE", 1), ("CA", 2)])
    warehouse_zones_set(actor=None, warehouse=w["OUT1"], zones=[("CA", 1)])
    with customer_scope(customer_a):
        p = {
            sku: product_create(actor=user_a, data={"sku": sku, "name": sku, "declared_value": "1"})
            for sku in ("TEE", "MUG")
        }
        yield w, p


def stock(product, warehouse, units, allocated=0):
    stock_receive(actor=None, product=product, warehouse=warehouse, quantity=units)
    if allocated:
        stock_allocate(actor=None, product=product, warehouse=warehouse, quantity=allocated)


def one(customer, country, *lines):
    [allocation] = allocate_warehouses(customer=customer, requests=[AllocationRequest(country, tuple(lines))])
    return allocation


def test_default_with_stock_is_chosen(customer_a, plan):
    w, p = plan
    stock(p["TEE"], w["LAX1"], 5)
    stock(p["TEE"], w["NJ1"], 50)
    got = one(customer_a, "CA", (p["TEE"].pk, 5))
    assert (got.warehouse, got.rule) == (w["LAX1"], "default_in_stock")
    assert "LAX1" in got.reason and "default" in got.reason


def test_default_short_goes_to_the_nearest_allowed_warehouse_with_every_line(customer_a, plan):
    w, p = plan
    stock(p["TEE"], w["LAX1"], 10, allocated=8)  # 2 available: not enough
    stock(p["TEE"], w["NJ1"], 10)
    stock(p["TEE"], w["FRA1"], 10)
    stock(p["MUG"], w["NJ1"], 3)
    stock(p["MUG"], w["FRA1"], 3)
    # To Germany FRA1 is rank 1, NJ1 rank 3.
    got = one(customer_a, "de", (p["TEE"].pk, 3), (p["MUG"].pk, 1))
    assert (got.warehouse, got.rule) == (w["FRA1"], "nearest_in_stock")
    assert "FRA1" in got.reason and "LAX1" in got.reason and "zone rank 1 for DE" in got.reason
    # To Canada NJ1 is rank 1.
    assert one(customer_a, "CA", (p["TEE"].pk, 3)).warehouse == w["NJ1"]
    # A warehouse short of one line is passed over, however near (each has only 3 MUG).
    assert one(customer_a, "CA", (p["TEE"].pk, 1), (p["MUG"].pk, 4)).rule == "default_short"


def test_unranked_country_prefers_a_warehouse_in_that_country_then_code(customer_a, plan):
    w, p = plan
    stock(p["TEE"], w["NJ1"], 5)
    stock(p["TEE"], w["FRA1"], 5)
    # Neither warehouse ranks France; neither is in France: by code, FRA1 before NJ1.
    assert one(customer_a, "FR", (p["TEE"].pk, 1)).warehouse == w["FRA1"]
    # To the US: NJ1 ranks it 2, FRA1 not at all.
    assert one(customer_a, "US", (p["TEE"].pk, 1)).warehouse == w["NJ1"]


def test_nobody_has_it_keeps_the_default_short(customer_a, plan):
    w, p = plan
    stock(p["TEE"], w["LAX1"], 1)
    stock(p["TEE"], w["NJ1"], 1)
    got = one(customer_a, "US", (p["TEE"].pk, 2))
    assert (got.warehouse, got.rule) == (w["LAX1"], "default_short")
    assert "Abnormal" in got.reason


def test_a_warehouse_outside_the_plan_is_never_chosen(customer_a, plan):
    w, p = plan
    stock(p["TEE"], w["OUT1"], 100)  # plenty, rank 1 for Canada, but not A's
    got = one(customer_a, "CA", (p["TEE"].pk, 1))
    assert (got.warehouse, got.rule) == (w["LAX1"], "default_short")
    # An inactive warehouse of the plan is not used either.
    stock(p["TEE"], w["NJ1"], 5)
    Warehouse.objects.filter(pk=w["NJ1"].pk).update(is_active=False)
    assert one(customer_a, "CA", (p["TEE"].pk, 1)).warehouse != w["NJ1"]


def test_no_allowed_warehouse_gives_none(customer_b, user_b):
    with customer_scope(customer_b):
        product = product_create(actor=user_b, data={"sku": "X", "name": "X", "declared_value": "1"})
        got = one(customer_b, "US", (product.pk, 1))
    assert (got.warehouse, got.rule) == (None, "none")
    assert "no warehouse" in got.reason


def test_without_a_marked_default_the_first_by_code_counts(customer_a, plan):
    w, p = plan
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[w["LAX1"], w["NJ1"]], default=None)
    stock(p["TEE"], w["LAX1"], 5)
    stock(p["TEE"], w["NJ1"], 5)
    got = one(customer_a, "CA", (p["TEE"].pk, 1))
    assert (got.warehouse, got.rule) == (w["LAX1"], "default_in_stock")
    assert "first of yours by code" in got.reason


def test_one_batch_does_not_count_the_same_units_twice(customer_a, plan):
    w, p = plan
    stock(p["TEE"], w["LAX1"], 3)
    stock(p["TEE"], w["NJ1"], 2)
    requests = [AllocationRequest("US", ((p["TEE"].pk, 2),)) for _ in range(3)]
    got = allocate_warehouses(customer=customer_a, requests=requests)
    assert [(a.warehouse.code, a.rule) for a in got] == [
        ("LAX1", "default_in_stock"),  # LAX1 has 1 left
        ("NJ1", "nearest_in_stock"),  # NJ1 has 0 left
        ("LAX1", "default_short"),
    ]
    # Lines naming one SKU twice count together.
    assert one(customer_a, "US", (p["TEE"].pk, 2), (p["TEE"].pk, 2)).rule == "default_short"


def test_query_count_is_fixed_for_one_or_ten_thousand_requests(customer_a, plan):
    w, p = plan
    stock(p["TEE"], w["LAX1"], 5)
    stock(p["MUG"], w["NJ1"], 5)
    countries = ("US", "CA", "DE", "FR", "GB")
    # Fake product ids beyond the real ones make the many-products path read every balance.
    many = [
        AllocationRequest(countries[i % 5], ((p["TEE"].pk, 1), (p["MUG"].pk, 1), (10_000 + i, 1)))
        for i in range(10_000)
    ]
    with CaptureQueriesContext(connection) as single:
        allocate_warehouses(customer=customer_a, requests=many[:1])
    with CaptureQueriesContext(connection) as batch:
        got = allocate_warehouses(customer=customer_a, requests=many)
    assert len(single) == len(batch) == 3
    assert len(got) == 10_000 and {a.rule for a in got} == {"default_short"}
    assert allocate_warehouses(customer=customer_a, requests=[]) == []
