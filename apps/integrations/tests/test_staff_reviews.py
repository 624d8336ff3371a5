"""The back office's queue of shop orders flagged for review (changed on the shop after they
left Confirming): listed with what happened, cleared with a note on the order's timeline, kept
from roles without the permission."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.core.actors import integration_actor
from apps.core.tenancy import customer_scope
from apps.integrations.inbox import order_in
from apps.integrations.models import OrderLink
from apps.integrations.rules import shopify_order
from apps.integrations.updates import link_flag
from apps.orders.models import Order

from .conftest import shopify_order_payload
from .test_portal_pages import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(shop):
    connection, _ = shop
    actor = integration_actor(platform="Shopify", name=connection.display_name, customer=connection.customer)
    with customer_scope(connection.customer):
        order_in(connection, shopify_order(shopify_order_payload()), actor)
        link = OrderLink.objects.select_related("order").get()
        link_flag(link, actor=actor, text="Changed on Shopify (Address line 1) as #1001, but it was Pending Shipment.")
    return link


def test_the_queue_lists_flagged_orders_and_mark_reviewed_clears_them(client, make_staff, flagged):
    client.force_login(make_staff("customer_service"))
    page = client.get(reverse("backoffice:integration-reviews"))
    assert page.status_code == 200
    html = page.content.decode()
    assert flagged.order.number in html and "Address line 1" in html
    response = client.post(
        reverse("backoffice:integration-review-clear", args=[flagged.pk]), {"note": "Seller: ship as is"}, follow=True
    )
    assert f"Order {flagged.order.number} is reviewed" in messages_of(response)[-1]
    with scopes_disabled():
        assert not OrderLink.objects.get().needs_review
        assert "Seller: ship as is" in Order.objects.get().events.order_by("id").last().message
    again = client.post(reverse("backoffice:integration-review-clear", args=[flagged.pk]), {"note": ""})
    assert again.status_code == 404  # not flagged any more: nothing to clear


def test_a_too_long_note_changes_nothing(client, make_staff, flagged):
    client.force_login(make_staff("order_group"))
    response = client.post(
        reverse("backoffice:integration-review-clear", args=[flagged.pk]), {"note": "x" * 301}, follow=True
    )
    assert "longer than 300" in messages_of(response)[-1]
    with scopes_disabled():
        assert OrderLink.objects.get().needs_review


@pytest.mark.parametrize("role", ["warehouse", "finance"])
def test_roles_without_the_permission_get_403(client, make_staff, flagged, role):
    client.force_login(make_staff(role))
    assert client.get(reverse("backoffice:integration-reviews")).status_code == 403
    assert client.post(reverse("backoffice:integration-review-clear", args=[flagged.pk])).status_code == 403
    with scopes_disabled():
        assert OrderLink.objects.get().needs_review
