"""A delivery exception from the carrier, through the fake 17TRACK's signed push: the customer
reads it in words on the order and as a badge on the dashboard; logistics finds it in the TMS
queue and acts on it, every action on the order's timeline."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from apps.core.tenancy import staff_scope
from apps.orders.models import OrderEvent
from apps.tracking.exceptions import exception_email
from apps.tracking.models import DeliveryException

from .test_seventeentrack import fake, tracked, webhook  # noqa: F401 - fixtures and helpers

QUEUE = reverse("backoffice:tracking-exceptions")


@pytest.mark.django_db(transaction=True)
def test_an_exception_appears_for_the_customer_and_in_the_tms_queue(
    make_order,
    fake,  # noqa: F811
    live_server,
    client,
    user_a,
    make_staff,
):
    shipment = tracked(make_order, fake)
    order = shipment.order
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    fake.add_event(shipment.number, "DeliveryFailure_InvalidAddress", "Address not found", "Austin, TX", at=at)
    assert fake.push(webhook(live_server), shipment.number).status_code == 200

    client.force_login(user_a)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert 'data-testid="delivery-exception"' in page
    assert "The carrier could not deliver the parcel" in page and "Address not found" in page
    assert "delivery_failure" not in page.replace('data-kind="delivery_failure"', "")  # words, not codes
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-testid="delivery-exceptions-banner"' in dashboard

    client.force_login(make_staff("logistics"))
    queue = client.get(QUEUE).content.decode()
    assert order.number in queue and "Address not found" in queue
    assert order.number in client.get(QUEUE, {"kind": "delivery_failure", "carrier": "ups"}).content.decode()
    assert order.number not in client.get(QUEUE, {"kind": "lost"}).content.decode()
    assert order.number not in client.get(QUEUE, {"older": 3}).content.decode()
    with staff_scope():
        exception = DeliveryException.objects.get(order=order)
    act = reverse("backoffice:tracking-exception-act", args=[exception.pk])
    assert client.post(act, {"action": "ask_address", "note": "asked by e-mail"}).status_code == 302
    assert client.post(act, {"action": "resolve"}).status_code == 302
    assert client.post(act, {"action": "resolve"}).status_code == 302  # a second resolve is refused, no 500
    with staff_scope():
        exception.refresh_from_db()
        assert exception.status == "resolved"
        timeline = list(OrderEvent.objects.filter(order=order).values_list("message", flat=True))
    assert any("asked the customer for a new delivery address: asked by e-mail" in m for m in timeline)
    assert any(m.startswith("Delivery exception: Logistics resolved") for m in timeline)
    assert 'tr data-kind="delivery_failure"' not in client.get(QUEUE).content.decode()


def test_customers_and_other_roles_cannot_work_the_queue(client, user_a, make_staff):
    client.force_login(user_a)
    assert client.get(QUEUE).status_code == 403
    client.force_login(make_staff("finance"))
    assert client.get(QUEUE).status_code == 403
    client.force_login(make_staff("order_group"))
    assert client.get(QUEUE).status_code == 200
    assert client.post(reverse("backoffice:tracking-exception-act", args=[1]), {"action": "resolve"}).status_code == 403


def test_the_logistics_desk_shows_the_quota_and_the_parcels_provider_state(
    make_order,
    fake,  # noqa: F811
    client,
    make_staff,
):
    from apps.tracking.exceptions import exception_open
    from apps.tracking.shipments import quota_read

    shipment = tracked(make_order, fake)
    fake.quota_total, fake.quota_used = 100, 97
    with staff_scope():
        quota_read()
        exception_open(order=shipment.order, kind="no_news", detail="no tracking event since yesterday")
    client.force_login(make_staff("logistics"))
    desk = client.get(reverse("backoffice:tracking-list")).content.decode()
    assert 'data-testid="tracking-quota"' in desk and "quota runs low" in desk and "3 of 100" in desk
    page = client.get(reverse("backoffice:tracking-order", args=[shipment.order.number])).content.decode()
    assert 'data-testid="provider-tracking"' in page and "Tracked" in page
    assert 'data-testid="staff-exception"' in page and "No tracking news for several days" in page


@pytest.mark.django_db(transaction=True)
def test_an_exception_is_e_mailed_once_to_the_users_who_want_it(
    make_order,
    fake,  # noqa: F811
    live_server,
    client,
    user_a,
    mailoutbox,
):
    colleague = type(user_a).objects.create_user(
        email="quiet@a.example", password="pw-quiet-123", customer=user_a.customer, customer_role=user_a.customer_role
    )
    client.force_login(colleague)
    page = client.get(reverse("accounts:notifications"))
    assert page.status_code == 200 and 'name="email_delivery_exceptions"' in page.content.decode()
    saved = client.post(reverse("accounts:notifications"), {}, follow=True)  # the box unticked
    assert "Delivery problems will no longer be e-mailed to you" in saved.content.decode()
    colleague.refresh_from_db()
    assert colleague.email_delivery_exceptions is False

    shipment = tracked(make_order, fake)
    order = shipment.order
    at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    fake.add_event(shipment.number, "Exception_Lost", "Parcel lost in transit", "Memphis, TN", at=at)
    assert fake.push(webhook(live_server), shipment.number).status_code == 200
    [mail] = [m for m in mailoutbox if order.number in m.subject]
    assert mail.to == [user_a.email]  # not the colleague who turned it off
    assert mail.subject == f"Order {order.number}: the parcel is lost"
    assert "Parcel lost in transit" in mail.body and order.tracking_number in mail.body
    with staff_scope():
        exception = DeliveryException.objects.get(order=order)
        assert exception.emailed_at is not None
    with staff_scope():
        assert exception_email(exception_id=exception.pk) == 0  # once
    assert len([m for m in mailoutbox if order.number in m.subject]) == 1


def test_the_queue_takes_any_age_filter_without_failing(client, make_staff):
    client.force_login(make_staff("logistics"))
    for older in ("99999999999", "-3", "abc", "7"):
        assert client.get(QUEUE, {"older": older}).status_code == 200, older
