"""The product list and the packing list of an inbound reservation (an ASN), on A4.

The product list says what the inbound should hold, SKU by SKU; the packing list what is in which
box, then the totals per SKU. Both are tables with the inbound's header on every page (its number
as a Code 128, the warehouse, the customer) and "Page n of N" in the footer.

Works on the plain dataclasses below and needs no Django settings (documents imports no app). The
grid, cells and title block come from `toolkit.pages`. Bad input raises ValueError with a sentence
saying what is wrong.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from ..toolkit.barcodes import CODE128, QUIET_MODULES, encode
from ..toolkit.fonts import REGULAR, PdfCanvas, clean_text, fit
from ..toolkit.pages import (
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
    check_party,
    column_edges,
    draw_cell,
    draw_title_block,
    format_quantity,
    has_text,
    is_count,
    with_unit,
)

MAX_LIST_LINES = 20_000  # rows in a product or packing list; more is a mistake, not an inbound
HEADER_BARCODE_MODULE_MM = 0.3
HEADER_BARCODE_HEIGHT = 10 * MM


@dataclass(frozen=True)
class ListLine:
    sku: str
    name: str
    upc: str
    quantity: int


@dataclass(frozen=True)
class PackedBox:
    box_no: int
    dimensions_cm: str
    weight_kg: str
    contents: tuple[tuple[str, str, int], ...]  # (sku, name, quantity)


@dataclass(frozen=True)
class _Row:
    kind: str  # "row", "band" (a heading across the table), "total" (bold, ruled above) or "gap"
    cells: tuple[str, ...] = ()
    text: str = ""  # of a band
    group: str = ""  # of a row under a band: the band, repeated "(continued)" when the rows run onto a new page

    @property
    def height(self) -> float:
        return {"row": ROW_HEIGHT, "total": ROW_HEIGHT, "band": BAND_HEIGHT, "gap": GAP_HEIGHT}[self.kind]


@dataclass(frozen=True)
class _Header:
    title: str
    inbound_number: str
    warehouse: PartyAddress
    facts: tuple[tuple[str, str], ...]  # (caption, value) next to the warehouse


def _paginate(rows: Sequence[_Row], room: float) -> list[list[_Row]]:
    """Rows per page, `room` points of table each. A band stays with the row under it, a gap is
    dropped at the top of a page, and a group's band is repeated "(continued)" on the next page."""
    pages: list[list[_Row]] = [[]]
    used = 0.0
    for n, row in enumerate(rows):
        need = row.height
        if row.kind == "band" and n + 1 < len(rows):
            need += rows[n + 1].height
        if used + need > room + 1e-6 and pages[-1]:
            pages.append([])
            used = 0.0
            if row.kind == "gap":
                continue
            if row.group:
                pages[-1].append(_Row("band", text=f"{row.group} (continued)"))
                used += BAND_HEIGHT
        pages[-1].append(row)
        used += row.height
    return pages


def _header_height(header: _Header) -> float:
    address = max(1, len(address_lines(header.warehouse, 4)))
    return 16 + 16 + 6 * MM + 9 + 12 + address * 10.8 + 5 * MM


def _draw_header(
    canvas: Canvas, header: _Header, columns: Sequence[TableColumn], edges: list[float], page: int, pages: int
) -> float:
    """Title, inbound number and its barcode, warehouse and facts, column headings and the footer;
    returns the y where the first row starts."""
    usable = PAGE_WIDTH - 2 * MARGIN_X
    top = PAGE_HEIGHT - MARGIN_TOP
    text_width = usable

    # The inbound number as a Code 128 in the top right corner, when it can be one.
    value = header.inbound_number
    if value.isascii() and value.isprintable():
        symbol = encode(CODE128, value)
        module = HEADER_BARCODE_MODULE_MM * MM
        bars_width = symbol.modules * module
        if bars_width < usable / 2:
            x = PAGE_WIDTH - MARGIN_X - bars_width
            y = top - HEADER_BARCODE_HEIGHT
            canvas.addLiteral(
                f"q {fp_str(module)} 0 0 {fp_str(HEADER_BARCODE_HEIGHT)} {fp_str(x)} {fp_str(y)} cm\n"
                f"{symbol.rects}\nf Q"
            )
            text_width = usable - bars_width - (QUIET_MODULES * module) - 2 * MM

    draw_title_block(
        canvas,
        title=header.title,
        subtitle=f"Inbound {value}",
        warehouse=header.warehouse,
        facts=header.facts,
        text_width=text_width,
        top=top,
    )
    y = PAGE_HEIGHT - MARGIN_TOP - _header_height(header)

    # Column headings on a grey band.
    canvas.setFillGray(0.88)
    canvas.rect(edges[0], y - HEADING_HEIGHT, edges[-1] - edges[0], HEADING_HEIGHT, stroke=0, fill=1)
    canvas.setFillGray(0)
    for column, left, right in zip(columns, edges, edges[1:], strict=False):
        draw_cell(canvas, column.heading, left, right, y, HEADING_HEIGHT, column, bold=True)
    y -= HEADING_HEIGHT

    canvas.setFont(REGULAR, 8.5)
    footer_y = MARGIN_BOTTOM - 8 * MM
    footer = fit(f"{header.title} · Inbound {value}", usable / 2, 8.5, 6)
    canvas.setFont(footer.font, footer.size)
    canvas.drawString(MARGIN_X, footer_y, footer.lines[0])
    canvas.setFont(REGULAR, 8.5)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, footer_y, f"Page {page} of {pages}")
    return y


def _render_table(header: _Header, columns: Sequence[TableColumn], rows: Sequence[_Row]) -> bytes:
    edges = column_edges(columns)
    table_top = PAGE_HEIGHT - MARGIN_TOP - _header_height(header) - HEADING_HEIGHT
    pages = _paginate(rows, table_top - MARGIN_BOTTOM)

    buffer = io.BytesIO()
    canvas = PdfCanvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(f"{header.title} {header.inbound_number}")
    canvas.setCreator("Fulfillment Hub")
    for number, chunk in enumerate(pages, start=1):
        y = _draw_header(canvas, header, columns, edges, number, len(pages))
        for row in chunk:
            if row.kind == "band":
                canvas.setFillGray(0.94)
                canvas.rect(edges[0], y - BAND_HEIGHT, edges[-1] - edges[0], BAND_HEIGHT, stroke=0, fill=1)
                canvas.setFillGray(0)
                draw_cell(canvas, row.text, edges[0], edges[-1], y, BAND_HEIGHT, TableColumn("", 0), bold=True)
            elif row.kind in ("row", "total"):
                if row.kind == "total":
                    canvas.setLineWidth(0.9)
                    canvas.line(edges[0], y, edges[-1], y)
                for text, column, left, right in zip(row.cells, columns, edges, edges[1:], strict=False):
                    draw_cell(canvas, text, left, right, y, ROW_HEIGHT, column, bold=row.kind == "total")
            y -= row.height
            if row.kind == "row":
                canvas.setStrokeGray(0.6)
                canvas.setLineWidth(0.4)
                canvas.line(edges[0], y, edges[-1], y)
                canvas.setStrokeGray(0)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _check_inbound_number(inbound_number: object) -> str:
    if not has_text(inbound_number):
        raise ValueError("The inbound number is missing.")
    return inbound_number.strip()


def _check_quantity(where: str, quantity: object, minimum: int) -> int:
    if not is_count(quantity, minimum):
        raise ValueError(f"{where}: the quantity must be a whole number, {minimum} or more; got {quantity!r}.")
    return quantity


def _check_list_header(inbound_number: object, warehouse: object, customer_code: object) -> str:
    inbound_number = _check_inbound_number(inbound_number)
    check_party(warehouse, "warehouse")
    if not has_text(customer_code):
        raise ValueError("The customer code is missing.")
    return inbound_number


def render_product_list_pdf(
    *,
    inbound_number: str,
    warehouse: PartyAddress,
    customer_code: str,
    lines: Sequence[ListLine],
    status_label: str = "",
) -> bytes:
    """An A4 table of what the inbound should hold: #, SKU, UPC, name and quantity, in the order
    given, then the total units. The header (inbound number and its barcode, warehouse, customer,
    status) repeats on every page; the footer has "Page n of N"."""
    inbound_number = _check_list_header(inbound_number, warehouse, customer_code)
    if not isinstance(status_label, str):
        raise ValueError("The status label must be text.")
    if isinstance(lines, str) or not isinstance(lines, Sequence):
        raise ValueError("lines must be a list of ListLine.")
    if not lines:
        raise ValueError("The product list is empty: the inbound needs at least one product line.")
    if len(lines) > MAX_LIST_LINES:
        raise ValueError(f"Too many lines: at most {MAX_LIST_LINES:,} fit in one product list.")
    rows = []
    units = 0
    for n, line in enumerate(lines, start=1):
        if not isinstance(line, ListLine):
            raise ValueError(f"Line {n} is not a ListLine.")
        if not has_text(line.sku):
            raise ValueError(f"Line {n} has no SKU.")
        if not isinstance(line.name, str) or not isinstance(line.upc, str):
            raise ValueError(f"Line {n} ({line.sku!r}): the name and UPC must be text (the UPC may be empty).")
        units += _check_quantity(f"Line {n} ({line.sku!r})", line.quantity, 0)
        rows.append(_Row("row", (str(n), line.sku, line.upc, line.name, format_quantity(line.quantity))))
    skus = len({clean_text(line.sku) for line in lines})
    rows.append(_Row("total", ("", "Total", "", f"{len(lines):,} lines, {skus:,} SKUs", format_quantity(units))))

    facts = [("Customer", clean_text(customer_code))]
    if status_label.strip():
        facts.append(("Status", clean_text(status_label)))
    header = _Header("Product list", inbound_number, warehouse, tuple(facts))
    columns = (
        TableColumn("#", 10, "right"),
        TableColumn("SKU", 46, code=True),
        TableColumn("UPC", 30, code=True),
        TableColumn("Name", 0),
        TableColumn("Quantity", 22, "right"),
    )
    return _render_table(header, columns, rows)


def render_packing_list_pdf(
    *, inbound_number: str, warehouse: PartyAddress, customer_code: str, boxes: Sequence[PackedBox]
) -> bytes:
    """An A4 packing list: per box (by box number) a band "Box i / N · dimensions · weight · units"
    and its SKU lines, then the total per SKU over all boxes and the grand total. The header repeats
    on every page, and a box running onto the next page repeats its band there."""
    inbound_number = _check_list_header(inbound_number, warehouse, customer_code)
    if isinstance(boxes, str) or not isinstance(boxes, Sequence):
        raise ValueError("boxes must be a list of PackedBox.")
    if not boxes:
        raise ValueError("The packing list is empty: the inbound needs at least one box.")
    for n, box in enumerate(boxes, start=1):
        if not isinstance(box, PackedBox):
            raise ValueError(f"Box {n} in the list is not a PackedBox.")
        if not is_count(box.box_no, 1):
            raise ValueError(
                f"Box {n} in the list: the box number must be a whole number, 1 or more; got {box.box_no!r}."
            )
    numbers = sorted(box.box_no for box in boxes)
    count = len(boxes)
    if numbers != list(range(1, count + 1)):
        shown = ", ".join(str(no) for no in numbers[:20]) + (", …" if count > 20 else "")
        raise ValueError(f"Box numbers must run from 1 to {count} without gaps or repeats; got {shown}.")

    rows: list[_Row] = []
    totals: dict[str, list] = {}  # sku -> [name, quantity]
    units = 0
    for box in sorted(boxes, key=lambda b: b.box_no):
        where = f"Box {box.box_no}"
        if not isinstance(box.dimensions_cm, str) or not isinstance(box.weight_kg, str):
            raise ValueError(f"{where}: dimensions and weight must be text (already formatted), or empty.")
        if isinstance(box.contents, str) or not isinstance(box.contents, Sequence) or not box.contents:
            raise ValueError(f"{where} has no contents: list its (SKU, name, quantity) lines.")
        box_units = 0
        lines = []
        for item in box.contents:
            if (
                not isinstance(item, (tuple, list))
                or len(item) != 3
                or not has_text(item[0])
                or not isinstance(item[1], str)
            ):
                raise ValueError(f"{where}: every content line must be (SKU, name, quantity) with a SKU.")
            sku, name, quantity = item
            box_units += _check_quantity(f"{where} ({sku!r})", quantity, 1)
            lines.append((sku, name, quantity))
            total = totals.setdefault(clean_text(sku), [name, 0])
            total[1] += quantity
        units += box_units
        if len(rows) + len(lines) > MAX_LIST_LINES:
            raise ValueError(f"Too many lines: at most {MAX_LIST_LINES:,} fit in one packing list.")
        facts = [
            f"Box {box.box_no} / {count}",
            with_unit(box.dimensions_cm, "cm"),
            with_unit(box.weight_kg, "kg"),
            f"{format_quantity(box_units)} units",
        ]
        band = " · ".join(fact for fact in facts if fact)
        if rows:
            rows.append(_Row("gap"))
        rows.append(_Row("band", text=band))
        group = f"Box {box.box_no} / {count}"
        rows.extend(_Row("row", (sku, name, format_quantity(qty)), group=group) for sku, name, qty in lines)

    rows.append(_Row("gap"))
    rows.append(_Row("band", text="Totals per SKU"))
    rows.extend(
        _Row("row", (sku, name, format_quantity(qty)), group="Totals per SKU") for sku, (name, qty) in totals.items()
    )
    rows.append(_Row("total", ("Total", f"{count:,} boxes, {len(totals):,} SKUs", format_quantity(units))))

    summary = f"{count:,} box{'es' if count > 1 else ''} · {format_quantity(units)} units"
    header = _Header(
        "Packing list", inbound_number, warehouse, (("Customer", clean_text(customer_code)), ("Contents", summary))
    )
    columns = (TableColumn("SKU", 50, code=True), TableColumn("Name", 0), TableColumn("Quantity", 24, "right"))
    return _render_table(header, columns, rows)
