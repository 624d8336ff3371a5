from django.db import models


class TrackingStatus(models.TextChoices):
    """What a tracking event says happened to the parcel (the carriers' common vocabulary)."""

    INFO_RECEIVED = "info_received", "Info received"
    IN_TRANSIT = "in_transit", "In transit"
    AVAILABLE_FOR_PICKUP = "available_for_pickup", "Available for pickup"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DELIVERED = "delivered", "Delivered"
    EXCEPTION = "exception", "Delivery exception"
    RETURNED = "returned", "Returned to sender"


class EventSource(models.TextChoices):
    STAFF = "staff", "Staff"
    CARRIER = "carrier", "Carrier"
    SYSTEM = "system", "System"


STATUS_BADGES = {
    TrackingStatus.INFO_RECEIVED: "info",
    TrackingStatus.IN_TRANSIT: "primary",
    TrackingStatus.AVAILABLE_FOR_PICKUP: "warning",
    TrackingStatus.OUT_FOR_DELIVERY: "primary",
    TrackingStatus.DELIVERED: "success",
    TrackingStatus.EXCEPTION: "danger",
    TrackingStatus.RETURNED: "secondary",
}


class Provider(models.TextChoices):
    SEVENTEENTRACK = "17track", "17TRACK"


class ShipmentState(models.TextChoices):
    """Where a handed-over parcel stands with the tracking provider."""

    PENDING = "pending", "Waiting to be registered"
    REGISTERED = "registered", "Tracked"
    FAILED = "failed", "Not tracked (refused)"
    STOPPED = "stopped", "Tracking finished"


class PushStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class ExceptionKind(models.TextChoices):
    """A delivery problem someone has to act on; the labels are what the customer reads."""

    DELIVERY_FAILURE = "delivery_failure", "The carrier could not deliver the parcel"
    CARRIER_EXCEPTION = "carrier_exception", "The carrier reported a problem with the parcel"
    RETURNING = "returning", "The parcel is on its way back to the sender"
    EXPIRED = "expired", "The carrier has not updated the parcel for a long time"
    PICKUP_WAITING = "pickup_waiting", "The parcel is waiting at a pick-up point"
    NO_NEWS = "no_news", "No tracking news for several days"
    NOT_TRACKED = "not_tracked", "The parcel could not be registered for tracking"
    LOST = "lost", "The parcel is lost"


class ExceptionStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ExceptionAction(models.TextChoices):
    CONTACT_CARRIER = "contact_carrier", "Contacted the carrier"
    ASK_ADDRESS = "ask_address", "Asked the customer for a new address"
    MARK_LOST = "mark_lost", "Marked the parcel lost"
    RESOLVE = "resolve", "Resolved"
