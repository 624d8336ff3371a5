from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import Sequence


def sequence_next(*, name: str, period: str = "", start: int = 0) -> int:
    """Return the next number of the named sequence; safe under concurrent callers.

    The UPDATE takes the row lock, so two transactions can never read the same value.
    ``start`` is the value before the first number handed out (start=10000 → first is 10001).
    """
    with transaction.atomic():
        updated = Sequence.objects.filter(name=name, period=period).update(value=F("value") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, period=period, value=start + 1)
                    return start + 1
            except IntegrityError:
                # Another transaction created the row first: take the next number from it.
                Sequence.objects.filter(name=name, period=period).update(value=F("value") + 1)
        return Sequence.objects.values_list("value", flat=True).get(name=name, period=period)


def sequence_block(*, name: str, count: int, period: str = "", start: int = 0) -> int:
    """Take ``count`` consecutive numbers of the named sequence at once (bulk imports); returns the
    first. Same locking as sequence_next."""
    if count < 1:
        raise ValueError("count must be at least 1")
    with transaction.atomic():
        updated = Sequence.objects.filter(name=name, period=period).update(value=F("value") + count)
        if not updated:
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, period=period, value=start + count)
                    return start + 1
            except IntegrityError:
                Sequence.objects.filter(name=name, period=period).update(value=F("value") + count)
        return Sequence.objects.values_list("value", flat=True).get(name=name, period=period) - count + 1


def sequence_reserve(*, name: str, value: int, period: str = "") -> None:
    """Make sure the sequence never hands out ``value`` or anything below it (used when a
    number was given explicitly, e.g. demo customers C10001 and C10002)."""
    with transaction.atomic():
        row, _ = Sequence.objects.select_for_update().get_or_create(name=name, period=period)
        if row.value < value:
            row.value = value
            row.save(update_fields=["value"])
