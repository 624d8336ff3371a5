"""Hand-over: packed parcels are scanned into the carrier's open manifest; closing the manifest
(the driver signs for the pickup) ships every order in it — stock leaves the bins, the hold
settles against the actual freight and fee, the tracking number is the customer's."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.core.identifiers import order_number_problem
from apps.core.retry import atomic_retry
from apps.core.services import sequence_next
from apps.core.task_names import task_send_on_commit
from apps.orders.choices import OrderStatus
from apps.orders.outbound import Pick, order_ship

from .choices import EventSubject, ManifestStatus, ParcelStatus, PickStatus, WaveOrderStatus
from .errors import OutboundConflict, ScanRefused
from .models import FulfillmentEvent, Manifest, Parcel, PickLine
from .transitions import person, record_created, transition

HAND_OVER_TASK = "fulfillment.manifest_hand_over"


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


@dataclass
class HandOver:
    """What closing a manifest did: the orders shipped now, and the parcels taken off because
    their order could not ship (the warehouse keeps those back)."""

    manifest: Manifest
    shipped: int = 0
    kept_back: list[tuple[str, str]] = field(default_factory=list)  # (order number, why)


def manifest_hand_over_start(*, actor, manifest: Manifest) -> Manifest:
    """The driver signed: Open → Handing over (no more scans; a new manifest may open). A
    manifest already handing over is resumed as it is."""
    with transaction.atomic():
        manifest = Manifest.objects.select_for_update().get(pk=manifest.pk)
        if manifest.status == ManifestStatus.CLOSED:
            raise OutboundConflict(f"Manifest {manifest.number} is already handed over.")
        if manifest.status == ManifestStatus.OPEN:
            if not manifest.parcels.exists():
                raise ScanRefused("Scan at least one parcel before handing the manifest over.", code="empty_manifest")
            transition(
                manifest,
                to=ManifestStatus.CLOSING,
                actor=actor,
                message="The driver signed: shipping its orders",
                fields={"closed_by": person(actor)},
            )
        return manifest


@atomic_retry
def _ship_parcel(*, actor, manifest: Manifest, parcel_id: int) -> bool:
    """One parcel in its own short transaction (parcel → order → stock → wallet, the lock order).
    A parcel already handed over (a resumed close) is left alone, so a re-run ships each order
    once. False when there was nothing to do."""
    parcel = Parcel.objects.select_for_update(of=("self",)).select_related("order").get(pk=parcel_id)
    if parcel.status != ParcelStatus.MANIFESTED or parcel.manifest_id != manifest.pk:
        return False
    order_ship(actor=actor, order=parcel.order, picks=picks_of(parcel.order))
    transition(parcel, to=ParcelStatus.SHIPPED, actor=actor, message=f"Handed over with manifest {manifest.number}")
    return True


@transaction.atomic
def _keep_back(*, actor, manifest: Manifest, parcel_id: int, why: str) -> str:
    """The parcel's order cannot ship (stopped by staff since the scan, say): it comes off the
    manifest and the warehouse keeps it back."""
    parcel = Parcel.objects.select_for_update(of=("self",)).select_related("order").get(pk=parcel_id)
    if parcel.status == ParcelStatus.MANIFESTED and parcel.manifest_id == manifest.pk:
        transition(
            parcel,
            to=ParcelStatus.PACKED,
            actor=actor,
            message=f"Kept back from manifest {manifest.number}: {why}",
            fields={"manifest": None},
        )
    return parcel.order.number


def _close_finish(*, actor, manifest: Manifest, result: HandOver) -> Manifest:
    with transaction.atomic():
        manifest = Manifest.objects.select_for_update().get(pk=manifest.pk)
        if manifest.status != ManifestStatus.CLOSING:
            return manifest  # a concurrent run finished it
        if manifest.parcels.filter(status=ParcelStatus.MANIFESTED).exists():
            raise OutboundConflict(f"Manifest {manifest.number} still has parcels to ship; hand it over again.")
        handed = manifest.parcels.filter(status=ParcelStatus.SHIPPED).count()
        kept = "".join(f"; kept back {number}: {why}" for number, why in result.kept_back)
        return transition(
            manifest,
            to=ManifestStatus.CLOSED,
            actor=actor,
            message=f"Handed over: {handed} parcel{'' if handed == 1 else 's'}{kept}"[:500],
            fields={"closed_by": manifest.closed_by or person(actor), "closed_at": timezone.now()},
        )


def manifest_close(*, actor, manifest: Manifest) -> Manifest:
    """The carrier took the parcels: every order on the manifest becomes Shipped."""
    return manifest_hand_over(actor=actor, manifest=manifest).manifest


def manifest_hand_over(*, actor, manifest: Manifest) -> HandOver:
    """Close the manifest in small steps: mark it Handing over, ship each order in its own short
    transaction (so a customer's wallet is held for one order at a time, never for the whole
    pickup), then close it. Idempotent and resumable: after a crash, running it again (or the
    ``fulfillment.manifests_finish`` sweep) ships what is left and nothing twice."""
    manifest = manifest_hand_over_start(actor=actor, manifest=manifest)
    result = HandOver(manifest=manifest)
    pending = manifest.parcels.filter(status=ParcelStatus.MANIFESTED).order_by("order_id")
    for parcel_id in list(pending.values_list("pk", flat=True)):
        try:
            result.shipped += _ship_parcel(actor=actor, manifest=manifest, parcel_id=parcel_id)
        except ApplicationError as refusal:  # rolled back whole; Busy included (the parcel stays for a re-run)
            if refusal.code == "busy":
                raise
            number = _keep_back(actor=actor, manifest=manifest, parcel_id=parcel_id, why=refusal.message)
            result.kept_back.append((number, refusal.message))
    result.manifest = _close_finish(actor=actor, manifest=manifest, result=result)
    return result


def manifest_hand_over_queue(*, actor, manifest: Manifest) -> Manifest:
    """The driver signed: the manifest goes Handing over now and its orders ship in the
    background (``fulfillment.manifest_hand_over``), so the clerk's page answers at once and
    shows the progress. With an eager Celery (the laptop default) it is done on return."""
    manifest = manifest_hand_over_start(actor=actor, manifest=manifest)
    task_send_on_commit(HAND_OVER_TASK, manifest.pk, actor_id=getattr(person(actor), "pk", None))
    return manifest


def manifest_kept_back(*, manifest: Manifest) -> list[tuple[str, str]]:
    """The orders kept back when the manifest was handed over: (order number, why)."""
    prefix = f"Kept back from manifest {manifest.number}: "
    events = FulfillmentEvent.objects.filter(
        subject=EventSubject.PARCEL, to_status=ParcelStatus.PACKED, message__startswith=prefix
    ).order_by("id")
    numbers = dict(Parcel.objects.filter(pk__in=[e.object_id for e in events]).values_list("pk", "order__number"))
    return [(numbers.get(e.object_id, ""), e.message[len(prefix) :]) for e in events]


def manifests_finish(*, actor=None) -> int:
    """Finish every manifest left Handing over (the process closing it died): the sweep."""
    finished = 0
    for manifest in Manifest.objects.filter(status=ManifestStatus.CLOSING).order_by("pk"):
        manifest_hand_over(actor=actor, manifest=manifest)
        finished += 1
    return finished
