from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.tracking.services import tracking_event_add

URL = reverse("api:tracking")
pytestmark = pytest.mark.django_db


def test_shape_of_found_and_not_found(api_client, shipped, world, anonymous):
    world.ground.carrier.tracking_url = "https://www.ups.com/track?tracknum={number}"
    world.ground.carrier.save()
    tracking_event_add(
        actor=None,
        order=shipped,
        occurred_at=timezone.now() - timedelta(hours=2),
        status="out_for_delivery",
        location="San Francisco, CA",
        description="On the van",
        source="carrier",
    )
    with anonymous():
        response = api_client.get(URL, {"numbers": f"{shipped.number},nope123456"})
    assert response.status_code == 200
    found, missing = response.json()
    assert set(found) == {"number", "found", "status", "carrier", "tracking_number", "tracking_url", "events"}
    assert found["number"] == shipped.number and found["found"] is True and found["status"] == "shipped"
    assert (found["carrier"], found["tracking_number"]) == ("UPS", shipped.tracking_number)
    assert found["tracking_url"] == f"https://www.ups.com/track?tracknum={shipped.tracking_number}"
    assert [set(e) for e in found["events"]] == [{"at", "status", "location", "description"}] * 2
    assert [e["status"] for e in found["events"]] == ["out_for_delivery", "in_transit"]  # newest first
    assert found["events"][1]["description"] == "Shipped: handed to UPS"
    assert missing == {
        "number": "NOPE123456",
        "found": False,
        "status": None,
        "carrier": None,
        "tracking_number": None,
        "tracking_url": None,
        "events": [],
    }
    body = response.content.decode()
    for private in ("Jane Doe", "500 Market St", "jane@example.com", world.customer.company_name):
        assert private not in body


def test_by_tracking_number_and_repeated_parameters(api_client, shipped, anonymous):
    with anonymous():
        response = api_client.get(URL + f"?numbers={shipped.tracking_number}&numbers=OTHER12345")
    assert [(r["number"], r["found"]) for r in response.json()] == [
        (shipped.tracking_number, True),
        ("OTHER12345", False),
    ]


def test_forty_numbers_at_most(api_client, db):
    ok = api_client.get(URL, {"numbers": ",".join(f"TRACK{n:06d}" for n in range(40))})
    assert ok.status_code == 200 and len(ok.json()) == 40
    response = api_client.get(URL, {"numbers": ",".join(f"TRACK{n:06d}" for n in range(41))})
    assert response.status_code == 400
    assert response.json() == {
        "code": "too_many_numbers",
        "message": "You entered 41 numbers; track at most 40 at a time.",
    }


def test_missing_and_malformed_numbers_are_400(api_client, shipped):
    assert api_client.get(URL).json()["code"] == "no_numbers"
    typo = shipped.number[:-1] + str((int(shipped.number[-1]) + 1) % 10)
    response = api_client.get(URL, {"numbers": f"{typo},a b"})
    assert response.status_code == 400 and response.json()["code"] == "bad_numbers"
    assert f"{typo}: the last digit does not match" in response.json()["message"]


def test_a_customer_key_is_not_needed_but_does_no_harm(api_client, shipped, user_b):
    api_client.force_authenticate(user_b)
    assert api_client.get(URL, {"numbers": shipped.number}).json()[0]["found"] is True


def test_query_count_does_not_grow_with_numbers(api_client, make_order, anonymous):
    orders = [make_order(tracking=f"1ZAPI{i:08d}") for i in range(10)]
    numbers = [o.number for o in orders] + [f"NOPE{i:06d}" for i in range(30)]
    with anonymous(), CaptureQueriesContext(connection) as one:
        api_client.get(URL, {"numbers": numbers[0]})
    with anonymous(), CaptureQueriesContext(connection) as forty:
        assert len(api_client.get(URL, {"numbers": ",".join(numbers)}).json()) == 40
    assert len(forty) == len(one)
