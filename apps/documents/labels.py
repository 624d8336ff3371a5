"""Barcode labels as a PDF: Code 128 or UPC-A, with the code and the product name under the bars.

Works on plain `Label` dataclasses and needs no Django settings, so any app can call it. Bars are
vector rectangles (one filled path per barcode, in module units under a scaling matrix): they
stay sharp at any printer resolution, and the file stays small. reportlab's encoders give the bar
patterns (`Code128`, and the `UPCA` widget from `eanbc`).
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.eanbc import UPCA
from reportlab.graphics.shapes import Rect
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from .pdf_fonts import FittedText, fit_text

MM = 72 / 25.4  # points per millimetre

CODE128 = "code128"
UPC_A = "upca"
SYMBOLOGIES = (CODE128, UPC_A)

QUIET_MODULES = 10  # clear space each side of the bars, in module widths (Code 128 needs 10, UPC-A 9)
# The narrowest bar we print: two dots at 300 dpi. Narrower bars do not survive a 300 dpi print/scan.
MIN_MODULE_MM = 25.4 * 2 / 300
CODE128_MAX_MODULE_MM = 0.38
UPCA_MODULE_MM = 0.33  # GS1's nominal X-dimension (100 % magnification)
MAX_LABELS = 10_000  # per PDF; more than this is a mistake or abuse, not a print job


@dataclass(frozen=True)
class Label:
    value: str  # the text the barcode encodes
    symbology: str  # "code128" or "upca"
    caption: str  # human-readable line under the barcode (usually == value)
    title: str = ""  # product name, second line; shrunk, wrapped to two lines, then cut to fit
    copies: int = 1


@dataclass(frozen=True)
class LabelFormat:
    """A label stock. Sizes in millimetres, font sizes in points."""

    name: str  # for a select box
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    columns: int = 1
    rows: int = 1
    margin_left: float = 0.0  # sheet edge to the first column
    margin_top: float = 0.0  # sheet edge to the first row
    padding_x: float = 1.0  # kept clear inside each label, besides the barcode's own quiet zones
    padding_y: float = 1.5
    caption_size: float = 8.0
    title_size: float = 7.0
    min_text_size: float = 5.0
    # Thermal printers: make the bar module a whole number of printer dots when it is at least two,
    # so every bar prints at its true width. None for sheets (laser printers resolve any width).
    printer_dpi: int | None = None

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    def cell_origins(self) -> list[tuple[float, float]]:
        """Bottom-left corner of each label on a page, in points, row by row from the top left."""
        origins = []
        for row in range(self.rows):
            for col in range(self.columns):
                x = (self.margin_left + col * self.label_width) * MM
                y = (self.page_height - self.margin_top - (row + 1) * self.label_height) * MM
                origins.append((x, y))
        return origins


LABEL_FORMATS: dict[str, LabelFormat] = {
    "thermal-50x30": LabelFormat(
        name="Thermal label 50 × 30 mm",
        page_width=50,
        page_height=30,
        label_width=50,
        label_height=30,
        # The quiet zones are the margin: every millimetre goes to the bars, so SKUs of up to
        # 21 letters (more if digits) still get bars two 300 dpi dots wide.
        padding_x=0.5,
        printer_dpi=203,
    ),
    "thermal-100x30": LabelFormat(
        name="Thermal label 100 × 30 mm",
        page_width=100,
        page_height=30,
        label_width=100,
        label_height=30,
        padding_x=2.0,
        caption_size=9.0,
        title_size=8.0,
        printer_dpi=203,
    ),
    "a4-3x8": LabelFormat(
        name="A4 sheet, 24 labels (3 × 8, 70 × 37 mm)",
        page_width=210,
        page_height=297,
        label_width=70,
        label_height=37,
        columns=3,
        rows=8,
        margin_top=0.5,
        # Sheet labels run to the paper's edge; office printers cannot print the outer ~4 mm.
        padding_x=4.0,
        padding_y=3.5,
        caption_size=9.0,
        title_size=7.5,
    ),
}

FORMAT_CHOICES: list[tuple[str, str]] = [(key, f.name) for key, f in LABEL_FORMATS.items()]


# --- Symbols ---------------------------------------------------------------------------------------


def upca_check_digit(first11: str) -> str:
    odd = sum(int(d) for d in first11[0::2])
    even = sum(int(d) for d in first11[1::2])
    return str((10 - (odd * 3 + even) % 10) % 10)


def _is_digits(s: str) -> bool:
    return s.isascii() and s.isdecimal()


def is_upca(code: str) -> bool:
    """12 ASCII digits whose last is the right check digit."""
    return isinstance(code, str) and len(code) == 12 and _is_digits(code) and code[11] == upca_check_digit(code[:11])


def symbology_for(sku: str, upc: str) -> tuple[str, str]:
    """("upca", upc) when the UPC is a valid UPC-A (12 digits, right check digit), else ("code128", sku)."""
    upc = (upc or "").strip()
    if is_upca(upc):
        return UPC_A, upc
    return CODE128, sku


@dataclass(frozen=True)
class _Symbol:
    modules: int  # width of the bars, quiet zones excluded, in modules
    rects: str  # PDF path: one "x 0 w 1 re" per bar, in module units


def _rects(bars: Iterable[tuple[int, int]]) -> str:
    return "\n".join(f"{x} 0 {w} 1 re" for x, w in bars)


@lru_cache(maxsize=8192)
def _encode(symbology: str, value: str) -> _Symbol:
    """The bar pattern of an already validated value, from reportlab's encoders."""
    bars: list[tuple[int, int]] = []
    if symbology == CODE128:
        code = Code128(value, barWidth=1, quiet=0, barHeight=1)
        code.validate()
        code.encode()
        code.decompose()
        x = 0
        for ch in code.decomposed:  # upper case: a bar that many modules wide; lower case: a space
            if ch.isupper():
                bars.append((x, ord(ch) - 64))
                x += ord(ch) - 64
            else:
                x += ord(ch) - 96
        return _Symbol(x, _rects(bars))
    # The widget takes the first 11 digits and adds the check digit (already verified to match).
    # With barWidth 1 and no quiet zone its rectangles sit at whole-module positions.
    widget = UPCA(value[:11], barWidth=1, barHeight=1, quiet=0, humanReadable=0)
    for shape in widget.draw().contents:
        if isinstance(shape, Rect) and shape.fillColor is not None:
            bars.append((round(shape.x), round(shape.width)))
    return _Symbol(max(x + w for x, w in bars), _rects(bars))


def _module_mm(symbology: str, symbol: _Symbol, fmt: LabelFormat) -> float | None:
    """The bar module width for this symbol on this label, or None if even the narrowest module
    we allow would not fit it with its quiet zones."""
    room = fmt.label_width - 2 * fmt.padding_x
    fit = room / (symbol.modules + 2 * QUIET_MODULES)
    cap = UPCA_MODULE_MM if symbology == UPC_A else CODE128_MAX_MODULE_MM
    if fit < MIN_MODULE_MM - 1e-9:
        return None
    module = min(cap, fit)
    if fmt.printer_dpi:
        dot = 25.4 / fmt.printer_dpi
        dots = min(round(cap / dot), math.floor(fit / dot + 1e-9))
        if dots >= 2:
            module = dots * dot
    return module


def _max_length_hint(fmt: LabelFormat) -> int:
    """How many plain (non-digit) characters a Code 128 value may have on this label."""
    room = fmt.label_width - 2 * fmt.padding_x
    modules = math.floor(room / MIN_MODULE_MM + 1e-9) - 2 * QUIET_MODULES
    return max(0, (modules - 35) // 11)  # start, check and stop: 11 + 11 + 13 modules


# --- Validation and layout -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Everything needed to draw one distinct label, relative to the label's bottom-left corner."""

    rects: str
    bars_x: float  # points
    bars_y: float
    module: float  # points
    bar_height: float  # points
    texts: tuple[tuple[str, float, tuple[tuple[float, float, str], ...]], ...]  # (font, size, ((x, y, line), …))


def _describe(index: int, value: object) -> str:
    return f"Label {index} ({value!r})" if isinstance(value, str) and value else f"Label {index}"


def _check_value(index: int, value: object, symbology: object) -> str:
    where = _describe(index, value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"Label {index} has no barcode value; every label needs the text its barcode encodes.")
    sym = symbology.lower() if isinstance(symbology, str) else symbology
    if sym == UPC_A:
        if len(value) != 12 or not _is_digits(value):
            raise ValueError(f"{where}: a UPC-A code must be exactly 12 digits.")
        if not is_upca(value):
            raise ValueError(
                f"{where}: the UPC-A check digit is wrong (the last digit should be {upca_check_digit(value[:11])})."
            )
    elif sym == CODE128:
        bad = sorted({ch for ch in value if not 32 <= ord(ch) <= 126})
        if bad:
            shown = ", ".join(repr(ch) for ch in bad)
            raise ValueError(
                f"{where}: Code 128 cannot encode {shown}; use printable ASCII only "
                "(letters A-Z and a-z, digits, space and punctuation)."
            )
    else:
        raise ValueError(f"{where}: unknown symbology {symbology!r}; use 'code128' or 'upca'.")
    return sym


def _plan(index: int, label: Label, fmt: LabelFormat) -> _Plan:
    symbology = _check_value(index, label.value, label.symbology)
    symbol = _encode(symbology, label.value)
    module_mm = _module_mm(symbology, symbol, fmt)
    if module_mm is None:
        raise ValueError(
            f"{_describe(index, label.value)}: the value is too long for a scannable barcode on this label "
            f"format ({fmt.name}): about {_max_length_hint(fmt)} characters fit, more if they are digits. "
            "Choose a wider label format."
        )

    width = fmt.label_width * MM
    pad_x, pad_y = fmt.padding_x * MM, fmt.padding_y * MM
    text_width = width - 2 * max(pad_x, 1.5 * MM)  # text keeps off the edge even where the bars come close
    # Fixed bands from the bottom: two title lines, the caption line, then the bars to the top.
    # The layout does not depend on the text, so every label on a sheet lines up.
    title_band = 2 * 1.2 * fmt.title_size
    caption_band = 1.2 * fmt.caption_size
    title = fit_text(label.title or "", text_width, fmt.title_size, fmt.min_text_size, max_lines=2)
    caption = fit_text(label.caption or "", text_width, fmt.caption_size, fmt.min_text_size, max_lines=1)
    title_top = pad_y + title_band
    texts = []
    if caption.lines:
        texts.append(_centred(caption, width / 2, title_top + 0.25 * fmt.caption_size))
    if title.lines:
        texts.append(_centred(title, width / 2, title_top - 0.95 * title.size))

    module = module_mm * MM
    bars_y = title_top + caption_band + 1.5
    bar_height = fmt.label_height * MM - pad_y - bars_y
    bars_x = (width - symbol.modules * module) / 2
    if fmt.printer_dpi:  # start the bars on a printer dot (thermal pages start on one)
        dot = 72 / fmt.printer_dpi
        bars_x = round(bars_x / dot) * dot
    return _Plan(symbol.rects, bars_x, bars_y, module, bar_height, tuple(texts))


def _centred(fitted: FittedText, centre: float, baseline: float) -> tuple[str, float, tuple]:
    """Where each line starts so that it is centred, lines 1.2 × the size apart."""
    placed = tuple(
        (centre - stringWidth(line, fitted.font, fitted.size) / 2, baseline - n * 1.2 * fitted.size, line)
        for n, line in enumerate(fitted.lines)
    )
    return fitted.font, fitted.size, placed


def _check_copies(index: int, label: Label) -> int:
    copies = label.copies
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 0:
        raise ValueError(f"{_describe(index, label.value)}: copies must be a whole number, 0 or more; got {copies!r}.")
    return copies


def _format(fmt: str) -> LabelFormat:
    try:
        return LABEL_FORMATS[fmt]
    except (KeyError, TypeError):
        known = ", ".join(LABEL_FORMATS)
        raise ValueError(f"Unknown label format {fmt!r}; choose one of: {known}.") from None


# --- Drawing ---------------------------------------------------------------------------------------


def _draw(canvas: Canvas, plan: _Plan, x: float, y: float) -> None:
    # The bars: one path in module units, scaled to the module width and bar height.
    canvas.addLiteral(
        f"q {fp_str(plan.module)} 0 0 {fp_str(plan.bar_height)} {fp_str(x + plan.bars_x)} "
        f"{fp_str(y + plan.bars_y)} cm\n{plan.rects}\nf Q"
    )
    text = canvas.beginText()
    for font, size, lines in plan.texts:
        text.setFont(font, size)
        for dx, dy, line in lines:
            text.setTextOrigin(x + dx, y + dy)
            text.textOut(line)
    canvas.drawText(text)


def render_labels(labels: Iterable[Label], fmt: str = "thermal-50x30", *, skip: int = 0) -> bytes:
    """A PDF of the labels, each repeated `copies` times (0: left out), in the given format. `skip`
    leaves that many cells empty at the top of the first sheet (a partly used A4 sheet). Every label
    is checked before anything is drawn; a bad one raises ValueError with a sentence saying what is
    wrong, naming the label by its 1-based position in `labels`."""
    layout = _format(fmt)
    per_page = layout.labels_per_page
    if isinstance(skip, bool) or not isinstance(skip, int) or not 0 <= skip < per_page:
        if per_page == 1:
            raise ValueError(f"Skipping cells only applies to sheets; the {layout.name} prints one label per page.")
        raise ValueError(f"skip must be a whole number from 0 to {per_page - 1} (cells already used on the sheet).")

    jobs: list[tuple[_Plan, int]] = []
    plans: dict[tuple, _Plan] = {}
    total = 0
    for index, label in enumerate(labels, start=1):
        copies = _check_copies(index, label)
        if not copies:  # not picked: prints nothing, so nothing about it can stop the others
            continue
        key = (label.value, label.symbology, label.caption, label.title)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _plan(index, label, layout)
        total += copies
        if total > MAX_LABELS:
            raise ValueError(f"Too many labels: at most {MAX_LABELS:,} fit in one PDF; print them in batches.")
        jobs.append((plan, copies))
    if not total:
        raise ValueError("There are no labels to print: pick at least one product and a number of copies.")

    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(layout.page_width * MM, layout.page_height * MM),
        pageCompression=1,
        invariant=1,
    )
    canvas.setTitle("Barcode labels")
    canvas.setCreator("Fulfillment Hub")
    origins = layout.cell_origins()
    cell = skip
    for plan, copies in jobs:
        for _ in range(copies):
            if cell == per_page:
                canvas.showPage()
                cell = 0
            x, y = origins[cell]
            _draw(canvas, plan, x, y)
            cell += 1
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
