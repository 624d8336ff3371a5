"""Fonts for text on generated PDFs, fitting text into a box, and placing the fitted lines.

Text is drawn in one of two families, ``REGULAR`` and ``BOLD`` (see `faces`): chains of embedded
TrueType faces, each character drawn by the first face that has its glyph, so Latin with every
diacritic, Greek, Cyrillic, Hebrew, Arabic, Chinese, Japanese and Korean all print, in any mix. The
fitting below measures text character by character in the face that draws it (a character's face
never depends on its neighbours, and reportlab does not kern), so a line's width is the sum of its
characters' widths. Layouts draw on a `faces.PdfCanvas`, which splits each string into runs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .faces import BOLD, REGULAR, PdfCanvas, char_width, family_for, text_width

__all__ = [
    "BOLD",
    "ELLIPSIS",
    "REGULAR",
    "FittedText",
    "PdfCanvas",
    "char_widths",
    "clean_text",
    "fit",
    "fit_text",
    "is_complete",
    "is_wide",
    "place_lines",
    "text_width",
    "truncate_line",
    "wrap_lines",
]

ELLIPSIS = "\u2026"


def is_wide(ch: str) -> bool:
    """A character after which a line may break without a space (CJK ideographs, kana, Hangul)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def clean_text(text: str) -> str:
    """Collapse whitespace (newlines, tabs) to single spaces, drop other control characters and compose
    accents with their letters (NFC: "e" + combining diaeresis prints as the one glyph "ë")."""
    text = unicodedata.normalize("NFC", " ".join(str(text).split()))
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def char_widths(text: str, font: str) -> list[float]:
    """Each character's width at size 1 in the face of `font`'s chain that draws it."""
    return [char_width(ch, font) for ch in text]


@dataclass(frozen=True)
class FittedText:
    font: str
    size: float
    lines: tuple[str, ...]


def wrap_lines(text: str, widths: list[float], max_width: float, max_lines: int) -> tuple[list[str], int]:
    """Greedy wrap at spaces, after hyphens/slashes and between wide characters, into at most
    `max_lines` lines; returns the lines and the index of the first character left over (len(text)
    when everything fits). Widths are per character at the current size; a line's width is their sum."""
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
    room = max_width - char_width(ELLIPSIS, font)
    acc, end = 0.0, 0
    while end < len(text) and acc + widths[end] <= room:
        acc += widths[end]
        end += 1
    return text[:end].rstrip() + ELLIPSIS


def fit_text(
    text: str, max_width: float, size: float, min_size: float, max_lines: int = 1, *, font: str = REGULAR
) -> FittedText:
    """Fit `text` into `max_lines` lines of `max_width` points: at `size` if it fits, else at the
    largest smaller size (half-point steps) down to `min_size`, else cut short with an ellipsis.
    The fitted text's font is `font`, or its Japanese variant for text with kana (`faces.family_for`)."""
    text = clean_text(text)
    font = family_for(text, font)
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
    """`fit_text` in the regular or the bold family (each measured with its own widths; scripts with
    no bold face, CJK, are drawn and measured in their regular face)."""
    return fit_text(text, max_width, size, min_size, max_lines, font=BOLD if bold else REGULAR)


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
        width = text_width(line, fitted.font, fitted.size)
        dx = {"left": 0.0, "centre": -width / 2, "right": -width}[align]
        placed.append((x + dx, baseline - n * leading * fitted.size, line))
    return fitted.font, fitted.size, tuple(placed)
