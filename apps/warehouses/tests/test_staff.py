import re

import pytest
from django.urls import reverse

from apps.warehouses.models import BinLocation, Warehouse, WarehouseZone
from apps.warehouses.selectors import customer_default_warehouse, customer_warehouses

pytestmark = pytest.mark.django_db

DATA = {
    "code": "lax1",
    "name": "Los Angeles",
    "address1": "1 Dock Rd",
    "address2": "",
    "city": "Los Angeles",
    "state": "CA",
    "postal_code": "90001",
    "country": "US",
    "timezone": "America/Los_Angeles",
    "phone": "",
    "is_active": "on",
}


def test_warehouse_role_creates_warehouse_and_bins(client, make_staff):
    client.force_login(make_staff("warehouse"))
    response = client.post(reverse("backoffice:warehouse-create"), DATA, follow=True)
    assert "Warehouse LAX1 created" in response.content.decode()
    response = client.post(
        reverse("backoffice:warehouse-bins", args=["LAX1"]),
        {"codes": "B-1\nB-2", "range_from": "A-01-01", "range_to": "A-01-12", "zone": "A"},
        follow=True,
    )
    assert "14 bins added to LAX1." in response.content.decode()
    assert BinLocation.objects.filter(warehouse__code="LAX1").count() == 14


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("country", "XX", "two-letter country code"),
        ("timezone", "Mars/Olympus", "time zone name"),
    ],
)
def test_bad_warehouse_input_explains(client, make_staff, field, value, message):
    client.force_login(make_staff("warehouse"))
    response = client.post(reverse("backoffice:warehouse-create"), {**DATA, field: value})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Warehouse.objects.exists()


def test_duplicate_and_bad_bins_add_nothing(client, make_staff):
    client.force_login(make_staff("warehouse"))
    client.post(reverse("backoffice:warehouse-create"), DATA)
    client.post(reverse("backoffice:warehouse-bins", args=["LAX1"]), {"codes": "A-1"})
    response = client.post(reverse("backoffice:warehouse-bins", args=["LAX1"]), {"codes": "A-2\nA-1\nbad code!"})
    body = response.content.decode()
    assert response.status_code == 400 and "A-1: already exists" in body
    assert BinLocation.objects.count() == 1
    response = client.post(
        reverse("backoffice:warehouse-bins", args=["LAX1"]), {"range_from": "A-9", "range_to": "B-2"}
    )
    assert "differ only in their last number" in response.content.decode()


def test_sales_sets_the_customers_warehouses(client, make_staff, customer_a):
    lax = Warehouse.objects.create(code="LAX1", name="LA", address1="1", city="LA", country="US")
    nj = Warehouse.objects.create(code="NJ1", name="NJ", address1="1", city="Newark", country="US")
    client.force_login(make_staff("sales"))
    url = reverse("backoffice:customer-warehouses", args=[customer_a.code])
    response = client.post(url, {"warehouses": [lax.pk, nj.pk]}, follow=True)
    assert "may now use: LAX1, NJ1" in response.content.decode()
    client.post(url, {"warehouses": [nj.pk]})
    assert list(customer_warehouses(customer=customer_a)) == [nj]


def test_customer_service_cannot_change_warehouses(client, make_staff):
    client.force_login(make_staff("customer_service"))
    assert client.get(reverse("backoffice:warehouse-list")).status_code == 200
    assert client.post(reverse("backoffice:warehouse-create"), DATA).status_code == 403


def test_sales_marks_the_default_in_the_plan(client, make_staff, customer_a):
    lax = Warehouse.objects.create(code="LAX1", name="LA", address1="1", city="LA", country="US")
    nj = Warehouse.objects.create(code="NJ1", name="NJ", address1="1", city="Newark", country="US")
    client.force_login(make_staff("sales"))
    url = reverse("backoffice:customer-warehouses", args=[customer_a.code])
    response = client.post(url, {"warehouses": [lax.pk, nj.pk], "default": nj.pk}, follow=True)
    assert "Default: NJ1." in response.content.decode()
    assert customer_default_warehouse(customer=customer_a) == nj
    page = client.get(url).content.decode()
    assert re.search(rf'name="default" value="{nj.pk}"[^>]*checked', page)
    response = client.post(url, {"warehouses": [lax.pk], "default": nj.pk})
    assert response.status_code == 400 and "must be one of the warehouses" in response.content.decode()
    assert list(customer_warehouses(customer=customer_a)) == [lax, nj]  # nothing half-saved


def test_logistics_edit_zone_tables_others_only_read_them(client, make_staff):
    lax = Warehouse.objects.create(code="LAX1", name="LA", address1="1", city="LA", country="US")
    url = reverse("backoffice:warehouse-zones", args=["LAX1"])
    client.force_login(make_staff("logistics"))
    response = client.post(url, {"zones": "US 1\nCA 2"}, follow=True)
    assert "Zone table of LAX1 saved: 2 countries." in response.content.decode()
    assert dict(WarehouseZone.objects.filter(warehouse=lax).values_list("country", "rank")) == {"US": 1, "CA": 2}
    response = client.post(url, {"zones": "US 1\nZZ 3"})
    assert response.status_code == 400 and "ZZ: use a two-letter country code" in response.content.decode()
    assert WarehouseZone.objects.count() == 2
    assert "2 countries" in client.get(reverse("backoffice:warehouse-list")).content.decode()
    client.force_login(make_staff("sales"))
    page = client.get(url)
    assert page.status_code == 200 and "zones-form" not in page.content.decode()
    assert client.post(url, {"zones": "US 9"}).status_code == 403
