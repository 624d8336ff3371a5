"""Keyset pages for big tables, newest first by id (DESIGN §3): a page at any depth costs the
same index range scan, and no COUNT(*) runs. A list filtered on a range of another column (the
order lists' date range) pages by (that column, id) instead, so that an index on (…, column, id)
reads the range's newest rows first; the cursor stays an id."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet, Subquery


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


def _beyond(qs: QuerySet, by: str | None, pk: int, older: bool) -> QuerySet:
    """Rows after the cursor row ``pk`` in the page order: (by, id) below (older) or above it."""
    if by is None:
        return qs.filter(id__lt=pk) if older else qs.filter(id__gt=pk)
    # (by, id) < (anchor's by, pk) written so that `by <= anchor` bounds the index range scan.
    anchor = Subquery(qs.model._default_manager.filter(pk=pk).values(by)[:1])
    op = "lt" if older else "gt"
    return qs.filter(Q(**{f"{by}__{op}e": anchor}), Q(**{f"{by}__{op}": anchor}) | Q(**{f"id__{op}": pk}))


def keyset_page(qs: QuerySet, *, after=None, before=None, size: int = 50, by: str | None = None) -> KeysetPage:
    """One page of ``qs`` ordered by -id (or by -``by``, -id): older than ``after``, or newer than ``before``."""
    after, before = _int(after), _int(before)
    newest_first = (f"-{by}", "-id") if by else ("-id",)
    if before is not None:
        rows = list(_beyond(qs, by, before, older=False).order_by(*[o[1:] for o in newest_first])[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            rows=rows, next_after=rows[-1].id if rows else None, prev_before=rows[0].id if rows and more_newer else None
        )
    if after is not None:
        qs = _beyond(qs, by, after, older=True)
    rows = list(qs.order_by(*newest_first)[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows=rows,
        next_after=rows[-1].id if rows and more_older else None,
        prev_before=rows[0].id if rows and after is not None else None,
    )
