import math
from decimal import Decimal

from django.db import models
from django.db.models import Q

from apps.core.tenancy import CustomerScopedManager


class Carrier(models.Model):
    code = models.SlugField(max_length=20, unique=True, help_text="e.g. UPS, USPS, DHL (the adapter to use).")
    name = models.CharField(max_length=80)
    tracking_url = models.CharField(max_length=200, blank=True, help_text="With {number} where the number goes.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Channel(models.Model):
    """A way to ship from one warehouse: carrier, service, transit time, limits, rate cards."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100)
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="channels")
    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="channels")
    service_level = models.CharField(max_length=60, blank=True, help_text="e.g. Ground, Express, Economy.")
    transit_days_min = models.PositiveSmallIntegerField()
    transit_days_max = models.PositiveSmallIntegerField()
    no_news_days = models.PositiveSmallIntegerField(
        default=7, help_text="A parcel on this channel with no tracking news this many days is a delivery exception."
    )
    volumetric_divisor = models.PositiveIntegerField(default=5000, help_text="cm³ per kg, e.g. 5000 or 6000.")
    max_weight_g = models.PositiveIntegerField(help_text="Heaviest parcel accepted, in grams.")
    max_length_cm = models.DecimalField(max_digits=6, decimal_places=1, help_text="Longest side accepted.")
    max_girth_cm = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Length + 2 × (width + height), if the carrier limits it.",
    )
    tracking_provider = models.CharField(max_length=30, blank=True, help_text="Where tracking events come from.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["warehouse", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(transit_days_max__gte=models.F("transit_days_min")), name="shipping_channel_transit_range"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class RateCard(models.Model):
    """The prices of a channel for a validity period: zones, weight lines, surcharges."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="rate_cards")
    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3, default="USD")
    fuel_surcharge_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    per_parcel_fee = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["channel", "-valid_from"]

    def __str__(self):
        return f"{self.channel.code}: {self.name}"


class Zone(models.Model):
    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(max_length=60)
    countries = models.JSONField(default=list, help_text="Two-letter country codes.")
    postal_prefixes = models.JSONField(
        default=list, blank=True, help_text="Only these postal-code prefixes or ranges (e.g. '90', '900-961')."
    )

    class Meta:
        ordering = ["rate_card", "name"]

    def __str__(self):
        return self.name


class RateLine(models.Model):
    """Weight above ``weight_from_g`` up to ``weight_to_g``: a flat price, or a price plus
    ``step_price`` for each started ``step_g`` above ``weight_from_g`` (first + additional weight)."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="lines")
    weight_from_g = models.PositiveIntegerField()
    weight_to_g = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=10, decimal_places=2)
    step_g = models.PositiveIntegerField(null=True, blank=True)
    step_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["zone", "weight_from_g"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_to_g__gt=models.F("weight_from_g")), name="shipping_rateline_range"
            )
        ]

    def __str__(self):
        return f"{self.weight_from_g}–{self.weight_to_g} g: {self.price}"


class RemoteSurcharge(models.Model):
    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="remote_surcharges")
    country = models.CharField(max_length=2)
    postal_prefix = models.CharField(max_length=10)
    amount = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["rate_card", "country", "postal_prefix"]

    def __str__(self):
        return f"{self.country} {self.postal_prefix}*: +{self.amount}"


class LevelFreightDiscount(models.Model):
    level = models.OneToOneField("accounts.CustomerLevel", on_delete=models.CASCADE, related_name="freight_discount")
    percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["level"]

    def __str__(self):
        return f"{self.level}: {self.percent}%"


class CustomerChannel(models.Model):
    """Channels a customer may use (its logistics plan). None listed: every active channel of its
    warehouses."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="channel_links")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="customer_links")

    objects = CustomerScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "channel"], name="shipping_customer_channel")]

    def __str__(self):
        return f"{self.customer_id} → {self.channel_id}"


# Deliveries on a lane before its measured transit days are quoted instead of the channel's.
MEASURED_AFTER = 20


def measured_days(p50_days, p90_days) -> tuple[int, int]:
    """The days a quote shows for a measured lane: p50–p90 rounded up to whole days (at least one
    day: a parcel is not delivered in none)."""
    low = max(1, math.ceil(p50_days))
    return low, max(low, math.ceil(p90_days))


class MeasuredTransit(models.Model):
    """Transit days measured from delivered parcels on one channel to one destination country (the
    tracking app's daily job writes them through ``measured_transit_replace``; shipping cannot read
    tracking). Quotes use ``quoted_days`` once the lane has MEASURED_AFTER deliveries."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="measured_transit")
    country = models.CharField(max_length=2)
    deliveries = models.PositiveIntegerField()
    p50_days = models.DecimalField(max_digits=6, decimal_places=1)
    p90_days = models.DecimalField(max_digits=6, decimal_places=1)
    measured_at = models.DateTimeField()

    class Meta:
        ordering = ["channel", "country"]
        constraints = [models.UniqueConstraint(fields=["channel", "country"], name="shipping_measured_transit_lane")]

    def __str__(self):
        return f"{self.channel_id} → {self.country}: p50 {self.p50_days}, p90 {self.p90_days} ({self.deliveries})"

    @property
    def measured(self) -> bool:
        return self.deliveries >= MEASURED_AFTER

    @property
    def quoted_days(self) -> tuple[int, int]:
        return measured_days(self.p50_days, self.p90_days)
