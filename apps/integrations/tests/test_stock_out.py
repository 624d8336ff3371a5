"""Stock out against the fake Shopify over real HTTP: turning it on finds the location and sets
every mapped SKU (0 for none on hand); a stock change sends only that SKU, once; more than 250
SKUs go in batches; a throttled call is waited out; a retried push is replayed by its idempotency
key, not applied twice; an item the shop refuses is reported and the others still go; a connection
that does not send stock sends nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.catalog.services import product_create
from apps.core.errors import ValidationFailed
from apps.core.tenancy import customer_scope
from apps.integrations.models import Connection, SkuMapping
from apps.integrations.services import connection_create
from apps.integrations.shopify.fake_server import FakeShopify
from apps.integrations.stock_out import stock_push, stock_push_due, stock_sync_disable, stock_sync_enable
from apps.integrations.tasks import stock_out
from apps.inventory.services import stock_adjust, stock_allocate, stock_receive
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

SECRET, TOKEN = "shpss_stock_test", "shpat_stock_test"

pytestmark = pytest.mark.django_db(transaction=True)


class Site:
    pass


@pytest.fixture
def site(customer_a, user_a):
    """Customer A with warehouse LAX1, products TEE (10 on hand, 2 allocated), MUG (3) and CAP
    (none), each mapped to a variant of the fake shop, and a connection to it."""
    warehouse = Warehouse.objects.create(
        code="LAX1",
        name="Los Angeles",
        address1="1 Dock Rd",
        city="Carson",
        state="CA",
        postal_code="90810",
        country="US",
    )
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[warehouse])
    with FakeShopify(token=TOKEN, domain="stock-store.myshopify.com") as fake:
        s = Site()
        s.fake, s.user, s.customer, s.warehouse = fake, user_a, customer_a, warehouse
        with customer_scope(customer_a):
            s.connection = connection_create(
                actor=user_a,
                platform="shopify",
                shop_domain=fake.domain,
                webhook_secret=SECRET,
                token=TOKEN,
                api_base=fake.api_base,
                default_warehouse=warehouse,
            )
            s.products = {sku: _product(user_a, sku) for sku in ("TEE", "MUG", "CAP")}
            for sku in s.products:
                _map(s, sku)
            stock_receive(actor=user_a, product=s.products["TEE"], warehouse=warehouse, quantity=10)
            stock_allocate(actor=user_a, product=s.products["TEE"], warehouse=warehouse, quantity=2)
            stock_receive(actor=user_a, product=s.products["MUG"], warehouse=warehouse, quantity=3)
            yield s


def _product(user, sku):
    return product_create(actor=user, data={"sku": sku, "name": sku.title(), "declared_value": "3", "weight_g": 100})


def _map(s, sku, product=None):
    variant = s.fake.add_variant(sku)
    return SkuMapping.objects.create(
        connection=s.connection, platform_sku=sku, variant_id=str(variant), product=product or s.products[sku]
    )


def _levels(s, *skus):
    return {sku: s.fake.available(sku) for sku in skus}


def test_turning_it_on_finds_the_location_and_sets_every_mapped_sku(site):
    connection = stock_sync_enable(actor=site.user, connection=site.connection)  # the outbox runs the full push
    assert connection.stock_location_id == "gid://shopify/Location/7001"
    assert _levels(site, "TEE", "MUG", "CAP") == {"TEE": 8, "MUG": 3, "CAP": 0}  # CAP: no balance row, sent as 0
    assert len(site.fake.inventory_calls) == 1
    connection.refresh_from_db()
    assert connection.stock_pushed_at is not None and connection.stock_error == ""
    with customer_scope(site.customer):
        assert sorted(SkuMapping.objects.values_list("platform_sku", "stock_sent")) == [
            ("CAP", 0),
            ("MUG", 3),
            ("TEE", 8),
        ]
        assert all(SkuMapping.objects.values_list("inventory_item_id", flat=True))


def test_a_stock_change_sends_only_that_sku_and_a_second_run_nothing(site):
    stock_sync_enable(actor=site.user, connection=site.connection)
    with customer_scope(site.customer):
        stock_adjust(
            actor=site.user, product=site.products["MUG"], warehouse=site.warehouse, quantity=-1, reason="count"
        )
        result = stock_push(connection=site.connection)
        assert (result.sent, result.calls) == (1, 1)  # TEE and CAP: looked at again (the look-back), unchanged
        assert site.fake.inventory_calls[-1]["quantities"] == [
            {
                "inventoryItemId": SkuMapping.objects.get(platform_sku="MUG").inventory_item_id,
                "locationId": "gid://shopify/Location/7001",
                "quantity": 2,
                "changeFromQuantity": None,
            }
        ]
        again = stock_push(connection=site.connection)
    assert (again.sent, again.calls) == (0, 0)
    assert len(site.fake.inventory_calls) == 2
    assert _levels(site, "TEE", "MUG", "CAP") == {"TEE": 8, "MUG": 2, "CAP": 0}


def test_an_inbound_receipt_is_pushed_by_the_beat_at_most_once_a_minute(site):
    stock_sync_enable(actor=site.user, connection=site.connection)
    with customer_scope(site.customer):
        stock_receive(actor=site.user, product=site.products["CAP"], warehouse=site.warehouse, quantity=5)
    assert stock_push_due() == [(site.connection.pk, site.customer.pk)]
    # The full push a moment ago counts: an incremental one waits for its minute.
    assert stock_out(connection_id=site.connection.pk, customer_id=site.customer.pk) == "not due"
    assert site.fake.available("CAP") == 0
    a_minute_on = timezone.now() - datetime.timedelta(seconds=61)  # as if the beat came a minute later
    Connection.objects.filter(pk=site.connection.pk).update(stock_pushed_at=a_minute_on)
    assert stock_out(connection_id=site.connection.pk, customer_id=site.customer.pk).startswith("sent 1,")
    assert site.fake.available("CAP") == 5
    assert stock_out(connection_id=site.connection.pk, customer_id=site.customer.pk) == "not due"


def test_more_than_250_skus_go_in_batches(site):
    with customer_scope(site.customer):
        for number in range(260):
            _map(site, f"BULK-{number:03d}", product=_product(site.user, f"BULK-{number:03d}"))
        stock_receive(actor=site.user, product=site.products["MUG"], warehouse=site.warehouse, quantity=1)
    stock_sync_enable(actor=site.user, connection=site.connection)
    assert [len(call["quantities"]) for call in site.fake.inventory_calls] == [250, 13]
    assert site.fake.available("BULK-259") == 0 and site.fake.available("MUG") == 4
    assert len({call["key"] for call in site.fake.inventory_calls}) == 2


def test_a_throttled_call_is_retried_after_its_wait(site):
    stock_sync_enable(actor=site.user, connection=site.connection)
    with customer_scope(site.customer):
        stock_adjust(
            actor=site.user, product=site.products["TEE"], warehouse=site.warehouse, quantity=4, reason="found"
        )
        site.fake.throttle_next(1, retry_after=0.2)
        result = stock_push(connection=site.connection)
    assert result.sent == 1 and result.error == ""
    assert [r["status"] for r in list(site.fake.requests)[-2:]] == [429, 200]
    assert site.fake.available("TEE") == 12


def test_a_retried_push_is_replayed_by_its_key_not_applied_twice(site):
    stock_sync_enable(actor=site.user, connection=site.connection)
    with customer_scope(site.customer):
        stock_adjust(
            actor=site.user, product=site.products["MUG"], warehouse=site.warehouse, quantity=2, reason="found"
        )
        before = Connection.objects.get(pk=site.connection.pk)
        assert stock_push(connection=site.connection).sent == 1
        # The answer was lost: our side never recorded it, so the same push runs again.
        SkuMapping.objects.filter(platform_sku="MUG").update(stock_sent=3)
        Connection.objects.filter(pk=site.connection.pk).update(
            stock_cursor=before.stock_cursor, stock_pushed_at=before.stock_pushed_at
        )
        assert stock_push(connection=site.connection).sent == 1
    assert site.fake.inventory_replays == 1
    assert len(site.fake.inventory_calls) == 2  # the full push and the first incremental one
    assert site.fake.available("MUG") == 5


def test_an_item_the_shop_refuses_is_reported_and_the_rest_still_go(site):
    with customer_scope(site.customer):
        lost = SkuMapping.objects.create(
            connection=site.connection, platform_sku="GONE", variant_id="999999", product=site.products["MUG"]
        )
        variant = site.fake.add_variant("HAT", stocked=False)  # not stocked at the shop's location
        hat = _product(site.user, "HAT")
        SkuMapping.objects.create(connection=site.connection, platform_sku="HAT", variant_id=str(variant), product=hat)
        stock_sync_enable(actor=site.user, connection=site.connection)
        connection = Connection.objects.get(pk=site.connection.pk)
        lost.refresh_from_db()
    assert _levels(site, "TEE", "MUG", "CAP", "HAT") == {"TEE": 8, "MUG": 3, "CAP": 0, "HAT": None}
    assert lost.inventory_item_id == "" and lost.stock_sent is None
    assert "not stocked at the location" in connection.stock_error and "no such variant" in connection.stock_error


def test_a_connection_that_does_not_send_stock_sends_nothing(site):
    with customer_scope(site.customer):
        stock_receive(actor=site.user, product=site.products["CAP"], warehouse=site.warehouse, quantity=5)
        assert stock_push(connection=site.connection, full=True).sent == 0
        stock_sync_enable(actor=site.user, connection=site.connection)
        stock_sync_disable(actor=site.user, connection=site.connection)
        stock_adjust(actor=site.user, product=site.products["CAP"], warehouse=site.warehouse, quantity=1, reason="x")
        assert stock_push(connection=site.connection, full=True).sent == 0
    assert stock_push_due() == []
    assert len(site.fake.inventory_calls) == 1 and site.fake.available("CAP") == 5


def test_a_shop_without_an_active_location_refuses_and_nothing_changes(site):
    site.fake.inventory_locations[0]["isActive"] = False
    with pytest.raises(ValidationFailed, match="no active location"):
        stock_sync_enable(actor=site.user, connection=site.connection)
    connection = Connection.objects.get(pk=site.connection.pk)
    assert not connection.stock_sync and connection.stock_location_id == ""
    assert site.fake.inventory_calls == []


def test_the_location_named_like_the_warehouse_is_chosen(site):
    site.fake.add_location("Los Angeles")
    connection = stock_sync_enable(actor=site.user, connection=site.connection)
    assert connection.stock_location_name == "Los Angeles"
    assert site.fake.available("MUG", connection.stock_location_id) == 3


def test_the_portal_switch_turns_it_on_and_off_and_shows_the_last_push(site, client):
    client.force_login(site.user)
    url = reverse("integrations:connection-stock", args=[site.connection.pk])
    page = client.post(url, {"enable": "1"}, follow=True)
    assert "go to the location Shop warehouse" in page.content.decode()
    assert "Last push" in page.content.decode() and site.fake.available("TEE") == 8
    page = client.post(url, {"enable": "0"}, follow=True)
    assert "no longer sent" in page.content.decode()
    assert not Connection.objects.get(pk=site.connection.pk).stock_sync


def test_the_fake_refuses_what_shopify_refuses(site):
    """The shapes the push relies on: no directive, over 250 quantities, a key reused for other input."""
    from apps.integrations.shopify.client import ShopifyClient, ShopifyError
    from apps.integrations.shopify.inventory import SET_QUANTITIES_MUTATION, Quantity, set_available

    item = site.fake.variants[f"gid://shopify/ProductVariant/{site.fake.add_variant('TOY')}"]["inventoryItem"]["id"]
    location = site.fake.inventory_locations[0]["id"]
    one = {"inventoryItemId": item, "locationId": location, "quantity": 1, "changeFromQuantity": None}
    with ShopifyClient(shop=site.fake.domain, access_token=TOKEN, api_base=site.fake.api_base) as client:
        bare = SET_QUANTITIES_MUTATION.replace(" @idempotent(key: $idempotencyKey)", "")
        with pytest.raises(ShopifyError, match="@idempotent"):
            client.execute(bare, {"input": {"name": "available", "reason": "correction", "quantities": [one]}})
        too_many = {"name": "available", "reason": "correction", "quantities": [one] * 251}
        with pytest.raises(ShopifyError) as refused:
            client.execute(SET_QUANTITIES_MUTATION, {"input": too_many, "idempotencyKey": "k-251"})
        assert refused.value.code == "MAX_INPUT_SIZE_EXCEEDED"
        first = set_available(client, location_id=location, quantities=[Quantity(item, 4)], key="k-1")
        assert first.errors == () and site.fake.available("TOY") == 4
        other = set_available(client, location_id=location, quantities=[Quantity(item, 9)], key="k-1")
        assert [e.code for e in other.errors] == ["IDEMPOTENCY_KEY_PARAMETER_MISMATCH"]
        assert set_available(client, location_id=location, quantities=[Quantity(item, 4)], key="k-1") == first
    assert site.fake.available("TOY") == 4 and site.fake.inventory_replays == 1


def test_a_push_the_shop_keeps_failing_keeps_the_cursor_and_the_next_one_sends(site):
    from apps.integrations.shopify.client import ShopifyClient

    stock_sync_enable(actor=site.user, connection=site.connection)
    cursor = Connection.objects.get(pk=site.connection.pk).stock_cursor
    stock_receive(actor=site.user, product=site.products["CAP"], warehouse=site.warehouse, quantity=7)
    site.fake.fail_next(5)  # every attempt of the client's five
    waits = []
    client = ShopifyClient(shop=site.fake.domain, access_token=TOKEN, api_base=site.fake.api_base, sleep=waits.append)
    with client:
        result = stock_push(connection=site.connection, client=client)
    assert (result.sent, result.errors) == (0, 1) and "500" in result.error and len(waits) == 4
    connection = Connection.objects.get(pk=site.connection.pk)
    assert connection.stock_cursor == cursor and "500" in connection.stock_error
    assert connection.status == "active"  # worth retrying: no person needed
    assert site.fake.available("CAP") == 0
    assert stock_push(connection=site.connection).sent == 1
    connection.refresh_from_db()
    assert connection.stock_cursor > cursor and connection.stock_error == ""
    assert site.fake.available("CAP") == 7


def test_a_refused_token_marks_the_connection_as_needing_attention(site):
    from apps.integrations.shopify.client import ShopifyClient

    stock_sync_enable(actor=site.user, connection=site.connection)
    stock_receive(actor=site.user, product=site.products["CAP"], warehouse=site.warehouse, quantity=1)
    with ShopifyClient(shop=site.fake.domain, access_token="shpat_revoked", api_base=site.fake.api_base) as client:
        result = stock_push(connection=site.connection, client=client)
    assert "refused the access token" in result.error
    connection = Connection.objects.get(pk=site.connection.pk)
    assert connection.status == "needs_attention" and stock_push_due() == []


def test_an_item_first_seen_on_an_order_gets_its_inventory_item_from_the_shop(site):
    shop_order = site.fake.add_order(sku="SOCK", quantity=1)
    variant = shop_order["lineItems"][0]["variant"]["id"].rsplit("/", 1)[-1]  # the webhooks' numeric id
    sock = _product(site.user, "SOCK")
    stock_receive(actor=site.user, product=sock, warehouse=site.warehouse, quantity=6)
    SkuMapping.objects.create(connection=site.connection, platform_sku="SOCK", variant_id=variant, product=sock)
    stock_sync_enable(actor=site.user, connection=site.connection)
    assert site.fake.available("SOCK") == 6
    assert SkuMapping.objects.get(platform_sku="SOCK").inventory_item_id == f"gid://shopify/InventoryItem/{variant}"
