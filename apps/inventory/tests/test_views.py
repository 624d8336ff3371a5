import io

import openpyxl
import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.inventory.models import StockMove
from apps.inventory.services import stock_allocate, stock_receive
from apps.warehouses.services import customer_warehouses_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(make_product, warehouse, warehouse2, user_a):
    """MUG: 5 in LAX1 (2 allocated); PLATE: 3 in LAX1 all allocated; CUP: 10 in NJ1, low level 12."""
    mug, plate, cup = make_product("MUG"), make_product("PLATE"), make_product("CUP", low_stock_threshold=None)
    with scopes_disabled():
        stock_receive(actor=None, product=mug, warehouse=warehouse, quantity=5, reference="Inbound IN1")
        stock_allocate(actor=None, product=mug, warehouse=warehouse, quantity=2)
        stock_receive(actor=None, product=plate, warehouse=warehouse, quantity=3)
        stock_allocate(actor=None, product=plate, warehouse=warehouse, quantity=3)
        stock_receive(actor=None, product=cup, warehouse=warehouse2, quantity=10)
        cup.low_stock_threshold = 12
        cup.save()
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse, warehouse2])
    return mug, plate, cup


@pytest.fixture
def portal(client, user_a):
    client.force_login(user_a)
    return client


def rows(response):
    return [b.product.sku + "@" + b.warehouse.code for b in response.context["page"].rows]


def test_list_tabs_and_filters(portal, stocked):
    url = reverse("inventory:list")
    assert rows(portal.get(url)) == ["CUP@NJ1", "MUG@LAX1", "PLATE@LAX1"]
    assert rows(portal.get(url, {"view": "sold_out"})) == ["PLATE@LAX1"]
    assert rows(portal.get(url, {"view": "low_stock"})) == ["CUP@NJ1"]
    assert rows(portal.get(url, {"warehouse": "LAX1", "q": "mu"})) == ["MUG@LAX1"]
    body = portal.get(url).content.decode()
    assert "Sold out" in body and ">3<" in body  # available of MUG


def test_list_pages_by_key_and_runs_fixed_queries(portal, make_product, warehouse, django_assert_max_num_queries):
    with scopes_disabled():
        for i in range(60):
            stock_receive(actor=None, product=make_product(f"SKU-{i:03d}"), warehouse=warehouse, quantity=1)
    url = reverse("inventory:list")
    with django_assert_max_num_queries(12) as queries:
        first = portal.get(url)
    baseline = len(queries.captured_queries)
    assert len(first.context["page"].rows) == 50
    with django_assert_max_num_queries(baseline):
        second = portal.get(url, {"after": first.context["page"].next_cursor})
    assert rows(second)[0] == "SKU-050@LAX1" and second.context["page"].next_cursor is None
    assert "COUNT(" not in " ".join(q["sql"] for q in queries.captured_queries).upper()


def test_bad_cursor_is_the_first_page(portal, stocked):
    assert rows(portal.get(reverse("inventory:list"), {"after": "!!garbage"}))[0] == "CUP@NJ1"


def test_sku_movements_show_the_ledger_with_causes(portal, stocked):
    mug = stocked[0]
    body = portal.get(reverse("inventory:sku-movements", args=[mug.pk])).content.decode()
    assert "Inbound IN1" in body and "Allocated" in body and "Received" in body


def test_low_stock_threshold(portal, stocked):
    mug = stocked[0]
    url = reverse("inventory:low-stock-threshold", args=[mug.pk])
    response = portal.post(url, {"threshold": "3"}, follow=True)
    assert "shows as low stock at 3" in response.content.decode()
    assert "MUG@LAX1" in rows(portal.get(reverse("inventory:list"), {"view": "low_stock"}))
    response = portal.post(url, {"threshold": "-4"}, follow=True)
    assert "whole number from 0" in response.content.decode()
    mug.refresh_from_db()
    assert mug.low_stock_threshold == 3


def test_export(portal, stocked):
    response = portal.post(reverse("inventory:export") + "?view=sold_out", follow=True)
    job = response.context["job"]
    with scopes_disabled():
        sheet = openpyxl.load_workbook(io.BytesIO(job.result_file.read())).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:3] == ["SKU", "Product name", "Warehouse"] and values[1][0] == "PLATE" and len(values) == 2


def test_api_inventory_and_movements(api_client, user_a, stocked):
    api_client.force_login(user_a)
    body = api_client.get("/api/v1/inventory/").json()
    mug = next(r for r in body["results"] if r["sku"] == "MUG")
    assert (mug["on_hand"], mug["allocated"], mug["available"], mug["warehouse"]) == (5, 2, 3, "LAX1")
    assert [r["sku"] for r in api_client.get("/api/v1/inventory/", {"sold_out": "true"}).json()["results"]] == ["PLATE"]
    assert [r["sku"] for r in api_client.get("/api/v1/inventory/", {"low_stock": "1"}).json()["results"]] == ["CUP"]
    assert [
        r["sku"] for r in api_client.get("/api/v1/inventory/", {"sku": "mug", "warehouse": "LAX1"}).json()["results"]
    ] == ["MUG"]
    moves = api_client.get("/api/v1/inventory/movements/", {"sku": "MUG"}).json()
    assert [m["kind"] for m in moves["results"]] == ["allocate", "receive"]
    assert set(moves) == {"next", "previous", "results"}


def test_staff_adjustment_with_reason_and_audit(client, make_staff, stocked, user_a):
    clerk = make_staff("warehouse")
    client.force_login(clerk)
    url = reverse("backoffice:inventory-adjust")
    data = {"customer": user_a.customer.code, "sku": "MUG", "warehouse": "LAX1", "quantity": "-1", "reason": ""}
    response = client.post(url, data)
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    response = client.post(url, {**data, "quantity": "-4", "reason": "Found broken"})
    assert "available" in response.content.decode()  # 3 available: cannot take 4
    response = client.post(url, {**data, "reason": "Found broken"}, follow=True)
    assert "Adjusted MUG in LAX1 by -1." in response.content.decode()
    with scopes_disabled():
        move = StockMove.objects.get(kind="adjust")
    assert move.actor == clerk and move.reason == "Found broken" and move.quantity == -1
    ledger = client.get(reverse("backoffice:inventory-movements"), {"kind": "adjust"}).content.decode()
    assert "Found broken" in ledger and clerk.email in ledger


def test_staff_adjust_unknown_sku_explains(client, make_staff, stocked, user_b):
    client.force_login(make_staff("warehouse"))
    response = client.post(
        reverse("backoffice:inventory-adjust"),
        {"customer": user_b.customer.code, "sku": "MUG", "warehouse": "LAX1", "quantity": "5", "reason": "x"},
    )
    assert (
        response.status_code == 400 and f"Customer {user_b.customer.code} has no SKU MUG" in response.content.decode()
    )


def test_staff_inventory_across_customers(client, make_staff, stocked):
    client.force_login(make_staff("customer_service"))
    response = client.get(reverse("backoffice:inventory"))
    assert len(response.context["page"].rows) == 3
    assert client.get(reverse("backoffice:inventory-adjust")).status_code == 403
