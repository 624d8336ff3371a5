"""The font files every PDF embeds, which face draws which character, and a canvas that draws in runs.

A PDF's text is drawn in one of two *families*, ``REGULAR`` and ``BOLD``. Each family is a chain of
TrueType faces from Debian's font packages (never from git); a string is split into runs by the first
face of the chain that has each character's glyph (``face.charToGlyph``), and the runs are drawn one
after another, each measured with its own face's widths. Every face is embedded (as a subset), so a
reader needs no font of its own and no script falls back to the viewer's luck:

- Liberation Sans (fonts-liberation2): Latin, Greek, Cyrillic, Hebrew, with Helvetica's widths (the
  layouts were measured with Helvetica, so Latin text fits exactly as before);
- Noto Sans (fonts-noto-core): the rest of Latin (Vietnamese …), Greek and Cyrillic; Noto Sans Hebrew
  and Noto Sans Arabic; Thai, Devanagari, Armenian, Georgian … where the package has them;
- DejaVu Sans (fonts-dejavu-core): symbols and what the others miss;
- WenQuanYi Zen Hei (fonts-wqy-zenhei): Chinese (simplified and traditional), Japanese kana and kanji,
  Korean Hangul. It has no bold: bold CJK text is drawn in the regular face.

reportlab's TTFont reads TrueType (glyf) outlines only, not CFF/OpenType (so not fonts-noto-cjk).
Arabic and Hebrew are drawn glyph by glyph, left to right, without shaping (readable, not typeset).
Files are looked for under the directories given to `set_font_dirs` (the Django setting
DOCUMENT_FONT_DIRS comes first), then the usual system font directories. A face whose file is missing
is left out of its chain and reported by `missing_faces` (a start-up warning and, on CI, a test
failure); with no file at all the chain falls back to Helvetica, which is not embedded.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

REGULAR = "fh-sans"
BOLD = "fh-sans-bold"
FAMILIES = (REGULAR, BOLD)

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
PACKAGES = ("fonts-liberation2", "fonts-noto-core", "fonts-dejavu-core", "fonts-wqy-zenhei")


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


def _chain(style: str) -> tuple[Face, ...]:
    suffix = "" if style == "Regular" else "-Bold"
    return (
        Face(
            f"FH-LiberationSans-{style}",
            (f"liberation2/LiberationSans-{style}.ttf", f"liberation/LiberationSans-{style}.ttf"),
            "Latin, Greek, Cyrillic and Hebrew with Helvetica's widths",
            "fonts-liberation2",
        ),
        _noto("", style, "Latin (all of it), Greek, Cyrillic", required=True),
        _noto("Hebrew", style, "Hebrew", required=True),
        _noto("Arabic", style, "Arabic (unshaped)", required=True),
        Face(
            f"FH-DejaVuSans{suffix}",
            (f"dejavu/DejaVuSans{suffix}.ttf",),
            "symbols and scripts the others miss",
            "fonts-dejavu-core",
        ),
        Face(
            "FH-WenQuanYiZenHei",
            ("wqy/wqy-zenhei.ttc",),
            "Chinese (simplified and traditional), Japanese, Korean",
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


CHAINS: dict[str, tuple[Face, ...]] = {REGULAR: _chain("Regular"), BOLD: _chain("Bold")}
BASE_FALLBACK = {REGULAR: "Helvetica", BOLD: "Helvetica-Bold"}  # only when no font file is found at all

_font_dirs: tuple[str, ...] = SYSTEM_FONT_DIRS
_lock = threading.Lock()


def set_font_dirs(dirs) -> None:
    """Look for font files in `dirs` first, then in the system font directories."""
    global _font_dirs
    first = tuple(str(d) for d in dirs)
    with _lock:
        _font_dirs = first + tuple(d for d in SYSTEM_FONT_DIRS if d not in first)
        _loaded.cache_clear()
        _face_of.cache_clear()
        _runs.cache_clear()


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


@dataclass(frozen=True)
class _Loaded:
    name: str
    glyphs: frozenset[int] | None  # None: a base font, which is asked per character (cp1252)


@cache
def _loaded(family: str) -> tuple[_Loaded, ...]:
    """The faces of `family` whose files are here, registered with reportlab (once per process)."""
    loaded = []
    for face in CHAINS[family]:
        path = find_file(face)
        if path is None:
            continue
        try:
            font = pdfmetrics.getFont(face.name)
        except KeyError:
            font = TTFont(face.name, str(path), subfontIndex=face.subfont)
            pdfmetrics.registerFont(font)
        loaded.append(_Loaded(face.name, frozenset(font.face.charToGlyph)))
    if not loaded:
        loaded.append(_Loaded(BASE_FALLBACK[family], None))
    return tuple(loaded)


def missing_faces() -> list[Face]:
    """The required faces (of either family) whose file is not found."""
    faces = {face.name: face for family in FAMILIES for face in CHAINS[family] if face.required}
    return [face for face in faces.values() if find_file(face) is None]


def missing_fonts_message() -> str:
    """A sentence saying which fonts are missing and how to install them; empty when none are."""
    missing = missing_faces()
    if not missing:
        return ""
    faces = ", ".join(f"{face.name.removeprefix('FH-')} ({face.covers})" for face in missing)
    packages = " ".join(sorted({face.package for face in missing}))
    return (
        f"PDF fonts missing: {faces}. Text in those scripts prints as boxes or in a font that is not embedded. "
        f"Install them with `apt-get install {packages}` or set DOCUMENT_FONT_DIRS to a directory that has them "
        f"(looked in: {', '.join(_font_dirs)})."
    )


def primary_face(family: str) -> str:
    return _loaded(family)[0].name


def _has(face: _Loaded, cp: int) -> bool:
    if face.glyphs is not None:
        return cp in face.glyphs
    try:
        chr(cp).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=65536)
def _face_of(ch: str, family: str) -> str:
    """The first face of the family's chain with a glyph for `ch` (the first face when none has one).
    Spaces and punctuation are not special: a character's face never depends on its neighbours, so a
    line's width is the sum of its characters' widths however the text is cut into lines."""
    faces = _loaded(family)
    cp = ord(ch)
    for face in faces:
        if _has(face, cp):
            return face.name
    return faces[0].name


def face_of(ch: str, family: str) -> str:
    return _face_of(ch, family) if family in CHAINS else family


_RTL = ("R", "AL")
_MIRRORED = dict(zip("()[]{}<>«»", ")(][}{><»«", strict=True))


def _reverse_rtl(span: str) -> str:
    """A right-to-left span in drawing order: reversed, except that numbers keep their own order,
    with brackets mirrored."""
    tokens: list[str] = []
    for ch in span:
        if tokens and ch.isdigit() and tokens[-1][-1].isdigit():
            tokens[-1] += ch
        else:
            tokens.append(_MIRRORED.get(ch, ch))
    return "".join(reversed(tokens))


def visual_order(text: str) -> str:
    """`text` (in reading order, on a left-to-right line) in the order its characters are drawn: each
    stretch of Hebrew or Arabic (with the spaces, punctuation and numbers between its letters) right to
    left. Enough for names and addresses; not the full Unicode bidi algorithm, and no shaping."""
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
            if classes[j] in _RTL:
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


def text_width(text: str, font: str, size: float) -> float:
    """The width of `text` drawn in `font` (a family or a face) at `size`: the sum of its runs."""
    return sum(pdfmetrics.stringWidth(run, face, size) for face, run in runs(text, font))


def draw_runs(text_object, text: str, font: str, size: float) -> None:
    """Add `text` to a reportlab text object at its cursor, run by run (each run moves the cursor)."""
    for face, run in runs(text, font):
        text_object.setFont(face, size)
        text_object.textOut(run)


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
        t = self.beginText(x, y)
        draw_runs(t, text, self._family, self._fontsize)
        t.setFont(self._fontname, self._fontsize, self._leading)  # leave the page's font as setFont left it
        self.drawText(t)

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
