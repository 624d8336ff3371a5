from django.db import models


class TrackingStatus(models.TextChoices):
    """What a tracking event says happened to the parcel (the carriers' common vocabulary)."""

    INFO_RECEIVED = "info_received", "Info received"
    IN_TRANSIT = "in_transit", "In transit"
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
    TrackingStatus.OUT_FOR_DELIVERY: "primary",
    TrackingStatus.DELIVERED: "success",
    TrackingStatus.EXCEPTION: "danger",
    TrackingStatus.RETURNED: "secondary",
}
