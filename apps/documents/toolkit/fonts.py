"""Fonts for text on generated PDFs, fitting text into a box, and placing the fitted lines.

Helvetica is one of the PDF base fonts: never embedded, and every viewer and printer has it, but it
only covers Windows-1252 (Latin). For anything else we use reportlab's Adobe CID fonts, which need
no font files either (viewers substitute an installed CJK font): STSong-Light (Adobe-GB1: Chinese,
plus Latin, Greek, Cyrillic and kana), HeiseiKakuGo-W5 for Japanese and HYGothic-Medium for Korean.
Scripts none of them cover (Arabic, Hebrew, Thai, Devanagari …) would need an embedded TrueType
font file.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfmetrics import stringWidth

HELVETICA = "Helvetica"
BOLD = "Helvetica-Bold"
CHINESE = "STSong-Light"
JAPANESE = "HeiseiKakuGo-W5"
KOREAN = "HYGothic-Medium"

ELLIPSIS = "\u2026"  # in Windows-1252 and in every CID font above

_registered: set[str] = set()
_register_lock = threading.Lock()


def _register_cid(name: str) -> str:
    if name not in _registered:
        with _register_lock:
            if name not in _registered:
                pdfmetrics.registerFont(UnicodeCIDFont(name))
                _registered.add(name)
    return name


def _is_hangul(cp: int) -> bool:
    return 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F


def _is_kana(cp: int) -> bool:
    return 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F


def is_wide(ch: str) -> bool:
    """A character after which a line may break without a space (CJK ideographs, kana, Hangul)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


@lru_cache(maxsize=4096)
def font_for(text: str) -> str:
    """The font to draw `text` with: Helvetica when it can, else the CID font for the script."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        pass
    else:
        return HELVETICA
    codepoints = [ord(ch) for ch in text]
    if any(_is_hangul(cp) for cp in codepoints):
        return _register_cid(KOREAN)
    if any(_is_kana(cp) for cp in codepoints):
        return _register_cid(JAPANESE)
    return _register_cid(CHINESE)


def clean_text(text: str) -> str:
    """Collapse whitespace (newlines, tabs) to single spaces and drop other control characters."""
    text = " ".join(str(text).split())
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


@lru_cache(maxsize=65536)
def _char_width(ch: str, font: str) -> float:
    return pdfmetrics.stringWidth(ch, font, 1)


def char_widths(text: str, font: str) -> list[float]:
    return [_char_width(ch, font) for ch in text]


@dataclass(frozen=True)
class FittedText:
    font: str
    size: float
    lines: tuple[str, ...]


def wrap_lines(text: str, widths: list[float], max_width: float, max_lines: int) -> tuple[list[str], int]:
    """Greedy wrap at spaces, after hyphens/slashes and between wide characters, into at most
    `max_lines` lines; returns the lines and the index of the first character left over (len(text)
    when everything fits). Widths are per character at the current size: reportlab does not kern
    base or CID fonts, so a line's width is the sum."""
    lines: list[str] = []
    start, n = 0, len(text)
    while start < n and len(lines) < max_lines:
        acc, end, last_break = 0.0, start, 0
        while end < n and acc + widths[end] <= max_width:
            acc += widths[end]
            end += 1
            if end < n and (text[end] == " " or text[end - 1] in "-/" or is_wide(text[end - 1]) or is_wide(text[end])):
                last_break = end
        if end == n:
            lines.append(text[start:])
            return lines, n
        if end == start:  # a single character wider than the line
            break
        cut = last_break if last_break > start else end
        lines.append(text[start:cut].rstrip())
        start = cut
        while start < n and text[start] == " ":
            start += 1
    return lines, start


def truncate_line(text: str, widths: list[float], max_width: float, font: str) -> str:
    """The longest prefix of `text` that fits with an ellipsis after it."""
    room = max_width - _char_width(ELLIPSIS, font)
    acc, end = 0.0, 0
    while end < len(text) and acc + widths[end] <= room:
        acc += widths[end]
        end += 1
    return text[:end].rstrip() + ELLIPSIS


def fit_text(text: str, max_width: float, size: float, min_size: float, max_lines: int = 1) -> FittedText:
    """Fit `text` into `max_lines` lines of `max_width` points: at `size` if it fits, else at the
    largest smaller size (half-point steps) down to `min_size`, else cut short with an ellipsis."""
    text = clean_text(text)
    font = font_for(text)
    if not text:
        return FittedText(font, size, ())
    unit = char_widths(text, font)
    s = size
    while s >= min_size - 1e-9:
        for n in range(1, max_lines + 1):
            lines, rest = wrap_lines(text, unit, max_width / s, n)
            if rest == len(text):
                return FittedText(font, s, tuple(lines))
        s -= 0.5
    s = min_size
    lines, rest = wrap_lines(text, unit, max_width / s, max_lines - 1)
    lines.append(truncate_line(text[rest:], unit[rest:], max_width / s, font))
    return FittedText(font, s, tuple(lines))


def fit(
    text: str, max_width: float, size: float, min_size: float, max_lines: int = 1, *, bold: bool = False
) -> FittedText:
    """`fit_text`, optionally in bold: Helvetica-Bold where the text is Latin (measured
    with its own, wider, widths). The CID fonts for CJK text have no bold; they stay as they are."""
    fitted = fit_text(text, max_width, size, min_size, max_lines)
    if not bold or fitted.font != HELVETICA or not fitted.lines:
        return fitted
    text = clean_text(text)
    unit = char_widths(text, BOLD)
    s = size
    while s >= min_size - 1e-9:
        for n in range(1, max_lines + 1):
            lines, rest = wrap_lines(text, unit, max_width / s, n)
            if rest == len(text):
                return FittedText(BOLD, s, tuple(lines))
        s -= 0.5
    s = min_size
    lines, rest = wrap_lines(text, unit, max_width / s, max_lines - 1)
    lines.append(truncate_line(text[rest:], unit[rest:], max_width / s, BOLD))
    return FittedText(BOLD, s, tuple(lines))


def is_complete(fitted: FittedText, text: str) -> bool:
    """Whether `fitted` shows all of `text` (was not cut short)."""
    return "".join(fitted.lines).replace(" ", "") == clean_text(text).replace(" ", "")


def place_lines(
    fitted: FittedText, x: float, baseline: float, align: str = "left", leading: float = 1.2
) -> tuple[str, float, tuple[tuple[float, float, str], ...]]:
    """Lines of `fitted` for `barcodes.draw_plan`: the first on `baseline`, each aligned at `x` (its left
    end, centre or right end)."""
    placed = []
    for n, line in enumerate(fitted.lines):
        width = stringWidth(line, fitted.font, fitted.size)
        dx = {"left": 0.0, "centre": -width / 2, "right": -width}[align]
        placed.append((x + dx, baseline - n * leading * fitted.size, line))
    return fitted.font, fitted.size, tuple(placed)
