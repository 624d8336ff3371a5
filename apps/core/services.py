from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F

from .models import Sequence


def sequence_next(*, name: str, period: str = "", start: int = 0, own_transaction: bool = False) -> int:
    """Return the next number of the named sequence; safe under concurrent callers.

    The UPDATE takes the row lock, so two transactions can never read the same value.
    ``start`` is the value before the first number handed out (start=10000 → first is 10001).
    ``own_transaction``: see `sequence_block`.
    """
    return sequence_block(name=name, period=period, count=1, start=start, own_transaction=own_transaction)


# One statement: the counter row is created or moved on and read back at once.
_TAKE_SQL = """
    INSERT INTO core_sequence (name, period, value) VALUES (%s, %s, %s)
    ON CONFLICT (name, period) DO UPDATE SET value = core_sequence.value + %s
    RETURNING value
"""


def sequence_block(*, name: str, count: int, period: str = "", start: int = 0, own_transaction: bool = False) -> int:
    """Take ``count`` consecutive numbers of the named sequence at once (bulk imports); returns the
    first. Same locking as sequence_next.

    ``own_transaction=True`` is for numbers customers share a counter for (orders, inbound
    reservations, top-ups): on PostgreSQL the counter moves in a transaction of its own, on a
    connection of its own, so its row is locked for one statement and not until the caller's
    transaction ends — a 50,000-row import no longer stalls every other customer's order. Numbers
    stay unique; a caller that rolls back leaves a gap (DESIGN §4 tolerates gaps). SQLite has one
    writer at a time anyway, so there the counter moves inside the caller's transaction.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    default = connections[DEFAULT_DB_ALIAS]
    if own_transaction and default.vendor == "postgresql" and default.in_atomic_block:
        return _block_on_own_connection(name=name, period=period, count=count, start=start)
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


def _block_on_own_connection(*, name: str, period: str, count: int, start: int) -> int:
    counter = connections.create_connection(DEFAULT_DB_ALIAS)  # autocommit: one statement, one commit
    try:
        with counter.cursor() as cursor:
            cursor.execute(_TAKE_SQL, [name, period, start + count, count])
            (last,) = cursor.fetchone()
    finally:
        counter.close()
    return last - count + 1


def sequence_reserve(*, name: str, value: int, period: str = "") -> None:
    """Make sure the sequence never hands out ``value`` or anything below it (used when a
    number was given explicitly, e.g. demo customers C10001 and C10002)."""
    with transaction.atomic():
        row, _ = Sequence.objects.select_for_update().get_or_create(name=name, period=period)
        if row.value < value:
            row.value = value
            row.save(update_fields=["value"])
