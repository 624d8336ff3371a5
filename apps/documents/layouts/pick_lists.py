"""The pick list of a wave, on A4: one row per pick line in walking order (bin, SKU, name, quantity,
the cart slot and the order number it goes to, a box to tick), then the cart's slots with their
order numbers. The wave number is printed as a Code 128 in the header of every page, so a station
can open the wave by scanning the sheet.

Built on the toolkit's A4 document (`toolkit.a4_documents`). Works on the plain dataclasses below
and needs no Django settings (documents imports no app). Bad input raises ValueError with a
sentence saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..toolkit.a4_documents import Document, Section, render_document
from ..toolkit.fonts import clean_text
from ..toolkit.pages import (
    PartyAddress,
    TableColumn,
    check_document_number,
    check_party,
    format_quantity,
    has_text,
    is_count,
    plain_text,
)

MAX_PICK_LINES = 20_000  # per pick list; a wave holds at most a few hundred orders


@dataclass(frozen=True)
class PickListLine:
    bin: str  # "" for units not shelved in a bin yet
    sku: str
    name: str
    quantity: int
    slot: int  # the order's place on the pick cart (1, 2, 3 …)
    order_number: str
    upc: str = ""


def _check_line(n: int, line: object) -> PickListLine:
    if not isinstance(line, PickListLine):
        raise ValueError(f"Line {n} is not a PickListLine.")
    if not has_text(line.sku):
        raise ValueError(f"Line {n} has no SKU.")
    where = f"Line {n} ({line.sku!r})"
    if not all(isinstance(v, str) for v in (line.bin, line.name, line.upc, line.order_number)):
        raise ValueError(f"{where}: the bin, name, UPC and order number must be text (the bin and UPC may be empty).")
    if not has_text(line.order_number):
        raise ValueError(f"{where} has no order number.")
    if not is_count(line.quantity, 1):
        raise ValueError(f"{where}: the quantity must be a whole number, 1 or more; got {line.quantity!r}.")
    if not is_count(line.slot, 1):
        raise ValueError(f"{where}: the slot must be a whole number, 1 or more; got {line.slot!r}.")
    return line


def render_pick_list(
    *, wave_number: str, warehouse: PartyAddress, lines: Sequence[PickListLine], created: str = "", criteria: str = ""
) -> bytes:
    """An A4 pick list: the lines in the order given (the walking order), each with its bin, SKU,
    name, quantity, slot and order number and a box to tick; the total; then the cart's slots with
    their order numbers and units. The wave number is a Code 128 in the header of every page;
    `created` ("Created 2026-11-25 10:02 by …") and `criteria` go on a line under the header."""
    wave_number = check_document_number("Wave", wave_number)
    check_party(warehouse, "warehouse")
    created, criteria = plain_text(created, "creation note"), plain_text(criteria, "criteria")
    if isinstance(lines, str) or not isinstance(lines, Sequence):
        raise ValueError("lines must be a list of PickListLine.")
    if not lines:
        raise ValueError("The pick list is empty: the wave has no lines to pick.")
    if len(lines) > MAX_PICK_LINES:
        raise ValueError(f"Too many lines: at most {MAX_PICK_LINES:,} fit in one pick list.")

    rows, units, slots = [], 0, {}
    for n, line in enumerate(lines, start=1):
        line = _check_line(n, line)
        order = clean_text(line.order_number)
        known = slots.setdefault(line.slot, [order, 0, 0])
        if known[0] != order:
            raise ValueError(f"Line {n} ({line.sku!r}): slot {line.slot} holds order {known[0]}, not {order}.")
        known[1] += 1
        known[2] += line.quantity
        units += line.quantity
        name = clean_text(line.name) + (f" · UPC {clean_text(line.upc)}" if clean_text(line.upc) else "")
        rows.append(
            (
                str(n),
                clean_text(line.bin) or "NO BIN",
                line.sku.strip(),
                name,
                format_quantity(line.quantity),
                str(line.slot),
                order,
                "",
            )
        )
    bins = len({row[1] for row in rows if row[1] != "NO BIN"})
    lines_section = Section(
        band="",
        columns=(
            TableColumn("#", 8, "right"),
            TableColumn("Bin", 26, code=True),
            TableColumn("SKU", 36, code=True),
            TableColumn("Name", 0),
            TableColumn("Qty", 12, "right"),
            TableColumn("Slot", 11, "right"),
            TableColumn("Order", 32, code=True),
            TableColumn("Picked", 16),
        ),
        rows=tuple(rows),
        total=(
            "",
            "Total",
            f"{len(rows):,} lines",
            f"{bins:,} bins, {len(slots):,} orders",
            format_quantity(units),
            "",
            "",
            "",
        ),
        check_column=7,
    )
    slot_section = Section(
        band="Cart slots: put each order's units in its slot",
        columns=(
            TableColumn("Slot", 16, "right"),
            TableColumn("Order", 40, code=True),
            TableColumn("Lines", 20, "right"),
            TableColumn("Units", 20, "right"),
            TableColumn("", 0),
        ),
        rows=tuple(
            (str(slot), order, format_quantity(count), format_quantity(qty), "")
            for slot, (order, count, qty) in sorted(slots.items())
        ),
    )
    facts = (
        ("Orders", f"{len(slots):,}"),
        ("Lines", f"{len(rows):,}"),
        ("Units", format_quantity(units)),
        ("Bins", f"{bins:,}"),
    )
    note = " · ".join(part for part in (created, f"Orders: {criteria}" if criteria else "") if part)
    doc = Document("Pick list", "Wave", wave_number, warehouse, facts, note, (lines_section, slot_section))
    return render_document(doc)
