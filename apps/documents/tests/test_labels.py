"""Barcode labels: every barcode printed scans back to exactly the text it encodes.

The decode tests render the PDF the way a printer would (pdftoppm at 300 dpi) and read the pages
with zxing-cpp. They skip where poppler-utils or zxing-cpp is missing, and fail instead on CI.
"""

import re
import shutil
import subprocess
from collections import Counter

import pytest
from PIL import Image

from apps.documents.layouts.barcode_labels import LABEL_FORMATS, Label, render_labels
from apps.documents.toolkit.barcodes import MAX_LABELS, symbology_for, upca_check_digit
from apps.documents.toolkit.fonts import ELLIPSIS, fit_text, text_width

from .pdf_checks import page_count, pdf_streams

DPI = 300
PX_PER_MM = DPI / 25.4

CODE128_VALUES = [
    "ACME-TSHIRT-RED-M",
    "SKU 12/34 (B)",  # spaces and punctuation
    "a.b_c+d=e,f;g:h!",  # more punctuation
    "Q\"t's&<a>[x]{y}~|\\^`",
    "lowercase-sku-7",
    "ABCDEFGHIJ0123456789",  # 20 characters
    "12345678901234567890",  # digits: Code 128 packs them two to a symbol
    "0042",
    "X",
    "ORBIT-CANDLE-OLIVE-XS",  # 21 letters: the longest the 50 x 30 mm label takes
]
UPCA_VALUES = ["036000291452", "012345678905", "042100005264", "000000000000"]


def mixed_labels():
    labels = [Label(v, "code128", v, f"Product {i}") for i, v in enumerate(CODE128_VALUES)]
    labels += [Label(v, "upca", v, "Insulated steel bottle 750 ml, olive") for v in UPCA_VALUES]
    labels.insert(3, Label("ACME-MUG-WHT", "code128", "ACME-MUG-WHT", "有机棉T恤 红色 M码 限量版"))
    return labels


# --- Helpers -------------------------------------------------------------------------------------


def decode_pages(zxingcpp, pdf: bytes, tmp_path, fmt: str) -> list[list[tuple[int, str, str]]]:
    """Per page: (cell, symbology, text) of every barcode zxing-cpp reads at 300 dpi. Each label
    cell is cropped and read on its own (zxing-cpp merges identical codes stacked on one page), and
    must hold at most one barcode."""
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    layout = LABEL_FORMATS[fmt]
    formats = (zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.UPCA)
    result = []
    for page in pages:
        found = []
        with Image.open(page) as image:
            for cell in range(layout.labels_per_page):
                row, col = divmod(cell, layout.columns)
                left = (layout.margin_left + col * layout.label_width) * PX_PER_MM
                top = (layout.margin_top + row * layout.label_height) * PX_PER_MM
                box = (left, top, left + layout.label_width * PX_PER_MM, top + layout.label_height * PX_PER_MM)
                codes = zxingcpp.read_barcodes(image.crop(tuple(round(v) for v in box)), formats=formats)
                assert len(codes) <= 1, f"cell {cell} of {page.name} holds {len(codes)} barcodes"
                for code in codes:
                    found.append((cell, *_symbology_and_text(zxingcpp, code)))
        result.append(found)
    return result


def _symbology_and_text(zxingcpp, code) -> tuple[str, str]:
    if code.format == zxingcpp.BarcodeFormat.UPCA:
        # zxing-cpp 3 reports a UPC-A as its 13-digit GTIN: a leading zero, then the 12 digits.
        assert len(code.text) == 13 and code.text.startswith("0"), code.text
        return "upca", code.text[1:]
    assert code.format == zxingcpp.BarcodeFormat.Code128, code.format
    return "code128", code.text


# --- Decoding: every barcode scans back to its text --------------------------------------------------


@pytest.mark.parametrize("fmt", ["thermal-50x30", "thermal-100x30"])
def test_thermal_labels_decode_one_per_page_in_order(zxing, tmp_path, fmt):
    labels = mixed_labels()
    pdf = render_labels(labels, fmt)

    pages = decode_pages(zxing, pdf, tmp_path, fmt)

    assert page_count(pdf) == len(labels) == len(pages)
    assert pages == [[(0, label.symbology, label.value)] for label in labels]


def test_a4_sheet_decodes_every_label_in_its_cell(zxing, tmp_path):
    labels = mixed_labels() + [Label("ACME-HOODIE-BLK-XL", "code128", "ACME-HOODIE-BLK-XL", "Hoodie", copies=12)]
    expected = [(label.symbology, label.value) for label in labels for _ in range(label.copies)]
    assert len(expected) == 27  # one full sheet and three labels on the next

    pages = decode_pages(zxing, render_labels(labels, "a4-3x8"), tmp_path, "a4-3x8")

    # Row by row from the top left: cell n holds the n-th label, and the rest stay empty.
    assert pages == [
        [(cell, *expected[cell]) for cell in range(24)],
        [(cell, *expected[24 + cell]) for cell in range(3)],
    ]
    assert Counter((kind, text) for page in pages for _, kind, text in page) == Counter(expected)


def test_skip_leaves_the_first_cells_of_the_sheet_empty(zxing, tmp_path):
    labels = [
        Label("036000291452", "upca", "036000291452", "Bottle"),
        Label("ACME-TSHIRT-RED-M", "code128", "ACME-TSHIRT-RED-M", "T-shirt", copies=2),
    ]

    pages = decode_pages(zxing, render_labels(labels, "a4-3x8", skip=22), tmp_path, "a4-3x8")

    assert pages == [
        [(22, "upca", "036000291452"), (23, "code128", "ACME-TSHIRT-RED-M")],
        [(0, "code128", "ACME-TSHIRT-RED-M")],
    ]


def test_copies_make_that_many_labels(zxing, tmp_path):
    labels = [
        Label("ACME-MUG-WHT", "code128", "ACME-MUG-WHT", "Mug", copies=3),
        Label("012345678905", "upca", "012345678905", "Socks", copies=0),  # zero copies: left out …
        Label("012345678906", "upca", "012345678906", "Bad UPC", copies=0),  # … and not even checked
        Label("042100005264", "upca", "042100005264", "Cable", copies=2),
    ]
    pdf = render_labels(labels, "thermal-50x30")

    pages = decode_pages(zxing, pdf, tmp_path, "thermal-50x30")

    assert page_count(pdf) == 5
    assert pages == [
        [(0, "code128", "ACME-MUG-WHT")],
        [(0, "code128", "ACME-MUG-WHT")],
        [(0, "code128", "ACME-MUG-WHT")],
        [(0, "upca", "042100005264")],
        [(0, "upca", "042100005264")],
    ]


def test_the_longest_values_that_fit_still_decode(zxing, tmp_path):
    """At the edge of what each format accepts the bars are narrowest: they must still scan."""
    for fmt in LABEL_FORMATS:
        value = "ACME-"
        while True:
            longer = value + chr(ord("A") + len(value) % 26)
            try:
                pdf = render_labels([Label(longer, "code128", longer, fmt)], fmt)
            except ValueError:
                break
            value, longest_pdf = longer, pdf
        if fmt == "thermal-50x30":
            assert len(value) >= 21
        if fmt == "thermal-100x30":
            assert len(value) >= 40  # the catalogue's SKU field holds 40 characters
        out = tmp_path / fmt
        out.mkdir()
        assert decode_pages(zxing, longest_pdf, out, fmt) == [[(0, "code128", value)]]


# --- The PDF itself ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(LABEL_FORMATS))
def test_barcodes_are_vector_paths_not_images(fmt):
    pdf = render_labels(mixed_labels(), fmt)

    assert pdf.startswith(b"%PDF-")
    assert b"/FlateDecode" in pdf  # page streams are compressed …
    streams = pdf_streams(pdf)
    content = b"\n".join(streams)
    assert b" re" in content and b"\nf Q" in content  # … and hold filled rectangles once inflated
    assert not re.search(rb"/Subtype\s*/Image", pdf + content)
    assert not re.search(rb"(?:^|\s)BI\s", content)  # no inline images either
    assert b"/XObject" not in pdf


def test_a_chinese_title_uses_an_embedded_cjk_face_and_the_text_is_in_the_pdf():
    title = "有机棉T恤 红色 M码"
    pdf = render_labels([Label("ACME-TSHIRT-RED-M", "code128", "ACME-TSHIRT-RED-M", title)])

    assert b"+WenQuanYiZenHei" in pdf and b"/FontFile2" in pdf and b"/STSong-Light" not in pdf
    assert b"+LiberationSans" in pdf and b"/Helvetica" not in pdf  # the caption
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
        assert title in text.decode()


def test_the_output_is_deterministic():
    assert render_labels(mixed_labels(), "a4-3x8") == render_labels(mixed_labels(), "a4-3x8")


def test_formats_have_names_for_a_select_box():
    assert {"thermal-50x30", "a4-3x8"} <= set(LABEL_FORMATS)
    a4 = LABEL_FORMATS["a4-3x8"]
    assert (a4.columns, a4.rows, a4.label_width, a4.label_height) == (3, 8, 70, 37)
    assert all(fmt.name for fmt in LABEL_FORMATS.values())


# --- Text fitting --------------------------------------------------------------------------------------


def test_a_long_title_wraps_then_shrinks_then_is_cut_short():
    short = fit_text("Mug", 130, 7, 5, max_lines=2)
    assert (short.size, short.lines) == (7, ("Mug",))

    wrapped = fit_text("Organic cotton T-shirt, red, size M, limited edition", 130, 7, 5, max_lines=2)
    assert len(wrapped.lines) == 2 and not wrapped.lines[-1].endswith(ELLIPSIS)

    cut = fit_text("Very long product name " * 20, 130, 7, 5, max_lines=2)
    assert cut.size == 5 and len(cut.lines) == 2 and cut.lines[-1].endswith(ELLIPSIS)

    for fitted in (short, wrapped, cut):
        assert all(text_width(line, fitted.font, fitted.size) <= 130 for line in fitted.lines)


def test_control_characters_in_a_title_are_dropped():
    assert fit_text("Line one\nline\ttwo\x00", 500, 7, 5).lines == ("Line one line two",)


# --- symbology_for -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sku", "upc", "expected"),
    [
        ("ACME-1", "036000291452", ("upca", "036000291452")),
        ("ACME-1", " 036000291452 ", ("upca", "036000291452")),
        ("ACME-1", "036000291453", ("code128", "ACME-1")),  # wrong check digit
        ("ACME-1", "03600029145", ("code128", "ACME-1")),  # 11 digits
        ("ACME-1", "0036000291452", ("code128", "ACME-1")),  # EAN-13
        ("ACME-1", "03600029145A", ("code128", "ACME-1")),
        ("ACME-1", "０３６０００２９１４５２", ("code128", "ACME-1")),  # full-width digits are not ASCII
        ("ACME-1", "", ("code128", "ACME-1")),
    ],
)
def test_symbology_for(sku, upc, expected):
    assert symbology_for(sku, upc) == expected


def test_upca_check_digit():
    assert upca_check_digit("03600029145") == "2"
    assert upca_check_digit("00000000000") == "0"


# --- Invalid input --------------------------------------------------------------------------------------


def good(**kw):
    fields = {"value": "ACME-1", "symbology": "code128", "caption": "ACME-1"} | kw
    return Label(**fields)


@pytest.mark.parametrize(
    ("labels", "kwargs", "message"),
    [
        ([good()], {"fmt": "letter-2x5"}, r"Unknown label format 'letter-2x5'; choose one of: thermal-50x30, "),
        ([good(value="")], {}, r"Label 1 has no barcode value"),
        ([good(), good(value="   ")], {}, r"Label 2 has no barcode value"),
        ([good(), good(symbology="upca", value="12345")], {}, r"Label 2 \('12345'\): a UPC-A code must be exactly 12"),
        ([good(symbology="upca", value="03600029145X")], {}, r"must be exactly 12 digits"),
        ([good(symbology="upca", value="036000291453")], {}, r"check digit is wrong \(the last digit should be 2\)"),
        ([good(value="Größe-M")], {}, r"Code 128 cannot encode 'ß', 'ö'; use printable ASCII only"),
        ([good(value="A\tB")], {}, r"Code 128 cannot encode '\\t'"),
        ([good(symbology="qr")], {}, r"unknown symbology 'qr'; use 'code128' or 'upca'"),
        ([good(copies=-1)], {}, r"copies must be a whole number, 0 or more; got -1"),
        ([good(copies=1.5)], {}, r"copies must be a whole number"),
        (
            [good(value="ABCDEFGHIJKLMNOPQRSTUVWXYZ")],
            {},
            r"too long for a scannable barcode on this label format \(Thermal label 50 × 30 mm\): about 21 char",
        ),
        ([good()], {"fmt": "a4-3x8", "skip": 24}, r"skip must be a whole number from 0 to 23"),
        ([good()], {"fmt": "a4-3x8", "skip": -1}, r"skip must be a whole number from 0 to 23"),
        ([good()], {"skip": 1}, r"Skipping cells only applies to sheets"),
        ([], {}, r"There are no labels to print"),
        ([good(copies=0)], {}, r"There are no labels to print"),
        ([good(copies=MAX_LABELS + 1)], {}, r"Too many labels: at most 10,000"),
    ],
)
def test_invalid_input_raises_a_clear_value_error(labels, kwargs, message):
    with pytest.raises(ValueError, match=message):
        render_labels(labels, **kwargs)


def test_every_label_is_checked_before_drawing():
    """A bad label at the end of a long generator fails the whole job, not a half-printed one."""

    def labels():
        yield from (good(value=f"ACME-{i}") for i in range(500))
        yield good(symbology="upca", value="036000291453")

    with pytest.raises(ValueError, match=r"Label 501 "):
        render_labels(labels())


def test_a_value_too_long_for_the_small_label_fits_a_wider_one():
    label = good(value="ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    with pytest.raises(ValueError):
        render_labels([label], "thermal-50x30")
    assert render_labels([label], "thermal-100x30").startswith(b"%PDF-")
    assert render_labels([label], "a4-3x8").startswith(b"%PDF-")
