from django.db import models
from django.db.models import Q

from apps.core.addresses import postal_lines
from apps.core.tenancy import CustomerScopedManager


class Warehouse(models.Model):
    code = models.SlugField(max_length=12, unique=True, help_text="Short code printed on labels, e.g. LAX1.")
    name = models.CharField(max_length=120)
    address1 = models.CharField("address line 1", max_length=200)
    address2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField("state / province", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, help_text="Two-letter country code.")
    timezone = models.CharField(max_length=64, default="UTC")
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def address_lines(self) -> list[str]:
        return self.postal_lines()

    def postal_lines(self, destination: str | None = None) -> list[str]:
        """The address as its country's post writes it; the country's name ends it unless the parcel
        stays in the country (`destination`)."""
        return postal_lines(
            country=self.country,
            address1=self.address1,
            address2=self.address2,
            city=self.city,
            state=self.state,
            postal_code=self.postal_code,
            origin=destination,
        )


class BinLocation(models.Model):
    """A place on a shelf; stock is put away into bins and picked from them."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="bins")
    code = models.CharField(max_length=30, help_text="e.g. A-01-03 (aisle, rack, level).")
    zone = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["warehouse", "code"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="warehouses_bin_unique_code")]

    def __str__(self):
        return f"{self.warehouse.code}/{self.code}" if self.warehouse_id else self.code


class CustomerWarehouse(models.Model):
    """The customer's logistics plan: the warehouses it may use and, among them, at most one
    default (set by sales)."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="warehouse_links")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="customer_links")
    is_default = models.BooleanField(
        default=False, help_text="Orders that arrive without a warehouse ship from here when it has the stock."
    )

    objects = CustomerScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "warehouse"], name="warehouses_customer_unique"),
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_default=True), name="warehouses_customer_one_default"
            ),
        ]

    def __str__(self):
        return f"{self.customer_id} → {self.warehouse_id}"


class WarehouseZone(models.Model):
    """How near a warehouse is to a destination country: rank 1 is nearest. Orders that arrive
    without a warehouse go to the nearest allowed warehouse that has their stock (kept by logistics)."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="zones")
    country = models.CharField(max_length=2, help_text="Two-letter destination country code.")
    rank = models.PositiveSmallIntegerField(help_text="1 = nearest; larger is farther.")

    class Meta:
        ordering = ["warehouse", "rank", "country"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "country"], name="warehouses_zone_unique_country"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="warehouses_zone_rank_gte_1"),
        ]

    def __str__(self):
        return f"{self.warehouse_id} → {self.country}: {self.rank}"
