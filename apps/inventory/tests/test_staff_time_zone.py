"""Back-office times in the warehouse's time zone, labelled (issue 18 item 11)."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inventory.models import StockMove
from apps.inventory.services import stock_receive
from apps.warehouses.models import Warehouse

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def moved(user_a):
    lax = Warehouse.objects.create(
        code="LAX1", name="LA", address1="1 Dock", city="LA", country="US", timezone="America/Los_Angeles"
    )
    Warehouse.objects.create(
        code="TYO1", name="Tokyo", address1="1-1", city="Tokyo", country="JP", timezone="Asia/Tokyo"
    )
    with customer_scope(user_a.customer):
        mug = product_create(actor=user_a, data={"sku": "MUG", "name": "Mug", "declared_value": "3"})
    with scopes_disabled():
        stock_receive(actor=None, product=mug, warehouse=lax, quantity=3)
        StockMove.objects.update(created_at=AT)
    return lax


def movements(client, **params):
    return client.get(reverse("backoffice:inventory-movements"), params).content.decode()


def test_staff_pages_show_times_in_the_warehouses_zone_with_a_label(client, make_staff, moved):
    client.force_login(make_staff("warehouse"))
    body = movements(client)  # no choice yet: the first active warehouse by code, LAX1
    assert "2026-01-15 04:00" in body and "2026-01-15 12:00" not in body
    label = body.split('data-testid="staff-time-zone"')[1].split("</form>")[0]
    assert "America/Los_Angeles (UTC−08:00)" in label or "America/Los_Angeles (UTC−07:00)" in label

    body = movements(client, warehouse="TYO1")  # the page's warehouse sets the clock, and is remembered
    assert "Asia/Tokyo (UTC+09:00)" in body
    assert "Asia/Tokyo" in movements(client)

    response = client.post(
        reverse("backoffice:time-zone"), {"warehouse": "LAX1", "next": reverse("backoffice:inventory-movements")}
    )
    assert response.status_code == 302 and response.url == reverse("backoffice:inventory-movements")
    assert "2026-01-15 04:00" in movements(client)
    evil = client.post(reverse("backoffice:time-zone"), {"warehouse": "TYO1", "next": "https://evil.example/"})
    assert evil.url == reverse("backoffice:dashboard")


def test_the_portal_keeps_its_own_clock_and_customers_cannot_switch(client, user_a, moved):
    client.force_login(user_a)
    assert client.post(reverse("backoffice:time-zone"), {"warehouse": "TYO1"}).status_code == 403
    with scopes_disabled():
        product_id = StockMove.objects.get().product_id
    body = client.get(reverse("inventory:sku-movements", args=[product_id])).content.decode()
    assert "2026-01-15 12:00" in body  # UTC, the server's zone
    assert 'data-testid="staff-time-zone"' not in body
