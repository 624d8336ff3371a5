"""Every name prints: each document kind, with names in nine scripts, comes back as the same text from
pdftotext, renders with pdftoppm, and embeds every font it uses (pdffonts: no base-14 or CID font
left to the reader's luck).

Hebrew and Arabic are drawn right to left, glyph by glyph (no shaping); pdftotext reads them back in
reading order wrapped in bidi embedding marks (U+202B … U+202C), which are dropped before comparing.
A name that wraps in a narrow column comes back over two lines, so whitespace is made single spaces
before comparing. The tests need poppler-utils and the font
packages (.ci/run installs both): they skip where either is missing, and fail instead on CI.
"""

import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from PIL import Image

from apps.documents.apps import check_pdf_fonts
from apps.documents.layouts.barcode_labels import Label, render_labels
from apps.documents.layouts.box_marks import BoxMark, render_box_marks
from apps.documents.layouts.count_sheets import render_count_sheet
from apps.documents.layouts.customs_forms import CustomsDeclaration, CustomsLine, render_cn22, render_cn23
from apps.documents.layouts.inbound_lists import ListLine, PackedBox, render_packing_list_pdf, render_product_list_pdf
from apps.documents.layouts.manifests import ManifestParcel, render_manifest
from apps.documents.layouts.pick_lists import PickListLine, render_pick_list
from apps.documents.layouts.shipping_labels import LabelAddress, ShippingLabel, render_shipping_labels
from apps.documents.toolkit import faces
from apps.documents.toolkit.fonts import BOLD, REGULAR, fit, text_width
from apps.documents.toolkit.pages import PartyAddress

from .pdf_checks import pdf_streams, render_pages, tool_or_skip

NAMES = {
    "Latin": "Zoë Ibáñez-Łukasiewicz",
    "Greek": "Αλέξανδρος Παπαδόπουλος",
    "Cyrillic": "Юлия Смирнова",
    "Chinese (simplified)": "张伟",
    "Chinese (traditional)": "陳美麗",
    "Japanese": "山田 はなこ カタカナ",
    "Korean": "김민준",
    "Hebrew": "דוד כהן",
    "Arabic": "محمد",
}
BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
WAREHOUSE = PartyAddress("LAX1", "Fulfillment Hub Los Angeles", ("1200 E Warehouse Way", "Los Angeles, CA 90021", "US"))
SENDER = LabelAddress("Fulfillment Hub LAX1", "", ("1200 E Warehouse Way", "Los Angeles CA 90021", "US"))


@pytest.fixture(scope="module")
def fonts_installed():
    report = faces.missing_fonts_report()
    tool_or_skip(report is None, report[0] if report else "")


@pytest.fixture
def poppler(fonts_installed):
    for tool in ("pdftotext", "pdftoppm", "pdffonts"):
        tool_or_skip(shutil.which(tool) is not None, f"{tool} (poppler-utils)")


def _run(tool: str, pdf: bytes, *args: str) -> str:
    done = subprocess.run([tool, *args, "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def pdffonts(pdf: bytes, tmp_path) -> list[dict[str, str]]:
    """pdffonts' table as rows: name, type, emb, sub, uni (the type may have spaces in it)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        m = re.match(r"(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
        assert m, f"unexpected pdffonts line: {line!r}"
        rows.append(dict(zip(("name", "type", "encoding", "emb", "sub", "uni"), m.groups(), strict=True)))
    return rows


# --- One document of each kind, every name in it ------------------------------------------------------


def shipping_labels() -> bytes:
    return render_shipping_labels(
        [
            ShippingLabel(
                sender=SENDER,
                recipient=LabelAddress(name, "", ("1 Main Street", "Springfield IL 62704", "US")),
                order_number=f"S2611250000{n:03d}",
                tracking_number=f"1Z999AA1012345{n:04d}",
                carrier_name="UPS",
                channel_name="UPS Ground",
            )
            for n, name in enumerate(NAMES.values(), start=1)
        ]
    )


def barcode_labels() -> bytes:
    return render_labels([Label(f"SKU-{n}", "code128", f"SKU-{n}", name) for n, name in enumerate(NAMES.values())])


def box_marks() -> bytes:
    return render_box_marks(
        [
            BoxMark(
                "IN26112500001", n, len(NAMES), PartyAddress("LAX1", name, ("1 Main Street",)), "C10001", (("A", 1),)
            )
            for n, name in enumerate(NAMES.values(), start=1)
        ]
    )


def product_list() -> bytes:
    lines = [ListLine(f"SKU-{n}", name, "", 1) for n, name in enumerate(NAMES.values())]
    return render_product_list_pdf(inbound_number="IN26112500001", warehouse=WAREHOUSE, customer_code="C1", lines=lines)


def packing_list() -> bytes:
    contents = tuple((f"SKU-{n}", name, 1) for n, name in enumerate(NAMES.values()))
    return render_packing_list_pdf(
        inbound_number="IN26112500001",
        warehouse=WAREHOUSE,
        customer_code="C1",
        boxes=[PackedBox(1, "60 × 40 × 40", "12.5", contents)],
    )


def pick_list() -> bytes:
    lines = [
        PickListLine(bin="A-01-01", sku=f"SKU-{n}", name=name, quantity=1, slot=1, order_number="S26112500000011")
        for n, name in enumerate(NAMES.values())
    ]
    return render_pick_list(wave_number="PW2611250001", warehouse=WAREHOUSE, lines=lines)


def manifest() -> bytes:
    parcels = [
        ManifestParcel(f"1Z999AA1012345{n:04d}", f"S2611250000{n:03d}", 500, name)
        for n, name in enumerate(NAMES.values())
    ]
    return render_manifest(manifest_number="MF2611250003", carrier_name="UPS", warehouse=WAREHOUSE, parcels=parcels)


def count_sheet() -> bytes:
    rows = [("A-01-01", f"SKU-{n}", name) for n, name in enumerate(NAMES.values())]
    return render_count_sheet(title="Cycle count CC-1", subtitle_lines=["Warehouse LAX1"], rows=rows)


def _declaration(names) -> CustomsDeclaration:
    lines = tuple(
        CustomsLine(name, 1, 100, Decimal("5.00"), "USD", "610910", "CN", sku=f"SKU-{n}")
        for n, name in enumerate(names)
    )
    recipient = PartyAddress("", names[0], ("Hauptstr. 1", "Berlin 10115", "GERMANY"))
    return CustomsDeclaration("S26112500000011", WAREHOUSE, names[-1], recipient, lines, 1000, "1Z999AA10123456784")


def customs_cn23() -> bytes:
    return render_cn23(_declaration(list(NAMES.values())))


DOCUMENTS = {
    "CN 23 and commercial invoice": customs_cn23,
    "shipping labels": shipping_labels,
    "SKU barcode labels": barcode_labels,
    "box marks": box_marks,
    "product list": product_list,
    "packing list": packing_list,
    "pick list": pick_list,
    "manifest": manifest,
    "count sheet": count_sheet,
}


@pytest.mark.parametrize("kind", DOCUMENTS)
def test_every_name_comes_back_as_text_and_every_font_is_embedded(kind, poppler, tmp_path):
    pdf = DOCUMENTS[kind]()

    # A name wrapped in a narrow column comes back over two lines: compare with whitespace made single spaces.
    text = " ".join(_run("pdftotext", pdf).translate(BIDI_MARKS).split())
    for script, name in NAMES.items():
        assert name in text, (kind, script, name)

    fonts = pdffonts(pdf, tmp_path)
    assert fonts, kind
    for font in fonts:
        assert font["emb"] == "yes", (kind, font)
        assert font["type"] in ("TrueType", "CID TrueType"), (kind, font)  # no Type 1 base font, no CID Type 0
        assert font["uni"] == "yes", (kind, font)  # a ToUnicode map: the text can be copied and searched
    names = " ".join(font["name"] for font in fonts)
    for face in ("LiberationSans", "NotoSansArabic", "WenQuanYiZenHei", "IPAGothic"):
        assert face in names, (kind, face, names)
    assert not re.search(
        rb"/BaseFont\s*/(Helvetica|Times|Courier|Symbol|ZapfDingbats|STSong|HeiseiKakuGo|HYGothic)", pdf
    )

    pages = render_pages(pdf, tmp_path, dpi=72)
    assert pages
    with Image.open(pages[0]) as image:
        assert image.convert("L").getextrema()[0] < 64  # something dark was drawn


def test_a_cn22_prints_its_lines_in_any_script(poppler, tmp_path):
    names = list(NAMES.values())
    # Five lines fit a CN 22 and a sixth name signs it as the exporter: two forms take every script.
    for chunk in (names[:6], (names[6:] + names)[:6]):
        pdf = render_cn22(_cn22_of(chunk))
        text = " ".join(_run("pdftotext", pdf).translate(BIDI_MARKS).split())
        for name in chunk:
            assert name in text, name
        assert all(font["emb"] == "yes" for font in pdffonts(pdf, tmp_path))
    assert len(names) >= 8


def _cn22_of(names) -> CustomsDeclaration:
    decl = _declaration(names[:5])
    return CustomsDeclaration(
        decl.order_number, decl.sender, names[5], decl.recipient, decl.lines, decl.gross_weight_g, decl.tracking_number
    )


def test_the_font_packages_are_installed(fonts_installed):
    """On CI a missing font package fails here (elsewhere this skips, and Django's check warns)."""
    assert faces.missing_fonts_report() is None


def test_each_name_is_drawn_by_faces_that_have_its_glyphs(fonts_installed):
    for family in faces.FAMILIES:
        for name in NAMES.values():
            for face, run in faces.runs(name, family):
                glyphs = faces.pdfmetrics.getFont(face).face.charToGlyph
                assert all(ord(ch) in glyphs for ch in run), (family, face, run)
    assert {face for face, _ in faces.runs("张伟 Zoë", REGULAR)} == {"FH-WenQuanYiZenHei", "FH-LiberationSans-Regular"}
    assert [face for face, _ in faces.runs("Ибáñez", BOLD)] == ["FH-LiberationSans-Bold"]


def test_japanese_text_gets_japanese_kanji(fonts_installed):
    """Text with kana is fitted in the Japanese variant of its family: its kanji come from IPA Gothic
    (Japanese forms), the kana too; Chinese text and kanji alone stay with WenQuanYi Zen Hei."""
    japanese = fit("山田 はなこ", 300, 10, 6)
    assert japanese.font == faces.REGULAR_JA
    assert [face for face, run in faces.runs("山田 はなこ", japanese.font) if run.strip()] == ["FH-IPAGothic"] * 2
    assert fit("山田 はなこ", 300, 10, 6, bold=True).font == faces.BOLD_JA
    assert fit("张伟", 300, 10, 6).font == REGULAR and fit("山田", 300, 10, 6).font == REGULAR
    assert faces.runs("张伟", REGULAR) == (("FH-WenQuanYiZenHei", "张伟"),)


def test_a_mixed_string_is_measured_run_by_run(fonts_installed):
    mixed = "张伟 Zoë Łukasiewicz"
    runs = faces.runs(mixed, REGULAR)
    assert len(runs) == 2
    by_run = sum(faces.pdfmetrics.stringWidth(run, face, 10) for face, run in runs)
    assert text_width(mixed, REGULAR, 10) == pytest.approx(by_run)
    fitted = fit(mixed, text_width(mixed, REGULAR, 10) - 1, 10, 6)  # one point too narrow: it shrinks
    assert fitted.size == 9.5 and fitted.lines == (mixed,)
    assert text_width(mixed, BOLD, 10) > text_width(mixed, REGULAR, 10)  # bold measured with its own widths


def test_latin_keeps_helveticas_widths(fonts_installed):
    """Liberation Sans has Helvetica's metrics, so Latin text fits the layouts exactly as before."""
    for family, base in ((REGULAR, "Helvetica"), (BOLD, "Helvetica-Bold")):
        text = "Organic cotton T-shirt, red, size M"
        assert text_width(text, family, 10) == pytest.approx(faces.pdfmetrics.stringWidth(text, base, 10), rel=1e-3)


def test_bold_cjk_is_stroked_as_well_as_filled(fonts_installed):
    """WenQuanYi Zen Hei has no bold: a bold CJK name (the recipient) is drawn filled and stroked."""

    def label(name: str) -> bytes:
        recipient = LabelAddress(name, "", ("1 Main Street", "Springfield IL 62704", "US"))
        return render_shipping_labels(
            [ShippingLabel(SENDER, recipient, "S26112500000011", "1Z999AA10123456784", "UPS", "UPS Ground")]
        )

    korean = b"\n".join(pdf_streams(label("김민준")))
    assert b"2 Tr" in korean and b"0 Tr" in korean
    assert b"2 Tr" not in b"\n".join(pdf_streams(label("Zoë Ibáñez-Łukasiewicz")))  # Liberation Sans has a bold


def test_right_to_left_text_is_drawn_right_to_left():
    assert faces.visual_order("Zoë דוד כהן") == "Zoë ןהכ דוד"
    assert faces.visual_order("محمد (12) דוד") == "דוד (12) دمحم"  # numbers keep their order, brackets turn
    # A number after right-to-left words joins them (it is read after them, from the right) …
    assert faces.visual_order("רחוב הרצל 12, תל אביב") == "ביבא לת ,12 לצרה בוחר"
    assert faces.visual_order("דוד 3,5 Cohen") == "3,5 דוד Cohen"
    # … a number before them, or after a left-to-right word, does not.
    assert faces.visual_order("12 רחוב") == "12 בוחר"
    assert faces.visual_order("Zoë Łukasiewicz") == "Zoë Łukasiewicz"


def test_decomposed_accents_print_as_the_composed_letter(poppler):
    pdf = render_labels([Label("SKU-1", "code128", "SKU-1", "Zoe\u0308 Iba\u0301n\u0303ez")])
    assert "Zoë Ibáñez" in _run("pdftotext", pdf)


@pytest.fixture
def own_font_dir(monkeypatch, tmp_path):
    """Fonts looked for in tmp_path only, for one test; the directories before it afterwards."""
    before = faces.font_dirs()
    monkeypatch.setattr(faces, "SYSTEM_FONT_DIRS", ())
    faces.set_font_dirs([tmp_path])
    yield tmp_path
    monkeypatch.undo()
    faces.set_font_dirs(before)


def test_missing_fonts_are_reported_with_the_packages_to_install(own_font_dir):
    problem, hint = faces.missing_fonts_report()
    assert "LiberationSans-Regular" in problem and "WenQuanYiZenHei" in problem
    packages = "fonts-dejavu-core fonts-ipafont-gothic fonts-liberation2 fonts-noto-core fonts-wqy-zenhei"
    assert f"apt-get install {packages}" in hint
    assert str(own_font_dir) in hint and "DOCUMENT_FONT_DIRS" in hint
    (warning,) = check_pdf_fonts()
    assert warning.id == "documents.W001" and warning.msg == problem and warning.hint == hint
    # Nothing found at all: Helvetica, not embedded, rather than no text.
    assert faces.runs("Zoë", REGULAR) == (("Helvetica", "Zoë"),)


def test_fonts_are_found_in_a_directory_of_their_own(fonts_installed, tmp_path_factory):
    """DOCUMENT_FONT_DIRS: a flat directory with the files (here links to the system's) is enough."""
    flat = tmp_path_factory.mktemp("fonts")
    for face in faces.CHAINS[REGULAR] + faces.CHAINS[BOLD]:
        path = faces.find_file(face)
        if path is not None and not (flat / path.name).exists():
            (flat / path.name).symlink_to(path)
    before = faces.font_dirs()
    faces.set_font_dirs([flat])
    try:
        assert faces.font_dirs()[0] == str(flat)
        assert all(faces.find_file(face).parent == flat for face in faces.CHAINS[REGULAR][:6])
        assert faces.missing_fonts_report() is None
    finally:
        faces.set_font_dirs(before)
