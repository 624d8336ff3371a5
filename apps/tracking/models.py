from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

from .choices import (
    STATUS_BADGES,
    EventSource,
    ExceptionKind,
    ExceptionStatus,
    Provider,
    PushStatus,
    ShipmentState,
    TrackingStatus,
)


class TrackingEvent(models.Model):
    """One scan or report on a shipped order's way to the recipient: when, where, what.

    Events are public: anyone holding the order or tracking number sees them on /tracking/, so the
    description never holds the recipient's name or address. They hang off the order (as the
    order's own timeline does), without a customer key of their own. The hand-over to the carrier
    is not stored: tracking.selectors presents ``Order.shipped_at`` as the first event.

    Events from a tracking provider carry ``provider_key`` (a digest of time, status, place and
    description), unique per order: the same scan pushed twice, or pushed and then swept, is one
    row."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="tracking_events")
    occurred_at = models.DateTimeField(help_text="When it happened (not when it was recorded).")
    location = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=20, choices=TrackingStatus.choices)
    description = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=EventSource.choices, default=EventSource.STAFF)
    provider_key = models.CharField(max_length=64, blank=True)
    provider_status = models.CharField(max_length=60, blank=True, help_text="The provider's sub-status.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager(customer="order__customer")

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["order", "occurred_at"], name="tracking_event_order_time_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "provider_key"], condition=~Q(provider_key=""), name="tracking_event_unique_provider"
            )
        ]

    def __str__(self):
        return f"{self.order_id}: {self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "secondary")


class Shipment(models.Model):
    """A handed-over parcel followed at a tracking provider: registered in batches after the
    hand-over, fed by pushes and the sweep, stopped once delivered or returned."""

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="tracked_shipment")
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.SEVENTEENTRACK)
    number = models.CharField(max_length=60)
    carrier_code = models.PositiveIntegerField(null=True, blank=True, help_text="The provider's carrier code.")
    state = models.CharField(max_length=12, choices=ShipmentState.choices, default=ShipmentState.PENDING)
    provider_status = models.CharField(max_length=30, blank=True)
    provider_sub_status = models.CharField(max_length=60, blank=True)
    latest_status = models.CharField(max_length=20, choices=TrackingStatus.choices, blank=True)
    latest_event_at = models.DateTimeField(null=True, blank=True, help_text="The newest event's own time.")
    news_at = models.DateTimeField(null=True, blank=True, help_text="When the provider last told us anything.")
    registered_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager(customer="order__customer")

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["provider", "number"], name="tracking_shipment_number_idx"),
            models.Index(fields=["state", "news_at"], name="tracking_shipment_state_idx"),
        ]

    def __str__(self):
        return f"{self.number} ({self.get_state_display()})"


class ProviderPush(models.Model):
    """One push from a tracking provider, stored raw once its signature checked out and processed
    by Celery; the same body twice is stored once."""

    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.SEVENTEENTRACK)
    event = models.CharField(max_length=40, blank=True)
    number = models.CharField(max_length=60, blank=True)
    body = models.TextField()
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the body.")
    status = models.CharField(max_length=10, choices=PushStatus.choices, default=PushStatus.RECEIVED)
    error = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="tracking_push_status_idx")]

    def __str__(self):
        return f"{self.provider} {self.event} {self.number}"


class ProviderQuota(models.Model):
    """The provider account's tracking quota as last read (daily), for the logistics desk."""

    provider = models.CharField(max_length=20, choices=Provider.choices, unique=True)
    total = models.PositiveIntegerField(default=0)
    used = models.PositiveIntegerField(default=0)
    remaining = models.IntegerField(default=0)
    read_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.provider}: {self.remaining}/{self.total}"


class DeliveryException(models.Model):
    """A delivery problem on a shipped order that logistics must work (the TMS queue) and the
    customer sees in words; at most one open exception of a kind per order."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="delivery_exceptions")
    kind = models.CharField(max_length=20, choices=ExceptionKind.choices)
    status = models.CharField(max_length=10, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN)
    detail = models.CharField(max_length=300, blank=True, help_text="What the carrier said.")
    last_action = models.CharField(max_length=300, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When the customer's users were e-mailed.")

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "kind", "opened_at"], name="tracking_exception_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"], condition=Q(status="open"), name="tracking_exception_one_open"
            )
        ]

    def __str__(self):
        return f"{self.order_id}: {self.kind} ({self.status})"
