"""A WooCommerce connection on the shared pages: the Shops card (its guide, its webhook URL, the
poll checks' note), Sync now, the event log with personal data masked, and the back office's list
and detail — with no platform-specific code in them beyond the guide."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.integrations.choices import ConnectionStatus

from .woo import STORE, fresh, webhook_url

pytestmark = pytest.mark.django_db(transaction=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_card_sync_now_and_the_event_log(client, woo, user_a):
    connection, fake, _products = woo
    placed = fake.add_order(sku="TEE", shipping={"address_1": "77 Private Lane", "first_name": "Zed"})
    fake.network_down = True
    fake.add_order(sku="MUG")  # missed by the webhook: Sync now brings it
    for webhook in fake.webhooks.values():
        webhook["status"] = "disabled"
    fake.network_down = False
    client.force_login(user_a)
    response = client.post(reverse("integrations:connection-sync", args=[connection.pk]), follow=True)
    assert any(m.startswith(f"Synced {connection.display_name}: Fetched 2, created 1") for m in _messages(response))
    text = response.content.decode()
    assert 'data-testid="woocommerce-guide"' in text and webhook_url(connection) in text
    assert "WooCommerce had disabled the order.created, order.updated and order.deleted webhooks" in text  # poll checks
    assert {w["status"] for w in fake.webhooks.values()} == {"active"}
    events = client.get(reverse("integrations:connection-events", args=[connection.pk]))
    body = events.content.decode()
    assert events.status_code == 200 and "order.created" in body and f"#{placed['id']}" in body
    for personal in ("77 Private Lane", "Zed", placed["billing"]["email"], placed["billing"]["address_1"]):
        assert personal not in body, personal


def test_the_back_office_lists_and_shows_the_store(client, woo, make_staff):
    connection, fake, _products = woo
    fake.add_order(sku="TEE")
    staff = make_staff("customer_service")
    client.force_login(staff)
    listed = client.get(reverse("backoffice:integration-connection-list"), {"platform": "woocommerce"})
    assert [row.connection.pk for row in listed.context["rows"]] == [connection.pk]
    assert STORE in listed.content.decode() and "WooCommerce" in listed.content.decode()
    detail = client.get(reverse("backoffice:integration-connection-detail", args=[connection.pk]))
    assert detail.status_code == 200 and "order.created" in detail.content.decode()
    with scopes_disabled():
        assert fresh(connection).status == ConnectionStatus.ACTIVE
