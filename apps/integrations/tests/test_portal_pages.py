"""The portal's Integration › Shops pages: a connection's card with its health, Sync now against
the local fake Shopify over real HTTP, pause and resume, the event log with personal data masked,
mapping an unmapped SKU imports the order that waited for it, and another customer sees none of it."""

import datetime

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.documents.models import Job
from apps.integrations.choices import ConnectionStatus
from apps.integrations.models import Connection, PlatformEvent, SkuMapping
from apps.integrations.shopify.fake_server import FakeShopify
from apps.orders.models import Order

from .conftest import TOKEN, body_of, shopify_order_payload, signed

pytestmark = pytest.mark.django_db(transaction=True)


def deliver(client, connection, payload, **kwargs):
    body = body_of(payload)
    url = reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk})
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed(body, **kwargs).items()}
    headers["content_type"] = headers.pop("HTTP_CONTENT_TYPE")
    return client.post(url, data=body, **headers)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _status(connection):
    with customer_scope(connection.customer):
        return Connection.objects.get(pk=connection.pk).status


def test_the_shops_page_shows_the_connection_and_its_health(client, shop, user_a):
    connection, _ = shop
    deliver(client, connection, shopify_order_payload())
    client.force_login(user_a)
    page = client.get(reverse("integrations:shops"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "demo-store.myshopify.com" in text and connection.display_name in text
    assert "Active" in text and "LAX1" in text
    card = page.context["cards"][0]
    assert card.imported_today == 1
    assert card.last_event.topic == "orders/create"
    webhook = "http://testserver" + reverse("integrations:shopify-webhook", args=[connection.pk])
    assert webhook in text  # the absolute URL to paste on Shopify
    assert "orders/create" in text and "not polled yet" in text


def test_no_connection_shows_how_to_connect(client, user_a):
    client.force_login(user_a)
    text = client.get(reverse("integrations:shops")).content.decode()
    assert "No shop connected yet" in text and "integration_connect" in text


def test_sync_now_imports_the_fakes_orders_and_says_so(client, shop, user_a):
    connection, _ = shop
    with FakeShopify(token=TOKEN, domain=connection.shop_domain) as fake:
        fake.clock = timezone.now() - datetime.timedelta(minutes=30)
        with customer_scope(connection.customer):
            Connection.objects.filter(pk=connection.pk).update(
                api_base=fake.api_base, import_since=timezone.localdate() - datetime.timedelta(days=1)
            )
        fake.add_order(sku="TEE", quantity=2)
        fake.add_order(sku="MUG", fulfillment_status="FULFILLED")
        client.force_login(user_a)
        response = client.post(reverse("integrations:connection-sync", args=[connection.pk]), follow=True)
    assert "Synced demo-store: Fetched 2, created 1, updated 0, skipped 1, failed 0." in messages_of(response)
    with customer_scope(connection.customer):
        assert list(Order.objects.values_list("status", flat=True)) == ["confirming"]
    card = response.context["cards"][0]
    assert (card.last_run.fetched, card.last_run.created) == (2, 1)
    assert card.imported_today == 1
    with customer_scope(connection.customer):  # the poll ran as a job: the download centre lists it
        job = Job.objects.get(kind="integrations.sync")
    assert (job.status, job.result["created"], job.result["sync_run"]) == ("done", 1, card.last_run.pk)
    assert job.message.startswith("Synced demo-store: Fetched 2")
    assert client.get(reverse("documents:job", args=[job.pk])).status_code == 200


def test_sync_now_says_why_when_the_shop_refuses(client, shop, user_a):
    connection, _ = shop
    with FakeShopify(token="another-token", domain=connection.shop_domain) as fake:
        with customer_scope(connection.customer):
            Connection.objects.filter(pk=connection.pk).update(api_base=fake.api_base)
        client.force_login(user_a)
        response = client.post(reverse("integrations:connection-sync", args=[connection.pk]), follow=True)
    said = messages_of(response)[0]
    assert said.startswith("Sync of demo-store stopped:")
    assert _status(connection) == ConnectionStatus.NEEDS_ATTENTION


def test_pause_stops_sync_now_keeps_webhooks_and_resume_restarts(client, shop, user_a):
    connection, _ = shop
    client.force_login(user_a)
    response = client.post(reverse("integrations:connection-pause", args=[connection.pk]), follow=True)
    assert "is paused" in messages_of(response)[0]
    assert _status(connection) == ConnectionStatus.PAUSED
    assert f"Paused by {user_a.email}" in response.content.decode()
    refused = client.post(reverse("integrations:connection-sync", args=[connection.pk]), follow=True)
    assert "resume it before syncing" in messages_of(refused)[0]
    assert deliver(client, connection, shopify_order_payload()).status_code == 200
    with customer_scope(connection.customer):
        assert PlatformEvent.objects.filter(connection=connection).count() == 1
    client.post(reverse("integrations:connection-resume", args=[connection.pk]))
    assert _status(connection) == ConnectionStatus.ACTIVE
    again = client.post(reverse("integrations:connection-resume", args=[connection.pk]), follow=True)
    assert "Only a paused connection can be resumed." in messages_of(again)


def test_the_event_log_masks_personal_data(client, shop, user_a):
    connection, _ = shop
    payload = shopify_order_payload(
        billing_address={"address1": "9 Billing Rd", "phone": "+1 212-555-0199"},
        customer={"email": "jane.private@example.com", "first_name": "Jane"},
    )
    deliver(client, connection, payload)
    client.force_login(user_a)
    page = client.get(reverse("integrations:connection-events", args=[connection.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "orders/create" in text and "created order" in text
    for personal in ("500 Market St", "jane@example.com", "415-555-0142", "9 Billing Rd", "jane.private", "Doe"):
        assert personal not in text, personal
    assert "•••" in text and "#1001" in text  # the order's name and lines stay readable
    assert "TEE" in text


def test_the_event_log_pages_newest_first(client, shop, user_a):
    connection, _ = shop
    for n in range(27):
        deliver(client, connection, shopify_order_payload(id=5_600_000_000 + n, name=f"#{2000 + n}"), topic="x/y")
    client.force_login(user_a)
    first = client.get(reverse("integrations:connection-events", args=[connection.pk]))
    rows = first.context["page"].rows
    assert len(rows) == 25 and rows[0].received_at >= rows[-1].received_at
    older = client.get(reverse("integrations:connection-events", args=[connection.pk]), {"after": rows[-1].id})
    assert len(older.context["page"].rows) == 2


def test_mapping_an_unmapped_sku_gives_the_waiting_order_its_line(client, shop, user_a):
    connection, _ = shop
    payload = shopify_order_payload(line_items=[{"id": 1, "sku": "SHOP-HAT", "variant_id": 7, "quantity": 1}])
    deliver(client, connection, payload)
    with customer_scope(connection.customer):
        order = Order.objects.get()
        assert order.status == "abnormal"
        mapping = SkuMapping.objects.get(platform_sku="SHOP-HAT")
        product_create(actor=user_a, data={"sku": "HAT", "name": "Hat", "declared_value": "4", "weight_g": 100})
    client.force_login(user_a)
    detail = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert reverse("integrations:connection-events", args=[connection.pk]) + "#sku-mapping" in detail
    assert "Map this item" in detail
    page = client.get(reverse("integrations:connection-events", args=[connection.pk]))
    assert page.context["mappings"][0].pk == mapping.pk  # unmapped first
    assert page.context["mappings"][0].waiting == 1
    url = reverse("integrations:sku-map", args=[connection.pk, mapping.pk])
    nonsense = client.post(url, {"product": "NOPE"}, follow=True)
    assert "NOPE is none of your products' SKUs or UPCs." in messages_of(nonsense)
    response = client.post(url, {"product": "hat"}, follow=True)
    said = "SHOP-HAT is mapped to HAT. 1 waiting order(s) got the item and are back in Confirming."
    assert said in messages_of(response)
    with customer_scope(connection.customer):
        order = Order.objects.get()
        assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [("HAT", 1)]
        assert order.status == "confirming"


def test_another_customer_gets_404_on_the_connections_pages(client, shop, user_b):
    connection, _ = shop
    with customer_scope(connection.customer):
        mapping = SkuMapping.objects.create(connection=connection, platform_sku="X")
    client.force_login(user_b)
    assert connection.display_name not in client.get(reverse("integrations:shops")).content.decode()
    assert client.get(reverse("integrations:connection-events", args=[connection.pk])).status_code == 404
    for name in ("connection-sync", "connection-pause", "connection-resume"):
        assert client.post(reverse(f"integrations:{name}", args=[connection.pk])).status_code == 404
    assert (
        client.post(reverse("integrations:sku-map", args=[connection.pk, mapping.pk]), {"product": "TEE"}).status_code
        == 404
    )
    assert _status(connection) == ConnectionStatus.ACTIVE


def _queries_for_events_page(client, connection):
    with CaptureQueriesContext(db) as captured:
        assert client.get(reverse("integrations:connection-events", args=[connection.pk])).status_code == 200
    return len(captured)


def test_the_event_log_costs_the_same_queries_however_many_events(client, shop, user_a):
    connection, _ = shop
    client.force_login(user_a)
    deliver(client, connection, shopify_order_payload(), topic="x/y")
    few = _queries_for_events_page(client, connection)
    for n in range(30):
        deliver(client, connection, shopify_order_payload(id=5_700_000_000 + n), topic="x/y")
    with customer_scope(connection.customer):
        for n in range(5):
            SkuMapping.objects.create(connection=connection, platform_sku=f"S{n}")
    assert _queries_for_events_page(client, connection) == few


def test_the_shops_page_costs_the_same_queries_however_many_shops(client, shop, user_a):
    from apps.integrations.services import connection_create

    connection, _products = shop
    client.force_login(user_a)
    deliver(client, connection, shopify_order_payload())

    def queries():
        with CaptureQueriesContext(db) as captured:
            assert client.get(reverse("integrations:shops")).status_code == 200
        return len(captured)

    one = queries()
    with customer_scope(connection.customer):
        for n in range(3):
            connection_create(
                actor=user_a, platform="shopify", shop_domain=f"more-{n}.myshopify.com", webhook_secret=f"s{n}"
            )
    assert queries() == one


def test_sync_now_of_a_connection_without_a_token_says_so_and_finishes_the_run(client, shop, user_a):
    from apps.integrations.models import SyncRun

    connection, _ = shop
    with customer_scope(connection.customer):
        connection.set_credentials({"access_token": ""})
        connection.save(update_fields=["credentials_encrypted"])
    client.force_login(user_a)
    response = client.post(reverse("integrations:connection-sync", args=[connection.pk]), follow=True)
    assert response.status_code == 200
    assert messages_of(response)[0].startswith("Sync of demo-store stopped:")
    with customer_scope(connection.customer):
        run = SyncRun.objects.get()
        assert run.finished_at is not None and run.error
