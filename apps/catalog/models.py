from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

MEASURED_FIELDS = ("measured_length_cm", "measured_width_cm", "measured_height_cm", "measured_weight_g")


class Product(models.Model):
    """A customer's SKU. Declared sizes come from the customer; measured ones from the warehouse,
    and where measured values exist they are the ones used for quotes and fees."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="products")
    sku = models.CharField("SKU", max_length=40)
    upc = models.CharField("UPC", max_length=40, blank=True)
    name = models.CharField(max_length=200)
    customs_name = models.CharField("declared customs name", max_length=200, blank=True)
    category = models.CharField(max_length=60, blank=True)
    declared_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    hs_code = models.CharField("HS code", max_length=12, blank=True)
    origin_country = models.CharField("country of origin", max_length=2, blank=True)
    length_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    width_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    weight_g = models.PositiveIntegerField(null=True, blank=True)
    measured_length_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    measured_width_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    measured_height_cm = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    measured_weight_g = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    low_stock_threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text="Warn when the available quantity in a warehouse falls to this level."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["sku", "id"]
        constraints = [
            models.UniqueConstraint("customer", Lower("sku"), name="catalog_product_sku_unique_per_customer"),
        ]
        indexes = [
            models.Index(fields=["customer", "sku", "id"], name="catalog_product_sku_idx"),
            models.Index(fields=["customer", "upc"], name="catalog_product_upc_idx"),
            models.Index(fields=["customer", "-created_at"], name="catalog_product_created_idx"),
        ]
        permissions = [("change_measurements", "Can enter measured dimensions and weight")]

    def __str__(self):
        return f"{self.sku} {self.name}"

    @property
    def is_measured(self) -> bool:
        return any(getattr(self, f) is not None for f in MEASURED_FIELDS)

    # The values the rest of the system uses: measured where the warehouse measured, else declared.
    @property
    def length_cm_effective(self):
        return self.measured_length_cm if self.measured_length_cm is not None else self.length_cm

    @property
    def width_cm_effective(self):
        return self.measured_width_cm if self.measured_width_cm is not None else self.width_cm

    @property
    def height_cm_effective(self):
        return self.measured_height_cm if self.measured_height_cm is not None else self.height_cm

    @property
    def weight_g_effective(self):
        return self.measured_weight_g if self.measured_weight_g is not None else self.weight_g


class ProductMeasurement(models.Model):
    """Audit of the warehouse's measurements: who changed what, when, from and to."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="measurements")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    old = models.JSONField()
    new = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.product_id} measured at {self.created_at:%Y-%m-%d %H:%M}"


class GeneratedUpc(models.Model):
    """Every UPC the system generated ("Apply ST-UPC"); the unique key makes them global."""

    upc = models.CharField(max_length=12, unique=True)
    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return self.upc
