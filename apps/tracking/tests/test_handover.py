"""The hand-over announces each parcel through the outbox; the tracking task registers it at the
(fake) 17TRACK with UPS's carrier code, after the hand-over's own transaction committed."""

import pytest

from apps.core.models import OutboxMessage
from apps.fulfillment.tests.conftest import floor, staff_side, submitted  # noqa: F401 - fixtures
from apps.fulfillment.tests.test_outbound import ship
from apps.tracking.choices import ShipmentState
from apps.tracking.models import Shipment

from .test_seventeentrack import fake  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("staff_side")


def test_handing_over_registers_the_parcels_at_the_provider(
    floor,  # noqa: F811
    submitted,  # noqa: F811
    fake,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    orders = [submitted(), submitted()]
    with django_capture_on_commit_callbacks(execute=True):
        ship(floor, *orders)
    shipments = list(Shipment.objects.filter(order__in=orders).order_by("order_id"))
    assert [s.state for s in shipments] == [ShipmentState.REGISTERED, ShipmentState.REGISTERED]
    assert {s.carrier_code for s in shipments} == {100002}
    registered = [item["number"] for endpoint, body in fake.bodies if endpoint == "register" for item in body]
    assert sorted(registered) == sorted(s.number for s in shipments)
    assert OutboxMessage.objects.filter(task="tracking.track_shipment", published_at__isnull=False).count() == 2


def test_without_a_provider_key_the_hand_over_just_waits_to_register(
    floor,  # noqa: F811
    submitted,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.SEVENTEENTRACK_API_KEY = ""
    order = submitted()
    with django_capture_on_commit_callbacks(execute=True):
        ship(floor, order)
    assert Shipment.objects.get(order=order).state == ShipmentState.PENDING
