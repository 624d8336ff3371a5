import pytest
from django_scopes import scopes_disabled

from apps.catalog.models import Product
from apps.catalog.rules import upc_problem

pytestmark = pytest.mark.django_db
URL = "/api/v1/products/"


@pytest.fixture
def api(api_client, user_a):
    api_client.force_login(user_a)
    return api_client


def test_create_list_filter_retrieve_update(api):
    created = api.post(URL, {"sku": "MUG-1", "name": "Mug", "declared_value": "4.5", "weight_g": 350}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["sku"] == "MUG-1" and body["declared_value"] == "4.50" and body["weight_g"] == 350
    assert body["measured_weight_g"] is None and body["is_active"] is True
    api.post(URL, {"sku": "PLATE", "name": "Plate", "declared_value": 3}, format="json")

    assert api.get(URL, {"sku": "mug-1"}).json()["count"] == 1
    assert {r["sku"] for r in api.get(URL, {"search": "pla"}).json()["results"]} == {"PLATE"}

    pk = body["id"]
    assert api.get(f"{URL}{pk}/").json()["name"] == "Mug"
    patched = api.patch(f"{URL}{pk}/", {"name": "Big mug", "is_active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "Big mug" and patched.json()["is_active"] is False
    assert api.get(URL, {"is_active": "false"}).json()["count"] == 1


def test_validation_errors_are_400_with_field_messages_and_nothing_saved(api):
    response = api.post(
        URL, {"sku": "X", "name": "X", "declared_value": "4", "upc": "012345678906", "length_cm": "-1"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "product_invalid"
    assert "check digit" in body["errors"]["upc"][0] and "more than 0" in body["errors"]["length_cm"][0]
    with scopes_disabled():
        assert not Product.objects.exists()


def test_duplicate_sku_is_400_duplicate_sku(api):
    api.post(URL, {"sku": "A", "name": "A", "declared_value": 1}, format="json")
    response = api.post(URL, {"sku": "a", "name": "A", "declared_value": 1}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "duplicate_sku"


def test_apply_upc_and_conflict(api):
    pk = api.post(URL, {"sku": "A", "name": "A", "declared_value": 1}, format="json").json()["id"]
    response = api.post(f"{URL}{pk}/apply-upc/")
    assert response.status_code == 200 and upc_problem(response.json()["upc"]) is None
    again = api.post(f"{URL}{pk}/apply-upc/")
    assert again.status_code == 409 and again.json()["code"] == "upc_already_set"


def test_no_delete(api):
    pk = api.post(URL, {"sku": "A", "name": "A", "declared_value": 1}, format="json").json()["id"]
    assert api.delete(f"{URL}{pk}/").status_code == 405


def test_list_query_count_is_fixed(api, user_a, django_assert_max_num_queries):
    for i in range(3):
        api.post(URL, {"sku": f"A{i}", "name": "A", "declared_value": 1}, format="json")
    with django_assert_max_num_queries(10) as few:
        assert api.get(URL).json()["count"] == 3
    baseline = len(few.captured_queries)
    for i in range(30):
        api.post(URL, {"sku": f"B{i}", "name": "B", "declared_value": 1}, format="json")
    with django_assert_max_num_queries(baseline):
        assert api.get(URL).json()["count"] == 33
