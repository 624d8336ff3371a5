from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

from .choices import CycleCountStatus, MoveKind


class StockBalance(models.Model):
    """On hand and allocated per (product, warehouse). Changes only with a StockMove in the same
    transaction; the database itself refuses a negative available quantity."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="balances")
    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="balances")
    on_hand = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)
    damaged = models.IntegerField(default=0, help_text="Damaged units held apart; not sellable.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["product", "warehouse"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="inventory_balance_unique"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="inventory_balance_allocated_gte_0"),
            models.CheckConstraint(condition=Q(on_hand__gte=F("allocated")), name="inventory_balance_available_gte_0"),
            models.CheckConstraint(condition=Q(damaged__gte=0), name="inventory_balance_damaged_gte_0"),
        ]
        indexes = [models.Index(fields=["customer", "warehouse"], name="inventory_balance_cust_wh_idx")]
        permissions = [("adjust_stock", "Can adjust stock with a reason")]

    def __str__(self):
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}/{self.allocated}"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class StockInTransit(models.Model):
    """Units announced on their way to a warehouse by a document above inventory (an inbound
    reservation), per (product, warehouse). The document's services set and clear its rows
    explicitly (stock_in_transit_set), so the inventory pages read them without importing it."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    reference_type = models.CharField(max_length=30, help_text="What announced them: inbound, …")
    reference_id = models.CharField(max_length=40, help_text="The document's number.")
    quantity = models.PositiveIntegerField()

    objects = CustomerScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "reference_type", "reference_id", "product", "warehouse"],
                name="inventory_in_transit_unique",
            ),
        ]
        indexes = [models.Index(fields=["customer", "product"], name="inventory_in_transit_prod_idx")]

    def __str__(self):
        return f"{self.reference_type} {self.reference_id}: {self.quantity} of {self.product_id}@{self.warehouse_id}"


class BinStock(models.Model):
    """Units of a product in one bin (put-away and picking)."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="bin_stock")
    bin = models.ForeignKey("warehouses.BinLocation", on_delete=models.PROTECT, related_name="stock")
    quantity = models.IntegerField(default=0)

    objects = CustomerScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "bin"], name="inventory_binstock_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="inventory_binstock_quantity_gte_0"),
        ]

    def __str__(self):
        return f"{self.product_id}@{self.bin_id}: {self.quantity}"


class StockMove(models.Model):
    """The append-only stock ledger: every change of a balance, who made it, and why."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="moves")
    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    bin = models.ForeignKey("warehouses.BinLocation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=MoveKind.choices)
    quantity = models.IntegerField(help_text="Units moved; negative only for a downward adjustment.")
    on_hand_delta = models.IntegerField(default=0)
    allocated_delta = models.IntegerField(default=0)
    damaged_delta = models.IntegerField(default=0)
    reference_type = models.CharField(max_length=30, blank=True, help_text="What caused it: order, inbound, …")
    reference_id = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=120, blank=True, help_text="The cause, for people.")
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(
        max_length=120, null=True, blank=True, help_text="Unique per customer: the same key twice posts once."
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                name="inventory_move_idempotency_key",
                condition=Q(idempotency_key__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "product", "-id"], name="inventory_move_product_idx"),
            models.Index(fields=["customer", "-id"], name="inventory_move_recent_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity} of {self.product_id}"


class CycleCount(models.Model):
    """Count a range of bins, review the differences, post them as adjustments."""

    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    bin_from = models.CharField(max_length=30)
    bin_to = models.CharField(max_length=30)
    status = models.CharField(max_length=10, choices=CycleCountStatus.choices, default=CycleCountStatus.COUNTING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Cycle count #{self.pk} {self.warehouse_id} {self.bin_from}–{self.bin_to}"


class CycleCountLine(models.Model):
    count = models.ForeignKey(CycleCount, on_delete=models.CASCADE, related_name="lines")
    bin = models.ForeignKey("warehouses.BinLocation", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    expected = models.IntegerField(help_text="Units the system held in the bin when the count started.")
    counted = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["bin__code", "product__sku"]
        constraints = [
            models.UniqueConstraint(fields=["count", "bin", "product"], name="inventory_countline_unique"),
            models.CheckConstraint(
                condition=Q(counted__gte=0) | Q(counted__isnull=True), name="inventory_countline_counted_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.bin_id}/{self.product_id}: {self.expected} → {self.counted}"

    @property
    def difference(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected
