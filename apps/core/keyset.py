"""Keyset pages for big tables, newest first by id (DESIGN §3): a page at any depth costs the
same index range scan, and no COUNT(*) runs."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass
class KeysetPage:
    rows: list
    next_after: int | None  # pass as ?after= for the next (older) page
    prev_before: int | None  # pass as ?before= for the previous (newer) page

    @property
    def has_other_pages(self) -> bool:
        return self.next_after is not None or self.prev_before is not None


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def keyset_page(qs: QuerySet, *, after=None, before=None, size: int = 50) -> KeysetPage:
    """One page of ``qs`` ordered by -id: older than ``after``, or newer than ``before``."""
    after, before = _int(after), _int(before)
    if before is not None:
        rows = list(qs.filter(id__gt=before).order_by("id")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows=rows, next_after=rows[-1].id if rows else None, prev_before=rows[0].id if rows and more_newer else None
        )
    if after is not None:
        qs = qs.filter(id__lt=after)
    rows = list(qs.order_by("-id")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        next_after=rows[-1].id if rows and more_older else None,
        prev_before=rows[0].id if rows and after is not None else None,
    )
