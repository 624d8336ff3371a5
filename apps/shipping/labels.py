"""Issue a parcel's tracking number through the carrier adapter and render its 4×6 label."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from apps.core.addresses import postal_lines
from apps.core.errors import StateConflict
from apps.core.numbers import day_range
from apps.core.services import sequence_next
from apps.documents.layouts.shipping_labels import LabelAddress, ShippingLabel, render_shipping_labels

from .carriers import CarrierError, ParcelRequest, get_adapter


@dataclass(frozen=True)
class IssuedLabel:
    tracking_number: str
    pdf: bytes


def warehouse_address(warehouse, destination: str | None = None) -> LabelAddress:
    """The sender block; it names the warehouse's country when the parcel goes to another one."""
    return LabelAddress(
        name=warehouse.name,
        company="Fulfillment Hub",
        lines=tuple(warehouse.postal_lines(destination)),
        phone=warehouse.phone,
    )


def order_recipient(order) -> LabelAddress:
    """The label's recipient block of an order (or anything with its recipient fields and warehouse): the
    street, city and postal code in the destination's order, its country's name in capitals when the
    parcel leaves the warehouse's country."""
    return LabelAddress(
        name=order.recipient_name,
        company=order.recipient_company,
        phone=order.recipient_phone,
        lines=tuple(
            postal_lines(
                country=order.country,
                address1=order.address1,
                address2=order.address2,
                city=order.city,
                state=order.state,
                postal_code=order.postal_code,
                origin=order.warehouse.country,
            )
        ),
    )


def parcel_label_issue(
    *,
    channel,
    order_number: str,
    recipient: LabelAddress,
    recipient_country: str,
    recipient_postal_code: str,
    weight_g: int,
    dimensions_cm=(None, None, None),
    reference: str = "",
    parcel_no: int = 1,
    parcel_count: int = 1,
) -> IssuedLabel:
    """Ask the channel's carrier for a tracking number (numbered from a database sequence per
    carrier) and render the label; carrier refusals become a clear StateConflict."""
    carrier = channel.carrier
    adapter = get_adapter(carrier.code)
    request = ParcelRequest(
        channel_code=channel.code,
        carrier_code=carrier.code,
        service_level=channel.service_level,
        order_number=order_number,
        weight_g=weight_g,
        length_cm=dimensions_cm[0],
        width_cm=dimensions_cm[1],
        height_cm=dimensions_cm[2],
        sender_country=channel.warehouse.country,
        recipient_country=recipient_country,
        recipient_postal_code=recipient_postal_code,
        reference=reference,
    )
    try:
        result = adapter.request_label(request, sequence=sequence_next(name=f"tracking:{carrier.code}"))
    except CarrierError as exc:
        raise StateConflict(exc.message, code="carrier_retry_later" if exc.retryable else "carrier_refused") from exc
    pdf = result.label_pdf or render_shipping_labels(
        [
            ShippingLabel(
                sender=warehouse_address(channel.warehouse, recipient_country),
                recipient=recipient,
                order_number=order_number,
                tracking_number=result.tracking_number,
                carrier_name=carrier.name,
                channel_name=channel.name,
                service_level=(
                    f"{channel.service_level}, {day_range(channel.transit_days_min, channel.transit_days_max)}"
                ),
                weight_g=weight_g,
                parcel_no=parcel_no,
                parcel_count=parcel_count,
                reference=reference,
            )
        ],
        printed_on=timezone.localdate(),
    )
    return IssuedLabel(tracking_number=result.tracking_number, pdf=pdf)


def parcel_label_void(*, channel, tracking_number: str) -> None:
    """Void a label that was bought but will not be used (the order changed meanwhile): the
    carrier adapter cancels it. A carrier that refuses or cannot be reached becomes a clear
    StateConflict, for the caller to tell people to void it by hand."""
    carrier = channel.carrier
    try:
        get_adapter(carrier.code).cancel(tracking_number)
    except CarrierError as exc:
        raise StateConflict(
            exc.message, code="carrier_void_retry_later" if exc.retryable else "carrier_void_refused"
        ) from exc
