"""Barcodes on generated PDFs: Code 128 and UPC-A bar patterns, the bar module width that prints
and scans, and drawing a plan of bars and placed text lines on a canvas.

Bars are vector rectangles (one filled path per barcode, in module units under a scaling matrix):
they stay sharp at any printer resolution, and the file stays small. reportlab's encoders give the
bar patterns (`Code128`, and the `UPCA` widget from `eanbc`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.eanbc import UPCA
from reportlab.graphics.shapes import Rect
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from .faces import draw_text

CODE128 = "code128"
UPC_A = "upca"
SYMBOLOGIES = (CODE128, UPC_A)

QUIET_MODULES = 10  # clear space each side of the bars, in module widths (Code 128 needs 10, UPC-A 9)
# The narrowest bar we print: two dots at 300 dpi. Narrower bars do not survive a 300 dpi print/scan.
MIN_MODULE_MM = 25.4 * 2 / 300
CODE128_MAX_MODULE_MM = 0.38
UPCA_MODULE_MM = 0.33  # GS1's nominal X-dimension (100 % magnification)
MAX_LABELS = 10_000  # per PDF; more than this is a mistake or abuse, not a print job


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
class Symbol:
    modules: int  # width of the bars, quiet zones excluded, in modules
    rects: str  # PDF path: one "x 0 w 1 re" per bar, in module units


def _rects(bars: Iterable[tuple[int, int]]) -> str:
    return "\n".join(f"{x} 0 {w} 1 re" for x, w in bars)


@lru_cache(maxsize=8192)
def encode(symbology: str, value: str) -> Symbol:
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
        return Symbol(x, _rects(bars))
    # The widget takes the first 11 digits and adds the check digit (already verified to match).
    # With barWidth 1 and no quiet zone its rectangles sit at whole-module positions.
    widget = UPCA(value[:11], barWidth=1, barHeight=1, quiet=0, humanReadable=0)
    for shape in widget.draw().contents:
        if isinstance(shape, Rect) and shape.fillColor is not None:
            bars.append((round(shape.x), round(shape.width)))
    return Symbol(max(x + w for x, w in bars), _rects(bars))


def module_width_mm(
    modules: int, room_mm: float, *, max_module_mm: float, printer_dpi: int | None = None
) -> float | None:
    """The widest bar module, up to `max_module_mm`, at which `modules` modules and their quiet zones
    fit `room_mm`; on a thermal printer (`printer_dpi`) a whole number of printer dots when that is at
    least two, so every bar prints at its true width. None when even the narrowest module we allow
    does not fit."""
    fit_mm = room_mm / (modules + 2 * QUIET_MODULES)
    if fit_mm < MIN_MODULE_MM - 1e-9:
        return None
    module = min(max_module_mm, fit_mm)
    if printer_dpi:
        dot = 25.4 / printer_dpi
        dots = min(round(max_module_mm / dot), math.floor(fit_mm / dot + 1e-9))
        if dots >= 2:
            module = dots * dot
    return module


@dataclass(frozen=True)
class DrawPlan:
    """Everything needed to draw one barcode and its text, relative to a bottom-left corner."""

    rects: str
    bars_x: float  # points
    bars_y: float
    module: float  # points
    bar_height: float  # points
    texts: tuple[tuple[str, float, tuple[tuple[float, float, str], ...]], ...]  # (font, size, ((x, y, line), …))


def label_name(index: int, value: object) -> str:
    """How an error names the label at 1-based position `index`: by its value when it has one."""
    return f"Label {index} ({value!r})" if isinstance(value, str) and value else f"Label {index}"


def check_barcode_value(index: int, value: object, symbology: object) -> str:
    where = label_name(index, value)
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


def draw_plan(canvas: Canvas, plan: DrawPlan, x: float, y: float) -> None:
    # The bars: one path in module units, scaled to the module width and bar height.
    canvas.addLiteral(
        f"q {fp_str(plan.module)} 0 0 {fp_str(plan.bar_height)} {fp_str(x + plan.bars_x)} "
        f"{fp_str(y + plan.bars_y)} cm\n{plan.rects}\nf Q"
    )
    for font, size, lines in plan.texts:
        draw_text(canvas, [(x + dx, y + dy, line) for dx, dy, line in lines], font, size)
