"""Quotes by the measured transit days: a lane (channel, destination country) with 20 deliveries is
quoted by its p50–p90 rounded up, and says so; fewer, or another country, keeps the channel's days."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.shipping.models import MeasuredTransit
from apps.shipping.quotes import parcel_from_box, quote, rates_changed, rates_version
from apps.shipping.services import MeasuredLane, measured_transit_replace
from apps.warehouses.services import customer_warehouses_set

pytestmark = pytest.mark.django_db

US, CA = ("US", "10001"), ("CA", "K1A 0B1")


def quoted(warehouse, destination=US, sort="price"):
    result = quote(
        warehouse=warehouse,
        country=destination[0],
        postal_code=destination[1],
        parcel=parcel_from_box(weight_g=400),
        sort=sort,
    )
    return {o.channel_code: o for o in result.options}, [o.channel_code for o in result.options]


@pytest.fixture
def measure(django_capture_on_commit_callbacks):
    """measure(lane, …) writes the lanes as the daily job does (its after-commit cache bump included)."""

    def write(*lanes):
        with django_capture_on_commit_callbacks(execute=True):
            return measured_transit_replace(actor=None, lanes=[MeasuredLane(*lane) for lane in lanes])

    return write


def test_a_lane_with_20_deliveries_is_quoted_by_its_measured_days(channels, warehouse, measure):
    options, by_speed = quoted(warehouse, sort="speed")
    assert by_speed == ["dhl-express", "ups-ground"]  # 1–2 days before 3–5
    measure(("ups-ground", "US", 20, 0.4, 0.9), ("dhl-express", "CA", 25, 3.1, 4.6))
    options, by_speed = quoted(warehouse, sort="speed")
    ground, express = options["ups-ground"], options["dhl-express"]
    assert (ground.transit_days_min, ground.transit_days_max) == (1, 1)  # 0.4–0.9 rounded up, at least a day
    assert (ground.transit_source, ground.transit_deliveries, ground.transit_measured) == ("measured", 20, True)
    assert (express.transit_days_min, express.transit_days_max, express.transit_source) == (1, 2, "channel")
    assert express.transit_deliveries is None
    assert by_speed == ["ups-ground", "dhl-express"]  # sorted by what is shown: the measured 1 day first
    # The Canadian lane is express's own: quoted there, and only there.
    express_ca = quoted(warehouse, CA)[0]["dhl-express"]
    assert (express_ca.transit_days_min, express_ca.transit_days_max, express_ca.transit_deliveries) == (4, 5, 25)


def test_19_deliveries_keep_the_channels_days(channels, warehouse, measure):
    measure(("ups-ground", "US", 19, 0.4, 0.9))
    ground = quoted(warehouse)[0]["ups-ground"]
    assert (ground.transit_days_min, ground.transit_days_max, ground.transit_source) == (3, 5, "channel")
    assert ground.transit_deliveries is None and MeasuredTransit.objects.get().deliveries == 19
    measure(("ups-ground", "US", 20, 2.0, 6.1))  # the twentieth delivery: from now on measured
    ground = quoted(warehouse)[0]["ups-ground"]
    assert (ground.transit_days_min, ground.transit_days_max, ground.transit_source) == (2, 7, "measured")


def test_a_quote_still_runs_no_query_with_measured_lanes(
    channels, warehouse, measure, django_assert_max_num_queries, django_assert_num_queries
):
    # Compiling a warehouse's rates reads channels, cards, zones, lines, surcharges and, now, the
    # trusted measured lanes: once per warehouse and rates version, not per quote.
    measure(("ups-ground", "US", 20, 0.4, 0.9), ("dhl-express", "CA", 25, 3.1, 4.6))
    with django_assert_num_queries(6):
        quoted(warehouse)
    with django_assert_max_num_queries(0):  # every quote after the compile: none, as before
        for _ in range(10):
            assert quoted(warehouse)[0]["ups-ground"].transit_source == "measured"
            assert quoted(warehouse, CA)[0]["dhl-express"].transit_source == "measured"


def test_the_write_is_idempotent_and_removes_lanes_gone_quiet(channels, warehouse, measure):
    lanes = [("ups-ground", "US", 20, 0.4, 0.9), ("dhl-express", "CA", 25, 3.1, 4.6)]
    assert measure(*lanes) == {"lanes": 2, "measured": 2, "removed": 0}
    first = {
        (r.channel.code, r.country): (r.pk, r.deliveries, r.p50_days, r.p90_days) for r in MeasuredTransit.objects.all()
    }
    version = rates_version()
    assert measure(*lanes) == {"lanes": 2, "measured": 2, "removed": 0}
    again = {
        (r.channel.code, r.country): (r.pk, r.deliveries, r.p50_days, r.p90_days) for r in MeasuredTransit.objects.all()
    }
    assert again == first and first[("dhl-express", "CA")][2:] == (Decimal("3.1"), Decimal("4.6"))
    assert rates_version() == version  # nothing a quote shows changed: the compiled rates stay
    # A lane with no delivery left in the window goes; an order without a country or a channel
    # deleted since is no lane.
    assert measure(lanes[0], ("ups-ground", "—", 3, 1, 2), ("gone", "US", 30, 1, 2)) == {
        "lanes": 1,
        "measured": 1,
        "removed": 1,
    }
    assert list(MeasuredTransit.objects.values_list("channel__code", "country")) == [("ups-ground", "US")]
    assert rates_version() != version
    assert quoted(warehouse, CA)[0]["dhl-express"].transit_source == "channel"


@pytest.fixture
def customer_client(client, user_a, warehouse):
    customer_warehouses_set(actor=None, customer=user_a.customer, warehouses=[warehouse])
    rates_changed()
    client.force_login(user_a)
    return client


def test_the_api_and_the_calculator_say_which_days(channels, warehouse, measure, customer_client, api_client, user_a):
    measure(("ups-ground", "US", 20, 2.0, 3.4))
    api_client.force_login(user_a)
    body = api_client.post(
        "/api/v1/shipping/quotes/",
        {"warehouse": "LAX1", "country": "US", "postal_code": "10001", "parcel": {"weight_g": 400}},
        format="json",
    ).json()
    options = {o["channel"]: o for o in body["options"]}
    ground, express = options["ups-ground"], options["dhl-express"]
    assert (ground["transit_days_min"], ground["transit_days_max"]) == (2, 4)
    assert (ground["transit_source"], ground["transit_deliveries"]) == ("measured", 20)
    assert (express["transit_days_min"], express["transit_source"], express["transit_deliveries"]) == (
        1,
        "channel",
        None,
    )
    page = customer_client.get(
        reverse("shipping:quote"),
        {"warehouse": "LAX1", "country": "US", "postal_code": "10001", "weight_g": "400", "sort": "price"},
    ).content.decode()
    assert "2–4 days" in page and page.count('data-testid="transit-measured"') == 1 and "1–2 days" in page


def test_the_staff_quote_tool_says_which_days(channels, warehouse, measure, client, make_staff):
    measure(("ups-ground", "US", 21, 2.0, 3.4))
    client.force_login(make_staff("logistics"))
    page = client.get(
        reverse("backoffice:shipping-quote"),
        {"warehouse": "LAX1", "country": "US", "postal_code": "10001", "weight_g": "400", "sort": "price"},
    ).content.decode()
    assert "2–4 d" in page and "measured, 21 deliveries" in page
