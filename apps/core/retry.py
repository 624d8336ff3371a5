"""Transactions that may be run again, and the one lock order that makes running again rare.

The lock order (docs/architecture.md, "Locks"): every path that changes stock or money takes
its row locks in this order and never the other way round —

1. the outbound documents (a manifest, then its parcels; a pick line, then its pick-list slot,
   then the pick list),
2. the order (several orders: by primary key),
3. the stock balances, by product primary key (a bin's stock after its balance),
4. the wallet,
5. what follows from money (a misc-fee notice).

Counters never join it: numbers come from their own short transaction (``sequence_block``).

With one order the database cannot deadlock on these rows, but PostgreSQL may still pick a
victim on rows this list does not know (a foreign key's share lock, an index page), and a
guarded write may find that the stock or money read a moment earlier went to someone else.
``atomic_retry`` runs the whole transaction again for those, a bounded number of times, so a
caller never sees "deadlock detected"; when it still cannot finish it raises ``Busy`` (409
with a sentence saying to try again), never a 500.
"""

from __future__ import annotations

import functools
import random
import time

from django.db import DatabaseError, connection, transaction

from .errors import StateConflict

RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure
ATTEMPTS = 4


class Contended(Exception):
    """A guarded write lost a race the transaction had checked for a moment earlier (the stock
    or money went to a concurrent caller): run the whole transaction again."""


class Busy(StateConflict):
    default_code = "busy"


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, Contended):
        return True
    if isinstance(exc, DatabaseError):
        cause = exc.__cause__
        return getattr(cause, "pgcode", None) in RETRYABLE_SQLSTATES
    return False


def atomic_retry(func=None, *, attempts: int = ATTEMPTS):
    """``transaction.atomic`` that runs the function again (fresh transaction, short random
    pause) on a deadlock, a serialization failure or ``Contended``. Inside a caller's
    transaction it is a plain savepoint and the error goes up: only the outermost transaction
    can be run again, and the caller's boundary does that."""

    def decorate(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            if connection.in_atomic_block:
                with transaction.atomic():
                    return fn(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic():
                        return fn(*args, **kwargs)
                except Exception as exc:
                    if not retryable(exc):
                        raise
                    if attempt == attempts:
                        raise Busy(
                            "Others are changing the same stock or wallet right now; nothing was saved. "
                            "Try again in a moment.",
                        ) from exc
                    time.sleep(random.uniform(0.005, 0.05) * attempt)  # noqa: S311 - jitter, not a secret
            raise AssertionError("unreachable")

        return run

    return decorate(func) if func is not None else decorate
