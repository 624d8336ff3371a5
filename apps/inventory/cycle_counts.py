"""Cycle counts: print a count sheet for a range of bins, enter what was found, review the
differences, post them as stock adjustments.

A count is staff work across customers (one bin may hold several customers' SKUs), so these
services leave the customer scope themselves (``staff_scope()``); callers must have checked a staff
permission first.

What posting adjusts — the decision: a line's ``expected`` is the bin's quantity when the count
started, but stock may move in those bins while the count is open (a pick, a put-away). Posting
``counted − expected`` would then undo or repeat those moves. Posting re-reads the bin's quantity
under a row lock and adjusts by ``counted − current`` instead: after posting, the system holds in
each bin exactly what was counted. This is right when the counter counted after the last move (the
usual case: count, review and post the same day) and it can never drive a bin negative. The review
shows expected, current and counted side by side and flags the lines where stock moved since the
count started, so the supervisor can send the count back for a recount of those bins before posting.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.core.errors import ApplicationError, StateConflict, ValidationFailed
from apps.core.tenancy import staff_scope
from apps.warehouses.models import BinLocation

from .choices import CYCLE_COUNT_TRANSITIONS, CycleCountStatus
from .models import BinStock, CycleCount, CycleCountLine, StockBalance, StockMove
from .services import stock_adjust

REFERENCE_TYPE = "cycle_count"
MAX_LINES = 500  # per count: a cycle count is a small job; the entry form must stay one page
MAX_QUANTITY = 10_000_000  # more than this in one bin is a typo
BIN_CODE_MAX = 30  # BinLocation.code's length


def _label(count: CycleCount) -> str:
    return f"Cycle count #{count.pk}"


# --- Reads -----------------------------------------------------------------------------------------


def bins_in_range(*, warehouse, bin_from: str, bin_to: str) -> list[BinLocation]:
    """The warehouse's bins whose codes lie between the two codes (inclusive), compared
    case-insensitively in plain string order (the same in every database: filtered here, not by
    the database's collation, which may ignore the dashes in codes like A-01-02)."""
    low, high = sorted((bin_from.strip().lower(), bin_to.strip().lower()))
    bins = BinLocation.objects.filter(warehouse=warehouse).only("id", "code", "warehouse_id", "is_active")
    return sorted((b for b in bins if low <= b.code.lower() <= high), key=lambda b: (b.code.lower(), b.code))


def cycle_count_list(*, warehouse=None, status: str = "") -> QuerySet[CycleCount]:
    qs = (
        CycleCount.objects.select_related("warehouse", "created_by", "posted_by")
        .annotate(
            line_count=Count("lines"),
            counted_count=Count("lines", filter=Q(lines__counted__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if status:
        qs = qs.filter(status=status)
    return qs


def cycle_count_lines(*, count: CycleCount) -> list[CycleCountLine]:
    """The count's lines with bin, product and the product's customer (one query)."""
    with staff_scope():
        return list(count.lines.select_related("bin", "product", "product__customer"))


@dataclass(frozen=True)
class ReviewLine:
    line: CycleCountLine
    current: int  # what the system holds in the bin now

    @property
    def difference(self) -> int | None:
        """What posting would adjust: counted − current."""
        return None if self.line.counted is None else self.line.counted - self.current

    @property
    def moved_since_start(self) -> int:
        """Stock that moved in or out of the bin since the count started (current − expected)."""
        return self.current - self.line.expected


def _current_quantities(lines, *, lock: bool = False) -> dict[tuple[int, int], int]:
    qs = BinStock.objects.filter(bin_id__in={li.bin_id for li in lines}, product_id__in={li.product_id for li in lines})
    if lock:
        qs = qs.select_for_update(of=("self",)).order_by("pk")
    return {(s.bin_id, s.product_id): s.quantity for s in qs}


def cycle_count_review(*, count: CycleCount) -> list[ReviewLine]:
    """Every line with the bin's quantity now, for the review table."""
    with staff_scope():
        lines = cycle_count_lines(count=count)
        current = _current_quantities(lines)
    return [ReviewLine(li, current.get((li.bin_id, li.product_id), 0)) for li in lines]


def cycle_count_adjustments(*, count: CycleCount) -> list[StockMove]:
    """The stock moves a posted count wrote."""
    with staff_scope():
        return list(
            StockMove.objects.filter(reference_type=REFERENCE_TYPE, reference_id=str(count.pk))
            .select_related("bin", "product", "product__customer")
            .order_by("bin__code", "product__sku")
        )


def cycle_count_sheet_rows(*, count: CycleCount) -> list[tuple[str, str, str]]:
    """(bin, SKU, name) for the count sheet: every line, and a row for each bin of the range that
    has none, so the counter also looks into bins the system believes empty."""
    lines = cycle_count_lines(count=count)
    rows = [(li.bin.code, li.product.sku, li.product.name) for li in lines]
    stocked = {li.bin_id for li in lines}
    for b in bins_in_range(warehouse=count.warehouse, bin_from=count.bin_from, bin_to=count.bin_to):
        if b.pk not in stocked:
            rows.append((b.code, "", "(no stock expected: write down anything you find)"))
    rows.sort(key=lambda r: (r[0].lower(), r[0], r[1].lower()))
    return rows


# --- Writes ----------------------------------------------------------------------------------------


def _lock(count: CycleCount) -> CycleCount:
    return CycleCount.objects.select_for_update(of=("self",)).select_related("warehouse").get(pk=count.pk)


def _refuse_unless(count: CycleCount, status: str, doing: str) -> None:
    if count.status == status:
        return
    hint = {
        CycleCountStatus.REVIEW: " Send it back to counting first.",
        CycleCountStatus.POSTED: " A posted count is final; start a new count to correct it.",
        CycleCountStatus.CANCELLED: " A cancelled count is final; start a new count.",
        CycleCountStatus.COUNTING: " Start the review first.",
    }[count.status]
    raise StateConflict(
        f"{_label(count)} is {count.get_status_display().lower()}; {doing} only while it is "
        f"{CycleCountStatus(status).label.lower()}.{hint}",
        code="cycle_count_state",
    )


def _parse_quantity(value) -> int | None:
    """A counted quantity from a form or a caller: None or "" (not counted yet) or a whole number
    of 0 or more. Raises ValueError with the words to show."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.isascii() and text.isdecimal():
            number = int(text)
        elif text.startswith("-") and text[1:].strip().isdecimal():
            raise ValueError("cannot be negative; enter 0 if there are none")
        elif text.replace(".", "", 1).replace(",", "", 1).isdecimal():
            raise ValueError(f"“{text}” is not a whole number; count units, and write digits only")
        else:
            raise ValueError(f"“{text[:20]}” is not a number; enter the units counted (0 if there are none)")
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
        if number < 0:
            raise ValueError("cannot be negative; enter 0 if there are none")
    else:
        raise ValueError("must be a whole number of units")
    if number > MAX_QUANTITY:
        raise ValueError(f"{number:,} is more than {MAX_QUANTITY:,}; check the number")
    return number


def cycle_count_create(*, actor, warehouse, bin_from: str, bin_to: str) -> CycleCount:
    """Start a count of the warehouse's bins from ``bin_from`` to ``bin_to`` (inclusive,
    case-insensitive string order; given the wrong way round they are swapped). One line per
    product the system holds in those bins, expected = its quantity there now. Bins without stock
    belong to the count too: they are on the sheet, and ``cycle_count_add_line`` records finds."""
    bin_from, bin_to = str(bin_from or "").strip(), str(bin_to or "").strip()
    errors: dict[str, list[str]] = {}
    for field, value, which in (("bin_from", bin_from, "first"), ("bin_to", bin_to, "last")):
        if not value:
            errors[field] = [f"Enter the {which} bin code of the range."]
        elif len(value) > BIN_CODE_MAX:
            errors[field] = [f"Bin codes have at most {BIN_CODE_MAX} characters."]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], extra=errors)
    if bin_from.lower() > bin_to.lower():
        bin_from, bin_to = bin_to, bin_from

    with transaction.atomic(), staff_scope():
        bins = bins_in_range(warehouse=warehouse, bin_from=bin_from, bin_to=bin_to)
        if not bins:
            codes = sorted(
                BinLocation.objects.filter(warehouse=warehouse).values_list("code", flat=True), key=str.lower
            )
            hint = f"Its bins run from {codes[0]} to {codes[-1]}." if codes else "It has no bin locations yet."
            message = f"No bins between {bin_from} and {bin_to} in {warehouse.code}. {hint}"
            raise ValidationFailed(message, code="cycle_count_empty_range", extra={"bin_from": [message]})
        stock = list(
            BinStock.objects.filter(bin__in=bins, quantity__gt=0)
            .select_related("bin", "product")
            .order_by("bin__code", "product__sku")
        )
        if len(stock) > MAX_LINES:
            message = (
                f"Bins {bin_from} to {bin_to} hold {len(stock)} SKU lines; one count takes at most "
                f"{MAX_LINES}. Split the range into smaller counts."
            )
            raise ValidationFailed(message, code="cycle_count_too_large", extra={"bin_to": [message]})
        count = CycleCount.objects.create(
            warehouse=warehouse, bin_from=bin_from, bin_to=bin_to, created_by=actor, status=CycleCountStatus.COUNTING
        )
        CycleCountLine.objects.bulk_create(
            CycleCountLine(count=count, bin=s.bin, product=s.product, expected=s.quantity) for s in stock
        )
    return count


def cycle_count_add_line(*, actor, count: CycleCount, bin, product, counted: int | str | None = None) -> CycleCountLine:
    """A product found in a bin of the count where the system expects none: a new line, expected
    = what the system holds there now (normally 0), optionally with its count."""
    try:
        counted = _parse_quantity(counted)
    except ValueError as exc:
        raise ValidationFailed(f"The count {exc}.", extra={"counted": [f"The count {exc}."]}) from None
    with transaction.atomic(), staff_scope():
        count = _lock(count)
        _refuse_unless(count, CycleCountStatus.COUNTING, "lines can be added")
        if bin.warehouse_id != count.warehouse_id:
            message = (
                f"Bin {bin.code} is not in {count.warehouse.code}, the warehouse of this count; "
                f"enter a bin from {count.bin_from} to {count.bin_to}."
            )
            raise ValidationFailed(message, extra={"bin": [message]})
        if not count.bin_from.lower() <= bin.code.lower() <= count.bin_to.lower():
            message = (
                f"Bin {bin.code} is outside this count's range ({count.bin_from} to {count.bin_to}); "
                "count it in another cycle count."
            )
            raise ValidationFailed(message, extra={"bin": [message]})
        if count.lines.filter(bin=bin, product=product).exists():
            message = f"{product.sku} in bin {bin.code} is already on this count; enter its count in the table."
            raise ValidationFailed(message, code="cycle_count_duplicate_line", extra={"sku": [message]})
        if count.lines.count() >= MAX_LINES:
            raise ValidationFailed(
                f"{_label(count)} already has {MAX_LINES} lines, the most one count takes; "
                "start another count for these bins."
            )
        held = BinStock.objects.filter(bin=bin, product=product).values_list("quantity", flat=True).first() or 0
        return CycleCountLine.objects.create(count=count, bin=bin, product=product, expected=held, counted=counted)


def cycle_count_record(*, actor, count: CycleCount, counts: dict) -> int:
    """Save counted quantities, ``{line id: units}`` (None or "" clears a line), while the count
    is counting. All or nothing: any bad value refuses the lot, naming each bad line. Returns how
    many lines changed."""
    with transaction.atomic(), staff_scope():
        count = _lock(count)
        _refuse_unless(count, CycleCountStatus.COUNTING, "counts can be entered")
        lines = {li.pk: li for li in count.lines.select_related("bin", "product")}
        errors: dict[str, str] = {}
        changed = []
        for key, raw in counts.items():
            line = lines.get(int(key)) if str(key).isdecimal() else None
            if line is None:
                errors[str(key)] = f"Line {key} is not on {_label(count)}; reload the page."
                continue
            try:
                value = _parse_quantity(raw)
            except ValueError as exc:
                errors[str(key)] = f"Bin {line.bin.code}, {line.product.sku}: the count {exc}."
                continue
            if value != line.counted:
                line.counted = value
                changed.append(line)
        if errors:
            first = next(iter(errors.values()))
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise ValidationFailed(
                f"Nothing was saved. {first}{more}", code="cycle_count_invalid_counts", extra={"counts": errors}
            )
        CycleCountLine.objects.bulk_update(changed, ["counted"])
    return len(changed)


def _set_status(count: CycleCount, to: str) -> None:
    """The one place the status changes: only along CYCLE_COUNT_TRANSITIONS."""
    if to not in CYCLE_COUNT_TRANSITIONS[count.status]:
        target = CycleCountStatus(to).label.lower()
        if count.status == to:
            message = f"{_label(count)} is already {target}."
        else:
            message = f"{_label(count)} is {count.get_status_display().lower()}; it cannot move to {target}."
            if count.status in (CycleCountStatus.POSTED, CycleCountStatus.CANCELLED):
                message += " It is final; start a new count instead."
            elif to == CycleCountStatus.POSTED:
                message += " Start the review first."
        raise StateConflict(message, code="cycle_count_state")
    count.status = to


def cycle_count_transition(*, actor, count: CycleCount, to: str) -> CycleCount:
    """Move the count along CYCLE_COUNT_TRANSITIONS: to review (every line counted), back to
    counting, or cancelled. Posting writes adjustments, so it is ``cycle_count_post``'s alone."""
    if to not in CycleCountStatus.values:
        choices = ", ".join(CycleCountStatus.values)
        raise ValidationFailed(f"Unknown cycle count status “{to}”; use one of: {choices}.")
    if to == CycleCountStatus.POSTED:
        raise StateConflict(
            "Posting writes the stock adjustments: use Post adjustments (cycle_count_post).", code="cycle_count_state"
        )
    with transaction.atomic(), staff_scope():
        count = _lock(count)
        if to == CycleCountStatus.REVIEW and count.status == CycleCountStatus.COUNTING:
            total = count.lines.count()
            missing = count.lines.filter(counted__isnull=True).count()
            if not total:
                raise StateConflict(
                    f"{_label(count)} has no lines to review: add the products you found in "
                    "the bins, or cancel the count.",
                    code="cycle_count_incomplete",
                )
            if missing:
                raise StateConflict(
                    f"{missing} of {total} lines have no count yet; enter them (0 where the bin holds none) "
                    "before starting the review.",
                    code="cycle_count_incomplete",
                    extra={"missing": missing},
                )
        _set_status(count, to)
        count.save(update_fields=["status"])
    return count


def cycle_count_post(*, actor, count: CycleCount) -> CycleCount:
    """Write one stock adjustment per line whose count differs from what the bin holds now
    (counted − current; see the module docstring), and mark the count posted — one transaction.
    Posting an already posted count changes nothing (and each line's idempotency key would stop a
    second move anyway)."""
    with transaction.atomic(), staff_scope():
        count = _lock(count)
        if count.status == CycleCountStatus.POSTED:
            return count
        _refuse_unless(count, CycleCountStatus.REVIEW, "adjustments can be posted")
        lines = list(count.lines.select_related("bin", "product").order_by("pk"))
        uncounted = [li for li in lines if li.counted is None]
        if uncounted:  # cannot happen through the transitions; refuse rather than guess
            raise StateConflict(
                f"{len(uncounted)} lines have no count; send the count back to counting.", code="cycle_count_incomplete"
            )
        # Lock in the ledger's own order (balance, then bin) so a concurrent pick cannot deadlock
        # with us, and cannot move the bin between our read and our adjustment.
        list(
            StockBalance.objects.select_for_update(of=("self",))
            .filter(warehouse=count.warehouse, product_id__in={li.product_id for li in lines})
            .order_by("pk")
        )
        current = _current_quantities(lines, lock=True)
        label = _label(count)
        for line in lines:
            delta = line.counted - current.get((line.bin_id, line.product_id), 0)
            if not delta:
                continue
            try:
                stock_adjust(
                    actor=actor,
                    product=line.product,
                    warehouse=count.warehouse,
                    quantity=delta,
                    bin=line.bin,
                    reason=label,
                    reference_type=REFERENCE_TYPE,
                    reference_id=count.pk,
                    reference=label,
                    idempotency_key=f"cycle-count:{count.pk}:{line.pk}",
                )
            except ApplicationError as exc:
                raise StateConflict(
                    f"Bin {line.bin.code}, {line.product.sku}: {exc.message} Nothing was posted; release the "
                    "allocation or recount, then post again.",
                    code=exc.code,
                    extra=exc.extra,
                ) from exc
        _set_status(count, CycleCountStatus.POSTED)
        count.posted_by = actor
        count.posted_at = timezone.now()
        count.save(update_fields=["status", "posted_by", "posted_at"])
    return count
