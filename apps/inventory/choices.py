from django.db import models


class MoveKind(models.TextChoices):
    RECEIVE = "receive", "Received"
    DAMAGE = "damage", "Damaged"
    GAIN = "gain", "Gain"
    ALLOCATE = "allocate", "Allocated"
    RELEASE = "release", "Released"
    SHIP = "ship", "Shipped"
    ADJUST = "adjust", "Adjusted"
    PUTAWAY = "putaway", "Put away"


class CycleCountStatus(models.TextChoices):
    COUNTING = "counting", "Counting"
    REVIEW = "review", "In review"
    POSTED = "posted", "Posted"
    CANCELLED = "cancelled", "Cancelled"


CYCLE_COUNT_TRANSITIONS = {
    CycleCountStatus.COUNTING: {CycleCountStatus.REVIEW, CycleCountStatus.CANCELLED},
    CycleCountStatus.REVIEW: {CycleCountStatus.COUNTING, CycleCountStatus.POSTED, CycleCountStatus.CANCELLED},
    CycleCountStatus.POSTED: set(),
    CycleCountStatus.CANCELLED: set(),
}
