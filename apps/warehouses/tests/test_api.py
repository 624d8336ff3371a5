import pytest

from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

pytestmark = pytest.mark.django_db

URL = "/api/v1/warehouses/"


def make(code, **extra):
    return Warehouse.objects.create(
        code=code, name=f"{code} centre", address1="2150 E Dominguez St", city="Carson", state="CA",
        postal_code="90810", country="US", **extra,
    )  # fmt: skip


def test_lists_the_customers_warehouses_with_address_and_default(api_client, user_a, user_b):
    lax, nj, other = make("LAX1", phone="+1 310 555 0100"), make("NJ1"), make("TX1")
    make("OFF1", is_active=False)
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[lax, nj], default=nj)
    customer_warehouses_set(actor=None, customer=user_b.customer, warehouses=[other])
    api_client.force_login(user_a)
    body = api_client.get(URL).json()
    assert body["count"] == 2 and body["next"] is None
    assert [(w["code"], w["is_default"]) for w in body["results"]] == [("LAX1", False), ("NJ1", True)]
    assert body["results"][0] == {
        "code": "LAX1",
        "name": "LAX1 centre",
        "country": "US",
        "timezone": "UTC",
        "address": {
            "address1": "2150 E Dominguez St",
            "address2": "",
            "city": "Carson",
            "state": "CA",
            "postal_code": "90810",
            "country": "US",
            "phone": "+1 310 555 0100",
        },
        "is_default": False,
    }
    api_client.force_login(user_b)
    assert [w["code"] for w in api_client.get(URL).json()["results"]] == ["TX1"]


def test_list_pages_and_runs_the_same_queries_for_more_rows(api_client, user_a, django_assert_max_num_queries):
    api_client.force_login(user_a)
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[make(f"W{n}") for n in range(2)])
    with django_assert_max_num_queries(8) as first:
        api_client.get(URL)
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[make(f"X{n}") for n in range(30)])
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = api_client.get(URL, {"page_size": 10}).json()
    assert page["count"] == 30 and len(page["results"]) == 10 and page["next"]
    assert [w["is_default"] for w in page["results"]] == [True] + [False] * 9  # X0: first by code


def test_me_names_the_default_warehouse(api_client, user_a):
    api_client.force_login(user_a)
    assert api_client.get("/api/v1/me/").json()["customer"]["default_warehouse"] is None
    lax, nj = make("LAX1"), make("NJ1")
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[lax, nj], default=nj)
    body = api_client.get("/api/v1/me/").json()
    assert body["email"] == user_a.email and body["customer"]["code"] == user_a.customer.code
    assert body["customer"]["default_warehouse"] == {"code": "NJ1", "name": "NJ1 centre", "country": "US"}


def test_schema_describes_warehouses_and_the_default_in_me(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/warehouses/" in schema["paths"]
    listed = schema["paths"]["/api/v1/warehouses/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"]["$ref"].endswith("PaginatedWarehouseOutputList")
    assert "default_warehouse" in schema["components"]["schemas"]["CustomerWithWarehouseOutput"]["properties"]


def test_customers_only(api_client, make_staff):
    assert api_client.get(URL).status_code == 401
    api_client.force_login(make_staff("admin"))
    assert api_client.get(URL).status_code == 403
