"""Hand-over: packed parcels are scanned into the carrier's open manifest; closing the manifest
(the driver signs for the pickup) ships every order in it — stock leaves the bins, the hold
settles against the actual freight and fee, the tracking number is the customer's."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.core.identifiers import order_number_problem
from apps.core.services import sequence_next
from apps.orders.choices import OrderStatus
from apps.orders.outbound import Pick, order_ship

from .choices import ManifestStatus, ParcelStatus, PickStatus, WaveOrderStatus
from .errors import OutboundConflict, ScanRefused
from .models import Manifest, Parcel, PickLine
from .transitions import person, record_created, transition, transition_many


def _number() -> str:
    day = timezone.localdate().strftime("%y%m%d")
    return f"MF{day}{sequence_next(name='manifest', period=day):04d}"


@transaction.atomic
def manifest_open(*, actor, warehouse, carrier) -> Manifest:
    """The carrier's open manifest at this warehouse (one at a time), made when there is none."""
    manifest = (
        Manifest.objects.select_for_update()
        .filter(warehouse=warehouse, carrier=carrier, status=ManifestStatus.OPEN)
        .first()
    )
    if manifest is None:
        manifest = Manifest.objects.create(
            warehouse=warehouse, carrier=carrier, number=_number(), created_by=person(actor)
        )
        record_created([manifest], actor=actor, message=f"Opened for {carrier.name}")
    return manifest


def _parcel(code: str) -> Parcel | None:
    code = (code or "").strip()
    qs = Parcel.objects.select_related("order", "channel__carrier", "manifest")
    if code.upper().startswith("S") and not order_number_problem(code.upper()):
        return qs.filter(order__number=code.upper()).first()
    return qs.filter(tracking_number=code).first()


@transaction.atomic
def manifest_add(*, actor, manifest: Manifest, code: str) -> Parcel:
    """Scan a packed parcel (tracking number or order number) into the manifest."""
    manifest = Manifest.objects.select_for_update().select_related("carrier", "warehouse").get(pk=manifest.pk)
    if manifest.status != ManifestStatus.OPEN:
        raise OutboundConflict(f"Manifest {manifest.number} is already handed over; open a new one.")
    parcel = _parcel(code)
    if parcel is None:
        raise ScanRefused(
            f"No packed parcel with the number “{code}”: an order is handed over only after it is packed and labelled.",
            code="not_packed",
        )
    order = parcel.order
    if parcel.warehouse_id != manifest.warehouse_id:
        raise ScanRefused(f"{parcel.tracking_number} was packed in another warehouse.", code="other_warehouse")
    if parcel.channel.carrier_id != manifest.carrier_id:
        raise ScanRefused(
            f"{parcel.tracking_number} goes with {parcel.channel.carrier.name}, not with "
            f"{manifest.carrier.name}: put it on that carrier's manifest.",
            code="other_carrier",
        )
    if parcel.manifest_id == manifest.pk:
        raise ScanRefused(f"{parcel.tracking_number} is already on this manifest.", code="already_scanned")
    if parcel.manifest_id is not None:
        raise ScanRefused(
            f"{parcel.tracking_number} is already on manifest {parcel.manifest.number}.", code="already_scanned"
        )
    if order.status != OrderStatus.PENDING_SHIPMENT:
        raise OutboundConflict(f"Order {order.number} is {order.get_status_display()}; it cannot be handed over.")
    return transition(
        parcel,
        to=ParcelStatus.MANIFESTED,
        actor=actor,
        message=f"Scanned onto manifest {manifest.number}",
        fields={"manifest": manifest},
    )


@transaction.atomic
def manifest_remove(*, actor, manifest: Manifest, parcel: Parcel) -> None:
    manifest = Manifest.objects.select_for_update().get(pk=manifest.pk)  # not while it is being closed
    parcel = Parcel.objects.select_for_update().get(pk=parcel.pk)
    if manifest.status != ManifestStatus.OPEN or parcel.manifest_id != manifest.pk:
        raise OutboundConflict("Only a parcel on an open manifest can be taken off it.")
    transition(
        parcel,
        to=ParcelStatus.PACKED,
        actor=actor,
        message=f"Taken off manifest {manifest.number}",
        fields={"manifest": None},
    )


def picks_of(order) -> list[Pick]:
    """Where the order's units were picked from (its packed wave's lines)."""
    lines = PickLine.objects.filter(
        wave_order__order=order, wave_order__status=WaveOrderStatus.PACKED, status=PickStatus.PICKED
    ).select_related("product", "bin")
    return [Pick(product=line.product, bin=line.bin, quantity=line.quantity) for line in lines]


@transaction.atomic
def manifest_close(*, actor, manifest: Manifest) -> Manifest:
    """The carrier took the parcels: every order on the manifest becomes Shipped. All or nothing."""
    manifest = Manifest.objects.select_for_update().get(pk=manifest.pk)
    if manifest.status != ManifestStatus.OPEN:
        raise OutboundConflict(f"Manifest {manifest.number} is already handed over.")
    parcels = list(manifest.parcels.select_related("order").order_by("order_id"))
    if not parcels:
        raise ScanRefused("Scan at least one parcel before handing the manifest over.", code="empty_manifest")
    for parcel in parcels:
        order_ship(actor=actor, order=parcel.order, picks=picks_of(parcel.order))
    transition_many(
        Parcel,
        [parcel.pk for parcel in parcels],
        to=ParcelStatus.SHIPPED,
        actor=actor,
        message=f"Handed over with manifest {manifest.number}",
    )
    return transition(
        manifest,
        to=ManifestStatus.CLOSED,
        actor=actor,
        message=f"Handed over: {len(parcels)} parcel{'s' if len(parcels) != 1 else ''}",
        fields={"closed_by": person(actor), "closed_at": timezone.now()},
    )
