"""The pick list of a wave, on A4: one row per pick line in walking order (bin, SKU, name, quantity,
the cart slot and the order number it goes to, a box to tick), then the cart's slots with their
order numbers. The wave number is printed as a Code 128 in the header of every page, so a station
can open the wave by scanning the sheet.

The A4 document underneath (a header with the document's number as a barcode, sections of table
rows that run over pages with their headings repeated, an optional block at the end such as a
signature box) is shared with `manifests`.

Works on the plain dataclasses below and needs no Django settings (documents imports no app). Table
cells, fonts and bars come from `inbound_docs`, `pdf_fonts` and `labels`. Bad input raises
ValueError with a sentence saying what is wrong.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from .inbound_docs import (
    BAND_HEIGHT,
    GAP_HEIGHT,
    HEADING_HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    ROW_HEIGHT,
    PartyAddress,
    _address_lines,
    _check_party,
    _Column,
    _column_edges,
    _draw_cell,
    _is_count,
    _qty,
    _text,
    draw_title_block,
    fit,
)
from .labels import CODE128, MM, QUIET_MODULES, _encode
from .pdf_fonts import HELVETICA, clean_text

MAX_PICK_LINES = 20_000  # per pick list; a wave holds at most a few hundred orders
HEADER_MODULE_MM = 0.33  # the document number's bars: a hand scanner reads them off a clipboard
HEADER_BAR_HEIGHT_MM = 12.0
CHECK_BOX_MM = 4.5


# --- Input -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickListLine:
    bin: str  # "" for units not shelved in a bin yet
    sku: str
    name: str
    quantity: int
    slot: int  # the order's place on the pick cart (1, 2, 3 …)
    order_number: str
    upc: str = ""


# --- The A4 document -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    band: str  # the heading across the table above this section ("" for none)
    columns: tuple[_Column, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] = ()  # a bold last row, ruled above
    check_column: int | None = None  # the column that gets an empty box to tick on every row


@dataclass(frozen=True)
class _Block:
    """Something drawn once after the tables (a signature box): its height and how to draw it
    from the given top y."""

    height: float
    draw: Callable[[Canvas, float], None]


@dataclass(frozen=True)
class _Doc:
    title: str  # "Pick list"
    label: str  # what the number is: "Wave", "Manifest"
    number: str  # printed as a Code 128 in the header
    warehouse: PartyAddress
    facts: tuple[tuple[str, str], ...]  # (caption, value) beside the warehouse
    note: str  # one line under the header ("" for none)
    sections: tuple[_Section, ...]
    block: _Block | None = None


@dataclass(frozen=True)
class _Item:
    kind: str  # "band", "heading", "row", "total", "gap" or "block"
    section: int = 0
    cells: tuple[str, ...] = ()
    text: str = ""

    def height(self, doc: _Doc) -> float:
        if self.kind == "block":
            return doc.block.height
        return {
            "band": BAND_HEIGHT,
            "heading": HEADING_HEIGHT,
            "row": ROW_HEIGHT,
            "total": ROW_HEIGHT,
            "gap": GAP_HEIGHT,
        }[self.kind]


def _header_height(doc: _Doc) -> float:
    address = max(1, len(_address_lines(doc.warehouse, 4)))
    return 16 + 16 + 6 * MM + 9 + 12 + address * 10.8 + (14 if doc.note else 0) + 5 * MM


def _items(doc: _Doc) -> list[_Item]:
    items: list[_Item] = []
    for n, section in enumerate(doc.sections):
        if items:
            items.append(_Item("gap"))
        if section.band:
            items.append(_Item("band", n, text=section.band))
        items.append(_Item("heading", n))
        items.extend(_Item("row", n, cells) for cells in section.rows)
        if section.total:
            items.append(_Item("total", n, section.total))
    if doc.block is not None:
        items.append(_Item("gap"))
        items.append(_Item("block"))
    return items


def _paginate(doc: _Doc, items: list[_Item], room: float) -> list[list[_Item]]:
    """Items per page. A band or a heading stays with the row under it; a section running onto a
    new page repeats its band ("continued") and its column headings there; a gap at the top of a
    page is dropped."""
    pages: list[list[_Item]] = [[]]
    used = 0.0
    for n, item in enumerate(items):
        need = item.height(doc)
        follow = n + 1
        while item.kind in ("band", "heading") and follow < len(items) and items[follow].kind != "gap":
            need += items[follow].height(doc)  # keep with what follows, up to the first row
            if items[follow].kind not in ("band", "heading"):
                break
            follow += 1
        if used + need > room + 1e-6 and pages[-1]:
            pages.append([])
            used = 0.0
            if item.kind == "gap":
                continue
            if item.kind in ("row", "total"):
                section = doc.sections[item.section]
                if section.band:
                    pages[-1].append(_Item("band", item.section, text=f"{section.band} (continued)"))
                    used += BAND_HEIGHT
                pages[-1].append(_Item("heading", item.section))
                used += HEADING_HEIGHT
        pages[-1].append(item)
        used += item.height(doc)
    return pages


def _check_number(label: str, number: object) -> str:
    if not _text(number):
        raise ValueError(f"The {label.lower()} number is missing.")
    number = number.strip()
    bad = sorted({ch for ch in number if not 32 <= ord(ch) <= 126})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise ValueError(
            f"The {label.lower()} number {number!r} cannot be a Code 128 barcode because of {shown}; "
            "use printable ASCII only."
        )
    return number


def _draw_bars(canvas: Canvas, value: str, right: float, top: float) -> float:
    """The value's Code 128 with its right end at `right`, hanging from `top`, the value under it;
    returns the width the bars take with their left quiet zone."""
    symbol = _encode(CODE128, value)
    module = HEADER_MODULE_MM * MM
    width = symbol.modules * module
    height = HEADER_BAR_HEIGHT_MM * MM
    x = right - width
    canvas.addLiteral(
        f"q {fp_str(module)} 0 0 {fp_str(height)} {fp_str(x)} {fp_str(top - height)} cm\n{symbol.rects}\nf Q"
    )
    canvas.setFont(HELVETICA, 8)
    canvas.drawCentredString(x + width / 2, top - height - 9, value)
    return width + QUIET_MODULES * module


def _draw_header(canvas: Canvas, doc: _Doc, page: int, pages: int) -> float:
    """The number and its barcode, the title, warehouse and facts, the note and the footer;
    returns the y where the table starts."""
    usable = PAGE_WIDTH - 2 * MARGIN_X
    top = PAGE_HEIGHT - MARGIN_TOP
    bars = _draw_bars(canvas, doc.number, PAGE_WIDTH - MARGIN_X, top)
    text_width = usable - bars - 2 * MM

    y = draw_title_block(
        canvas,
        title=doc.title,
        subtitle=f"{doc.label} {doc.number}",
        warehouse=doc.warehouse,
        facts=doc.facts,
        text_width=text_width,
        top=top,
    )
    if doc.note:
        address = max(1, len(_address_lines(doc.warehouse, 4)))
        note = fit(doc.note, usable, 9, 6.5)
        canvas.setFont(note.font, note.size)
        canvas.drawString(MARGIN_X, y - 34.2 - address * 10.8, note.lines[0])  # 13 pt under the address

    footer_y = MARGIN_BOTTOM - 8 * MM
    footer = fit(f"{doc.title} · {doc.label} {doc.number}", usable / 2, 8.5, 6)
    canvas.setFont(footer.font, footer.size)
    canvas.drawString(MARGIN_X, footer_y, footer.lines[0])
    canvas.setFont(HELVETICA, 8.5)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, footer_y, f"Page {page} of {pages}")
    return PAGE_HEIGHT - MARGIN_TOP - _header_height(doc)


def _draw_item(canvas: Canvas, doc: _Doc, item: _Item, y: float) -> None:
    if item.kind in ("gap", "block"):
        if item.kind == "block":
            doc.block.draw(canvas, y)
        return
    section = doc.sections[item.section]
    edges = _column_edges(section.columns)
    if item.kind == "band":
        canvas.setFillGray(0.94)
        canvas.rect(edges[0], y - BAND_HEIGHT, edges[-1] - edges[0], BAND_HEIGHT, stroke=0, fill=1)
        canvas.setFillGray(0)
        _draw_cell(canvas, item.text, edges[0], edges[-1], y, BAND_HEIGHT, _Column("", 0), bold=True)
        return
    if item.kind == "heading":
        canvas.setFillGray(0.88)
        canvas.rect(edges[0], y - HEADING_HEIGHT, edges[-1] - edges[0], HEADING_HEIGHT, stroke=0, fill=1)
        canvas.setFillGray(0)
        for column, left, right in zip(section.columns, edges, edges[1:], strict=False):
            _draw_cell(canvas, column.heading, left, right, y, HEADING_HEIGHT, column, bold=True)
        return
    if item.kind == "total":
        canvas.setLineWidth(0.9)
        canvas.line(edges[0], y, edges[-1], y)
    for n, (text, column, left, right) in enumerate(zip(item.cells, section.columns, edges, edges[1:], strict=False)):
        if item.kind == "row" and n == section.check_column:
            side = CHECK_BOX_MM * MM
            canvas.setLineWidth(0.8)
            canvas.rect((left + right - side) / 2, y - (ROW_HEIGHT + side) / 2, side, side, stroke=1, fill=0)
            continue
        _draw_cell(canvas, text, left, right, y, ROW_HEIGHT, column, bold=item.kind == "total" or column.code)
    if item.kind == "row":
        canvas.setStrokeGray(0.6)
        canvas.setLineWidth(0.4)
        canvas.line(edges[0], y - ROW_HEIGHT, edges[-1], y - ROW_HEIGHT)
        canvas.setStrokeGray(0)


def _render(doc: _Doc) -> bytes:
    """The document as a PDF (deterministic: the same input gives the same bytes)."""
    room = PAGE_HEIGHT - MARGIN_TOP - _header_height(doc) - MARGIN_BOTTOM
    if doc.block is not None and doc.block.height + GAP_HEIGHT > room:
        raise ValueError("The closing block does not fit on a page.")
    symbol = _encode(CODE128, doc.number)
    if symbol.modules * HEADER_MODULE_MM * MM > (PAGE_WIDTH - 2 * MARGIN_X) / 2:
        raise ValueError(f"The {doc.label.lower()} number {doc.number!r} is too long for the header barcode.")
    pages = _paginate(doc, _items(doc), room)

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, invariant=1)
    canvas.setTitle(f"{doc.title} {doc.number}")
    canvas.setCreator("Fulfillment Hub")
    for number, chunk in enumerate(pages, start=1):
        y = _draw_header(canvas, doc, number, len(pages))
        for item in chunk:
            _draw_item(canvas, doc, item, y)
            y -= item.height(doc)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _plain(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be text.")
    return clean_text(value)


# --- The pick list ---------------------------------------------------------------------------------


def _check_line(n: int, line: object) -> PickListLine:
    if not isinstance(line, PickListLine):
        raise ValueError(f"Line {n} is not a PickListLine.")
    if not _text(line.sku):
        raise ValueError(f"Line {n} has no SKU.")
    where = f"Line {n} ({line.sku!r})"
    if not all(isinstance(v, str) for v in (line.bin, line.name, line.upc, line.order_number)):
        raise ValueError(f"{where}: the bin, name, UPC and order number must be text (the bin and UPC may be empty).")
    if not _text(line.order_number):
        raise ValueError(f"{where} has no order number.")
    if not _is_count(line.quantity, 1):
        raise ValueError(f"{where}: the quantity must be a whole number, 1 or more; got {line.quantity!r}.")
    if not _is_count(line.slot, 1):
        raise ValueError(f"{where}: the slot must be a whole number, 1 or more; got {line.slot!r}.")
    return line


def render_pick_list(
    *, wave_number: str, warehouse: PartyAddress, lines: Sequence[PickListLine], created: str = "", criteria: str = ""
) -> bytes:
    """An A4 pick list: the lines in the order given (the walking order), each with its bin, SKU,
    name, quantity, slot and order number and a box to tick; the total; then the cart's slots with
    their order numbers and units. The wave number is a Code 128 in the header of every page;
    `created` ("Created 2026-11-25 10:02 by …") and `criteria` go on a line under the header."""
    wave_number = _check_number("Wave", wave_number)
    _check_party(warehouse, "warehouse")
    created, criteria = _plain(created, "creation note"), _plain(criteria, "criteria")
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
                _qty(line.quantity),
                str(line.slot),
                order,
                "",
            )
        )
    bins = len({row[1] for row in rows if row[1] != "NO BIN"})
    lines_section = _Section(
        band="",
        columns=(
            _Column("#", 8, "right"),
            _Column("Bin", 26, code=True),
            _Column("SKU", 36, code=True),
            _Column("Name", 0),
            _Column("Qty", 12, "right"),
            _Column("Slot", 11, "right"),
            _Column("Order", 32, code=True),
            _Column("Picked", 16),
        ),
        rows=tuple(rows),
        total=("", "Total", f"{len(rows):,} lines", f"{bins:,} bins, {len(slots):,} orders", _qty(units), "", "", ""),
        check_column=7,
    )
    slot_section = _Section(
        band="Cart slots: put each order's units in its slot",
        columns=(
            _Column("Slot", 16, "right"),
            _Column("Order", 40, code=True),
            _Column("Lines", 20, "right"),
            _Column("Units", 20, "right"),
            _Column("", 0),
        ),
        rows=tuple(
            (str(slot), order, _qty(count), _qty(qty), "") for slot, (order, count, qty) in sorted(slots.items())
        ),
    )
    facts = (("Orders", f"{len(slots):,}"), ("Lines", f"{len(rows):,}"), ("Units", _qty(units)), ("Bins", f"{bins:,}"))
    note = " · ".join(part for part in (created, f"Orders: {criteria}" if criteria else "") if part)
    doc = _Doc("Pick list", "Wave", wave_number, warehouse, facts, note, (lines_section, slot_section))
    return _render(doc)
