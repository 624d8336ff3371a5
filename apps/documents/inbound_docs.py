"""Documents for an inbound reservation (an ASN): box marks, the product list and the packing list.

Box marks go on the outside of each carton the customer sends in: the destination warehouse, the
customer, the inbound number, "BOX 3 / 12", what is in the box, and a Code 128 of
`box_mark_value(inbound_number, box_no)` big enough to scan across a receiving dock. They print one
per 100 × 100 mm thermal label, or two to an A4 sheet (top and bottom halves, cut apart).

The product list (what the inbound should hold, SKU by SKU) and the packing list (what is in which
box) are A4 tables with the inbound's header on every page and "Page n of N" in the footer.

Works on the plain dataclasses below and needs no Django settings (documents imports no app). Bars
and text fitting come from `labels` and `pdf_fonts`. Bad input raises ValueError with a sentence
saying what is wrong.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .labels import CODE128, MAX_LABELS, MIN_MODULE_MM, MM, QUIET_MODULES, _check_value, _draw, _encode, _Plan
from .pdf_fonts import HELVETICA, FittedText, _truncate, _widths, _wrap, clean_text, fit_text

BOLD = "Helvetica-Bold"
MAX_MARKS = MAX_LABELS  # per PDF
MAX_LIST_LINES = 20_000  # rows in a product or packing list; more is a mistake, not an inbound


# --- Input -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyAddress:
    code: str  # e.g. the warehouse code "LAX1"
    name: str
    lines: tuple[str, ...]  # address lines, top to bottom


@dataclass(frozen=True)
class BoxMark:
    inbound_number: str  # e.g. "IN26112500001"
    box_no: int  # 1-based
    box_count: int
    warehouse: PartyAddress
    customer_code: str  # e.g. "C10001"
    contents: tuple[tuple[str, int], ...]  # (sku, quantity) in the box
    weight_kg: str = ""  # already formatted ("12.5"), may be empty
    dimensions_cm: str = ""  # already formatted ("60 × 40 × 40"), may be empty


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


def box_mark_value(inbound_number: str, box_no: int) -> str:
    """What a box mark's Code 128 encodes: the inbound number, a hyphen and the box number, at
    least three digits ("IN26112500001-003")."""
    return f"{inbound_number}-{box_no:03d}"


# --- Text helpers ----------------------------------------------------------------------------------


def fit(
    text: str, max_width: float, size: float, min_size: float, max_lines: int = 1, *, bold: bool = False
) -> FittedText:
    """`pdf_fonts.fit_text`, optionally in bold: Helvetica-Bold where the text is Latin (measured
    with its own, wider, widths). The CID fonts for CJK text have no bold; they stay as they are."""
    fitted = fit_text(text, max_width, size, min_size, max_lines)
    if not bold or fitted.font != HELVETICA or not fitted.lines:
        return fitted
    text = clean_text(text)
    unit = _widths(text, BOLD)
    s = size
    while s >= min_size - 1e-9:
        for n in range(1, max_lines + 1):
            lines, rest = _wrap(text, unit, max_width / s, n)
            if rest == len(text):
                return FittedText(BOLD, s, tuple(lines))
        s -= 0.5
    s = min_size
    lines, rest = _wrap(text, unit, max_width / s, max_lines - 1)
    lines.append(_truncate(text[rest:], unit[rest:], max_width / s, BOLD))
    return FittedText(BOLD, s, tuple(lines))


def _complete(fitted: FittedText, text: str) -> bool:
    """Whether `fitted` shows all of `text` (was not cut short)."""
    return "".join(fitted.lines).replace(" ", "") == clean_text(text).replace(" ", "")


def _placed(
    fitted: FittedText, x: float, baseline: float, align: str = "left", leading: float = 1.2
) -> tuple[str, float, tuple[tuple[float, float, str], ...]]:
    """Lines of `fitted` for `labels._draw`: the first on `baseline`, each aligned at `x` (its left
    end, centre or right end)."""
    placed = []
    for n, line in enumerate(fitted.lines):
        width = stringWidth(line, fitted.font, fitted.size)
        dx = {"left": 0.0, "centre": -width / 2, "right": -width}[align]
        placed.append((x + dx, baseline - n * leading * fitted.size, line))
    return fitted.font, fitted.size, tuple(placed)


def _qty(quantity: int) -> str:
    return f"{quantity:,}"


def _with_unit(value: str, unit: str) -> str:
    value = clean_text(value or "")
    if not value or value.lower().endswith(unit):
        return value
    return f"{value} {unit}"


def _more(count: int) -> str:
    return f"+ {count:,} more SKU{'s' if count > 1 else ''}"


def _pack(
    tokens: Sequence[str], unit: Sequence[float], space: float, max_width: float, max_lines: int
) -> list[str] | None:
    """`tokens` (unit widths `unit`, at the size the widths are scaled to) greedily into at most
    `max_lines` lines, a space between tokens, never splitting one; None if they do not fit."""
    lines: list[str] = []
    current: list[str] = []
    width = 0.0
    for token, w in zip(tokens, unit, strict=True):
        if w > max_width:
            return None
        if current and width + space + w <= max_width:
            current.append(token)
            width += space + w
            continue
        if current:
            lines.append(" ".join(current))
            if len(lines) == max_lines:
                return None
        current, width = [token], w
    if current:
        lines.append(" ".join(current))
    return lines


def content_summary(
    contents: Sequence[tuple[str, int]], max_width: float, size: float, min_size: float, max_lines: int
) -> FittedText:
    """'ACME-TEE-BLK-M × 24, ACME-MUG-350 × 12' in at most `max_lines` lines of `max_width` points:
    every SKU at the largest size from `size` down to `min_size` (half-point steps) at which they
    all fit, else at `min_size` as many as fit followed by '+ 3 more SKUs'. A line never splits a
    'SKU × quantity' unless a single one is wider than the line; then it is cut short."""
    items = [f"{clean_text(sku)} × {_qty(qty)}" for sku, qty in contents]
    n = len(items)
    if not n:
        return FittedText(HELVETICA, size, ())
    font = fit_text(", ".join(items) + _more(n), max_width, size, min_size).font  # one font for all lines
    unit = [stringWidth(item, font, 1) for item in items]
    comma, space = stringWidth(",", font, 1), stringWidth(" ", font, 1)

    def attempt(k: int, s: float) -> list[str] | None:
        """The first k items, then the count of the rest (if any), at size s."""
        tokens = [f"{item}," for item in items[:k]]
        widths = [(w + comma) * s for w in unit[:k]]
        if k == n:
            tokens[-1], widths[-1] = items[-1], unit[-1] * s
        else:
            tokens.append(_more(n - k))
            widths.append(stringWidth(tokens[-1], font, s))
        return _pack(tokens, widths, space * s, max_width, max_lines)

    s = size
    while s >= min_size - 1e-9:
        lines = attempt(n, s)
        if lines is not None:
            return FittedText(font, s, tuple(lines))
        s -= 0.5
    # As many whole items as fit at the smallest size (binary search: more items never take less room).
    lo, hi, best = 1, n - 1, None
    while lo <= hi:
        k = (lo + hi) // 2
        lines = attempt(k, min_size)
        if lines is not None:
            best, lo = lines, k + 1
        else:
            hi = k - 1
    if best is not None:
        return FittedText(font, min_size, tuple(best))
    # Not even the first item fits on a line: wrap it (cut short if need be), the count of the rest below.
    rest = 1 if n > 1 and max_lines > 1 else 0
    first = fit(items[0], max_width, min_size, min_size, max_lines - rest)
    return FittedText(first.font, min_size, first.lines + ((_more(n - 1),) if rest else ()))


# --- Validation ------------------------------------------------------------------------------------


def _is_count(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_party(party: object, what: str) -> PartyAddress:
    if not isinstance(party, PartyAddress):
        raise ValueError(f"The {what} must be a PartyAddress (code, name, address lines).")
    if not _text(party.code):
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


def _address_lines(party: PartyAddress, max_lines: int) -> list[str]:
    """The address lines with text in them; lines beyond `max_lines` are joined onto the last one."""
    lines = [clean_text(line) for line in party.lines if clean_text(line)]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], ", ".join(lines[max_lines - 1 :])]
    return lines


def _check_inbound_number(inbound_number: object) -> str:
    if not _text(inbound_number):
        raise ValueError("The inbound number is missing.")
    return inbound_number.strip()


# --- Box marks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoxMarkFormat:
    """Box mark stock: labels the full width of the page, stacked from the top. Sizes in mm."""

    name: str  # for a select box
    page_width: float
    page_height: float
    label_height: float
    labels_per_page: int
    padding: float  # kept clear inside each label
    scale: float  # text sizes relative to the 100 × 100 mm label
    max_module_mm: float  # the widest bar module used (short values get no wider bars than this)
    header_split: float  # share of the width for the big warehouse code; its address goes right of it
    printer_dpi: int | None = None  # thermal: bar modules of whole printer dots (see labels.LabelFormat)

    def label_origins(self) -> list[tuple[float, float]]:
        """Bottom-left corner of each label on a page, in points, from the top."""
        return [(0.0, (self.page_height - (n + 1) * self.label_height) * MM) for n in range(self.labels_per_page)]


BOX_MARK_FORMATS: dict[str, BoxMarkFormat] = {
    "100x100": BoxMarkFormat(
        name="Thermal label 100 × 100 mm, one per box",
        page_width=100,
        page_height=100,
        label_height=100,
        labels_per_page=1,
        padding=4.0,
        scale=1.0,
        max_module_mm=0.5,
        header_split=0.42,
        printer_dpi=203,
    ),
    "a4-2up": BoxMarkFormat(
        name="A4 sheet, two per page (cut in half)",
        page_width=210,
        page_height=297,
        label_height=148.5,
        labels_per_page=2,
        padding=10.0,  # office printers cannot print the outer ~5 mm
        scale=1.4,
        max_module_mm=0.6,
        header_split=0.36,
    ),
}

BOX_MARK_FORMAT_CHOICES: list[tuple[str, str]] = [(key, f.name) for key, f in BOX_MARK_FORMATS.items()]


def _box_mark_format(fmt: object) -> BoxMarkFormat:
    try:
        return BOX_MARK_FORMATS[fmt]
    except (KeyError, TypeError):
        known = ", ".join(BOX_MARK_FORMATS)
        raise ValueError(f"Unknown box mark format {fmt!r}; choose one of: {known}.") from None


def _check_mark(index: int, mark: object) -> BoxMark:
    if not isinstance(mark, BoxMark):
        raise ValueError(f"Box mark {index} is not a BoxMark.")
    where = f"Box mark {index}"
    if not _text(mark.inbound_number):
        raise ValueError(f"{where} has no inbound number.")
    if not _is_count(mark.box_count, 1):
        raise ValueError(f"{where}: the box count must be a whole number, 1 or more; got {mark.box_count!r}.")
    if not _is_count(mark.box_no, 1) or mark.box_no > mark.box_count:
        raise ValueError(
            f"{where}: the box number must be a whole number from 1 to {mark.box_count}; got {mark.box_no!r}."
        )
    _check_party(mark.warehouse, f"warehouse of box mark {index}")
    if not _text(mark.customer_code):
        raise ValueError(f"{where} has no customer code.")
    if isinstance(mark.contents, str) or not isinstance(mark.contents, Sequence):
        raise ValueError(f"{where}: contents must be a list of (SKU, quantity) pairs.")
    for line, item in enumerate(mark.contents, start=1):
        if not isinstance(item, (tuple, list)) or len(item) != 2 or not _text(item[0]):
            raise ValueError(f"{where}: content line {line} must be a (SKU, quantity) pair with a SKU.")
        if not _is_count(item[1], 1):
            raise ValueError(
                f"{where}: the quantity of {item[0]!r} must be a whole number, 1 or more; got {item[1]!r}."
            )
    if not isinstance(mark.weight_kg, str) or not isinstance(mark.dimensions_cm, str):
        raise ValueError(f"{where}: weight and dimensions must be text (already formatted), or empty.")
    # Code 128 takes printable ASCII only; the error names the value.
    _check_value(index, box_mark_value(mark.inbound_number, mark.box_no), CODE128)
    return mark


def _module_mm(modules: int, room_mm: float, fmt: BoxMarkFormat) -> float | None:
    """The widest bar module, up to the format's cap, that fits `room_mm` with the quiet zones;
    whole printer dots on thermal stock. None when even the narrowest we allow does not fit."""
    fit_mm = room_mm / (modules + 2 * QUIET_MODULES)
    if fit_mm < MIN_MODULE_MM - 1e-9:
        return None
    module = min(fmt.max_module_mm, fit_mm)
    if fmt.printer_dpi:
        dot = 25.4 / fmt.printer_dpi
        dots = min(round(fmt.max_module_mm / dot), math.floor(fit_mm / dot + 1e-9))
        if dots >= 2:
            module = dots * dot
    return module


@dataclass(frozen=True)
class _MarkPlan:
    plan: _Plan  # bars and every line of text, for labels._draw
    rules: tuple[float, ...]  # y of the thin lines across the label


def _plan_mark(index: int, mark: BoxMark, fmt: BoxMarkFormat) -> _MarkPlan:
    s = fmt.scale
    pad = fmt.padding * MM
    width = fmt.page_width * MM - 2 * pad
    left, right = pad, fmt.page_width * MM - pad
    top = fmt.label_height * MM - pad
    texts = []

    value = box_mark_value(mark.inbound_number, mark.box_no)
    symbol = _encode(CODE128, value)
    module_mm = _module_mm(symbol.modules, fmt.page_width - 2 * fmt.padding, fmt)
    if module_mm is None:
        raise ValueError(
            f"Box mark {index} ({value!r}): the inbound number is too long for a scannable barcode on the {fmt.name}."
        )

    # Header: the warehouse code big on the left, its name and address on the right.
    code_width = fmt.header_split * width
    ship_to = fit("SHIP TO", code_width, 6.5 * s, 6.5 * s)
    texts.append(_placed(ship_to, left, top - 0.72 * ship_to.size))
    code = fit(mark.warehouse.code, code_width - 3 * MM, 30 * s, 12 * s, bold=True)
    texts.append(_placed(code, left, top - 8.5 * s - 0.72 * 30 * s))
    address_x = left + code_width
    address_width = right - address_x
    name = fit(mark.warehouse.name, address_width, 9.5 * s, 7 * s, bold=True)
    baseline = top - 0.72 * 9.5 * s
    if name.lines:
        texts.append(_placed(name, address_x, baseline))
        baseline -= 1.25 * 9.5 * s
    for line in _address_lines(mark.warehouse, 3):
        fitted = fit(line, address_width, 8.5 * s, 6.5 * s)
        texts.append(_placed(fitted, address_x, baseline))
        baseline -= 1.2 * 8.5 * s
    y = top - 44 * s
    rules = [y]

    # Customer on the left, inbound number on the right: each gets width in proportion to its length.
    size = 12.5 * s
    customer = f"Customer {clean_text(mark.customer_code)}"
    inbound = f"Inbound {clean_text(mark.inbound_number)}"
    gap = 4 * MM
    natural = [max(1.0, stringWidth(t, BOLD, size)) for t in (customer, inbound)]
    share = [min(n, (width - gap) * n / sum(natural)) for n in natural]
    baseline = y - 5 * s - 0.72 * size
    texts.append(_placed(fit(customer, share[0], size, 7 * s, bold=True), left, baseline))
    texts.append(_placed(fit(inbound, share[1], size, 7 * s, bold=True), right, baseline, "right"))
    y -= 5 * s + 1.3 * size

    # BOX 3 / 12, very big.
    box = fit(f"BOX {mark.box_no} / {mark.box_count}", width, 46 * s, 18 * s, bold=True)
    texts.append(_placed(box, (left + right) / 2, y - 2 * s - 0.72 * 46 * s, "centre"))
    y -= 8 * s + 0.72 * 46 * s
    rules.append(y)

    # What is in the box, then weight and size.
    summary = content_summary(mark.contents, width, 9.5 * s, 7 * s, 3)
    y -= 4 * s
    if summary.lines:
        texts.append(_placed(summary, left, y - 0.72 * 9.5 * s))
    y -= 3 * 1.2 * 9.5 * s
    facts = " · ".join(
        part
        for part in (
            f"Weight {_with_unit(mark.weight_kg, 'kg')}" if clean_text(mark.weight_kg) else "",
            f"Size {_with_unit(mark.dimensions_cm, 'cm')}" if clean_text(mark.dimensions_cm) else "",
        )
        if part
    )
    if facts:
        texts.append(_placed(fit(facts, width, 10 * s, 7 * s, bold=True), left, y - 0.72 * 10 * s))
    y -= 1.3 * 10 * s

    # The barcode to the bottom, its value under it.
    caption_size = 12 * s
    caption = fit(value, width, caption_size, 8 * s, bold=True)
    texts.append(_placed(caption, (left + right) / 2, pad + 0.25 * caption_size, "centre"))
    module = module_mm * MM
    bars_y = pad + 1.3 * caption_size
    bar_height = y - 3 * s - bars_y
    bars_x = (fmt.page_width * MM - symbol.modules * module) / 2
    if fmt.printer_dpi:  # start the bars on a printer dot
        dot = 72 / fmt.printer_dpi
        bars_x = round(bars_x / dot) * dot
    return _MarkPlan(_Plan(symbol.rects, bars_x, bars_y, module, bar_height, tuple(texts)), tuple(rules))


def render_box_marks(marks: Sequence[BoxMark], fmt: str = "100x100") -> bytes:
    """A PDF with one box mark per BoxMark, in the order given: a 100 × 100 mm page each
    ("100x100"), or two to an A4 page ("a4-2up"). Every mark is checked before anything is drawn."""
    layout = _box_mark_format(fmt)
    plans = []
    title = "Box marks"
    for index, mark in enumerate(marks, start=1):
        plans.append(_plan_mark(index, _check_mark(index, mark), layout))
        if index == 1:
            title = f"Box marks {clean_text(mark.inbound_number)}"
        if len(plans) > MAX_MARKS:
            raise ValueError(f"Too many box marks: at most {MAX_MARKS:,} fit in one PDF; print them in batches.")
    if not plans:
        raise ValueError("There are no box marks to print: the inbound needs at least one box.")

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(layout.page_width * MM, layout.page_height * MM), pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("Fulfillment Hub")
    origins = layout.label_origins()
    for n, plan in enumerate(plans):
        cell = n % layout.labels_per_page
        if n and not cell:
            canvas.showPage()
        if not cell and layout.labels_per_page > 1:
            _cut_lines(canvas, layout)
        x, y = origins[cell]
        _draw(canvas, plan.plan, x, y)
        canvas.setLineWidth(0.6 * layout.scale)
        for rule in plan.rules:
            canvas.line(x + layout.padding * MM, y + rule, x + (layout.page_width - layout.padding) * MM, y + rule)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _cut_lines(canvas: Canvas, layout: BoxMarkFormat) -> None:
    """Dashed grey lines between the labels of a sheet, to cut along."""
    canvas.saveState()
    canvas.setStrokeGray(0.55)
    canvas.setLineWidth(0.5)
    canvas.setDash(4, 3)
    for n in range(1, layout.labels_per_page):
        y = (layout.page_height - n * layout.label_height) * MM
        canvas.line(0, y, layout.page_width * MM, y)
    canvas.restoreState()


# --- A4 lists --------------------------------------------------------------------------------------

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
HEADER_BARCODE_MODULE_MM = 0.3
HEADER_BARCODE_HEIGHT = 10 * MM


@dataclass(frozen=True)
class _Column:
    heading: str
    width: float  # mm; 0 takes what the other columns leave
    align: str = "left"
    code: bool = False  # shrink on one line before wrapping


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


def _column_edges(columns: Sequence[_Column]) -> list[float]:
    usable = PAGE_WIDTH - 2 * MARGIN_X
    fixed = sum(c.width for c in columns) * MM
    edges, x = [MARGIN_X], MARGIN_X
    for column in columns:
        x += column.width * MM if column.width else usable - fixed
        edges.append(x)
    return edges


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
    address = max(1, len(_address_lines(header.warehouse, 4)))
    return 16 + 16 + 6 * MM + 9 + 12 + address * 10.8 + 5 * MM


def _draw_cell(
    canvas: Canvas,
    text: str,
    left: float,
    right: float,
    top: float,
    height: float,
    column: _Column,
    *,
    bold: bool = False,
) -> None:
    width = right - left - 2 * CELL_PADDING
    fitted = fit(text, width, CELL_SIZE, MIN_CODE_SIZE, 1, bold=bold)
    if not column.code or not _complete(fitted, text):  # names wrap before they shrink; codes the other way
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
            [f"{warehouse.code} · {warehouse.name}".rstrip(" ·"), *_address_lines(warehouse, 4)],
            MARGIN_X,
            half - 4 * MM,
        )
    ]
    fact_width = half / max(1, len(facts))
    for n, (caption, fact) in enumerate(facts):
        blocks.append((caption, [fact], MARGIN_X + half + n * fact_width, fact_width - 3 * MM))
    for caption, lines, x, width in blocks:
        canvas.setFillGray(0.4)
        canvas.setFont(HELVETICA, 7.5)
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


def _draw_header(
    canvas: Canvas, header: _Header, columns: Sequence[_Column], edges: list[float], page: int, pages: int
) -> float:
    """Title, inbound number and its barcode, warehouse and facts, column headings and the footer;
    returns the y where the first row starts."""
    usable = PAGE_WIDTH - 2 * MARGIN_X
    top = PAGE_HEIGHT - MARGIN_TOP
    text_width = usable

    # The inbound number as a Code 128 in the top right corner, when it can be one.
    value = header.inbound_number
    if value.isascii() and value.isprintable():
        symbol = _encode(CODE128, value)
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
        _draw_cell(canvas, column.heading, left, right, y, HEADING_HEIGHT, column, bold=True)
    y -= HEADING_HEIGHT

    canvas.setFont(HELVETICA, 8.5)
    footer_y = MARGIN_BOTTOM - 8 * MM
    footer = fit(f"{header.title} · Inbound {value}", usable / 2, 8.5, 6)
    canvas.setFont(footer.font, footer.size)
    canvas.drawString(MARGIN_X, footer_y, footer.lines[0])
    canvas.setFont(HELVETICA, 8.5)
    canvas.drawRightString(PAGE_WIDTH - MARGIN_X, footer_y, f"Page {page} of {pages}")
    return y


def _render_table(header: _Header, columns: Sequence[_Column], rows: Sequence[_Row]) -> bytes:
    edges = _column_edges(columns)
    table_top = PAGE_HEIGHT - MARGIN_TOP - _header_height(header) - HEADING_HEIGHT
    pages = _paginate(rows, table_top - MARGIN_BOTTOM)

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(f"{header.title} {header.inbound_number}")
    canvas.setCreator("Fulfillment Hub")
    for number, chunk in enumerate(pages, start=1):
        y = _draw_header(canvas, header, columns, edges, number, len(pages))
        for row in chunk:
            if row.kind == "band":
                canvas.setFillGray(0.94)
                canvas.rect(edges[0], y - BAND_HEIGHT, edges[-1] - edges[0], BAND_HEIGHT, stroke=0, fill=1)
                canvas.setFillGray(0)
                _draw_cell(canvas, row.text, edges[0], edges[-1], y, BAND_HEIGHT, _Column("", 0), bold=True)
            elif row.kind in ("row", "total"):
                if row.kind == "total":
                    canvas.setLineWidth(0.9)
                    canvas.line(edges[0], y, edges[-1], y)
                for text, column, left, right in zip(row.cells, columns, edges, edges[1:], strict=False):
                    _draw_cell(canvas, text, left, right, y, ROW_HEIGHT, column, bold=row.kind == "total")
            y -= row.height
            if row.kind == "row":
                canvas.setStrokeGray(0.6)
                canvas.setLineWidth(0.4)
                canvas.line(edges[0], y, edges[-1], y)
                canvas.setStrokeGray(0)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _check_quantity(where: str, quantity: object, minimum: int) -> int:
    if not _is_count(quantity, minimum):
        raise ValueError(f"{where}: the quantity must be a whole number, {minimum} or more; got {quantity!r}.")
    return quantity


def _check_list_header(inbound_number: object, warehouse: object, customer_code: object) -> str:
    inbound_number = _check_inbound_number(inbound_number)
    _check_party(warehouse, "warehouse")
    if not _text(customer_code):
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
        if not _text(line.sku):
            raise ValueError(f"Line {n} has no SKU.")
        if not isinstance(line.name, str) or not isinstance(line.upc, str):
            raise ValueError(f"Line {n} ({line.sku!r}): the name and UPC must be text (the UPC may be empty).")
        units += _check_quantity(f"Line {n} ({line.sku!r})", line.quantity, 0)
        rows.append(_Row("row", (str(n), line.sku, line.upc, line.name, _qty(line.quantity))))
    skus = len({clean_text(line.sku) for line in lines})
    rows.append(_Row("total", ("", "Total", "", f"{len(lines):,} lines, {skus:,} SKUs", _qty(units))))

    facts = [("Customer", clean_text(customer_code))]
    if status_label.strip():
        facts.append(("Status", clean_text(status_label)))
    header = _Header("Product list", inbound_number, warehouse, tuple(facts))
    columns = (
        _Column("#", 10, "right"),
        _Column("SKU", 46, code=True),
        _Column("UPC", 30, code=True),
        _Column("Name", 0),
        _Column("Quantity", 22, "right"),
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
        if not _is_count(box.box_no, 1):
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
                or not _text(item[0])
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
            _with_unit(box.dimensions_cm, "cm"),
            _with_unit(box.weight_kg, "kg"),
            f"{_qty(box_units)} units",
        ]
        band = " · ".join(fact for fact in facts if fact)
        if rows:
            rows.append(_Row("gap"))
        rows.append(_Row("band", text=band))
        group = f"Box {box.box_no} / {count}"
        rows.extend(_Row("row", (sku, name, _qty(qty)), group=group) for sku, name, qty in lines)

    rows.append(_Row("gap"))
    rows.append(_Row("band", text="Totals per SKU"))
    rows.extend(_Row("row", (sku, name, _qty(qty)), group="Totals per SKU") for sku, (name, qty) in totals.items())
    rows.append(_Row("total", ("Total", f"{count:,} boxes, {len(totals):,} SKUs", _qty(units))))

    summary = f"{count:,} box{'es' if count > 1 else ''} · {_qty(units)} units"
    header = _Header(
        "Packing list", inbound_number, warehouse, (("Customer", clean_text(customer_code)), ("Contents", summary))
    )
    columns = (_Column("SKU", 50, code=True), _Column("Name", 0), _Column("Quantity", 24, "right"))
    return _render_table(header, columns, rows)
