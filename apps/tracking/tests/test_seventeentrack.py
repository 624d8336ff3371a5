"""17TRACK end to end over real HTTP: the client against the local fake (register, gettrackinfo,
quota, errors), and the fake's signed pushes against our webhook on a live server."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from apps.core.tenancy import staff_scope
from apps.orders.models import Order, OrderEvent
from apps.shipping.models import Carrier
from apps.tracking.choices import ExceptionKind, ShipmentState, TrackingStatus
from apps.tracking.models import DeliveryException, ProviderPush, Shipment, TrackingEvent
from apps.tracking.news import shipments_sweep
from apps.tracking.providers import ProviderError, Registration
from apps.tracking.providers.fake_17track import Fake17Track
from apps.tracking.providers.seventeentrack import SeventeenTrackClient
from apps.tracking.shipments import quota_low, quota_read, shipment_track, shipments_register

T0 = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)


@pytest.fixture
def fake(settings):
    with Fake17Track() as server:
        settings.SEVENTEENTRACK_API_KEY = server.api_key
        settings.SEVENTEENTRACK_SECURITY_KEY = server.security_key
        settings.SEVENTEENTRACK_API_BASE = server.api_base
        yield server


def tracked(make_order, fake, number="1Z9FH0010300000014", **kwargs):
    """A shipped order whose parcel is registered at the fake."""
    order = make_order(tracking=number, **kwargs)
    with staff_scope():
        shipment_track(order_id=order.pk)
        assert shipments_register()["registered"] == 1
        return Shipment.objects.select_related("order").get(order=order)


def webhook(live_server):
    return live_server.url + reverse("tracking:webhook", kwargs={"provider": "17track"})


def events_of(order):
    with staff_scope():
        return list(TrackingEvent.objects.filter(order=order).order_by("occurred_at").values_list("status", flat=True))


# --- Registering -------------------------------------------------------------------------------


def test_95_shipments_register_in_3_calls_of_at_most_40(make_order, fake):
    orders = [make_order(tracking=f"1ZBATCH{i:011d}") for i in range(95)]
    with staff_scope():
        for order in orders:
            shipment_track(order_id=order.pk)
        result = shipments_register()
        assert result == {"registered": 95, "retry": 0, "failed": 0, "requests": 3}
        assert Shipment.objects.filter(state=ShipmentState.REGISTERED).count() == 95
    assert fake.calls["register"] == 3
    assert [len(body) for endpoint, body in fake.bodies if endpoint == "register"] == [40, 40, 15]
    first = fake.bodies[0][1][0]
    assert first["carrier"] == 100002 and first["tag"] == orders[0].number  # UPS's 17TRACK code, our order
    assert fake.quota_used == 95


def test_already_registered_counts_as_success_and_costs_nothing_more(make_order, fake):
    fake.register_one({"number": "1Z9FH0010300000014", "carrier": 100002})
    used = fake.quota_used
    shipment = tracked(make_order, fake)
    assert shipment.state == ShipmentState.REGISTERED
    assert fake.quota_used == used


def test_carrier_not_detected_without_a_code_lands_in_the_exception_queue(make_order, fake, world):
    Carrier.objects.filter(code="ups").update(code="acme-post")
    order = make_order(tracking="AP00012345XX")
    with staff_scope():
        shipment_track(order_id=order.pk)
        assert shipments_register()["failed"] == 1
        shipment = Shipment.objects.get(order=order)
        assert shipment.state == ShipmentState.FAILED and "carrier" in shipment.last_error
        exception = DeliveryException.objects.get(order=order)
    assert exception.kind == ExceptionKind.NOT_TRACKED
    assert "auto-detect" not in fake.bodies[0][1][0] and "carrier" not in fake.bodies[0][1][0]


def test_carrier_not_detected_is_tried_again_with_the_code_once_configured(make_order, fake, world, settings):
    Carrier.objects.filter(code="ups").update(code="acme-post")
    order = make_order(tracking="AP00012345XX")
    with staff_scope():
        shipment_track(order_id=order.pk)  # no code known: 17TRACK is asked to detect it
        settings.SEVENTEENTRACK_CARRIER_CODES = {"acme-post": 100003}
        result = shipments_register()  # refused undetected, then sent again with the code in the same run
        assert (result["retry"], result["registered"], result["requests"]) == (1, 1, 2)
    assert "carrier" not in fake.bodies[0][1][0]
    assert fake.bodies[-1][1][0]["carrier"] == 100003


def test_a_carrier_that_needs_the_postal_code_gets_it(make_order, fake, world):
    Carrier.objects.filter(code="ups").update(code="dhl-paket")
    shipment = tracked(make_order, fake, number="00340434161234567890")
    assert shipment.carrier_code == 7041
    assert fake.bodies[-1][1][0]["param"] == shipment.order.postal_code.replace(" ", "")


def test_the_client_waits_out_429_and_tells_final_errors(fake):
    fake.throttle_next(1, retry_after=0.1)
    with SeventeenTrackClient(api_key=fake.api_key, api_base=fake.api_base, max_rps=20) as client:
        result = client.register([Registration(number="1ZTHROTTLE0001")])
        assert result.accepted == ("1ZTHROTTLE0001",)
        assert client.calls == 2
        with pytest.raises(ProviderError) as too_many:
            client.post("register", [{"number": f"1Z{i:012d}"} for i in range(41)])
        assert too_many.value.code == -18010014 and not too_many.value.retryable
    with SeventeenTrackClient(api_key="wrong", api_base=fake.api_base, version="v2.2") as client:
        with pytest.raises(ProviderError) as bad_key:
            client.quota()
        assert bad_key.value.code == -18010002 and not bad_key.value.retryable
    fake.fail_next(5)
    with SeventeenTrackClient(api_key=fake.api_key, api_base=fake.api_base, attempts=2) as client:
        with pytest.raises(ProviderError) as down:
            client.quota()
        assert down.value.retryable and down.value.status == 500


def test_quota_is_read_and_warns_when_low(make_order, fake):
    fake.quota_total, fake.quota_used = 100, 95
    with staff_scope():
        row = quota_read()
    assert (row.total, row.used, row.remaining) == (100, 95, 5)
    assert quota_low(row)


# --- Pushes ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_signed_push_adds_its_events_and_delivers_the_order(make_order, fake, live_server, client, anonymous):
    shipment = tracked(make_order, fake)
    number = shipment.number
    fake.add_event(number, "InTransit_PickedUp", "Picked up", "Carson, CA", at=T0)
    fake.add_event(number, "OutForDelivery_Other", "Out for delivery", "Austin, TX", at=T0 + timedelta(hours=20))
    fake.add_event(number, "Delivered_Other", "Delivered, front door", "Austin, TX", at=T0 + timedelta(hours=22))
    answer = fake.push(webhook(live_server), number)
    assert answer.status_code == 200 and answer.json()["status"] == "stored"
    order = Order.objects.get(pk=shipment.order_id)
    assert order.status == "delivered"
    assert events_of(order) == ["in_transit", "out_for_delivery", "delivered"]
    with staff_scope():
        shipment.refresh_from_db()
        assert shipment.state == ShipmentState.STOPPED and shipment.delivered_at == T0 + timedelta(hours=22)
        assert ProviderPush.objects.get().status == "processed"
        assert OrderEvent.objects.filter(order=order, to_status="delivered").count() == 1
    assert fake.numbers[number]["stopped"]  # tracking stopped after delivery
    with anonymous():
        page = client.get(reverse("tracking:track"), {"numbers": number}).content.decode()
    assert 'data-testid="track-delivered"' in page and "Delivered, front door" in page and "Austin, TX" in page


@pytest.mark.django_db(transaction=True)
def test_a_forged_push_is_401_and_changes_nothing(make_order, fake, live_server):
    shipment = tracked(make_order, fake)
    fake.add_event(shipment.number, "Delivered_Other", "Delivered", at=T0)
    body = fake.push_body(shipment.number)
    forged = fake.send(webhook(live_server), body, signature=fake.sign(body, key="not-the-key"))
    unsigned = fake.send(webhook(live_server), body, signature="")
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    assert Order.objects.get(pk=shipment.order_id).status == "shipped"
    with staff_scope():
        assert not ProviderPush.objects.exists()
    assert events_of(shipment.order) == []


@pytest.mark.django_db(transaction=True)
def test_the_same_push_twice_adds_nothing(make_order, fake, live_server):
    shipment = tracked(make_order, fake)
    fake.add_event(shipment.number, "InTransit_Departure", "Departed", "Carson, CA", at=T0)
    body = fake.push_body(shipment.number)
    first, again = fake.send(webhook(live_server), body), fake.send(webhook(live_server), body)
    assert [first.json()["status"], again.json()["status"]] == ["stored", "duplicate"]
    # The same events in another body (17TRACK's hashes change) are deduplicated by their content.
    third = fake.push(webhook(live_server), shipment.number)
    assert third.json()["status"] == "stored"
    assert events_of(shipment.order) == ["in_transit"]


@pytest.mark.django_db(transaction=True)
def test_a_late_older_push_does_not_move_the_status_back(make_order, fake, live_server):
    shipment = tracked(make_order, fake)
    number = shipment.number
    fake.add_event(number, "InTransit_PickedUp", "Picked up", "Carson, CA", at=T0)
    fake.add_event(number, "DeliveryFailure_NoBody", "Nobody home", "Austin, TX", at=T0 + timedelta(hours=10))
    fake.add_event(number, "OutForDelivery_Other", "Out for delivery", "Austin, TX", at=T0 + timedelta(hours=20))
    older = fake.push_body(number, upto=T0 + timedelta(hours=10))  # sent then, arrives after the newer one
    assert fake.push(webhook(live_server), number).status_code == 200
    assert fake.send(webhook(live_server), older).status_code == 200
    with staff_scope():
        shipment.refresh_from_db()
        assert shipment.latest_status == TrackingStatus.OUT_FOR_DELIVERY
        assert shipment.latest_event_at == T0 + timedelta(hours=20)
        # The failure is history by then: it opened nothing when it came late.
        assert not DeliveryException.objects.filter(order=shipment.order).exists()
    assert events_of(shipment.order) == ["in_transit", "exception", "out_for_delivery"]


def test_the_sweep_fills_in_a_shipment_whose_push_was_lost(make_order, fake):
    shipment = tracked(make_order, fake)
    fake.add_event(shipment.number, "InTransit_Arrival", "Arrived", "Austin, TX", at=T0)
    fake.add_event(shipment.number, "Delivered_Other", "Delivered", "Austin, TX", at=T0 + timedelta(hours=3))
    with staff_scope():
        assert shipments_sweep()["asked"] == 0  # it had news just now (the registration)
        Shipment.objects.filter(pk=shipment.pk).update(news_at=datetime.now(UTC) - timedelta(hours=13))
        result = shipments_sweep()
    assert (result["asked"], result["updated"], result["requests"]) == (1, 1, 1)
    assert Order.objects.get(pk=shipment.order_id).status == "delivered"
    assert events_of(shipment.order) == ["in_transit", "delivered"]


# --- Exceptions --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_failed_delivery_opens_one_exception(make_order, fake, live_server):
    shipment = tracked(make_order, fake)
    fake.add_event(shipment.number, "DeliveryFailure_InvalidAddress", "Address unknown", "Austin, TX", at=T0)
    fake.push(webhook(live_server), shipment.number)
    fake.add_event(shipment.number, "DeliveryFailure_Other", "Second attempt failed", at=T0 + timedelta(hours=24))
    fake.push(webhook(live_server), shipment.number)
    with staff_scope():
        exceptions = list(DeliveryException.objects.filter(order=shipment.order))
        assert [(e.kind, e.status) for e in exceptions] == [(ExceptionKind.DELIVERY_FAILURE, "open")]
        assert "Address unknown" in exceptions[0].detail
        assert OrderEvent.objects.filter(order=shipment.order, message__startswith="Delivery exception").count() == 1
    # Delivered later: the exception settles by itself.
    fake.add_event(shipment.number, "Delivered_Other", "Delivered", at=T0 + timedelta(hours=30))
    fake.push(webhook(live_server), shipment.number)
    with staff_scope():
        assert DeliveryException.objects.get(order=shipment.order).status == "resolved"


def test_no_news_for_the_channels_days_opens_an_exception(make_order, fake):
    shipment = tracked(make_order, fake, shipped_ago=timedelta(days=8))
    with staff_scope():
        result = shipments_sweep()
        again = shipments_sweep()
        assert (result["no_news"], again["no_news"]) == (1, 0)
        assert DeliveryException.objects.get(order=shipment.order).kind == ExceptionKind.NO_NEWS


def test_one_task_applies_a_burst_of_waiting_pushes_shipment_by_shipment(make_order, fake):
    from apps.tracking.pushes import push_process, push_receive

    first = tracked(make_order, fake)
    second = tracked(make_order, fake, number="1Z9FH0010300000022")
    bodies = []
    for shipment, sub in ((first, "InTransit_PickedUp"), (second, "InTransit_PickedUp"), (first, "Delivered_Other")):
        fake.add_event(shipment.number, sub, sub, at=T0 + timedelta(hours=len(bodies)))
        bodies.append(fake.push_body(shipment.number))
    bodies.append(b'{"event": "TRACKING_UPDATED", "data": {"number": "NOT-OURS-1"}}')
    with staff_scope():
        rows = [push_receive(provider="17track", body=b, signature=fake.sign(b))[0] for b in bodies]  # not run yet
        assert push_process(push_id=rows[0].pk) == "processed"
        assert [ProviderPush.objects.get(pk=r.pk).status for r in rows] == ["processed"] * 3 + ["ignored"]
        assert push_process(push_id=rows[2].pk) == "processed"  # its own task later: nothing more
    assert Order.objects.get(pk=first.order_id).status == "delivered"
    assert events_of(first.order) == ["in_transit", "delivered"] and events_of(second.order) == ["in_transit"]


def test_returned_to_the_sender_returns_the_order_and_returning_is_an_exception(make_order, fake):
    shipment = tracked(make_order, fake)
    fake.add_event(shipment.number, "Exception_Returning", "Returning to sender", "Austin, TX", at=T0)
    with staff_scope():
        Shipment.objects.filter(pk=shipment.pk).update(news_at=None)
        shipments_sweep()
        assert DeliveryException.objects.get(order=shipment.order).kind == ExceptionKind.RETURNING
        assert Order.objects.get(pk=shipment.order_id).status == "shipped"
        fake.add_event(
            shipment.number, "Exception_Returned", "Returned to sender", "Carson, CA", at=T0 + timedelta(days=1)
        )
        Shipment.objects.filter(pk=shipment.pk).update(news_at=None)
        shipments_sweep()
        shipment.refresh_from_db()
    assert Order.objects.get(pk=shipment.order_id).status == "returned"
    assert shipment.state == ShipmentState.STOPPED
    assert events_of(shipment.order) == ["exception", "returned"]


def test_a_parcel_waiting_long_at_a_pick_up_point_is_an_exception(make_order, fake, settings):
    settings.TRACKING_PICKUP_WAIT_DAYS = 3
    shipment = tracked(make_order, fake, shipped_ago=timedelta(days=6))
    fake.add_event(shipment.number, "AvailableForPickup_Other", "At the post office", "Austin, TX", at=T0)
    with staff_scope():
        Shipment.objects.filter(pk=shipment.pk).update(news_at=None)
        first = shipments_sweep()
        assert first["pickup_waiting"] == 0  # a day at the counter is normal
        Shipment.objects.filter(pk=shipment.pk).update(latest_event_at=T0 - timedelta(days=3))
        assert shipments_sweep()["pickup_waiting"] == 1
        assert DeliveryException.objects.get(order=shipment.order).kind == ExceptionKind.PICKUP_WAITING
