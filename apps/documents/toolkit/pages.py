"""Pages of generated PDFs: units, the A4 list grid (margins, table columns and cells, the title
block with the warehouse and facts), the warehouse address block, and the checks every layout runs
on its input (counts, text, the party, a document number that becomes a Code 128).

Bad input raises ValueError with a sentence saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from .fonts import REGULAR, clean_text, fit, is_complete

MM = 72 / 25.4  # points per millimetre

# --- The A4 list grid (product and packing lists, pick lists, manifests) ---------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 15 * MM
MARGIN_TOP = 14 * MM
MARGIN_BOTTOM = 16 * MM
ROW_HEIGHT = 7.5 * MM
BAND_HEIGHT = 7 * MM
GAP_HEIGHT = 3 * MM
HEADING_HEIGHT = 7 * MM
CELL_SIZE = 9.0
MIN_CELL_SIZE = 6.0
MIN_CODE_SIZE = 7.0  # a SKU or UPC shrinks to this on one line before it wraps to two
CELL_PADDING = 1.5 * MM


@dataclass(frozen=True)
class PartyAddress:
    code: str  # e.g. the warehouse code "LAX1"
    name: str
    lines: tuple[str, ...]  # address lines, top to bottom


@dataclass(frozen=True)
class TableColumn:
    heading: str
    width: float  # mm; 0 takes what the other columns leave
    align: str = "left"
    code: bool = False  # shrink on one line before wrapping


def column_edges(columns: Sequence[TableColumn]) -> list[float]:
    usable = PAGE_WIDTH - 2 * MARGIN_X
    fixed = sum(c.width for c in columns) * MM
    edges, x = [MARGIN_X], MARGIN_X
    for column in columns:
        x += column.width * MM if column.width else usable - fixed
        edges.append(x)
    return edges


def draw_cell(
    canvas: Canvas,
    text: str,
    left: float,
    right: float,
    top: float,
    height: float,
    column: TableColumn,
    *,
    bold: bool = False,
) -> None:
    width = right - left - 2 * CELL_PADDING
    fitted = fit(text, width, CELL_SIZE, MIN_CODE_SIZE, 1, bold=bold)
    if not column.code or not is_complete(fitted, text):  # names wrap before they shrink; codes the other way
        fitted = fit(text, width, CELL_SIZE, MIN_CELL_SIZE, 2, bold=bold)
    if not fitted.lines:
        return
    leading = 1.15 * fitted.size
    baseline = top - (height - leading * len(fitted.lines)) / 2 - 0.85 * fitted.size
    canvas.setFont(fitted.font, fitted.size)
    for n, line in enumerate(fitted.lines):
        if column.align == "right":
            canvas.drawRightString(right - CELL_PADDING, baseline - n * leading, line)
        else:
            canvas.drawString(left + CELL_PADDING, baseline - n * leading, line)


def draw_title_block(
    canvas: Canvas, *, title: str, subtitle: str, warehouse: PartyAddress, facts, text_width: float, top: float
) -> float:
    """An A4 list's title and number, then the warehouse on the left half and the facts (customer,
    status, …) in columns on the right half; returns the y below the title lines."""
    usable = PAGE_WIDTH - 2 * MARGIN_X
    fitted = fit(title, text_width, 16, 10, bold=True)
    canvas.setFont(fitted.font, fitted.size)
    canvas.drawString(MARGIN_X, top - 12, fitted.lines[0])
    second = fit(subtitle, text_width, 12, 8, bold=True)
    canvas.setFont(second.font, second.size)
    canvas.drawString(MARGIN_X, top - 12 - 16, second.lines[0])
    y = top - 32 - 6 * MM
    half = usable / 2
    blocks = [
        (
            "Warehouse",
            [f"{warehouse.code} · {warehouse.name}".rstrip(" ·"), *address_lines(warehouse, 4)],
            MARGIN_X,
            half - 4 * MM,
        )
    ]
    fact_width = half / max(1, len(facts))
    for n, (caption, fact) in enumerate(facts):
        blocks.append((caption, [fact], MARGIN_X + half + n * fact_width, fact_width - 3 * MM))
    for caption, lines, x, width in blocks:
        canvas.setFillGray(0.4)
        canvas.setFont(REGULAR, 7.5)
        canvas.drawString(x, y - 7, caption.upper())
        canvas.setFillGray(0)
        baseline = y - 9 - 11
        for n, line in enumerate(lines):
            line_fit = fit(line, width, 10 if n == 0 else 9, 6.5, bold=n == 0)
            if line_fit.lines:
                canvas.setFont(line_fit.font, line_fit.size)
                canvas.drawString(x, baseline, line_fit.lines[0])
            baseline -= 12 if n == 0 else 10.8
    return y


# --- Checks and small formats ---------------------------------------------------------------------


def is_count(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def has_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def check_party(party: object, what: str) -> PartyAddress:
    if not isinstance(party, PartyAddress):
        raise ValueError(f"The {what} must be a PartyAddress (code, name, address lines).")
    if not has_text(party.code):
        raise ValueError(f"The {what} has no code.")
    if not isinstance(party.name, str):
        raise ValueError(f"The {what}'s name must be text.")
    if (
        isinstance(party.lines, str)
        or not isinstance(party.lines, Sequence)
        or not all(isinstance(line, str) for line in party.lines)
    ):
        raise ValueError(f"The {what}'s address must be a list of text lines.")
    return party


def address_lines(party: PartyAddress, max_lines: int) -> list[str]:
    """The address lines with text in them; lines beyond `max_lines` are joined onto the last one."""
    lines = [clean_text(line) for line in party.lines if clean_text(line)]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], ", ".join(lines[max_lines - 1 :])]
    return lines


def format_quantity(quantity: int) -> str:
    return f"{quantity:,}"


def with_unit(value: str, unit: str) -> str:
    value = clean_text(value or "")
    if not value or value.lower().endswith(unit):
        return value
    return f"{value} {unit}"


def plain_text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be text.")
    return clean_text(value)


def check_document_number(label: str, number: object) -> str:
    if not has_text(number):
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
