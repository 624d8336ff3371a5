"""Box marks: the label on the outside of each carton the customer sends in to an inbound (an ASN).

A box mark shows the destination warehouse, the customer, the inbound number, "BOX 3 / 12", what is
in the box, and a Code 128 of `box_mark_value(inbound_number, box_no)` big enough to scan across a
receiving dock. They print one per 100 × 100 mm thermal label, or two to an A4 sheet (top and
bottom halves, cut apart).

Works on the plain dataclasses below and needs no Django settings (documents imports no app). Bars
and text fitting come from the toolkit. Bad input raises ValueError with a sentence saying what is
wrong.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from ..toolkit.barcodes import CODE128, MAX_LABELS, DrawPlan, check_barcode_value, draw_plan, encode, module_width_mm
from ..toolkit.fonts import BOLD, REGULAR, FittedText, PdfCanvas, clean_text, fit, place_lines, text_width
from ..toolkit.pages import MM, PartyAddress, address_lines, check_party, format_quantity, has_text, is_count, with_unit

MAX_MARKS = MAX_LABELS  # per PDF


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


def box_mark_value(inbound_number: str, box_no: int) -> str:
    """What a box mark's Code 128 encodes: the inbound number, a hyphen and the box number, at
    least three digits ("IN26112500001-003")."""
    return f"{inbound_number}-{box_no:03d}"


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
    items = [f"{clean_text(sku)} × {format_quantity(qty)}" for sku, qty in contents]
    n = len(items)
    if not n:
        return FittedText(REGULAR, size, ())
    font = REGULAR
    unit = [text_width(item, font, 1) for item in items]
    comma, space = text_width(",", font, 1), text_width(" ", font, 1)

    def attempt(k: int, s: float) -> list[str] | None:
        """The first k items, then the count of the rest (if any), at size s."""
        tokens = [f"{item}," for item in items[:k]]
        widths = [(w + comma) * s for w in unit[:k]]
        if k == n:
            tokens[-1], widths[-1] = items[-1], unit[-1] * s
        else:
            tokens.append(_more(n - k))
            widths.append(text_width(tokens[-1], font, s))
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
    printer_dpi: int | None = None  # thermal: bar modules of whole printer dots (see barcode_labels.LabelFormat)

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
    if not has_text(mark.inbound_number):
        raise ValueError(f"{where} has no inbound number.")
    if not is_count(mark.box_count, 1):
        raise ValueError(f"{where}: the box count must be a whole number, 1 or more; got {mark.box_count!r}.")
    if not is_count(mark.box_no, 1) or mark.box_no > mark.box_count:
        raise ValueError(
            f"{where}: the box number must be a whole number from 1 to {mark.box_count}; got {mark.box_no!r}."
        )
    check_party(mark.warehouse, f"warehouse of box mark {index}")
    if not has_text(mark.customer_code):
        raise ValueError(f"{where} has no customer code.")
    if isinstance(mark.contents, str) or not isinstance(mark.contents, Sequence):
        raise ValueError(f"{where}: contents must be a list of (SKU, quantity) pairs.")
    for line, item in enumerate(mark.contents, start=1):
        if not isinstance(item, (tuple, list)) or len(item) != 2 or not has_text(item[0]):
            raise ValueError(f"{where}: content line {line} must be a (SKU, quantity) pair with a SKU.")
        if not is_count(item[1], 1):
            raise ValueError(
                f"{where}: the quantity of {item[0]!r} must be a whole number, 1 or more; got {item[1]!r}."
            )
    if not isinstance(mark.weight_kg, str) or not isinstance(mark.dimensions_cm, str):
        raise ValueError(f"{where}: weight and dimensions must be text (already formatted), or empty.")
    # Code 128 takes printable ASCII only; the error names the value.
    check_barcode_value(index, box_mark_value(mark.inbound_number, mark.box_no), CODE128)
    return mark


@dataclass(frozen=True)
class MarkPlan:
    plan: DrawPlan  # bars and every line of text, for barcodes.draw_plan
    rules: tuple[float, ...]  # y of the thin lines across the label


def plan_box_mark(index: int, mark: BoxMark, fmt: BoxMarkFormat) -> MarkPlan:
    s = fmt.scale
    pad = fmt.padding * MM
    width = fmt.page_width * MM - 2 * pad
    left, right = pad, fmt.page_width * MM - pad
    top = fmt.label_height * MM - pad
    texts = []

    value = box_mark_value(mark.inbound_number, mark.box_no)
    symbol = encode(CODE128, value)
    module_mm = module_width_mm(
        symbol.modules, fmt.page_width - 2 * fmt.padding, max_module_mm=fmt.max_module_mm, printer_dpi=fmt.printer_dpi
    )
    if module_mm is None:
        raise ValueError(
            f"Box mark {index} ({value!r}): the inbound number is too long for a scannable barcode on the {fmt.name}."
        )

    # Header: the warehouse code big on the left, its name and address on the right.
    code_width = fmt.header_split * width
    ship_to = fit("SHIP TO", code_width, 6.5 * s, 6.5 * s)
    texts.append(place_lines(ship_to, left, top - 0.72 * ship_to.size))
    code = fit(mark.warehouse.code, code_width - 3 * MM, 30 * s, 12 * s, bold=True)
    texts.append(place_lines(code, left, top - 8.5 * s - 0.72 * 30 * s))
    address_x = left + code_width
    address_width = right - address_x
    name = fit(mark.warehouse.name, address_width, 9.5 * s, 7 * s, bold=True)
    baseline = top - 0.72 * 9.5 * s
    if name.lines:
        texts.append(place_lines(name, address_x, baseline))
        baseline -= 1.25 * 9.5 * s
    for line in address_lines(mark.warehouse, 3):
        fitted = fit(line, address_width, 8.5 * s, 6.5 * s)
        texts.append(place_lines(fitted, address_x, baseline))
        baseline -= 1.2 * 8.5 * s
    y = top - 44 * s
    rules = [y]

    # Customer on the left, inbound number on the right: each gets width in proportion to its length.
    size = 12.5 * s
    customer = f"Customer {clean_text(mark.customer_code)}"
    inbound = f"Inbound {clean_text(mark.inbound_number)}"
    gap = 4 * MM
    natural = [max(1.0, text_width(t, BOLD, size)) for t in (customer, inbound)]
    share = [min(n, (width - gap) * n / sum(natural)) for n in natural]
    baseline = y - 5 * s - 0.72 * size
    texts.append(place_lines(fit(customer, share[0], size, 7 * s, bold=True), left, baseline))
    texts.append(place_lines(fit(inbound, share[1], size, 7 * s, bold=True), right, baseline, "right"))
    y -= 5 * s + 1.3 * size

    # BOX 3 / 12, very big.
    box = fit(f"BOX {mark.box_no} / {mark.box_count}", width, 46 * s, 18 * s, bold=True)
    texts.append(place_lines(box, (left + right) / 2, y - 2 * s - 0.72 * 46 * s, "centre"))
    y -= 8 * s + 0.72 * 46 * s
    rules.append(y)

    # What is in the box, then weight and size.
    summary = content_summary(mark.contents, width, 9.5 * s, 7 * s, 3)
    y -= 4 * s
    if summary.lines:
        texts.append(place_lines(summary, left, y - 0.72 * 9.5 * s))
    y -= 3 * 1.2 * 9.5 * s
    facts = " · ".join(
        part
        for part in (
            f"Weight {with_unit(mark.weight_kg, 'kg')}" if clean_text(mark.weight_kg) else "",
            f"Size {with_unit(mark.dimensions_cm, 'cm')}" if clean_text(mark.dimensions_cm) else "",
        )
        if part
    )
    if facts:
        texts.append(place_lines(fit(facts, width, 10 * s, 7 * s, bold=True), left, y - 0.72 * 10 * s))
    y -= 1.3 * 10 * s

    # The barcode to the bottom, its value under it.
    caption_size = 12 * s
    caption = fit(value, width, caption_size, 8 * s, bold=True)
    texts.append(place_lines(caption, (left + right) / 2, pad + 0.25 * caption_size, "centre"))
    module = module_mm * MM
    bars_y = pad + 1.3 * caption_size
    bar_height = y - 3 * s - bars_y
    bars_x = (fmt.page_width * MM - symbol.modules * module) / 2
    if fmt.printer_dpi:  # start the bars on a printer dot
        dot = 72 / fmt.printer_dpi
        bars_x = round(bars_x / dot) * dot
    return MarkPlan(DrawPlan(symbol.rects, bars_x, bars_y, module, bar_height, tuple(texts)), tuple(rules))


def render_box_marks(marks: Sequence[BoxMark], fmt: str = "100x100") -> bytes:
    """A PDF with one box mark per BoxMark, in the order given: a 100 × 100 mm page each
    ("100x100"), or two to an A4 page ("a4-2up"). Every mark is checked before anything is drawn."""
    layout = _box_mark_format(fmt)
    plans = []
    title = "Box marks"
    for index, mark in enumerate(marks, start=1):
        plans.append(plan_box_mark(index, _check_mark(index, mark), layout))
        if index == 1:
            title = f"Box marks {clean_text(mark.inbound_number)}"
        if len(plans) > MAX_MARKS:
            raise ValueError(f"Too many box marks: at most {MAX_MARKS:,} fit in one PDF; print them in batches.")
    if not plans:
        raise ValueError("There are no box marks to print: the inbound needs at least one box.")

    buffer = io.BytesIO()
    canvas = PdfCanvas(
        buffer, pagesize=(layout.page_width * MM, layout.page_height * MM), pageCompression=1, invariant=1
    )
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
        draw_plan(canvas, plan.plan, x, y)
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
