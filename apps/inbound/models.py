from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

from .choices import DifferenceKind, InboundStatus, PackingMethod, SlipKind, TransportMode


class InboundOrder(models.Model):
    """A reservation inbound (ASN): goods the customer announces and sends to a warehouse."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="inbound_orders")
    number = models.CharField(max_length=16, unique=True, editable=False)
    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=InboundStatus.choices, default=InboundStatus.DRAFT)
    packing_method = models.CharField(max_length=10, choices=PackingMethod.choices, blank=True)
    carrier = models.CharField(max_length=80, blank=True)
    tracking_number = models.CharField(max_length=80, blank=True)
    transport_mode = models.CharField(max_length=10, choices=TransportMode.choices, blank=True)
    ship_date = models.DateField(null=True, blank=True)
    eta = models.DateField("ETA", null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["customer", "status", "-created_at"], name="inbound_order_status_idx")]
        permissions = [("receive_inbound", "Can mark arrived, receive and shelve inbound goods")]

    def __str__(self):
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == InboundStatus.DRAFT


class InboundLine(models.Model):
    """A SKU and how many units are announced; what receiving and shelving found."""

    inbound = models.ForeignKey(InboundOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    received_good = models.PositiveIntegerField(default=0)
    received_damaged = models.PositiveIntegerField(default=0)
    shelved = models.PositiveIntegerField(default=0)
    shelving_loss = models.PositiveIntegerField(default=0, help_text="Units found missing or damaged while shelving.")
    shelving_gain = models.PositiveIntegerField(default=0, help_text="Extra units found while shelving.")

    objects = CustomerScopedManager(customer="inbound__customer")

    class Meta:
        ordering = ["product__sku"]
        constraints = [
            models.UniqueConstraint(fields=["inbound", "product"], name="inbound_line_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inbound_line_quantity_gt_0"),
        ]

    def __str__(self):
        return f"{self.inbound_id}: {self.product_id} × {self.quantity}"

    @property
    def to_shelve(self) -> int:
        return self.received_good + self.shelving_gain - self.shelving_loss - self.shelved


class InboundBox(models.Model):
    inbound = models.ForeignKey(InboundOrder, on_delete=models.CASCADE, related_name="boxes")
    box_no = models.PositiveIntegerField()
    length_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    width_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    arrived = models.BooleanField(default=False)
    received = models.BooleanField(default=False, help_text="Counted at receiving.")

    objects = CustomerScopedManager(customer="inbound__customer")

    class Meta:
        ordering = ["box_no"]
        constraints = [models.UniqueConstraint(fields=["inbound", "box_no"], name="inbound_box_unique_no")]

    def __str__(self):
        return f"{self.inbound_id} box {self.box_no}"


class InboundBoxItem(models.Model):
    """What the packing list says a box holds, and what receiving counted in it."""

    box = models.ForeignKey(InboundBox, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(help_text="Packed (announced).")
    good = models.PositiveIntegerField(null=True, blank=True)
    damaged = models.PositiveIntegerField(null=True, blank=True)

    objects = CustomerScopedManager(customer="box__inbound__customer")

    class Meta:
        ordering = ["box__box_no", "product__sku"]
        constraints = [models.UniqueConstraint(fields=["box", "product"], name="inbound_boxitem_unique_product")]

    def __str__(self):
        return f"{self.box_id}: {self.product_id} × {self.quantity}"


class InboundEvent(models.Model):
    """The timeline: every status change (who, when, from, to, why), and every change of the
    shipping information (from = to = the status at the time, the note says what changed)."""

    inbound = models.ForeignKey(InboundOrder, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager(customer="inbound__customer")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.inbound_id}: {self.from_status} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return InboundStatus(self.to_status).label

    @property
    def title(self) -> str:
        """The timeline's heading: the new status, or what changed when the status stayed."""
        if self.from_status == self.to_status:
            return "Shipping information"
        return self.to_label


class DamageGainSlip(models.Model):
    """Differences between what was announced and what the warehouse found."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    inbound = models.ForeignKey(InboundOrder, on_delete=models.PROTECT, related_name="slips")
    kind = models.CharField(max_length=10, choices=SlipKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} slip of {self.inbound_id}"


class DamageGainLine(models.Model):
    slip = models.ForeignKey(DamageGainSlip, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=DifferenceKind.choices)
    quantity = models.PositiveIntegerField()
    expected = models.PositiveIntegerField(null=True, blank=True)
    found = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = CustomerScopedManager(customer="slip__customer")

    class Meta:
        ordering = ["product__sku", "kind"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity} of {self.product_id}"
