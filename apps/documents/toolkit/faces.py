"""The font files every PDF embeds, which face draws which character, and a canvas that draws in runs.

A PDF's text is drawn in one of two *families*, ``REGULAR`` and ``BOLD`` (and their Japanese variants).
Each family is a chain of TrueType faces from Debian's font packages (never from git); a string is
split into runs by the first face of the chain that has each character's glyph (``face.charToGlyph``),
and the runs are drawn one after another, each measured with its own face's widths. Every face is
embedded (as a subset), so a reader needs no font of its own and no script falls back to the
viewer's luck:

- Liberation Sans (fonts-liberation2): Latin, Greek, Cyrillic, Hebrew, with Helvetica's widths (the
  layouts were measured with Helvetica, so Latin text fits exactly as before);
- Noto Sans (fonts-noto-core): the rest of Latin (Vietnamese …), Greek and Cyrillic; Noto Sans Hebrew
  and Noto Sans Arabic; Thai, Devanagari, Armenian, Georgian … where the package has them;
- DejaVu Sans (fonts-dejavu-core): symbols and what the others miss;
- WenQuanYi Zen Hei (fonts-wqy-zenhei): Chinese (simplified and traditional), Japanese kana and kanji,
  Korean Hangul. It has no bold: bold CJK text is the regular face stroked as well as filled;
- IPA Gothic (fonts-ipafont-gothic): the kanji of text with kana (``REGULAR_JA``/``BOLD_JA``, chosen
  by `family_for`), in their Japanese forms rather than WenQuanYi's Chinese ones.

reportlab's TTFont reads TrueType (glyf) outlines only, not CFF/OpenType (so not fonts-noto-cjk).
Hebrew and Arabic stretches are turned round to be drawn right to left (`visual_order`, a small
part of the Unicode bidi algorithm that is enough for names and addresses), glyph by glyph without
Arabic shaping: readable, not typeset.
Files are looked for under the directories given to `set_font_dirs` (the Django setting
DOCUMENT_FONT_DIRS comes first), then the usual system font directories. A face whose file is missing
is left out of its chain and reported by `missing_fonts_report` (a Django system check warning at
start-up, a logged warning when a PDF is first drawn, and a test failure on CI); with no file at all
the chain falls back to Helvetica, which is not embedded.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

logger = logging.getLogger(__name__)

REGULAR = "fh-sans"
BOLD = "fh-sans-bold"
# The same, for text with kana: its kanji are Japanese, drawn in IPA Gothic's Japanese forms.
REGULAR_JA = "fh-sans-ja"
BOLD_JA = "fh-sans-bold-ja"
FAMILIES = (REGULAR, BOLD, REGULAR_JA, BOLD_JA)

SYSTEM_FONT_DIRS = (
    "/usr/share/fonts/truetype",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
    "/opt/homebrew/share/fonts",
)
# The Debian packages the faces come from (.ci/run and `make install` install them), and what each covers.
PACKAGES = {
    "fonts-liberation2": "Latin, Greek, Cyrillic and Hebrew",
    "fonts-noto-core": "the rest of Latin, Greek and Cyrillic; Hebrew, Arabic, Thai, Indic scripts",
    "fonts-dejavu-core": "symbols and scripts the others miss",
    "fonts-wqy-zenhei": "Chinese, simplified and traditional, Japanese and Korean",
    "fonts-ipafont-gothic": "Japanese kanji in their Japanese forms",
}


@dataclass(frozen=True)
class Face:
    """One TrueType face of a family's chain: the file's names relative to a font directory (the first
    found is used; its bare name is also tried directly in each directory), what it covers, the
    Debian package that ships it and whether a missing file is worth a warning."""

    name: str
    files: tuple[str, ...]
    covers: str
    package: str
    required: bool = True
    subfont: int = 0


def _noto(script: str, style: str, covers: str, *, required: bool = False) -> Face:
    return Face(
        f"FH-NotoSans{script}-{style}", (f"noto/NotoSans{script}-{style}.ttf",), covers, "fonts-noto-core", required
    )


IPA_GOTHIC = Face(
    "FH-IPAGothic",
    ("opentype/ipafont-gothic/ipag.ttf", "truetype/ipafont-gothic/ipag.ttf", "ipafont-gothic/ipag.ttf"),
    "Japanese kanji in their Japanese forms, in text with kana",
    "fonts-ipafont-gothic",
)


def _chain(style: str, *, japanese: bool = False) -> tuple[Face, ...]:
    suffix = "" if style == "Regular" else "-Bold"
    return (
        Face(
            f"FH-LiberationSans-{style}",
            (f"liberation2/LiberationSans-{style}.ttf", f"liberation/LiberationSans-{style}.ttf"),
            "Latin, Greek, Cyrillic and Hebrew with Helvetica's widths",
            "fonts-liberation2",
        ),
        _noto("", style, "all of Latin, Greek and Cyrillic", required=True),
        _noto("Hebrew", style, "Hebrew", required=True),
        _noto("Arabic", style, "Arabic, unshaped", required=True),
        Face(
            f"FH-DejaVuSans{suffix}",
            (f"dejavu/DejaVuSans{suffix}.ttf",),
            "symbols and scripts the others miss",
            "fonts-dejavu-core",
        ),
        *((IPA_GOTHIC,) if japanese else ()),
        Face(
            "FH-WenQuanYiZenHei",
            ("wqy/wqy-zenhei.ttc",),
            "Chinese, simplified and traditional, Japanese and Korean",
            "fonts-wqy-zenhei",
        ),
        _noto("Thai", style, "Thai"),
        _noto("Devanagari", style, "Devanagari"),
        _noto("Bengali", style, "Bengali"),
        _noto("Tamil", style, "Tamil"),
        _noto("Armenian", style, "Armenian"),
        _noto("Georgian", style, "Georgian"),
        _noto("Ethiopic", style, "Ethiopic"),
        _noto("Khmer", style, "Khmer"),
    )


CHAINS: dict[str, tuple[Face, ...]] = {
    REGULAR: _chain("Regular"),
    BOLD: _chain("Bold"),
    REGULAR_JA: _chain("Regular", japanese=True),
    BOLD_JA: _chain("Bold", japanese=True),
}
JAPANESE = {REGULAR: REGULAR_JA, BOLD: BOLD_JA}
# Faces in the bold chains that have no bold of their own: drawn filled and stroked (0.04 em), which
# thickens the strokes about as much as a bold weight would.
SYNTHETIC_BOLD = {BOLD: frozenset({"FH-WenQuanYiZenHei"}), BOLD_JA: frozenset({"FH-WenQuanYiZenHei", "FH-IPAGothic"})}
SYNTHETIC_BOLD_STROKE = 0.04
# Only when no font file is found at all.
BASE_FALLBACK = {REGULAR: "Helvetica", BOLD: "Helvetica-Bold", REGULAR_JA: "Helvetica", BOLD_JA: "Helvetica-Bold"}


def _is_kana(ch: str) -> bool:
    cp = ord(ch)
    return 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F


def family_for(text: str, family: str) -> str:
    """The family to fit and draw `text` in: the Japanese variant of REGULAR or BOLD when the text has
    kana (so "山田 はなこ" gets Japanese kanji; "山田" alone cannot be told from Chinese and stays as is)."""
    if family in JAPANESE and any(_is_kana(ch) for ch in text):
        return JAPANESE[family]
    return family


_font_dirs: tuple[str, ...] = SYSTEM_FONT_DIRS
_lock = threading.Lock()
_registered: dict[str, TTFont] = {}


def set_font_dirs(dirs) -> None:
    """Look for font files in `dirs` first, then in the system font directories."""
    global _font_dirs
    first = tuple(str(d) for d in dirs)
    with _lock:
        _font_dirs = first + tuple(d for d in SYSTEM_FONT_DIRS if d not in first)
        _available.cache_clear()
        for cached in (_face_of, _runs, char_width, _unit_width):
            cached.cache_clear()


def font_dirs() -> tuple[str, ...]:
    return _font_dirs


def find_file(face: Face) -> Path | None:
    for directory in _font_dirs:
        base = Path(directory).expanduser()
        for relative in face.files:
            for candidate in (base / relative, base / Path(relative).name):
                if candidate.is_file():
                    return candidate
    return None


@cache
def _available(family: str) -> tuple[tuple[Face, Path], ...]:
    """The faces of `family`'s chain whose files are here (found once per process, read when first needed)."""
    found = tuple((face, path) for face in CHAINS[family] if (path := find_file(face)) is not None)
    report = missing_fonts_report()
    if report and family == REGULAR:  # once per process (the other chains miss the same packages)
        logger.warning("%s %s", *report)
    return found


def _glyphs(face: Face, path: Path) -> dict[int, int]:
    """The face's character-to-glyph map, registering the face with reportlab the first time (our own
    registry is asked first: reportlab's getFont searches the disk for AFM files before it gives up)."""
    font = _registered.get(face.name)
    if font is None:
        with _lock:
            font = _registered.get(face.name)
            if font is None:
                font = TTFont(face.name, str(path), subfontIndex=face.subfont)
                pdfmetrics.registerFont(font)
                _registered[face.name] = font
    return font.face.charToGlyph


def missing_faces() -> list[Face]:
    """The required faces (of either family) whose file is not found."""
    faces = {face.name: face for family in FAMILIES for face in CHAINS[family] if face.required}
    return [face for face in faces.values() if find_file(face) is None]


def missing_fonts_report() -> tuple[str, str] | None:
    """What is missing and how to install it (for a warning and its hint); None when nothing is."""
    missing = missing_faces()
    if not missing:
        return None
    by_package: dict[str, list[Face]] = {}
    for face in missing:
        by_package.setdefault(face.package, []).append(face)
    packages = " ".join(sorted(by_package))
    listed = "; ".join(
        f"{', '.join(face.name.removeprefix('FH-') for face in faces)} from {package} ({PACKAGES[package]})"
        for package, faces in by_package.items()
    )
    problem = (
        f"PDF fonts missing: {listed}. Text in those scripts prints in a fallback face or as boxes on labels, "
        "marks and lists."
    )
    hint = (
        f"Install them with `apt-get install {packages}` (Debian/Ubuntu; `make install` does it where it can), "
        f"or set DOCUMENT_FONT_DIRS to a directory that has the files. Looked in: {', '.join(_font_dirs)}."
    )
    return problem, hint


def primary_face(family: str) -> str:
    available = _available(family)
    if not available:
        return BASE_FALLBACK[family]
    face, path = available[0]
    _glyphs(face, path)
    return face.name


@lru_cache(maxsize=65536)
def _face_of(ch: str, family: str) -> str:
    """The first face of the family's chain with a glyph for `ch` (the first face when none has one);
    a face's file is read only when a character gets that far down the chain. Spaces and punctuation
    are not special: a character's face never depends on its neighbours, so a line's width is the sum
    of its characters' widths however the text is cut into lines."""
    cp = ord(ch)
    for face, path in _available(family):
        if cp in _glyphs(face, path):
            return face.name
    return primary_face(family)


def face_of(ch: str, family: str) -> str:
    return _face_of(ch, family) if family in CHAINS else family


_RTL = ("R", "AL")
_NUMBER_CLASSES = ("EN", "AN")
_MIRRORED = dict(zip("()[]{}<>«»", ")(][}{><»«", strict=True))
_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")


def _reverse_rtl(span: str) -> str:
    """A right-to-left span in drawing order: reversed, except that numbers ("12", "3,5", "1-3") keep
    their own order, with brackets mirrored."""
    tokens: list[str] = []
    at = 0
    for number in _NUMBER.finditer(span):
        tokens.extend(_MIRRORED.get(ch, ch) for ch in span[at : number.start()])
        tokens.append(number.group())
        at = number.end()
    tokens.extend(_MIRRORED.get(ch, ch) for ch in span[at:])
    return "".join(reversed(tokens))


def visual_order(text: str) -> str:
    """`text` (in reading order, on a left-to-right line) in the order its characters are drawn: each
    stretch of Hebrew or Arabic, with the spaces and punctuation between its letters and the numbers
    after them up to the next left-to-right letter, right to left (so "רחוב הרצל 12" reads, from the
    right, street then number, as the Unicode bidi algorithm has it). Enough for names and addresses;
    not the whole algorithm, and no shaping."""
    classes = [unicodedata.bidirectional(ch) for ch in text]
    if not any(c in _RTL for c in classes):
        return text
    out, i, n = [], 0, len(text)
    while i < n:
        if classes[i] not in _RTL:
            out.append(text[i])
            i += 1
            continue
        last = j = i
        while j < n and classes[j] != "L":
            if classes[j] in _RTL or classes[j] in _NUMBER_CLASSES:
                last = j
            j += 1
        out.append(_reverse_rtl(text[i : last + 1]))
        i = last + 1
    return "".join(out)


@lru_cache(maxsize=8192)
def _runs(text: str, family: str) -> tuple[tuple[str, str], ...]:
    text = visual_order(text)
    runs: list[tuple[str, str]] = []
    start, current = 0, None
    for i, ch in enumerate(text):
        face = _face_of(ch, family)
        if face != current:
            if current is not None:
                runs.append((current, text[start:i]))
            start, current = i, face
    if current is not None:
        runs.append((current, text[start:]))
    return tuple(runs)


def runs(text: str, font: str) -> tuple[tuple[str, str], ...]:
    """`text` as (face, run) pairs drawn one after another, left to right (right-to-left stretches
    already turned round); a font that is not a family is one run."""
    if font not in CHAINS:
        return ((font, text),) if text else ()
    return _runs(text, font)


@lru_cache(maxsize=65536)
def char_width(ch: str, font: str) -> float:
    """The width of `ch` at size 1 in the face that draws it."""
    return pdfmetrics.stringWidth(ch, face_of(ch, font), 1)


@lru_cache(maxsize=16384)
def _unit_width(text: str, font: str) -> float:
    return sum(pdfmetrics.stringWidth(run, face, 1) for face, run in runs(text, font))


def text_width(text: str, font: str, size: float) -> float:
    """The width of `text` drawn in `font` (a family or a face) at `size`: the sum of its runs."""
    return _unit_width(text, font) * size


def draw_text(canvas: Canvas, placed: Iterable[tuple[float, float, str]], font: str, size: float) -> None:
    """Draw lines (x, y, text) in `font` at `size` as one text object, each line run by run (each run
    moves the cursor on by its own width). A run in the bold family whose face has no bold (CJK) is
    emboldened by stroking its outlines as well as filling them, in the fill colour."""
    text = canvas.beginText()
    synthetic = SYNTHETIC_BOLD.get(font, ())
    stroked = False
    for x, y, line in placed:
        text.setTextOrigin(x, y)
        for face, run in runs(line, font):
            text.setFont(face, size)
            if face in synthetic:
                text.setTextRenderMode(2)
                text.textOut(run)
                text.setTextRenderMode(0)
                stroked = True
            else:
                text.textOut(run)
    if not stroked:
        canvas.drawText(text)
        return
    canvas.saveState()
    canvas.setLineWidth(size * SYNTHETIC_BOLD_STROKE)
    canvas.setStrokeColor(canvas._fillColorObj)
    canvas.drawText(text)
    canvas.restoreState()


class PdfCanvas(Canvas):
    """A reportlab Canvas whose setFont also takes a family (REGULAR, BOLD): drawString and its right
    and centred forms then draw the text in runs of the chain's faces, and stringWidth measures them.
    Every layout draws on one of these; a plain Canvas refuses the family names (they are not
    registered with reportlab), so text cannot silently bypass the fallback."""

    _family: str | None = None

    def __init__(self, *args, **kwargs):
        # The page's initial font: reportlab's default is Helvetica, which would be named (not embedded) in every PDF.
        kwargs.setdefault("initialFontName", primary_face(REGULAR))
        super().__init__(*args, **kwargs)

    def setFont(self, psfontname, size, leading=None):
        if psfontname in CHAINS:
            super().setFont(primary_face(psfontname), size, leading)
            self._family = psfontname
        else:
            super().setFont(psfontname, size, leading)
            self._family = None

    def stringWidth(self, text, fontName=None, fontSize=None):
        font = fontName or self._family or self._fontname
        return text_width(text, font, self._fontsize if fontSize is None else fontSize)

    def _draw_runs(self, x: float, y: float, text: str) -> None:
        draw_text(self, ((x, y, text),), self._family, self._fontsize)

    def drawString(self, x, y, text, *args, **kwargs):
        if self._family is None or args or kwargs:
            return super().drawString(x, y, text, *args, **kwargs)
        self._draw_runs(x, y, text)

    def drawRightString(self, x, y, text, *args, **kwargs):
        if self._family is None or args or kwargs:
            return super().drawRightString(x, y, text, *args, **kwargs)
        self._draw_runs(x - text_width(text, self._family, self._fontsize), y, text)

    def drawCentredString(self, x, y, text, *args, **kwargs):
        if self._family is None or args or kwargs:
            return super().drawCentredString(x, y, text, *args, **kwargs)
        self._draw_runs(x - text_width(text, self._family, self._fontsize) / 2, y, text)
