from django.db import models


class InboundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted (in transit)"
    ARRIVED = "arrived", "Arrived"
    RECEIVING = "receiving", "Receiving"
    RECEIVED = "received", "Received"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


TRANSITIONS = {
    InboundStatus.DRAFT: {InboundStatus.SUBMITTED, InboundStatus.CANCELLED},
    InboundStatus.SUBMITTED: {InboundStatus.ARRIVED, InboundStatus.CANCELLED},
    InboundStatus.ARRIVED: {InboundStatus.RECEIVING},
    InboundStatus.RECEIVING: {InboundStatus.RECEIVED},
    InboundStatus.RECEIVED: {InboundStatus.COMPLETED},
    InboundStatus.COMPLETED: set(),
    InboundStatus.CANCELLED: set(),
}
STATUS_BADGES = {
    InboundStatus.DRAFT: "secondary",
    InboundStatus.SUBMITTED: "info",
    InboundStatus.ARRIVED: "primary",
    InboundStatus.RECEIVING: "warning",
    InboundStatus.RECEIVED: "primary",
    InboundStatus.COMPLETED: "success",
    InboundStatus.CANCELLED: "dark",
}
IN_TRANSIT = (InboundStatus.SUBMITTED, InboundStatus.ARRIVED, InboundStatus.RECEIVING)
EDITABLE = (InboundStatus.DRAFT,)
SHIPPING_EDITABLE = (InboundStatus.DRAFT, InboundStatus.SUBMITTED)


class PackingMethod(models.TextChoices):
    SINGLE = "single", "One SKU per box"
    MIXED = "mixed", "Mixed boxes"
    IMPORT = "import", "Batch import"


class TransportMode(models.TextChoices):
    EXPRESS = "express", "Express"
    AIR = "air", "Air freight"
    SEA = "sea", "Sea freight"
    TRUCK = "truck", "Truck"


class SlipKind(models.TextChoices):
    NORMAL = "normal", "Normal (found at receiving)"
    ABNORMAL = "abnormal", "Abnormal (found while shelving)"


class DifferenceKind(models.TextChoices):
    SHORT = "short", "Short"
    OVER = "over", "Over (gain)"
    DAMAGED = "damaged", "Damaged"
