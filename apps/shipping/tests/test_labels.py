import pytest
from django.urls import reverse

from apps.documents.layouts.shipping_labels import LabelAddress
from apps.shipping.carriers import validate_tracking_number
from apps.shipping.labels import parcel_label_issue, parcel_label_void

pytestmark = pytest.mark.django_db
RECIPIENT = LabelAddress(name="Jane Doe", company="", lines=("1 Main St", "New York NY 10001", "US"))


def test_labels_get_distinct_well_formed_tracking_numbers(channels):
    ground = channels[0]
    numbers = {
        parcel_label_issue(
            channel=ground,
            order_number="S26112500000421",
            recipient=RECIPIENT,
            recipient_country="US",
            recipient_postal_code="10001",
            weight_g=900,
        ).tracking_number
        for _ in range(3)
    }
    assert len(numbers) == 3 and all(n.startswith("1Z") and validate_tracking_number("ups", n) for n in numbers)


def test_carrier_refusal_is_a_clear_conflict(channels):
    from apps.core.errors import StateConflict

    with pytest.raises(StateConflict) as exc:
        parcel_label_issue(
            channel=channels[0],
            order_number="S1",
            recipient=RECIPIENT,
            recipient_country="US",
            recipient_postal_code="10001",
            weight_g=0,
        )
    assert exc.value.code == "carrier_refused" and "no weight" in exc.value.message


def test_a_label_bought_and_not_used_is_voided_through_the_carrier_adapter(channels):
    from apps.core.errors import StateConflict

    ground = channels[0]
    label = parcel_label_issue(
        channel=ground,
        order_number="S26112500000421",
        recipient=RECIPIENT,
        recipient_country="US",
        recipient_postal_code="10001",
        weight_g=900,
    )
    assert parcel_label_void(channel=ground, tracking_number=label.tracking_number) is None
    with pytest.raises(StateConflict) as exc:  # not a number this carrier issued
        parcel_label_void(channel=ground, tracking_number="GM5369000000000012")
    assert exc.value.code == "carrier_void_refused" and "cannot be cancelled" in exc.value.message


def test_sample_label_from_the_back_office(client, make_staff, channels):
    client.force_login(make_staff("logistics"))
    response = client.post(reverse("backoffice:shipping-channel-sample-label", args=["dhl-express"]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
