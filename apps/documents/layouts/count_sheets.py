"""A blind count sheet as a PDF: one row per bin and SKU, with an empty box to write the count in.

Blind: the sheet never shows how many units the system expects, so the counter counts what is
there instead of confirming a number. A4 portrait; every page repeats the title, the subtitle
lines and the column headings, and its footer has "Counted by / Date" and "Page n of N". Works on
plain strings and needs no Django settings, so any app can call it (documents imports no app).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from ..toolkit.fonts import BOLD, REGULAR, PdfCanvas, clean_text, fit_text
from ..toolkit.pages import MM

MAX_ROWS = 20_000  # per sheet; more is a mistake, not a count

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 15 * MM
MARGIN_TOP = 14 * MM
MARGIN_BOTTOM = 16 * MM
ROW_HEIGHT = 9 * MM  # room to write a number by hand
HEADING_HEIGHT = 7 * MM
TITLE_SIZE = 14.0
SUBTITLE_SIZE = 9.0
CELL_SIZE = 9.5
MIN_CELL_SIZE = 6.0
MIN_CODE_SIZE = 7.5  # a bin or SKU shrinks to this on one line before it wraps to two
CELL_PADDING = 1.5 * MM
GRID_GREY = 0.6

# (heading, width in mm); the name column takes what is left of the 180 mm between the margins.
COLUMNS = (("Bin", 32.0), ("SKU", 44.0), ("Name", 0.0), ("Counted", 28.0))


def _column_edges() -> list[float]:
    usable = PAGE_WIDTH - 2 * MARGIN_X
    fixed = sum(w for _, w in COLUMNS) * MM
    edges, x = [MARGIN_X], MARGIN_X
    for _, width in COLUMNS:
        x += width * MM if width else usable - fixed
        edges.append(x)
    return edges


def _check(title, subtitle_lines, rows) -> list[tuple[str, str, str]]:
    if not isinstance(title, str):
        raise ValueError("The count sheet needs a title (text).")
    if (
        not isinstance(subtitle_lines, Sequence)
        or isinstance(subtitle_lines, str)
        or not all(isinstance(line, str) for line in subtitle_lines)
    ):
        raise ValueError("subtitle_lines must be a list of text lines.")
    if len(subtitle_lines) > 6:
        raise ValueError("At most 6 subtitle lines fit above the table.")
    checked = []
    for index, row in enumerate(rows, start=1):
        if (
            not isinstance(row, (tuple, list))
            or len(row) != 3
            or not all(isinstance(cell, str) or cell is None for cell in row)
        ):
            raise ValueError(f"Row {index} must be three pieces of text: (bin, SKU, name).")
        checked.append(tuple(cell or "" for cell in row))
        if len(checked) > MAX_ROWS:
            raise ValueError(f"Too many rows: at most {MAX_ROWS:,} fit on one count sheet; split the count.")
    return checked


def _draw_fitted(
    canvas: Canvas, text: str, x: float, width: float, top: float, height: float, *, code: bool = False
) -> None:
    """Draw `text` inside the cell, shrunk and wrapped to two lines to fit, centred vertically.
    A code (bin, SKU) is only wrapped when even the smallest size cannot hold it on one line."""
    fitted = fit_text(text, width, CELL_SIZE, MIN_CODE_SIZE, max_lines=1)
    if not code or fitted.lines != (clean_text(text),):
        fitted = fit_text(text, width, CELL_SIZE, MIN_CELL_SIZE, max_lines=2)
    if not fitted.lines:
        return
    leading = 1.2 * fitted.size
    block = leading * len(fitted.lines)
    baseline = top - (height - block) / 2 - fitted.size * 0.95
    canvas.setFont(fitted.font, fitted.size)
    for n, line in enumerate(fitted.lines):
        canvas.drawString(x, baseline - n * leading, line)


def _header_height(subtitle_lines: list[str]) -> float:
    return TITLE_SIZE * 1.3 + len(subtitle_lines) * SUBTITLE_SIZE * 1.35 + 4 * MM


def _draw_page_frame(
    canvas: Canvas, title: str, subtitle_lines: list[str], edges: list[float], page: int, pages: int
) -> float:
    """Title, subtitles, column headings and footer; returns the y where the first row starts."""
    usable = PAGE_WIDTH - 2 * MARGIN_X
    y = PAGE_HEIGHT - MARGIN_TOP
    fitted = fit_text(title, usable, TITLE_SIZE, 9.0, max_lines=1, font=BOLD)
    canvas.setFont(fitted.font, fitted.size)
    canvas.drawString(MARGIN_X, y - TITLE_SIZE, fitted.lines[0] if fitted.lines else "")
    y -= TITLE_SIZE * 1.3
    for line in subtitle_lines:
        sub = fit_text(line, usable, SUBTITLE_SIZE, 6.0, max_lines=1)
        if sub.lines:
            canvas.setFont(sub.font, sub.size)
            canvas.drawString(MARGIN_X, y - SUBTITLE_SIZE, sub.lines[0])
        y -= SUBTITLE_SIZE * 1.35
    y -= 4 * MM

    # Column headings on a grey band.
    canvas.setFillGray(0.88)
    canvas.rect(edges[0], y - HEADING_HEIGHT, edges[-1] - edges[0], HEADING_HEIGHT, stroke=0, fill=1)
    canvas.setFillGray(0)
    canvas.setFont(BOLD, 9)
    for (heading, _), left in zip(COLUMNS, edges, strict=False):
        canvas.drawString(left + CELL_PADDING, y - HEADING_HEIGHT + 2.3 * MM, heading)
    y -= HEADING_HEIGHT

    # Footer: who counted, when, and the page number.
    canvas.setFont(REGULAR, 8.5)
    footer_y = MARGIN_BOTTOM - 8 * MM
    canvas.drawString(MARGIN_X, footer_y, "Counted by: ______________________    Date: ______________")
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, footer_y, f"Page {page} of {pages}")
    return y


def render_count_sheet(*, title: str, subtitle_lines: list[str], rows: list[tuple[str, str, str]]) -> bytes:
    """A PDF count sheet: columns Bin, SKU, Name and an empty Counted box, rows in the order given.
    Bad input raises ValueError with a sentence saying what is wrong."""
    rows = _check(title, subtitle_lines, rows)
    subtitle_lines = list(subtitle_lines)
    edges = _column_edges()
    table_top = PAGE_HEIGHT - MARGIN_TOP - _header_height(subtitle_lines) - HEADING_HEIGHT
    per_page = max(1, math.floor((table_top - MARGIN_BOTTOM) / ROW_HEIGHT))
    pages = max(1, math.ceil(len(rows) / per_page))

    buffer = io.BytesIO()
    canvas = PdfCanvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("Fulfillment Hub")
    for page in range(pages):
        y = _draw_page_frame(canvas, title, subtitle_lines, edges, page + 1, pages)
        chunk = rows[page * per_page : (page + 1) * per_page]
        if not chunk:
            canvas.setFont(REGULAR, CELL_SIZE)
            canvas.drawString(MARGIN_X + CELL_PADDING, y - ROW_HEIGHT / 2 - 3, "Nothing to count.")
        for bin_code, sku, name in chunk:
            for text, left, right, code in (
                (bin_code, edges[0], edges[1], True),
                (sku, edges[1], edges[2], True),
                (name, edges[2], edges[3], False),
            ):
                _draw_fitted(
                    canvas, text, left + CELL_PADDING, right - left - 2 * CELL_PADDING, y, ROW_HEIGHT, code=code
                )
            # The box to write the count in.
            canvas.setLineWidth(0.8)
            canvas.rect(
                edges[3] + CELL_PADDING,
                y - ROW_HEIGHT + CELL_PADDING,
                edges[4] - edges[3] - 2 * CELL_PADDING,
                ROW_HEIGHT - 2 * CELL_PADDING,
            )
            y -= ROW_HEIGHT
            canvas.setStrokeGray(GRID_GREY)
            canvas.setLineWidth(0.4)
            canvas.line(edges[0], y, edges[-1], y)
            canvas.setStrokeGray(0)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
