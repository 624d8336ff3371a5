from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

from .choices import STATUS_BADGES, EventSource, TrackingStatus


class TrackingEvent(models.Model):
    """One scan or report on a shipped order's way to the recipient: when, where, what.

    Events are public: anyone holding the order or tracking number sees them on /tracking/, so the
    description never holds the recipient's name or address. They hang off the order (as the
    order's own timeline does), without a customer key of their own. The hand-over to the carrier
    is not stored: tracking.selectors presents ``Order.shipped_at`` as the first event."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="tracking_events")
    occurred_at = models.DateTimeField(help_text="When it happened (not when it was recorded).")
    location = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=20, choices=TrackingStatus.choices)
    description = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=EventSource.choices, default=EventSource.STAFF)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager(customer="order__customer")

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["order", "occurred_at"], name="tracking_event_order_time_idx")]

    def __str__(self):
        return f"{self.order_id}: {self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "secondary")
