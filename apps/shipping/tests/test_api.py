import pytest
from django.urls import reverse

from apps.shipping.quotes import rates_changed
from apps.warehouses.services import customer_warehouses_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_client, user_a, channels, warehouse):
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    rates_changed()
    api_client.force_login(user_a)
    return api_client


def test_channels_of_the_customer(api):
    codes = [c["code"] for c in api.get("/api/v1/shipping/channels/").json()["results"]]
    assert codes == ["dhl-express", "ups-ground", "no-card"]


def test_quote_by_parcel(api):
    response = api.post(
        "/api/v1/shipping/quotes/",
        {"warehouse": "LAX1", "country": "us", "postal_code": "10001", "parcel": {"weight_g": 400}},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert [o["channel"] for o in body["options"]] == ["ups-ground", "dhl-express"]
    assert body["options"][0]["total"] == "6.50" and body["ineligible"][0]["code"] == "no_rate_card"


def test_quote_by_order_lines(api, user_a):
    from apps.catalog.services import product_create
    from apps.core.tenancy import customer_scope

    with customer_scope(user_a.customer):
        product_create(actor=user_a, data={"sku": "MUG", "name": "Mug", "declared_value": "4", "weight_g": "300"})
    response = api.post(
        "/api/v1/shipping/quotes/",
        {
            "warehouse": "LAX1",
            "country": "US",
            "postal_code": "10001",
            "lines": [{"sku": "mug", "quantity": 2}],
            "sort": "speed",
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 200 and body["options"][0]["channel"] == "dhl-express"
    assert body["options"][1]["actual_weight_g"] == 660


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"warehouse": "LAX1", "country": "US", "postal_code": "10001", "parcel": {"weight_g": 0}}, "invalid_weight"),
        ({"warehouse": "LAX1", "country": "Narnia", "postal_code": "1", "parcel": {"weight_g": 5}}, "unknown_country"),
        ({"warehouse": "LAX1", "country": "US", "postal_code": "1", "parcel": {"weight_g": 5}}, "invalid_postal_code"),
        (
            {"warehouse": "NOPE", "country": "US", "postal_code": "10001", "parcel": {"weight_g": 5}},
            "unknown_warehouse",
        ),
        (
            {"warehouse": "LAX1", "country": "US", "postal_code": "10001", "lines": [{"sku": "X", "quantity": 1}]},
            "unknown_sku",
        ),
        ({"warehouse": "LAX1", "country": "US"}, "validation_error"),
    ],
)
def test_bad_quotes_are_400_with_a_code(api, payload, code):
    response = api.post("/api/v1/shipping/quotes/", payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == code


def test_portal_calculator(client, user_a, channels, warehouse):
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    rates_changed()
    client.force_login(user_a)
    body = client.get(
        reverse("shipping:quote"),
        {"warehouse": "LAX1", "country": "US", "postal_code": "10001", "weight_g": "12000", "sort": "price"},
    ).content.decode()
    assert "UPS Ground" in body and "Too heavy: 12 kg" in body
    body = client.get(
        reverse("shipping:quote"),
        {"warehouse": "LAX1", "country": "US", "postal_code": "ABC", "weight_g": "100", "sort": "price"},
    ).content.decode()
    assert "should be 5 digits or 5 digits, a hyphen and 4 digits, such as 95014" in body
