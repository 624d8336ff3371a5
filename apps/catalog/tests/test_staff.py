import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.catalog.models import ProductMeasurement
from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(user_a):
    with customer_scope(user_a.customer):
        return product_create(actor=user_a, data={"sku": "MUG", "name": "Mug", "declared_value": "4", "weight_g": 300})


def test_staff_see_all_customers_products_with_filter(client, make_staff, product, user_b):
    with customer_scope(user_b.customer):
        product_create(actor=user_b, data={"sku": "PLATE", "name": "Plate", "declared_value": "3"})
    client.force_login(make_staff("customer_service"))
    body = client.get(reverse("backoffice:product-list")).content.decode()
    assert "MUG" in body and "PLATE" in body
    body = client.get(reverse("backoffice:product-list"), {"customer": user_b.customer.code}).content.decode()
    assert "PLATE" in body and ">MUG<" not in body


def test_warehouse_records_measurements_with_audit(client, make_staff, product):
    clerk = make_staff("warehouse")
    client.force_login(clerk)
    response = client.post(
        reverse("backoffice:product-measure", args=[product.pk]),
        {
            "measured_length_cm": "20",
            "measured_width_cm": "10",
            "measured_height_cm": "10",
            "measured_weight_g": "320",
        },
        follow=True,
    )
    assert "Measurements of MUG saved" in response.content.decode()
    with scopes_disabled():
        entry = ProductMeasurement.objects.get()
    assert entry.actor == clerk and entry.new["measured_weight_g"] == "320"
    body = client.get(reverse("backoffice:product-detail", args=[product.pk])).content.decode()
    assert clerk.email in body


def test_bad_measurement_is_refused(client, make_staff, product):
    client.force_login(make_staff("warehouse"))
    response = client.post(reverse("backoffice:product-measure", args=[product.pk]), {"measured_weight_g": "0"})
    assert response.status_code == 400 and "more than 0" in response.content.decode()
    with scopes_disabled():
        assert not ProductMeasurement.objects.exists()


def test_customer_service_may_look_but_not_measure(client, make_staff, product):
    client.force_login(make_staff("customer_service"))
    assert client.get(reverse("backoffice:product-detail", args=[product.pk])).status_code == 200
    assert client.post(reverse("backoffice:product-measure", args=[product.pk]), {}).status_code == 403
