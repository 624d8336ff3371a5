"""Stock out to the fake WooCommerce over real HTTP: turning it on sets every mapped item's stock
quantity — a simple product's own, a variation's through its parent — once where each sits was
found; a stock change sends only that item, a second run nothing; an item the store does not
have is reported and the others still go; the Shops card's switch works for WooCommerce too."""

import pytest
from django.urls import reverse

from apps.core.tenancy import customer_scope
from apps.integrations.models import Connection, SkuMapping
from apps.integrations.stock_out import stock_push, stock_sync_enable
from apps.inventory.services import stock_adjust, stock_receive

from .woo import fresh

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stocked(woo, user_a):
    """TEE a simple product of the store, MUG a variation of a variable one; 7 TEE and 3 MUG on hand."""
    connection, fake, products = woo
    tee = fake.add_product("TEE")
    mug_parent = fake.add_product("MUG-PARENT", variations=["MUG"])
    mug = mug_parent["variations"][0]
    warehouse = connection.default_warehouse
    with customer_scope(connection.customer):
        SkuMapping.objects.create(
            connection=connection, platform_sku="TEE", variant_id=str(tee["id"]), product=products["TEE"]
        )
        SkuMapping.objects.create(
            connection=connection, platform_sku="MUG", variant_id=str(mug), product=products["MUG"]
        )
        stock_receive(actor=user_a, product=products["TEE"], warehouse=warehouse, quantity=7)
        stock_receive(actor=user_a, product=products["MUG"], warehouse=warehouse, quantity=3)
    return connection, fake, products, (tee["id"], mug_parent["id"], mug)


def test_turning_it_on_sets_each_items_stock_quantity_and_a_change_sends_only_that(stocked, user_a):
    connection, fake, products, (tee, parent, mug) = stocked
    with customer_scope(connection.customer):
        stock_sync_enable(actor=user_a, connection=connection)  # the outbox runs the full push
    assert (fake.stock_of("TEE"), fake.stock_of("MUG")) == (7, 3)
    assert fake.products[tee]["manage_stock"] is True and fake.variations[mug]["manage_stock"] is True
    with customer_scope(connection.customer):
        where = dict(SkuMapping.objects.values_list("platform_sku", "inventory_item_id"))
    assert where == {"TEE": str(tee), "MUG": f"{parent}/{mug}"}
    calls = len(fake.stock_calls)
    with customer_scope(connection.customer):
        stock_adjust(actor=user_a, product=products["MUG"], warehouse=connection.default_warehouse, quantity=-1,
                     reason="count")  # fmt: skip
        result = stock_push(connection=fresh(connection))
        again = stock_push(connection=fresh(connection))
    assert (result.sent, result.calls, fake.stock_of("MUG")) == (1, 1, 2)
    assert fake.stock_calls[calls] == [{"id": mug, "manage_stock": True, "stock_quantity": 2}]
    assert (again.sent, again.calls) == (0, 0)


def test_an_item_the_store_does_not_have_is_reported_and_the_rest_goes(stocked, user_a):
    connection, fake, products, _ids = stocked
    with customer_scope(connection.customer):
        SkuMapping.objects.create(
            connection=connection, platform_sku="GONE", variant_id="999999", product=products["TEE"]
        )
        Connection.objects.filter(pk=connection.pk).update(stock_sync=True, stock_location_id="store")
        result = stock_push(connection=fresh(connection), full=True)
    assert (result.sent, result.skipped) == (2, 1)
    assert "GONE: the store has no such product or variation" in fresh(connection).stock_error


def test_the_cards_switch_turns_it_on_for_woocommerce(stocked, client, user_a):
    connection, fake, _products, _ids = stocked
    client.force_login(user_a)
    page = client.post(reverse("integrations:connection-stock", args=[connection.pk]), {"enable": "1"}, follow=True)
    text = page.content.decode()
    assert "Stock to WooCommerce" in text and "go to the store (each product" in text
    assert fake.stock_of("TEE") == 7
