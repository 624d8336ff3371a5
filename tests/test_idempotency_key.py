"""API creates honour the Idempotency-Key header (DESIGN §7)."""

import pytest
from django_scopes import scopes_disabled

from apps.catalog.models import Product

pytestmark = pytest.mark.django_db
URL = "/api/v1/products/"
BODY = {"sku": "MUG", "name": "Mug", "declared_value": "4"}


@pytest.fixture
def api(api_client, user_a):
    api_client.force_login(user_a)
    return api_client


def count():
    with scopes_disabled():
        return Product.objects.count()


def test_same_key_creates_once_and_replays_the_answer(api):
    first = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert count() == 1


def test_without_a_key_a_second_create_is_a_duplicate(api):
    api.post(URL, BODY, format="json")
    assert api.post(URL, BODY, format="json").json()["code"] == "duplicate_sku"


def test_a_failed_request_does_not_use_up_the_key(api):
    bad = api.post(URL, {**BODY, "declared_value": "-1"}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert bad.status_code == 400
    good = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert good.status_code == 201 and count() == 1


def test_a_key_reused_for_another_request_is_409(api, user_a, warehouse_for_a):
    api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k3")
    other = api.post(
        "/api/v1/inbound-orders/",
        {"warehouse": "LAX1", "lines": [{"sku": "MUG", "quantity": 1}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k3",
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"


def test_keys_are_per_customer(api, api_client, user_b):
    api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    from rest_framework.test import APIClient

    other = APIClient()
    other.force_login(user_b)
    response = other.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert count() == 2


@pytest.fixture
def warehouse_for_a(user_a):
    from apps.warehouses.models import Warehouse
    from apps.warehouses.services import customer_warehouses_set

    warehouse = Warehouse.objects.create(code="LAX1", name="LA", address1="1", city="LA", country="US")
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    return warehouse
