"""eBay orders in by the poll, over real HTTP against the fake eBay: each order once however often
the window is polled, pages by offset, SKU-less lines by their listing, the access token renewed
when eBay refuses it and the call sent again, a refused refresh token → needs attention, and a
buyer's cancellation request holding the order until eBay resolves it."""

import datetime

import pytest

from apps.core.tenancy import customer_scope
from apps.integrations.choices import ConnectionStatus
from apps.integrations.ebay.adapter import EbayAdapter
from apps.integrations.ebay.auth import origins
from apps.integrations.ebay.client import EbayClient
from apps.integrations.models import Connection, OrderLink, SkuMapping
from apps.integrations.platforms import PlatformError
from apps.integrations.sync import connection_sync
from apps.orders.errors import OrderLocked
from apps.orders.models import Order
from apps.orders.services import order_submit

from .ebay_fixtures import fresh

pytestmark = pytest.mark.django_db(transaction=True)


def _sync(connection, **kwargs):
    with customer_scope(connection.customer):
        return connection_sync(connection=fresh(connection), **kwargs)


def _orders(connection):
    with customer_scope(connection.customer):
        return list(Order.objects.filter(source="ebay").order_by("external_ref"))


def test_two_polls_over_the_same_window_create_each_order_once(ebay_shop):
    connection, _products, fake = ebay_shop
    first = fake.add_order(sku="TEE", quantity=2)
    second = fake.add_order(lines=[{"sku": "TEE", "quantity": 1}, {"sku": "MUG", "quantity": 3}])
    fake.add_order(sku="MUG", status="FULFILLED")  # shipped already: not asked for
    fake.add_order(sku="TEE", created_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))  # before the start
    run = _sync(connection)
    assert (run.fetched, run.created, run.failed, run.error) == (3, 2, 0, "")
    with customer_scope(connection.customer):
        Connection.objects.filter(pk=connection.pk).update(sync_cursor="")  # the same window again
    again = _sync(connection)
    assert (again.fetched, again.created, again.error) == (3, 0, "")
    orders = _orders(connection)
    assert [o.external_ref for o in orders] == sorted([first["orderId"], second["orderId"]])
    mine = next(o for o in orders if o.external_ref == first["orderId"])
    assert (mine.status, mine.recipient_name, mine.city, mine.postal_code, mine.country) == (
        "confirming", "Jane Doe", "San Francisco", "94105", "US",
    )  # fmt: skip
    with customer_scope(connection.customer):
        assert [(line.product.sku, line.quantity) for line in mine.lines.select_related("product")] == [("TEE", 2)]
        assert OrderLink.objects.get(order=mine).buyer_ref == "buyer_jane"
    asked = [r for r in fake.requests if r["path"] == "/sell/fulfillment/v1/order"]
    assert asked and all(r["status"] == 200 for r in asked)


def test_pages_by_offset_and_a_line_without_sku_maps_by_its_listing(ebay_shop, monkeypatch):
    connection, _products, fake = ebay_shop
    monkeypatch.setattr("apps.integrations.ebay.adapter.PAGE_SIZE", 2)
    for _n in range(4):
        fake.add_order(sku="TEE")
    odd = fake.add_order(lines=[{"sku": "", "legacy_item_id": "110551234567", "legacy_variation_id": "4200001"}])
    run = _sync(connection)
    assert (run.fetched, run.created, run.failed) == (5, 5, 0)
    assert sum(1 for r in fake.requests if r["path"] == "/sell/fulfillment/v1/order") == 3  # 2 + 2 + 1
    held = next(o for o in _orders(connection) if o.external_ref == odd["orderId"])
    assert (held.status, held.abnormal_code) == ("abnormal", "UNKNOWN_SKU")
    with customer_scope(connection.customer):
        mapping = SkuMapping.objects.get(connection=connection, product=None)
    assert (mapping.platform_sku, mapping.variant_id) == ("", "4200001")


def test_an_expired_access_token_is_renewed_and_the_call_sent_again(ebay_shop):
    connection, _products, fake = ebay_shop
    fake.add_order(sku="TEE")
    fake.expire_tokens()  # eBay says 1001 although our clock says the token still has time
    run = _sync(connection)
    assert (run.created, run.error) == (1, "")
    assert fake.grants == ["refresh_token"]
    assert [r["status"] for r in fake.requests if r["path"] == "/sell/fulfillment/v1/order"] == [401, 200]
    renewed = fresh(connection)
    assert renewed.credentials()["access_token"] != "" and renewed.status == ConnectionStatus.ACTIVE


def test_a_token_about_to_lapse_is_renewed_before_the_call(ebay_shop):
    connection, _products, fake = ebay_shop
    with customer_scope(connection.customer):
        Connection.objects.filter(pk=connection.pk).update(
            token_expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
        )
    run = _sync(connection)
    assert run.error == "" and fake.grants == ["refresh_token"]
    assert [r["status"] for r in fake.requests if r["path"] == "/sell/fulfillment/v1/order"] == [200]
    assert fresh(connection).token_expires_at > datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)


def test_a_refused_refresh_token_makes_the_connection_need_attention(ebay_shop):
    connection, _products, fake = ebay_shop
    fake.expire_tokens()
    fake.revoke_refresh_tokens()
    run = _sync(connection)
    assert "reconnect the eBay account" in run.error
    after = fresh(connection)
    assert after.status == ConnectionStatus.NEEDS_ATTENTION
    assert "eBay refused the seller's authorization" in after.status_reason


def test_throttling_is_waited_out_with_retry_after(fake_ebay):
    token, _refresh = fake_ebay.token_issue()
    fake_ebay.add_order()
    fake_ebay.throttle_next(2, retry_after=1.5)
    waits = []
    with EbayClient(origins=origins(api_base=fake_ebay.url), access_token=token, sleep=waits.append) as client:
        page = client.orders(filter="orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}")
    assert (page.total, waits) == (1, [1.5, 1.5])
    fake_ebay.fail_next(10)
    client = EbayClient(origins=origins(api_base=fake_ebay.url), access_token=token, sleep=waits.append)
    with client, pytest.raises(PlatformError) as refused:
        client.orders(filter="")
    assert refused.value.retryable and refused.value.status == 500


def test_a_buyer_cancellation_request_holds_the_order_until_ebay_resolves_it(ebay_shop, user_a):
    connection, _products, fake = ebay_shop
    kept = fake.add_order(sku="TEE")
    gone = fake.add_order(sku="MUG")
    _sync(connection)
    fake.buyer_cancel_request(kept["orderId"])
    fake.buyer_cancel_request(gone["orderId"])
    _sync(connection)
    by_ref = {o.external_ref: o for o in _orders(connection)}
    for order in by_ref.values():
        assert (order.status, order.abnormal_code) == ("abnormal", "BUYER_CANCEL_REQUESTED")
        assert "asked eBay to cancel" in order.abnormal_message
    assert any(r["path"] == f"/sell/fulfillment/v1/order/{kept['orderId']}" for r in fake.requests)  # getOrder
    with customer_scope(connection.customer), pytest.raises(OrderLocked, match="is on hold: The buyer asked eBay"):
        order_submit(actor=user_a, order=by_ref[kept["orderId"]])  # only eBay's answer lifts the hold
    fake.buyer_cancel_request(kept["orderId"], state="REJECTED")
    fake.buyer_cancel_request(gone["orderId"], state="COMPLETED")
    _sync(connection)
    by_ref = {o.external_ref: o for o in _orders(connection)}
    assert (by_ref[kept["orderId"]].status, by_ref[kept["orderId"]].abnormal_code) == ("confirming", "")
    assert by_ref[gone["orderId"]].status == "cancelled"


def test_an_order_with_an_open_request_arrives_held(ebay_shop):
    connection, _products, fake = ebay_shop
    order = fake.add_order(sku="TEE")
    fake.buyer_cancel_request(order["orderId"])
    run = _sync(connection)
    assert run.created == 1
    (held,) = _orders(connection)
    assert (held.status, held.abnormal_code) == ("abnormal", "BUYER_CANCEL_REQUESTED")


def test_the_adapter_warns_when_the_authorization_runs_out_soon(ebay_shop):
    connection, _products, _fake = ebay_shop
    with customer_scope(connection.customer):
        Connection.objects.filter(pk=connection.pk).update(
            refresh_token_expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=10)
        )
    run = _sync(connection)
    assert run.error == ""
    assert "reconnect the eBay account before then" in fresh(connection).health_note
    assert EbayAdapter(fresh(connection)).poll_checks().startswith("The eBay authorization runs out on")
