from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

from .choices import EventSubject, ManifestStatus, ParcelStatus, PickStatus, WaveOrderStatus, WaveStatus


class Wave(models.Model):
    """A pick wave: Pending Shipment orders of one warehouse picked together, sorted by bin."""

    event_subject = EventSubject.WAVE  # its rows in FulfillmentEvent

    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=16, unique=True)
    status = models.CharField(max_length=10, choices=WaveStatus.choices, default=WaveStatus.PICKING)
    criteria = models.CharField(max_length=200, blank=True, help_text="The filters the wave was made with.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        permissions = [("work_outbound", "Can pick, pack, label and hand over parcels")]

    def __str__(self):
        return self.number


class WaveOrder(models.Model):
    """An order in a wave, with its slot on the pick cart (1, 2, 3 …)."""

    event_subject = EventSubject.WAVE_ORDER  # its rows in FulfillmentEvent

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="orders")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    slot = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=WaveOrderStatus.choices, default=WaveOrderStatus.PICKING)

    objects = CustomerScopedManager(customer="order__customer")

    class Meta:
        ordering = ["wave", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "slot"], name="fulfillment_waveorder_unique_slot"),
            # An order is in at most one wave that is still working on it.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["picking", "picked", "packed"]),
                name="fulfillment_waveorder_one_active",
            ),
        ]

    def __str__(self):
        return f"{self.wave_id} #{self.slot}: {self.order_id}"


class PickLine(models.Model):
    """Take ``quantity`` units of a product from a bin for one order of the wave."""

    event_subject = EventSubject.PICK_LINE  # its rows in FulfillmentEvent

    wave_order = models.ForeignKey(WaveOrder, on_delete=models.CASCADE, related_name="picks")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    bin = models.ForeignKey("warehouses.BinLocation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    picked = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=PickStatus.choices, default=PickStatus.OPEN)
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    picked_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerScopedManager(customer="wave_order__order__customer")

    class Meta:
        ordering = ["bin__code", "product__sku", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(picked__lte=models.F("quantity")), name="fulfillment_pickline_picked_lte_quantity"
            )
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_id} from {self.bin_id}"


class Manifest(models.Model):
    """The parcels handed to one carrier at one pickup; closing it ships them all."""

    event_subject = EventSubject.MANIFEST  # its rows in FulfillmentEvent

    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    carrier = models.ForeignKey("shipping.Carrier", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(max_length=16, unique=True)
    status = models.CharField(max_length=10, choices=ManifestStatus.choices, default=ManifestStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["warehouse", "carrier"],
                condition=Q(status="open"),
                name="fulfillment_manifest_one_open_per_carrier",
            )
        ]

    def __str__(self):
        return self.number


class Parcel(models.Model):
    """What the pack station made of an order: the box, the weight, the label, the freight quoted
    from the packed parcel, and the manifest it leaves with."""

    event_subject = EventSubject.PARCEL  # its rows in FulfillmentEvent

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="parcel")
    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey("shipping.Channel", on_delete=models.PROTECT, related_name="+")
    weight_g = models.PositiveIntegerField()
    length_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    width_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    box = models.CharField(max_length=40, blank=True)
    freight = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="USD")
    tracking_number = models.CharField(max_length=60, unique=True)
    label_pdf = models.BinaryField()
    manifest = models.ForeignKey(Manifest, null=True, blank=True, on_delete=models.PROTECT, related_name="parcels")
    status = models.CharField(max_length=12, choices=ParcelStatus.choices, default=ParcelStatus.PACKED)
    packed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    packed_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager(customer="order__customer")

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.tracking_number


class FulfillmentEvent(models.Model):
    """One status change of an outbound object (who, when, from, to, why) — waves, the orders on
    them, pick lines, parcels and manifests share this table, told apart by ``subject`` and
    ``object_id``. Written only by ``fulfillment.transitions``; a row with an empty
    ``from_status`` records the object's creation in its first state."""

    subject = models.CharField(max_length=12, choices=EventSubject.choices)
    object_id = models.PositiveBigIntegerField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text="Who, as shown: the user's e-mail or System.")
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["subject", "object_id", "id"], name="fulfillment_event_subject_idx")]

    def __str__(self):
        return f"{self.subject} {self.object_id}: {self.from_status or '∅'} → {self.to_status}"

    @property
    def from_label(self) -> str:
        return EVENT_STATES[self.subject](self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return EVENT_STATES[self.subject](self.to_status).label


EVENT_STATES = {
    EventSubject.WAVE: WaveStatus,
    EventSubject.WAVE_ORDER: WaveOrderStatus,
    EventSubject.PICK_LINE: PickStatus,
    EventSubject.PARCEL: ParcelStatus,
    EventSubject.MANIFEST: ManifestStatus,
}
