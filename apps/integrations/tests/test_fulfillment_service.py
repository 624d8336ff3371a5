"""Fulfillment-service mode against the local fake Shopify over real HTTP: one service per
warehouse (idempotent), requested fulfillment orders accepted or rejected with Shopify's reasons,
cancellation requests before and after packing, the signed callback, tracking against our
fulfillment order, and connecting in this mode from the portal."""

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.billing.services import credit
from apps.core.tenancy import customer_scope
from apps.integrations.choices import ConnectionMode
from apps.integrations.fulfillment_service import fulfillment_requests_process, fulfillment_services_register
from apps.integrations.models import Connection, FulfillmentService, OrderLink, SkuMapping, SyncRun
from apps.integrations.shopify.fake_server import FakeShopify
from apps.integrations.shopify.fulfillment_service import NOTIFICATION_PATH
from apps.integrations.tracking_out import tracking_send
from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.orders.tests.conftest import priced_channel
from apps.shipping.models import Carrier
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

from .conftest import SECRET, TOKEN

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fs(shop, live_server):
    """(connection in fulfillment-service mode on the fake, the fake, the callback URL, products)
    for customer A, whose plan has LAX1 and SFO1."""
    connection, products = shop
    sfo = Warehouse.objects.create(
        code="SFO1",
        name="San Francisco",
        address1="2 Pier",
        city="Oakland",
        state="CA",
        postal_code="94607",
        country="US",
    )
    customer_warehouses_set(actor=None, customer=connection.customer, warehouses=[connection.default_warehouse, sfo])
    with FakeShopify(token=TOKEN, domain=connection.shop_domain) as fake:
        with customer_scope(connection.customer):
            Connection.objects.filter(pk=connection.pk).update(
                api_base=fake.api_base, mode=ConnectionMode.FULFILLMENT_SERVICE
            )
            connection.refresh_from_db()
        path = reverse("integrations:shopify-fulfillment-notification", args=[connection.pk])
        callback = live_server.url + path.removesuffix(NOTIFICATION_PATH)
        yield connection, fake, callback, products


def registered(connection, fake, callback) -> dict[str, FulfillmentService]:
    with customer_scope(connection.customer):
        fulfillment_services_register(connection=connection, callback_url=callback)
        return {s.warehouse.code: s for s in FulfillmentService.objects.filter(connection=connection)}


def process(connection):
    with customer_scope(connection.customer):
        return fulfillment_requests_process(connection=connection)


def our_order(connection, shop_order) -> Order:
    with customer_scope(connection.customer):
        return Order.objects.get(external_ref=shop_order["name"])


def test_register_makes_one_service_per_warehouse_once(fs):
    connection, fake, callback, _ = fs
    services = registered(connection, fake, callback)
    assert sorted(services) == ["LAX1", "SFO1"]
    assert sorted(s["serviceName"] for s in fake.services.values()) == ["Fulfillment Hub LAX1", "Fulfillment Hub SFO1"]
    assert {s["callbackUrl"] for s in fake.services.values()} == {callback}
    assert services["LAX1"].location_id == fake.services[services["LAX1"].service_id]["location"]["id"]
    with customer_scope(connection.customer):
        again = fulfillment_services_register(connection=connection, callback_url=callback)
        assert again.created == [] and again.existing == 2
        # Our rows lost: the services on the shop are adopted by name, not created twice.
        FulfillmentService.objects.filter(connection=connection).delete()
        adopted = fulfillment_services_register(connection=connection, callback_url=callback)
    assert len(adopted.created) == 2 and len(fake.services) == 2


def test_a_requested_fulfillment_order_is_accepted_as_one_confirming_order(fs):
    connection, fake, callback, _ = fs
    services = registered(connection, fake, callback)
    shop_order = fake.add_order(sku="TEE", quantity=2)
    fo = fake.request_fulfillment(shop_order, services["SFO1"].location_id)
    counts = process(connection)
    assert (counts.fetched, counts.accepted, counts.rejected, counts.failed) == (1, 1, 0, 0)
    assert fo["requestStatus"] == "ACCEPTED" and fo["status"] == "IN_PROGRESS"
    order = our_order(connection, shop_order)
    assert order.status == OrderStatus.CONFIRMING and order.warehouse.code == "SFO1"  # the location's warehouse
    connection.refresh_from_db()
    assert connection.default_warehouse.code == "LAX1"  # the connection itself is not changed
    assert order.number in fo["answers"][0]["message"]
    with customer_scope(connection.customer):
        assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [("TEE", 2)]
        link = OrderLink.objects.get(order=order)
    assert (link.platform_order_id, link.fulfillment_order_id) == (str(shop_order["number"]), fo["id"])
    again = process(connection)  # accepted ones are no longer requested: nothing is imported twice
    assert (again.fetched, again.accepted) == (0, 0)
    with customer_scope(connection.customer):
        assert Order.objects.count() == 1
        first, second = SyncRun.objects.filter(connection=connection).order_by("pk")  # shown on the card
    assert (first.fetched, first.created, first.failed, second.fetched) == (1, 1, 0, 0)
    assert order.number in first.notes[0]["why"]


def test_an_unknown_sku_is_rejected_invalid_sku_and_the_held_order_cancelled(fs):
    connection, fake, callback, _ = fs
    services = registered(connection, fake, callback)
    shop_order = fake.add_order(sku="NOPE-1", quantity=1)
    fo = fake.request_fulfillment(shop_order, services["LAX1"].location_id)
    counts = process(connection)
    assert (counts.accepted, counts.rejected) == (0, 1)
    assert fo["requestStatus"] == "REJECTED"
    [answer] = fo["answers"]
    assert answer["reason"] == "INVALID_SKU" and "NOPE-1" in answer["message"]
    order = our_order(connection, shop_order)
    assert order.status == OrderStatus.CANCELLED
    with customer_scope(connection.customer):
        said = [event.message for event in order.events.order_by("pk")]
        assert "waiting" in said[0] and "NOPE-1" in said[0]  # it came in Abnormal (UNKNOWN_SKU)…
        assert "rejected on Shopify (INVALID_SKU)" in said[-1]  # …and was cancelled with the rejection
        assert SkuMapping.objects.get(platform_sku="NOPE-1").product is None  # the item waits to be mapped


BAD_ADDRESSES = {
    # The intake takes it, in Abnormal INVALID_ADDRESS: a postal code that is none of the US's.
    "postal code": ({"address1": "1 Main St", "city": "Springfield", "zip": "ABCDE", "province": "IL"}, "Postal code"),
    # Confirming would take it, unfinished; a request we accept must be shippable.
    "no street": ({"address1": "", "city": "", "zip": "62701", "province": "IL"}, "Address line 1 is required"),
}


@pytest.mark.parametrize("case", BAD_ADDRESSES)
def test_a_bad_address_is_rejected_incorrect_address(fs, case):
    connection, fake, callback, _ = fs
    services = registered(connection, fake, callback)
    address, words = BAD_ADDRESSES[case]
    address = {"firstName": "Jo", "lastName": "Doe", "countryCodeV2": "US", **address}
    shop_order = fake.add_order(sku="MUG", shipping_address=address)
    fo = fake.request_fulfillment(shop_order, services["LAX1"].location_id)
    process(connection)
    [answer] = fo["answers"]
    assert (fo["requestStatus"], answer["reason"]) == ("REJECTED", "INCORRECT_ADDRESS")
    assert words in answer["message"]  # the sentence, for the merchant
    assert our_order(connection, shop_order).status == OrderStatus.CANCELLED


def accepted(connection, fake, callback, sku="TEE"):
    services = registered(connection, fake, callback)
    shop_order = fake.add_order(sku=sku, quantity=1)
    fo = fake.request_fulfillment(shop_order, services["LAX1"].location_id)
    process(connection)
    assert fo["requestStatus"] == "ACCEPTED"
    return shop_order, fo


def test_a_cancellation_request_before_packing_cancels_here_and_is_accepted(fs):
    connection, fake, callback, _ = fs
    shop_order, fo = accepted(connection, fake, callback)
    fake.request_cancellation(fo["id"])
    counts = process(connection)
    assert (counts.cancelled, counts.cancellations_rejected) == (1, 0)
    assert fo["requestStatus"] == "CANCELLATION_ACCEPTED"
    assert our_order(connection, shop_order).status == OrderStatus.CANCELLED


def test_a_cancellation_request_after_packing_is_rejected_with_the_reason(fs):
    connection, fake, callback, _ = fs
    shop_order, fo = accepted(connection, fake, callback)
    order = our_order(connection, shop_order)
    with customer_scope(connection.customer):  # the warehouse packed it (state set up directly)
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING_SHIPMENT, packed_at=timezone.now())
    fake.request_cancellation(fo["id"])
    counts = process(connection)
    assert (counts.cancelled, counts.cancellations_rejected) == (0, 1)
    assert fo["requestStatus"] == "CANCELLATION_REJECTED"
    assert "packed" in fo["answers"][-1]["message"]
    assert our_order(connection, shop_order).status == OrderStatus.PENDING_SHIPMENT


def test_the_callback_with_a_forged_signature_is_401_and_does_nothing(fs):
    connection, fake, callback, _ = fs
    services = registered(connection, fake, callback)
    fo = fake.request_fulfillment(fake.add_order(sku="TEE"), services["LAX1"].location_id)
    response = fake.send_fulfillment_notification(services["LAX1"].service_id, secret=SECRET, hmac="Zm9yZ2Vk")
    assert response.status_code == 401
    response = fake.send_fulfillment_notification(services["LAX1"].service_id, secret="another-apps-secret")
    assert response.status_code == 401
    assert fo["requestStatus"] == "SUBMITTED"
    with customer_scope(connection.customer):
        assert not Order.objects.exists()
    unknown = callback.rsplit("/", 1)[0] + f"/{connection.pk + 999}{NOTIFICATION_PATH}"
    assert httpx.post(unknown, content=b'{"kind":"FULFILLMENT_REQUEST"}', timeout=30).status_code == 404


def test_the_signed_callback_processes_the_requests(fs):
    connection, fake, callback, _ = fs
    services = registered(connection, fake, callback)
    shop_order = fake.add_order(sku="MUG", quantity=3)
    fo = fake.request_fulfillment(shop_order, services["LAX1"].location_id)
    response = fake.send_fulfillment_notification(services["LAX1"].service_id, secret=SECRET)
    assert response.status_code == 200
    assert response.json() == {"status": "queued", "kind": "FULFILLMENT_REQUEST"}
    assert fake.notifications[-1]["url"] == callback + NOTIFICATION_PATH
    assert fo["requestStatus"] == "ACCEPTED"  # the task ran (eagerly, after the commit)
    assert our_order(connection, shop_order).status == OrderStatus.CONFIRMING


def test_tracking_goes_out_against_the_fulfillment_order_we_accepted(fs):
    connection, fake, callback, _ = fs
    shop_order, fo = accepted(connection, fake, callback)
    merchants = fake.orders[shop_order["number"]]["fulfillmentOrders"][0]
    assert merchants["id"] != fo["id"] and merchants["status"] == "OPEN"  # listed first, not ours
    order = our_order(connection, shop_order)
    with customer_scope(connection.customer):
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED, tracking_number="1Z999")
        assert tracking_send(order_id=order.pk) == "sent"
    assert fake.fulfillments[-1]["fulfillment_order_ids"] == [fo["id"]]
    assert merchants["status"] == "OPEN"


def test_connecting_in_fulfillment_service_mode_registers_the_warehouses(client, settings, shop, user_a):
    settings.INTEGRATION_ALLOW_API_BASE = True
    with FakeShopify(domain="fs-store.myshopify.com") as fake:
        client.force_login(user_a)
        form = {
            "shop_domain": fake.domain,
            "import_since": "2026-11-01",
            "client_secret": "shpss_app_secret",
            "auth": "token",
            "access_token": fake.token,
            "api_base": fake.api_base,
            "mode": ConnectionMode.FULFILLMENT_SERVICE,
        }
        response = client.post(reverse("integrations:connect-shopify"), form, follow=True)
        said = [str(m) for m in response.context["messages"]]
        assert any("1 warehouse(s) registered on Shopify" in m for m in said), said
        with customer_scope(user_a.customer):
            connection = Connection.objects.get(shop_domain=fake.domain)
            assert connection.mode == ConnectionMode.FULFILLMENT_SERVICE
            [service] = FulfillmentService.objects.filter(connection=connection)
        assert [s["topic"] for s in fake.subscriptions.values()] == ["APP_UNINSTALLED"]  # no order webhooks
        [on_shop] = fake.services.values()
        assert on_shop["callbackUrl"] == f"http://testserver/integrations/shopify/{connection.pk}"
        assert service.location_id == on_shop["location"]["id"]
        page = client.get(reverse("integrations:shops")).content.decode()
        assert "Fulfillment Hub LAX1" in page and "Register warehouses" in page
        response = client.post(reverse("integrations:connection-register", args=[connection.pk]), follow=True)
        assert "registered on fs-store.myshopify.com already" in [str(m) for m in response.context["messages"]][0]


def submitting(connection):
    with customer_scope(connection.customer):
        Connection.objects.filter(pk=connection.pk).update(submit_automatically=True)
        connection.refresh_from_db()


def test_submitted_at_once_without_stock_is_rejected_out_of_stock(fs):
    connection, fake, callback, _ = fs
    submitting(connection)
    priced_channel(connection.default_warehouse, "ups-ground", "UPS Ground", Carrier.objects.create(code="ups"), "6")
    with customer_scope(connection.customer):
        credit(customer=connection.customer, amount="100.00", idempotency_key="fs-test-topup")
    services = registered(connection, fake, callback)
    shop_order = fake.add_order(sku="TEE", quantity=5)  # none in stock
    fo = fake.request_fulfillment(shop_order, services["LAX1"].location_id)
    counts = process(connection)
    assert (counts.accepted, counts.rejected) == (0, 1)
    [answer] = fo["answers"]
    assert (fo["requestStatus"], answer["reason"]) == ("REJECTED", "INVENTORY_OUT_OF_STOCK")
    assert "TEE" in answer["message"]
    assert our_order(connection, shop_order).status == OrderStatus.CANCELLED  # never shipped by surprise later


def test_an_order_abnormal_for_the_sellers_account_here_waits_unanswered(fs):
    connection, fake, callback, _ = fs
    submitting(connection)  # no shipping channel is set up: Abnormal NO_CHANNEL, fixable here
    services = registered(connection, fake, callback)
    shop_order = fake.add_order(sku="TEE", quantity=1)
    fo = fake.request_fulfillment(shop_order, services["LAX1"].location_id)
    counts = process(connection)
    assert (counts.accepted, counts.rejected, counts.waiting) == (0, 0, 1)
    assert fo["requestStatus"] == "SUBMITTED" and fo["answers"] == []
    order = our_order(connection, shop_order)
    assert (order.status, order.abnormal_code) == (OrderStatus.ABNORMAL, "NO_CHANNEL")
    assert process(connection).waiting == 1  # asked again, still one order, still waiting
    with customer_scope(connection.customer):
        assert Order.objects.count() == 1


def test_disconnecting_removes_our_services_and_keeps_their_locations(fs, client, user_a):
    connection, fake, callback, _ = fs
    services = registered(connection, fake, callback)
    client.force_login(user_a)
    url = reverse("integrations:connection-disconnect", args=[connection.pk])
    response = client.post(url, {"confirm": connection.shop_domain}, follow=True)
    said = str(list(response.context["messages"])[0])
    assert "2 fulfillment service(s) were removed" in said
    assert fake.services == {}
    assert sorted(d["id"] for d in fake.deleted_services) == sorted(s.service_id for s in services.values())
    assert {d["inventoryAction"] for d in fake.deleted_services} == {"KEEP"}
    with customer_scope(connection.customer):
        assert not FulfillmentService.objects.filter(connection=connection).exists()
