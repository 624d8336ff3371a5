"""Barcode labels as a PDF: Code 128 or UPC-A, with the code and the product name under the bars.

Works on plain `Label` dataclasses and needs no Django settings, so any app can call it. The bars,
their module width and the drawing come from `toolkit.barcodes`, the text fitting from
`toolkit.fonts`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..toolkit.barcodes import (
    CODE128_MAX_MODULE_MM,
    MAX_LABELS,
    MIN_MODULE_MM,
    QUIET_MODULES,
    UPC_A,
    UPCA_MODULE_MM,
    DrawPlan,
    Symbol,
    check_barcode_value,
    draw_plan,
    encode,
    label_name,
    module_width_mm,
)
from ..toolkit.fonts import FittedText, PdfCanvas, fit_text, text_width
from ..toolkit.pages import MM


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


def _module_mm(symbology: str, symbol: Symbol, fmt: LabelFormat) -> float | None:
    """The bar module width for this symbol on this label, or None if even the narrowest module
    we allow would not fit it with its quiet zones."""
    cap = UPCA_MODULE_MM if symbology == UPC_A else CODE128_MAX_MODULE_MM
    return module_width_mm(
        symbol.modules, fmt.label_width - 2 * fmt.padding_x, max_module_mm=cap, printer_dpi=fmt.printer_dpi
    )


def _max_length_hint(fmt: LabelFormat) -> int:
    """How many plain (non-digit) characters a Code 128 value may have on this label."""
    room = fmt.label_width - 2 * fmt.padding_x
    modules = math.floor(room / MIN_MODULE_MM + 1e-9) - 2 * QUIET_MODULES
    return max(0, (modules - 35) // 11)  # start, check and stop: 11 + 11 + 13 modules


# --- Validation and layout -------------------------------------------------------------------------


def _plan(index: int, label: Label, fmt: LabelFormat) -> DrawPlan:
    symbology = check_barcode_value(index, label.value, label.symbology)
    symbol = encode(symbology, label.value)
    module_mm = _module_mm(symbology, symbol, fmt)
    if module_mm is None:
        raise ValueError(
            f"{label_name(index, label.value)}: the value is too long for a scannable barcode on this label "
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
    return DrawPlan(symbol.rects, bars_x, bars_y, module, bar_height, tuple(texts))


def _centred(fitted: FittedText, centre: float, baseline: float) -> tuple[str, float, tuple]:
    """Where each line starts so that it is centred, lines 1.2 × the size apart."""
    placed = tuple(
        (centre - text_width(line, fitted.font, fitted.size) / 2, baseline - n * 1.2 * fitted.size, line)
        for n, line in enumerate(fitted.lines)
    )
    return fitted.font, fitted.size, placed


def _check_copies(index: int, label: Label) -> int:
    copies = label.copies
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 0:
        raise ValueError(f"{label_name(index, label.value)}: copies must be a whole number, 0 or more; got {copies!r}.")
    return copies


def _format(fmt: str) -> LabelFormat:
    try:
        return LABEL_FORMATS[fmt]
    except (KeyError, TypeError):
        known = ", ".join(LABEL_FORMATS)
        raise ValueError(f"Unknown label format {fmt!r}; choose one of: {known}.") from None


# --- Drawing ---------------------------------------------------------------------------------------


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

    jobs: list[tuple[DrawPlan, int]] = []
    plans: dict[tuple, DrawPlan] = {}
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
    canvas = PdfCanvas(
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
            draw_plan(canvas, plan, x, y)
            cell += 1
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
