"""The outbound objects' states, each with its TRANSITIONS table (STYLE rule 5): the only moves a
status can make, checked by ``transitions.transition`` / ``transitions.transition_many``, which
are the only writers of these status fields."""

from django.db import models


class WaveStatus(models.TextChoices):
    PICKING = "picking", "Picking"
    DONE = "done", "Picked"


WAVE_TRANSITIONS = {
    WaveStatus.PICKING: {WaveStatus.DONE},  # no line left to pick on an order still being picked
    WaveStatus.DONE: set(),
}


class PickStatus(models.TextChoices):
    OPEN = "open", "To pick"
    PICKED = "picked", "Picked"
    SHORT = "short", "Short"


PICK_TRANSITIONS = {
    PickStatus.OPEN: {PickStatus.PICKED, PickStatus.SHORT},
    PickStatus.PICKED: set(),
    PickStatus.SHORT: set(),
}


class WaveOrderStatus(models.TextChoices):
    PICKING = "picking", "Picking"
    PICKED = "picked", "Picked, to pack"
    PACKED = "packed", "Packed"
    SHORT = "short", "Short pick (Abnormal)"
    CANCELLED = "cancelled", "Cancelled by the customer"


WAVE_ORDER_TRANSITIONS = {
    WaveOrderStatus.PICKING: {WaveOrderStatus.PICKED, WaveOrderStatus.SHORT, WaveOrderStatus.CANCELLED},
    # The customer may cancel until the order is packed; after that the parcel leaves with its wave.
    WaveOrderStatus.PICKED: {WaveOrderStatus.PACKED, WaveOrderStatus.CANCELLED},
    WaveOrderStatus.PACKED: set(),
    WaveOrderStatus.SHORT: set(),
    WaveOrderStatus.CANCELLED: set(),
}
# A wave still working on its order: the order is on no other pick list meanwhile.
WAVE_ORDER_ACTIVE = (WaveOrderStatus.PICKING, WaveOrderStatus.PICKED, WaveOrderStatus.PACKED)


class ParcelStatus(models.TextChoices):
    PACKED = "packed", "Packed, waiting for the carrier"
    MANIFESTED = "manifested", "On a manifest"
    SHIPPED = "shipped", "Handed over"


PARCEL_TRANSITIONS = {
    ParcelStatus.PACKED: {ParcelStatus.MANIFESTED},
    ParcelStatus.MANIFESTED: {ParcelStatus.PACKED, ParcelStatus.SHIPPED},  # taken off again, or handed over
    ParcelStatus.SHIPPED: set(),
}


class ManifestStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSING = "closing", "Handing over"  # the driver signed; its orders are being shipped one by one
    CLOSED = "closed", "Handed over"


MANIFEST_TRANSITIONS = {
    ManifestStatus.OPEN: {ManifestStatus.CLOSING},
    ManifestStatus.CLOSING: {ManifestStatus.CLOSED},
    ManifestStatus.CLOSED: set(),
}


class EventSubject(models.TextChoices):
    """What a fulfillment event row is about (with its ``object_id``)."""

    WAVE = "wave", "Pick list"
    WAVE_ORDER = "wave_order", "Pick-list slot"
    PICK_LINE = "pick_line", "Pick line"
    PARCEL = "parcel", "Parcel"
    MANIFEST = "manifest", "Manifest"


class ItemsKind(models.TextChoices):
    ANY = "", "Single and multi-item"
    SINGLE = "single", "Single-item orders"
    MULTI = "multi", "Multi-item orders"
