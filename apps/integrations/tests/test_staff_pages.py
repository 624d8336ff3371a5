"""The back office's Shop connections pages: every customer's connections with their health in a
fixed number of queries, the XLSX export, a connection's events (personal data masked) and polls,
replaying a failed event once its cause is fixed (and refusing to replay one that was not failed),
pausing and resuming as the staff user, and who may open or post to them."""

import io

import openpyxl
import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.core.errors import ValidationFailed
from apps.core.models import OutboxMessage
from apps.core.tenancy import customer_scope
from apps.integrations.choices import ConnectionStatus, EventStatus
from apps.integrations.models import Connection, PlatformEvent, SyncRun
from apps.integrations.services import connection_create
from apps.integrations.sync_now import sync_now_start
from apps.orders.models import Order
from apps.warehouses.models import Warehouse
from apps.warehouses.services import customer_warehouses_set

from .conftest import SECRET, TOKEN, shopify_order_payload
from .test_portal_pages import deliver, messages_of

pytestmark = pytest.mark.django_db(transaction=True)

LIST = reverse("backoffice:integration-connection-list")


def detail_url(connection):
    return reverse("backoffice:integration-connection-detail", args=[connection.pk])


def replay_url(event):
    return reverse("backoffice:integration-event-replay", args=[event.connection_id, event.pk])


def _event(**filters) -> PlatformEvent:
    with scopes_disabled():
        return PlatformEvent.objects.get(**filters)


def _connection(pk) -> Connection:
    with scopes_disabled():
        return Connection.objects.get(pk=pk)


def _orders():
    with scopes_disabled():
        return list(Order.objects.order_by("id"))


@pytest.fixture
def staff(client, make_staff):
    client.force_login(make_staff("customer_service"))
    return client


def test_the_list_shows_every_connections_health(staff, client, shop, customer_a):
    connection, _ = shop
    deliver(client, connection, shopify_order_payload())  # imported today
    deliver(client, connection, {"not": "an order"}, topic="orders/create")  # fails: no order id
    with customer_scope(customer_a):
        SyncRun.objects.create(connection=connection, fetched=4, created=3, skipped=1, error="Shopify answered 503")
    page = staff.get(LIST)
    assert page.status_code == 200
    row = page.context["rows"][0]
    assert (row.imported_today, row.failed_events, row.last_run.created) == (1, 1, 3)
    assert row.last_event.topic == "orders/create"
    text = page.content.decode()
    assert customer_a.code in text and "demo-store.myshopify.com" in text and "Active" in text
    assert "Shopify answered 503" in text  # the last poll's error
    assert _connection(connection.pk).last_error in text  # the failed event's sentence
    assert 'data-testid="failed-events"><a' in text  # a failure links to the events


def test_filters_by_status_platform_and_customer(staff, shop, customer_b, user_b):
    connection, _ = shop
    with customer_scope(customer_b):
        other = connection_create(
            actor=user_b, platform="shopify", shop_domain="beta-shop.myshopify.com", webhook_secret=SECRET
        )
    with scopes_disabled():
        Connection.objects.filter(pk=other.pk).update(status=ConnectionStatus.PAUSED)

    def shown(**params):
        return [row.connection.pk for row in staff.get(LIST, params).context["rows"]]

    assert sorted(shown()) == sorted([connection.pk, other.pk])
    assert shown(status="paused") == [other.pk]
    assert shown(q=customer_b.code) == [other.pk]
    assert shown(q="demo-store") == [connection.pk]
    assert shown(platform="woocommerce") == []
    assert sorted(shown(status="nonsense", platform="x" * 300)) == sorted([connection.pk, other.pk])  # ignored


def _make_connections(customer, user, count, start):
    with customer_scope(customer):
        for n in range(start, start + count):
            made = connection_create(
                actor=user, platform="shopify", shop_domain=f"shop-{n}.myshopify.com", webhook_secret=SECRET
            )
            SyncRun.objects.create(connection=made, fetched=1, created=1)
            PlatformEvent.objects.create(
                connection=made, event_id=f"e{n}", topic="orders/create", body=b"{}", status=EventStatus.FAILED
            )


def test_the_list_runs_a_fixed_number_of_queries(staff, customer_a, user_a, customer_b, user_b):
    _make_connections(customer_a, user_a, 2, 0)
    with CaptureQueriesContext(db) as two:
        assert len(staff.get(LIST).context["rows"]) == 2
    _make_connections(customer_b, user_b, 9, 10)
    with CaptureQueriesContext(db) as eleven:
        page = staff.get(LIST)
    assert len(page.context["rows"]) == 11
    assert len(eleven.captured_queries) == len(two.captured_queries)
    assert page.content.decode().count('data-testid="failed-events"><a') == 11


def test_the_export_holds_the_filtered_rows(staff, shop, customer_a):
    connection, _ = shop
    deliver(staff, connection, shopify_order_payload())
    response = staff.get(LIST, {"q": customer_a.code, "export": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="shop-connections-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[:4] == ["Customer code", "Customer", "Platform", "Shop"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Shop"] == "demo-store.myshopify.com" and row["Status"] == "Active"
    assert row["Orders imported today"] == 1 and row["Failed events"] == 0
    assert row["Last webhook topic"] == "orders/create"
    assert staff.get(LIST, {"q": "nobody-here", "export": "1"}).status_code == 200


def test_the_detail_shows_events_masked_and_polls(staff, client, shop, customer_a):
    connection, _ = shop
    deliver(client, connection, shopify_order_payload())
    with customer_scope(customer_a):
        SyncRun.objects.create(
            connection=connection, fetched=2, failed=1, notes=[{"order": "#1002", "why": "no valid quantity"}]
        )
    page = staff.get(detail_url(connection))
    assert page.status_code == 200
    text = page.content.decode()
    assert "orders/create" in text and "created order S" in text
    assert "jane@example.com" not in text and "500 Market St" not in text and "•••" in text
    assert "#1002: no valid quantity" in text
    assert 'data-testid="replay"' not in text  # nothing failed
    assert staff.get(reverse("backoffice:integration-connection-detail", args=[99999])).status_code == 404


def test_replay_processes_a_failed_event_once_its_cause_is_fixed(staff, client, shop, customer_a):
    """The customer had no warehouse to ship from when the order came: the event failed. Sales
    put a warehouse in the plan; the replay imports the order."""
    connection, _ = shop
    with scopes_disabled():
        Connection.objects.filter(pk=connection.pk).update(default_warehouse=None)
    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[])
    deliver(client, connection, shopify_order_payload(), event_id="evt-1")
    event = _event(event_id="evt-1")
    assert event.status == EventStatus.FAILED, event.result
    assert _orders() == []
    assert 'data-testid="replay"' in staff.get(detail_url(connection)).content.decode()

    customer_warehouses_set(actor=None, customer=customer_a, warehouses=[Warehouse.objects.get(code="LAX1")])
    response = staff.post(replay_url(event), follow=True)
    event = _event(pk=event.pk)
    assert event.status == EventStatus.PROCESSED and event.attempts == 2
    (order,) = _orders()
    assert order.external_ref == "#1001" and order.status == "confirming"
    said = messages_of(response)
    assert said == [f"orders/create event replayed: processed. #1001 created order {order.number} (Confirming)."]


def test_replay_refuses_an_event_that_did_not_fail_and_changes_nothing(staff, client, shop):
    connection, _ = shop
    deliver(client, connection, shopify_order_payload(), event_id="evt-ok")
    event = _event(event_id="evt-ok")
    assert event.status == EventStatus.PROCESSED
    before = (event.status, event.result, event.attempts, event.processed_at)
    outbox = OutboxMessage.objects.count()
    response = staff.post(replay_url(event), follow=True)
    assert messages_of(response) == [
        "Only a failed event can be replayed; this orders/create event is processed, so nothing was changed."
    ]
    event = _event(pk=event.pk)
    assert (event.status, event.result, event.attempts, event.processed_at) == before
    assert OutboxMessage.objects.count() == outbox and len(_orders()) == 1


def test_replay_of_another_connections_event_is_404(staff, shop, customer_b, user_b):
    connection, _ = shop
    with customer_scope(customer_b):
        other = connection_create(actor=user_b, platform="shopify", shop_domain="b.myshopify.com", webhook_secret="s")
        event = PlatformEvent.objects.create(
            connection=other, event_id="x", topic="orders/create", body=b"{}", status=EventStatus.FAILED
        )
    url = reverse("backoffice:integration-event-replay", args=[connection.pk, event.pk])
    assert staff.post(url).status_code == 404
    assert _event(pk=event.pk).status == EventStatus.FAILED


def test_pause_from_the_back_office_stops_the_connection_and_resume_starts_it(staff, shop):
    connection, _ = shop
    url = reverse("backoffice:integration-connection-pause", args=[connection.pk])
    response = staff.post(url, {"reason": "Duplicate orders reported"}, follow=True)
    assert messages_of(response)[0].startswith("demo-store")
    assert "is paused" in messages_of(response)[0]
    paused = _connection(connection.pk)
    assert paused.status == ConnectionStatus.PAUSED
    assert "Duplicate orders reported" in paused.status_reason and "@hub.example" in paused.status_reason
    with customer_scope(paused.customer), pytest.raises(ValidationFailed):
        sync_now_start(actor=None, connection=paused)  # the poll and Sync now are off
    assert "Duplicate orders reported" in response.content.decode()

    response = staff.post(reverse("backoffice:integration-connection-resume", args=[connection.pk]), follow=True)
    assert "is active again" in messages_of(response)[0]
    assert _connection(connection.pk).status == ConnectionStatus.ACTIVE


def test_a_bad_pause_reason_changes_nothing(staff, shop):
    connection, _ = shop
    url = reverse("backoffice:integration-connection-pause", args=[connection.pk])
    response = staff.post(url, {"reason": "x" * 2000})
    assert response.status_code == 400
    assert "was not paused" in response.content.decode()
    assert _connection(connection.pk).status == ConnectionStatus.ACTIVE
    response = staff.post(reverse("backoffice:integration-connection-resume", args=[connection.pk]), follow=True)
    assert messages_of(response) == ["Only a paused connection can be resumed."]


@pytest.mark.parametrize("role", ["order_group", "admin"])
def test_the_order_group_and_admin_work_here_too(client, make_staff, shop, role):
    connection, _ = shop
    client.force_login(make_staff(role))
    assert client.get(LIST).status_code == 200
    assert 'data-testid="pause-form"' in client.get(detail_url(connection)).content.decode()


def test_who_may_not(client, make_staff, shop, user_a):
    connection, _ = shop
    with customer_scope(connection.customer):
        event = PlatformEvent.objects.create(
            connection=connection, event_id="f", topic="orders/create", body=b"{}", status=EventStatus.FAILED
        )
    pause = reverse("backoffice:integration-connection-pause", args=[connection.pk])
    gets, posts = [LIST, detail_url(connection)], [pause, replay_url(event)]
    assert client.get(LIST).status_code == 302  # anonymous: to the login page
    for user in (make_staff("warehouse"), make_staff("finance"), user_a):
        client.force_login(user)
        assert [client.get(url).status_code for url in gets] == [403, 403], user.email
        assert [client.post(url, {"reason": "no"}).status_code for url in posts] == [403, 403], user.email
    assert _connection(connection.pk).status == ConnectionStatus.ACTIVE
    assert _event(pk=event.pk).status == EventStatus.FAILED


def test_the_section_shows_for_customer_service(staff):
    text = staff.get(reverse("backoffice:dashboard")).content.decode()
    assert 'data-section="shop_connections"' in text


def test_token_is_never_shown(staff, shop):
    connection, _ = shop
    assert TOKEN not in staff.get(detail_url(connection)).content.decode()
    assert TOKEN not in staff.get(LIST).content.decode()


def test_replay_refuses_an_event_of_a_disconnected_shop(staff, shop):
    connection, _ = shop
    with scopes_disabled():
        event = PlatformEvent.objects.create(
            connection=connection, event_id="d", topic="orders/create", body=b"{}", status=EventStatus.FAILED
        )
        Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.DISCONNECTED)
    page = staff.get(detail_url(connection)).content.decode()
    assert 'data-testid="replay"' not in page and 'data-testid="pause-form"' not in page
    response = staff.post(replay_url(event), follow=True)
    assert messages_of(response) == [
        "The shop is disconnected: its events are not processed any more. Connect it again first."
    ]
    assert _event(pk=event.pk).status == EventStatus.FAILED
