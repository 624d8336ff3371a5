import pytest
from django.urls import reverse

from apps.orders.allocation import RULE
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set, warehouse_zones_set

pytestmark = pytest.mark.django_db


def make(code):
    return Warehouse.objects.create(code=code, name=f"{code} centre", address1=f"1 {code} Road", city="X", country="US")


def test_settings_page_shows_the_rule_and_the_plan_with_its_default(client, user_a, user_b):
    lax, nj, other = make("LAX1"), make("NJ1"), make("TX9")
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[lax, nj], default=nj)
    customer_warehouses_set(actor=None, customer=user_b.customer, warehouses=[other])
    warehouse_zones_set(actor=None, warehouse=nj, zones=[("CA", 1), ("US", 2)])
    client.force_login(user_a)
    response = client.get(reverse("portal:settings"))
    body = response.content.decode()
    assert response.status_code == 200
    assert RULE[0] in body and "nearest" in body and "never split" in body
    assert "1 LAX1 Road" in body and "1 NJ1 Road" in body and "TX9" not in body
    assert body.count('data-testid="default-badge"') == 1
    assert body.index("NJ1 centre") > body.index('data-testid="default-badge"') > body.index("LAX1 centre")
    assert "CA&nbsp;1, US&nbsp;2" in body
    assert "<form" not in body.split('data-testid="allocation-rule"')[1]  # read-only for customers
    assert 'href="/settings/"' in client.get(reverse("accounts:api-keys")).content.decode()


def test_settings_page_explains_a_missing_default_and_an_empty_plan(client, user_a):
    client.force_login(user_a)
    assert "No warehouses in your plan yet" in client.get(reverse("portal:settings")).content.decode()
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[make("NJ1"), make("LAX1")])
    body = client.get(reverse("portal:settings")).content.decode()
    assert "No default is marked in your plan, so LAX1 (the first by code) counts" in body


def test_settings_page_queries_do_not_grow_with_warehouses(client, user_a, django_assert_max_num_queries):
    client.force_login(user_a)
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[make("A1")])
    with django_assert_max_num_queries(12) as first:
        client.get(reverse("portal:settings"))
    more = [make(f"B{n}") for n in range(10)]
    for w in more:
        warehouse_zones_set(actor=None, warehouse=w, zones=[("US", 1), ("CA", 2)])
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=more)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("portal:settings"))


def test_settings_page_belongs_to_integration(client, user_a):
    client.force_login(user_a)
    body = client.get(reverse("portal:settings")).content.decode()
    assert body.count("nav-link active") == 1
    assert "Integration" in body.split("nav-link active", 1)[1].split("</a>", 1)[0]
    assert 'aria-current="page" href="/settings/"' in body
