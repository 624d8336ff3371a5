from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.identifiers import order_number
from apps.tracking.services import tracking_event_add

URL = reverse("tracking:track")
pytestmark = pytest.mark.django_db


def test_public_page_needs_no_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 200 and "Track your parcels" in response.content.decode()


def test_numbers_are_split_deduplicated_and_answered(client):
    good = order_number(date(2026, 11, 25), 7)
    response = client.get(URL, {"numbers": f"{good}, {good.lower()}\n1Z999AA10123456784"})
    body = response.content.decode()
    assert body.count("<code>") == 2 and body.count('data-found="no"') == 2
    assert good in body and "1Z999AA10123456784" in body


def test_more_than_forty_numbers_is_refused(client):
    numbers = "\n".join(f"TRACK{n:06d}" for n in range(41))
    body = client.get(URL, {"numbers": numbers}).content.decode()
    assert "You entered 41 numbers; track at most 40" in body
    assert 'data-testid="track-results"' not in body


def test_order_number_typo_is_caught(client):
    good = order_number(date(2026, 11, 25), 7)
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    body = client.get(URL, {"numbers": typo}).content.decode()
    assert 'data-testid="track-problem"' in body and "the last digit does not match" in body


def test_a_bad_number_is_reported_on_its_own_line_and_the_rest_are_tracked(client, shipped, anonymous):
    good = order_number(date(2026, 11, 25), 7)
    typo = good[:-1] + str((int(good[-1]) + 1) % 10)
    with anonymous():
        response = client.get(URL, {"numbers": f"{shipped.tracking_number}, {typo}, bad#no, NOSUCH123"})
    results = response.context["results"]
    assert [(r.number, r.found, bool(r.problem)) for r in results] == [
        (shipped.tracking_number, True, False),
        (typo, False, True),
        ("BAD#NO", False, True),
        ("NOSUCH123", False, False),
    ]
    assert response.content.decode().count('data-testid="track-problem"') == 2


@pytest.fixture
def tracked(shipped, world):
    world.ground.carrier.tracking_url = "https://www.ups.com/track?tracknum={number}"
    world.ground.carrier.save()
    for hours, status, location, text in (
        (30, "in_transit", "Phoenix, AZ", "Arrived at the hub"),
        (5, "out_for_delivery", "San Francisco, CA", "On the van"),
    ):
        tracking_event_add(
            actor=None,
            order=shipped,
            occurred_at=timezone.now() - timedelta(hours=hours),
            status=status,
            location=location,
            description=text,
            source="carrier",
        )
    return shipped


def _result(body):
    start = body.index('data-testid="track-results"')
    return body[start:]


def test_found_by_order_number_with_carrier_link_and_events_newest_first(client, tracked, anonymous):
    with anonymous():
        body = _result(client.get(URL, {"numbers": tracked.number}).content.decode())
    assert 'data-found="yes"' in body and ">Shipped</span>" in body and "UPS" in body
    assert f'href="https://www.ups.com/track?tracknum={tracked.tracking_number}"' in body
    assert body.index("On the van") < body.index("Arrived at the hub") < body.index("Shipped: handed to UPS")
    assert "Out for delivery" in body and "Phoenix, AZ" in body


def test_found_by_tracking_number(client, tracked, anonymous):
    with anonymous():
        body = _result(client.get(URL, {"numbers": tracked.tracking_number.lower()}).content.decode())
    assert 'data-found="yes"' in body and "On the van" in body
    assert tracked.number not in body  # asked by tracking number: the order number is not handed out


def test_drafts_and_unknown_numbers_are_not_found(client, make_order, anonymous):
    draft = make_order(status="confirming")
    with anonymous():
        body = _result(client.get(URL, {"numbers": f"{draft.number}\nUNKNOWN123"}).content.decode())
    assert body.count('data-found="no"') == 2 and 'data-found="yes"' not in body


def test_pending_shipment_says_it_is_being_prepared(client, make_order, anonymous):
    pending = make_order(status="pending_shipment")
    with anonymous():
        body = _result(client.get(URL, {"numbers": pending.number}).content.decode())
    assert "Pending Shipment" in body and "not been handed to the carrier yet" in body


def test_no_customer_or_recipient_data_on_the_public_page(client, tracked, world, anonymous):
    with anonymous():
        body = client.get(URL, {"numbers": f"{tracked.number},{tracked.tracking_number}"}).content.decode()
    customer = world.customer
    for private in (
        "Jane Doe",
        "500 Market St",
        "Apt 4",
        "San Francisco, CA 94105",
        "94105",
        "555-0142",
        "jane@example.com",
        customer.company_name,
        customer.code,
        "TEE",
    ):
        assert private not in body, private


def test_forty_numbers_cost_the_same_queries_as_one(client, make_order, anonymous):
    orders = [make_order(tracking=f"1ZPAGE{i:08d}") for i in range(20)]
    for order in orders:
        tracking_event_add(
            actor=None,
            order=order,
            occurred_at=timezone.now() - timedelta(hours=1),
            status="in_transit",
            source="carrier",
        )
    numbers = [o.number for o in orders[:10]] + [o.tracking_number for o in orders[10:]]
    numbers += [f"NOPE{i:06d}" for i in range(20)]
    with anonymous(), CaptureQueriesContext(connection) as one:
        assert client.get(URL, {"numbers": numbers[0]}).status_code == 200
    with anonymous(), CaptureQueriesContext(connection) as forty:
        response = client.get(URL, {"numbers": "\n".join(numbers)})
    assert response.content.decode().count('data-found="yes"') == 20
    assert len(forty) == len(one) <= 2


def test_a_signed_in_customer_tracks_any_parcel_too(client, tracked, user_b):
    client.force_login(user_b)  # tracking is public: another customer's parcel answers the same
    body = _result(client.get(URL, {"numbers": tracked.number}).content.decode())
    assert 'data-found="yes"' in body and "Jane Doe" not in body
    assert "On the van" in body  # its events too, though they are another customer's child rows
