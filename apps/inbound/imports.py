"""Step 3 by file: a packing-list import that checks the whole file before it changes anything.

Like the SKU and order imports, every bad row is reported at once (row, column, reason), as a
table and as the user's own workbook with the errors marked (a finished job in the download
centre); the packing list is replaced only when the whole file is right. Beyond each cell, the
file must make sense as a packing list: one size and weight per box, a box no lighter than what
the catalogue says its contents weigh, boxes numbered 1, 2, 3… and the packed units of every SKU
adding up to the reservation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.db import transaction

from apps.catalog.selectors import products_by_sku
from apps.core.numbers import read_decimal
from apps.documents.models import Job
from apps.documents.services import job_create, job_finish, job_start
from apps.documents.toolkit.xlsx import CellError, Table, cell_text, mark_errors, read_table

from .errors import InboundLocked
from .models import InboundOrder
from .services import MAX_BOXES, MAX_UNITS_PER_LINE, BoxSpec, inbound_pack, lock_reason
from .spreadsheets import PACKING_COLUMNS

IMPORT_KIND = "inbound_packing_import"
MAX_ROWS = 20_000
MAX_REPORTED_PROBLEMS = 500
SIZE_KEYS = ("length_cm", "width_cm", "height_cm")
LIMITS = {"length_cm": Decimal(300), "width_cm": Decimal(300), "height_cm": Decimal(300), "weight_kg": Decimal(500)}
NAMES = {"length_cm": "length", "width_cm": "width", "height_cm": "height", "weight_kg": "weight"}
# A box may weigh a little less than the catalogue weights of its contents add up to (rounded
# weights, a scale's error); much less means a wrong weight or wrong quantities.
WEIGHT_TOLERANCE = Decimal("0.95")


@dataclass(frozen=True)
class PackingProblem:
    row: int | None  # the spreadsheet row; None: the file as a whole (a reserved SKU it lacks)
    column: str | None  # Column.key
    message: str


@dataclass
class PackingCheck:
    boxes: list[BoxSpec] = field(default_factory=list)
    problems: list[PackingProblem] = field(default_factory=list)
    rows: int = 0

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})


def _whole(value, what: str, *, limit: int) -> tuple[int | None, str]:
    text = cell_text(value) or ""
    if not text:
        return None, f"{what} is missing."
    if not text.isascii() or not text.isdecimal() or not 0 < int(text) <= limit:
        return None, f"{what} must be a whole number from 1 to {limit:,} (not “{text}”)."
    return int(text), ""


def _measure(value, key: str) -> tuple[Decimal | None, str]:
    text = cell_text(value) or ""
    if not text:
        return None, ""
    try:
        number = read_decimal(text, grouping=False)  # a size or weight: "1,25" is 1.25, never thousands
    except ValueError:
        return None, f"The {NAMES[key]} must be a number (not “{text}”)."
    if not number.is_finite() or not Decimal("0") < number <= LIMITS[key]:
        return None, f"The {NAMES[key]} must be more than 0 and at most {LIMITS[key]}."
    return number, ""


def _kg(grams: int) -> str:
    return f"{Decimal(grams) / 1000:.2f}".rstrip("0").rstrip(".")


def check_packing_table(*, inbound: InboundOrder, table: Table) -> PackingCheck:
    """Every problem of the file's rows against the reservation, and the boxes when there are none."""
    check = PackingCheck(rows=len(table.rows))
    add = check.problems.append
    lines = {line.product_id: line for line in inbound.lines.select_related("product")}
    skus = {cell_text(r.values.get("sku")) or "" for r in table.rows} - {""}
    products = products_by_sku(customer=inbound.customer, skus=skus)
    boxes: dict[int, BoxSpec] = {}
    first_row: dict[int, int] = {}
    given: dict[tuple[int, str], tuple[Decimal, int]] = {}  # (box, key) -> (value, row it came from)
    weight_row: dict[int, int] = {}
    rows_of_sku: dict[int, list[int]] = defaultdict(list)
    packed: dict[int, int] = defaultdict(int)
    for r in table.rows:
        box_no, problem = _whole(r.values.get("box"), "The box number", limit=MAX_BOXES)
        if problem:
            add(PackingProblem(r.number, "box", problem))
        sku = cell_text(r.values.get("sku")) or ""
        product = products.get(sku.lower()) if sku else None
        if not sku:
            add(PackingProblem(r.number, "sku", "The SKU is missing."))
        elif product is None:
            add(PackingProblem(r.number, "sku", f"“{sku}” is not one of your SKUs; create it under Products first."))
        elif product.pk not in lines:
            add(PackingProblem(r.number, "sku", f"{product.sku} is not in {inbound.number}; add it in step 1 first."))
            product = None
        quantity, problem = _whole(r.values.get("quantity"), "The quantity", limit=MAX_UNITS_PER_LINE)
        if problem:
            add(PackingProblem(r.number, "quantity", problem))
        measures = {}
        for key in (*SIZE_KEYS, "weight_kg"):
            value, problem = _measure(r.values.get(key), key)
            if problem:
                add(PackingProblem(r.number, key, problem))
            elif value is not None:
                measures[key] = value
        if box_no is None:
            continue
        spec = boxes.setdefault(box_no, BoxSpec())
        first_row.setdefault(box_no, r.number)
        for key, value in measures.items():
            earlier = given.get((box_no, key))
            if earlier is None:
                given[(box_no, key)] = (value, r.number)
                setattr(spec, key, value)
                if key == "weight_kg":
                    weight_row[box_no] = r.number
            elif earlier[0] != value:
                add(
                    PackingProblem(
                        r.number,
                        key,
                        f"Box {box_no} has the {NAMES[key]} {earlier[0]} on row {earlier[1]} and {value} here; "
                        "give one per box (or leave it empty on the box's other rows).",
                    )
                )
        if product is not None and quantity is not None:
            spec.items.append((product, quantity))
            packed[product.pk] += quantity
            rows_of_sku[product.pk].append(r.number)
    _check_numbering(boxes, first_row, add)
    _check_weights(boxes, weight_row, add)
    _check_totals(inbound, lines, packed, rows_of_sku, add)
    if not check.problems:
        check.boxes = [boxes[n] for n in sorted(boxes)]
    return check


def _check_numbering(boxes, first_row, add) -> None:
    expected = 1
    for number in sorted(boxes):
        if number != expected:
            missing = f"box {expected}" if number == expected + 1 else f"boxes {expected} to {number - 1}"
            add(
                PackingProblem(
                    first_row[number], "box", f"Number the boxes 1, 2, 3… without gaps: {missing} is missing."
                )
            )
        expected = number + 1


def _check_weights(boxes, weight_row, add) -> None:
    for number, spec in boxes.items():
        if spec.weight_kg is None:
            continue
        contents = sum((p.weight_g_effective or 0) * q for p, q in spec.items)
        if contents and Decimal(spec.weight_kg) * 1000 < contents * WEIGHT_TOLERANCE:
            add(
                PackingProblem(
                    weight_row[number],
                    "weight_kg",
                    f"Box {number} weighs {spec.weight_kg} kg, but its contents alone weigh {_kg(contents)} kg "
                    "by their catalogue weights: check the weight and the quantities.",
                )
            )


def _check_totals(inbound, lines, packed, rows_of_sku, add) -> None:
    for product_id, line in lines.items():
        reserved, total = line.quantity, packed.get(product_id, 0)
        if total == reserved:
            continue
        if not total:
            message = f"{line.product.sku}: {reserved} reserved, but no box of the file holds it."
            add(PackingProblem(None, None, message))
            continue
        difference = f"{abs(total - reserved)} {'more' if total > reserved else 'fewer'}"
        message = f"{line.product.sku}: the boxes hold {total} in all, the reservation {reserved} ({difference})."
        for row in rows_of_sku[product_id]:
            add(PackingProblem(row, "quantity", message))


def _marked(data: bytes, table: Table, problems: list[PackingProblem]) -> bytes:
    after_last = max(r.number for r in table.rows) + 1
    errors = [CellError(p.row if p.row is not None else after_last, p.column, p.message) for p in problems]
    return mark_errors(data, errors, table=table)


def _record_refusal(*, actor, inbound, data: bytes, name: str, table: Table, check: PackingCheck) -> Job:
    """A finished job holding the problems and the marked workbook (the download centre keeps it)."""
    problems = sorted(check.problems, key=lambda p: (p.row is None, p.row or 0))
    job = job_create(
        actor=actor,
        customer=inbound.customer,
        kind=IMPORT_KIND,
        title=f"Packing list for {inbound.number}: {name}",
        params={"inbound": inbound.number},
        input_bytes=data,
        input_name=name,
        total=check.rows,
    )
    job = job_start(job_id=job.pk)
    bad = check.bad_rows
    result = {
        "rows": check.rows,
        "bad_rows": bad,
        "problem_count": len(problems),
        "problems": [
            [p.row, table.header_for(p.column) if p.column else "", p.message] for p in problems[:MAX_REPORTED_PROBLEMS]
        ],
    }
    message = (
        f"Nothing was imported: {bad} row{'s' if bad != 1 else ''} of {check.rows} "
        f"{'has' if bad == 1 else 'have'} problems. Fix them in your file (download it with the problems "
        "marked) and upload it again."
    )
    return job_finish(
        job=job,
        message=message,
        result=result,
        result_bytes=_marked(data, table, problems),
        result_name=f"{PurePath(name or 'packing-list').stem}-errors.xlsx",
    )


@transaction.atomic
def packing_import(*, actor, inbound: InboundOrder, data: bytes, name: str) -> tuple[int, Job | None]:
    """Replace the packing list from an uploaded file when all of it is right: (boxes, None).
    Otherwise nothing changes and the refusal is a job with every problem: (0, job).
    SpreadsheetError when the file cannot be read as a packing list at all."""
    locked = lock_reason(inbound, "packing")
    if locked:  # before reading the file: a locked packing list is no reason to mark one
        raise InboundLocked(locked)
    table = read_table(data, PACKING_COLUMNS, max_rows=MAX_ROWS)
    check = check_packing_table(inbound=inbound, table=table)
    if check.problems:
        return 0, _record_refusal(actor=actor, inbound=inbound, data=data, name=name, table=table, check=check)
    inbound_pack(actor=actor, inbound=inbound, boxes=check.boxes, method="import")
    return len(check.boxes), None
