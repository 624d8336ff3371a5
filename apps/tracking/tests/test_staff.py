from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.orders.models import Order
from apps.tracking.models import TrackingEvent

LIST = reverse("backoffice:tracking-list")


def detail(order):
    return reverse("backoffice:tracking-order", args=[order.number])


def add_url(order):
    return reverse("backoffice:tracking-event-add", args=[order.number])


def deliver_url(order):
    return reverse("backoffice:tracking-deliver", args=[order.number])


def event_data(**changes):
    at = timezone.localtime() - timedelta(hours=3)
    return {
        "occurred_at": at.strftime("%Y-%m-%dT%H:%M"),
        "status": "in_transit",
        "location": "Phoenix, AZ",
        "description": "Arrived at the hub",
        **changes,
    }


def flashes(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def logistics(client, make_staff):
    client.force_login(make_staff("logistics"))
    return client


def test_customers_get_403_everywhere(client, shipped, user_a):
    client.force_login(user_a)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(shipped)).status_code == 403
    assert client.post(add_url(shipped), event_data()).status_code == 403
    assert client.post(deliver_url(shipped)).status_code == 403
    assert not TrackingEvent.objects.exists()


def test_a_viewing_role_sees_but_cannot_add(client, shipped, make_staff):
    client.force_login(make_staff("order_group"))
    assert client.get(LIST).status_code == 200
    page = client.get(detail(shipped)).content.decode()
    assert "Shipped: handed to UPS" in page and 'data-testid="event-form"' not in page
    assert 'data-testid="mark-delivered"' not in page
    assert client.post(add_url(shipped), event_data()).status_code == 403
    assert client.post(deliver_url(shipped)).status_code == 403
    assert not TrackingEvent.objects.exists() and Order.objects.get(pk=shipped.pk).status == "shipped"


def test_staff_without_a_role_get_403(client, shipped, make_staff):
    client.force_login(make_staff("finance"))
    assert client.get(LIST).status_code == 403


@pytest.mark.parametrize("field", ["number", "tracking_number"])
def test_find_by_order_or_tracking_number(logistics, shipped, field):
    response = logistics.get(LIST, {"q": getattr(shipped, field).lower()})
    assert response.status_code == 302 and response["Location"] == detail(shipped)


def test_find_explains_a_typo_and_an_unknown_number(logistics, shipped):
    typo = shipped.number[:-1] + str((int(shipped.number[-1]) + 1) % 10)
    response = logistics.get(LIST, {"q": typo})
    assert response.status_code == 200 and f"{typo}: the last digit does not match (a typo?)." in flashes(response)
    response = logistics.get(LIST, {"q": "NOSUCH123"})
    assert "No order has the number or tracking number “NOSUCH123”." in flashes(response)


def test_list_shows_parcels_in_delivery_and_the_exceptions_tab(logistics, make_order):
    calm, stuck = make_order(tracking="1ZCALM000001"), make_order(tracking="1ZSTUCK00001")
    logistics.post(add_url(stuck), event_data(status="exception", description="Address not found"))
    body = logistics.get(LIST).content.decode()
    assert calm.number in body and stuck.number in body and "Delivery exception" in body
    body = logistics.get(LIST, {"show": "exceptions"}).content.decode()
    assert stuck.number in body and calm.number not in body


def test_add_an_event(logistics, shipped):
    response = logistics.post(add_url(shipped), event_data(), follow=True)
    assert response.redirect_chain[-1][0] == detail(shipped)
    assert any(m.startswith("Recorded: In transit at ") for m in flashes(response))
    event = TrackingEvent.objects.get(order=shipped)
    assert (event.status, event.location, event.source, event.created_by.email) == (
        "in_transit",
        "Phoenix, AZ",
        "staff",
        response.wsgi_request.user.email,
    )
    assert "Arrived at the hub" in response.content.decode()


def test_a_delivered_event_delivers_the_order(logistics, shipped):
    response = logistics.post(add_url(shipped), event_data(status="delivered", description="Front door"), follow=True)
    assert any(m.endswith(f"{shipped.number} is now Delivered.") for m in flashes(response))
    assert Order.objects.get(pk=shipped.pk).status == "delivered"


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"occurred_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")}, "is in the future"),
        (
            {"occurred_at": (timezone.localtime() - timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")},
            "before the hand-over",
        ),
        ({"occurred_at": "yesterday"}, "correct the fields"),
        ({"status": "teleported"}, "correct the fields"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(logistics, shipped, changes, says):
    response = logistics.post(add_url(shipped), event_data(**changes))
    assert response.status_code == 400
    assert any(says in m for m in flashes(response)) or says in response.content.decode()
    assert not TrackingEvent.objects.exists() and Order.objects.get(pk=shipped.pk).status == "shipped"


def test_an_order_not_shipped_yet_cannot_get_events(logistics, make_order):
    pending = make_order(status="pending_shipment")
    page = logistics.get(detail(pending)).content.decode()
    assert 'data-testid="event-form"' not in page and "No tracking events yet" in page
    response = logistics.post(add_url(pending), event_data())
    assert response.status_code == 400 and any("not been handed to the carrier" in m for m in flashes(response))
    assert not TrackingEvent.objects.exists()


def test_mark_delivered_then_again(client, shipped, make_staff):
    client.force_login(make_staff("customer_service"))
    response = client.post(deliver_url(shipped), follow=True)
    assert f"{shipped.number} marked delivered." in flashes(response)
    assert Order.objects.get(pk=shipped.pk).status == "delivered"
    assert 'data-testid="mark-delivered"' not in response.content.decode()
    again = client.post(deliver_url(shipped), follow=True)
    assert f"Order {shipped.number} is Delivered already." in flashes(again)
    assert TrackingEvent.objects.filter(order=shipped).count() == 1


def test_unknown_order_is_404(logistics, db):
    assert logistics.get(reverse("backoffice:tracking-order", args=["S00000000000000"])).status_code == 404
    assert logistics.get(reverse("backoffice:tracking-order", args=["NOTANUMBER"])).status_code == 404
