"""An A4 document of table sections that runs over pages, shared by the pick list and the carrier
manifest: a header with the document's number as a Code 128 (so a station can open it by scanning
the sheet), the title, warehouse and facts, a note line; sections of table rows whose band and
column headings repeat on the next page; an optional block at the end such as a signature box.

Rendering is deterministic: the same document gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from .barcodes import CODE128, QUIET_MODULES, encode
from .fonts import REGULAR, PdfCanvas, fit
from .pages import (
    BAND_HEIGHT,
    GAP_HEIGHT,
    HEADING_HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MM,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    ROW_HEIGHT,
    PartyAddress,
    TableColumn,
    address_lines,
    column_edges,
    draw_cell,
    draw_title_block,
)

HEADER_MODULE_MM = 0.33  # the document number's bars: a hand scanner reads them off a clipboard
HEADER_BAR_HEIGHT_MM = 12.0
CHECK_BOX_MM = 4.5


@dataclass(frozen=True)
class Section:
    band: str  # the heading across the table above this section ("" for none)
    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] = ()  # a bold last row, ruled above
    check_column: int | None = None  # the column that gets an empty box to tick on every row


@dataclass(frozen=True)
class Block:
    """Something drawn once after the tables (a signature box): its height and how to draw it
    from the given top y."""

    height: float
    draw: Callable[[Canvas, float], None]


@dataclass(frozen=True)
class Document:
    title: str  # "Pick list"
    label: str  # what the number is: "Wave", "Manifest"
    number: str  # printed as a Code 128 in the header
    warehouse: PartyAddress
    facts: tuple[tuple[str, str], ...]  # (caption, value) beside the warehouse
    note: str  # one line under the header ("" for none)
    sections: tuple[Section, ...]
    block: Block | None = None


@dataclass(frozen=True)
class _Item:
    kind: str  # "band", "heading", "row", "total", "gap" or "block"
    section: int = 0
    cells: tuple[str, ...] = ()
    text: str = ""

    def height(self, doc: Document) -> float:
        if self.kind == "block":
            return doc.block.height
        return {
            "band": BAND_HEIGHT,
            "heading": HEADING_HEIGHT,
            "row": ROW_HEIGHT,
            "total": ROW_HEIGHT,
            "gap": GAP_HEIGHT,
        }[self.kind]


def _header_height(doc: Document) -> float:
    address = max(1, len(address_lines(doc.warehouse, 4)))
    return 16 + 16 + 6 * MM + 9 + 12 + address * 10.8 + (14 if doc.note else 0) + 5 * MM


def _items(doc: Document) -> list[_Item]:
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


def _paginate(doc: Document, items: list[_Item], room: float) -> list[list[_Item]]:
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


def _draw_bars(canvas: Canvas, value: str, right: float, top: float) -> float:
    """The value's Code 128 with its right end at `right`, hanging from `top`, the value under it;
    returns the width the bars take with their left quiet zone."""
    symbol = encode(CODE128, value)
    module = HEADER_MODULE_MM * MM
    width = symbol.modules * module
    height = HEADER_BAR_HEIGHT_MM * MM
    x = right - width
    canvas.addLiteral(
        f"q {fp_str(module)} 0 0 {fp_str(height)} {fp_str(x)} {fp_str(top - height)} cm\n{symbol.rects}\nf Q"
    )
    canvas.setFont(REGULAR, 8)
    canvas.drawCentredString(x + width / 2, top - height - 9, value)
    return width + QUIET_MODULES * module


def _draw_header(canvas: Canvas, doc: Document, page: int, pages: int) -> float:
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
        address = max(1, len(address_lines(doc.warehouse, 4)))
        note = fit(doc.note, usable, 9, 6.5)
        canvas.setFont(note.font, note.size)
        canvas.drawString(MARGIN_X, y - 34.2 - address * 10.8, note.lines[0])  # 13 pt under the address

    footer_y = MARGIN_BOTTOM - 8 * MM
    footer = fit(f"{doc.title} · {doc.label} {doc.number}", usable / 2, 8.5, 6)
    canvas.setFont(footer.font, footer.size)
    canvas.drawString(MARGIN_X, footer_y, footer.lines[0])
    canvas.setFont(REGULAR, 8.5)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, footer_y, f"Page {page} of {pages}")
    return PAGE_HEIGHT - MARGIN_TOP - _header_height(doc)


def _draw_item(canvas: Canvas, doc: Document, item: _Item, y: float) -> None:
    if item.kind in ("gap", "block"):
        if item.kind == "block":
            doc.block.draw(canvas, y)
        return
    section = doc.sections[item.section]
    edges = column_edges(section.columns)
    if item.kind == "band":
        canvas.setFillGray(0.94)
        canvas.rect(edges[0], y - BAND_HEIGHT, edges[-1] - edges[0], BAND_HEIGHT, stroke=0, fill=1)
        canvas.setFillGray(0)
        draw_cell(canvas, item.text, edges[0], edges[-1], y, BAND_HEIGHT, TableColumn("", 0), bold=True)
        return
    if item.kind == "heading":
        canvas.setFillGray(0.88)
        canvas.rect(edges[0], y - HEADING_HEIGHT, edges[-1] - edges[0], HEADING_HEIGHT, stroke=0, fill=1)
        canvas.setFillGray(0)
        for column, left, right in zip(section.columns, edges, edges[1:], strict=False):
            draw_cell(canvas, column.heading, left, right, y, HEADING_HEIGHT, column, bold=True)
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
        draw_cell(canvas, text, left, right, y, ROW_HEIGHT, column, bold=item.kind == "total" or column.code)
    if item.kind == "row":
        canvas.setStrokeGray(0.6)
        canvas.setLineWidth(0.4)
        canvas.line(edges[0], y - ROW_HEIGHT, edges[-1], y - ROW_HEIGHT)
        canvas.setStrokeGray(0)


def render_document(doc: Document) -> bytes:
    """The document as a PDF (deterministic: the same input gives the same bytes)."""
    return render_documents((doc,))


def render_documents(docs: tuple[Document, ...]) -> bytes:
    """Several documents one after the other in one PDF (each numbering its own pages), e.g. a
    customs declaration and its commercial invoice printed together; titled after the first."""
    planned = []
    for doc in docs:
        room = PAGE_HEIGHT - MARGIN_TOP - _header_height(doc) - MARGIN_BOTTOM
        if doc.block is not None and doc.block.height + GAP_HEIGHT > room:
            raise ValueError("The closing block does not fit on a page.")
        symbol = encode(CODE128, doc.number)
        if symbol.modules * HEADER_MODULE_MM * MM > (PAGE_WIDTH - 2 * MARGIN_X) / 2:
            raise ValueError(f"The {doc.label.lower()} number {doc.number!r} is too long for the header barcode.")
        planned.append((doc, _paginate(doc, _items(doc), room)))
    if not planned:
        raise ValueError("There is no document to print.")

    buffer = io.BytesIO()
    canvas = PdfCanvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, invariant=1)
    canvas.setTitle(f"{docs[0].title} {docs[0].number}")
    canvas.setCreator("Fulfillment Hub")
    for doc, pages in planned:
        for number, chunk in enumerate(pages, start=1):
            y = _draw_header(canvas, doc, number, len(pages))
            for item in chunk:
                _draw_item(canvas, doc, item, y)
                y -= item.height(doc)
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()
