from django.db import models


class WaveStatus(models.TextChoices):
    PICKING = "picking", "Picking"
    DONE = "done", "Picked"


class PickStatus(models.TextChoices):
    OPEN = "open", "To pick"
    PICKED = "picked", "Picked"
    SHORT = "short", "Short"


class WaveOrderStatus(models.TextChoices):
    PICKING = "picking", "Picking"
    PICKED = "picked", "Picked, to pack"
    PACKED = "packed", "Packed"
    SHORT = "short", "Short pick (Abnormal)"
    CANCELLED = "cancelled", "Cancelled by the customer"


class ManifestStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Handed over"


class ItemsKind(models.TextChoices):
    ANY = "", "Single and multi-item"
    SINGLE = "single", "Single-item orders"
    MULTI = "multi", "Multi-item orders"
