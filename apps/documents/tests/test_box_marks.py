"""Box marks: they scan back to "<inbound>-<box>", and every text fits its place.

The decode and text tests render the PDF the way a printer would (pdftoppm at 300 dpi, read with
zxing-cpp) or extract its text with pdftotext. They skip where poppler-utils or zxing-cpp is
missing, and fail instead on CI.
"""

import re

import pytest
from PIL import Image

from apps.documents.layouts.box_marks import (
    BOX_MARK_FORMAT_CHOICES,
    BOX_MARK_FORMATS,
    MAX_MARKS,
    BoxMark,
    box_mark_value,
    content_summary,
    plan_box_mark,
    render_box_marks,
)
from apps.documents.toolkit.fonts import ELLIPSIS, text_width
from apps.documents.toolkit.pages import PartyAddress

from .pdf_checks import page_count, render_pages, words_with_boxes

DPI = 300
PX_PER_MM = DPI / 25.4
MM = 72 / 25.4

INBOUND = "IN26112500001"
LAX1 = PartyAddress("LAX1", "Fulfillment Hub Los Angeles", ("1200 E Warehouse Way, Dock 4", "Los Angeles, CA 90021"))
CONTENTS = (("ACME-TEE-BLK-M", 24), ("ACME-MUG-350", 12))


def mark(box_no=1, box_count=3, **kw) -> BoxMark:
    fields = {
        "inbound_number": INBOUND,
        "box_no": box_no,
        "box_count": box_count,
        "warehouse": LAX1,
        "customer_code": "C10001",
        "contents": CONTENTS,
        "weight_kg": "12.5",
        "dimensions_cm": "60 × 40 × 40",
    } | kw
    return BoxMark(**fields)


def long_contents(n=60) -> tuple[tuple[str, int], ...]:
    return tuple((f"ACME-ORGANIC-COTTON-HOODIE-XXL-{i:04d}", 10 + i) for i in range(n))


# --- Helpers -------------------------------------------------------------------------------------


def decode_marks(zxingcpp, pdf: bytes, tmp_path, fmt: str) -> list[list[str]]:
    """Per page, the Code 128 text in each label cell, top to bottom ("" for an empty cell). Each
    cell is cropped and read on its own, and must hold at most one barcode."""
    layout = BOX_MARK_FORMATS[fmt]
    result = []
    for page in render_pages(pdf, tmp_path, DPI):
        cells = []
        with Image.open(page) as image:
            for cell in range(layout.labels_per_page):
                top = cell * layout.label_height * PX_PER_MM
                box = (0, round(top), image.width, round(top + layout.label_height * PX_PER_MM))
                codes = zxingcpp.read_barcodes(image.crop(box), formats=zxingcpp.BarcodeFormat.Code128)
                assert len(codes) <= 1, f"cell {cell} of {page.name} holds {len(codes)} barcodes"
                cells.append(codes[0].text if codes else "")
        result.append(cells)
    return result


# --- Box marks: the barcodes ---------------------------------------------------------------------


def test_box_mark_value():
    assert box_mark_value("IN26112500001", 3) == "IN26112500001-003"
    assert box_mark_value("IN26112500001", 12) == "IN26112500001-012"
    assert box_mark_value("IN26112500001", 1234) == "IN26112500001-1234"


def test_100x100_marks_decode_one_per_page_in_order(zxing, tmp_path):
    marks = [mark(n) for n in (1, 2, 3)]
    pdf = render_box_marks(marks, "100x100")

    assert page_count(pdf) == 3
    assert decode_marks(zxing, pdf, tmp_path, "100x100") == [
        ["IN26112500001-001"],
        ["IN26112500001-002"],
        ["IN26112500001-003"],
    ]


def test_a4_2up_marks_decode_two_per_page_in_order(zxing, tmp_path):
    marks = [mark(n) for n in (1, 2, 3)]
    pdf = render_box_marks(marks, "a4-2up")

    assert page_count(pdf) == 2
    assert decode_marks(zxing, pdf, tmp_path, "a4-2up") == [
        ["IN26112500001-001", "IN26112500001-002"],
        ["IN26112500001-003", ""],  # the bottom half of the last sheet stays empty
    ]


@pytest.mark.parametrize("fmt", list(BOX_MARK_FORMATS))
def test_marks_with_long_contents_and_many_boxes_still_decode(zxing, tmp_path, fmt):
    marks = [mark(n, 120, contents=long_contents(), weight_kg="", dimensions_cm="") for n in (7, 120)]

    pages = decode_marks(zxing, render_box_marks(marks, fmt), tmp_path, fmt)

    assert [text for page in pages for text in page if text] == ["IN26112500001-007", "IN26112500001-120"]


@pytest.mark.parametrize(("fmt", "module_mm", "height_mm"), [("100x100", 0.375, 25), ("a4-2up", 0.6, 35)])
def test_the_barcode_is_big_enough_to_scan_from_a_distance(fmt, module_mm, height_mm):
    layout = BOX_MARK_FORMATS[fmt]
    plan = plan_box_mark(1, mark(3, 12), layout).plan

    # 3 dots of a 203 dpi printer on the thermal label; GS1 logistic labels ask 0.495 mm or more.
    assert plan.module / MM == pytest.approx(module_mm, rel=1e-3)
    assert plan.bar_height / MM >= height_mm
    bars_width = 189 * plan.module  # "IN26112500001-003" is 189 modules
    # The bars and their quiet zones stay on the label.
    quiet = 10 * plan.module
    assert plan.bars_x - quiet >= 0 and plan.bars_x + bars_width + quiet <= layout.page_width * MM


# --- Box marks: the text -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(BOX_MARK_FORMATS))
def test_marks_show_box_customer_warehouse_and_value(pdftotext, fmt):
    text = pdftotext(render_box_marks([mark(n) for n in (1, 2, 3)], fmt))

    for expected in (
        "BOX 1 / 3",
        "BOX 2 / 3",
        "BOX 3 / 3",
        "LAX1",
        "Fulfillment Hub Los Angeles",
        "Los Angeles, CA 90021",
        "Customer C10001",
        "Inbound IN26112500001",
        "IN26112500001-002",
        "ACME-TEE-BLK-M × 24, ACME-MUG-350 × 12",
        "Weight 12.5 kg",
        "Size 60 × 40 × 40 cm",
    ):
        assert expected in text, expected


@pytest.mark.parametrize("fmt", list(BOX_MARK_FORMATS))
def test_long_content_lists_are_cut_short_and_every_word_stays_on_its_label(pdftotext, fmt):
    layout = BOX_MARK_FORMATS[fmt]
    very_long = PartyAddress(
        "LAX1-OVERFLOW-EAST-WING",
        "Fulfillment Hub Los Angeles, East Wing Receiving Dock Building Number Seven " * 2,
        ("1200 E Warehouse Way, Dock 4, Gate 12, Attention Receiving Department " * 2, "Los Angeles", "CA", "US"),
    )
    marks = [
        mark(1, 2, contents=long_contents()),
        mark(2, 2, contents=(("X" * 300, 5), ("ACME-MUG-350", 1)), customer_code="C" + "1" * 60, warehouse=very_long),
    ]
    pdf = render_box_marks(marks, fmt)
    text = pdftotext(pdf)

    assert re.search(r"\+ \d+ more SKUs", text)
    assert "+ 1 more SKU" in text  # the 300-letter SKU is cut short; the count of the rest stays
    pages = words_with_boxes(pdftotext, pdf)
    pad = layout.padding * MM - 0.5
    for number, words in enumerate(pages):
        assert words
        for x0, y0, x1, y1, word in words:
            cell = int(y0 // (layout.label_height * MM))
            top = cell * layout.label_height * MM
            assert pad <= x0 and x1 <= layout.page_width * MM - pad, (number, word)
            assert top + pad <= y0 and y1 <= top + layout.label_height * MM - pad, (number, word)


def test_content_summary_shows_whole_skus_then_the_count_of_the_rest():
    contents = long_contents(60)
    width = 92 * MM

    fitted = content_summary(contents, width, 9.5, 7, 3)

    assert fitted.size == 7 and len(fitted.lines) == 3
    assert all(text_width(line, fitted.font, fitted.size) <= width for line in fitted.lines)
    # Every line holds whole "SKU × quantity" items: none is split over two lines, none cut short.
    items = " ".join(fitted.lines).split(", ")
    assert ELLIPSIS not in "".join(fitted.lines)
    assert items[:-1] == [f"{sku} × {qty}" for sku, qty in contents[: len(items) - 1]]
    assert items[-1] == f"+ {60 - (len(items) - 1)} more SKUs"
    # One more item would not have fitted: lines are packed greedily, so it had to go on the last one.
    shown = len(items) - 1
    last = fitted.lines[-1]
    before = last[: last.rindex("+ ")].rstrip()
    sku, qty = contents[shown]
    candidate = f"{before} {sku} × {qty}, + {60 - shown - 1} more SKUs".strip()
    assert text_width(candidate, fitted.font, fitted.size) > width
    assert shown == 3  # one a line


def test_content_summary_of_a_short_list_is_whole_and_unshrunk():
    fitted = content_summary(CONTENTS, 92 * MM, 9.5, 7, 3)
    assert fitted.size == 9.5 and fitted.lines == ("ACME-TEE-BLK-M × 24, ACME-MUG-350 × 12",)
    # Items wrap whole; a list that fits in the lines only when smaller is shrunk, not cut.
    wrapped = content_summary(CONTENTS, 120, 9.5, 7, 3)
    assert wrapped.size == 9.5 and wrapped.lines == ("ACME-TEE-BLK-M × 24,", "ACME-MUG-350 × 12")
    shrunk = content_summary((("ACME-TEE-BLK-M", 24),) * 6, 92 * MM, 9.5, 7, 2)
    assert 7 <= shrunk.size < 9.5 and ELLIPSIS not in "".join(shrunk.lines) and "more" not in "".join(shrunk.lines)
    assert content_summary((("A", 1),) * 2 + (("B", 1_500),), 500, 9, 7, 2).lines == ("A × 1, A × 1, B × 1,500",)
    assert content_summary((), 100, 9, 7, 3).lines == ()


def test_content_summary_cuts_a_huge_sku_and_keeps_the_count():
    fitted = content_summary((("Z" * 300, 1), ("B", 2), ("C", 3)), 200, 9, 7, 3)
    assert fitted.lines[-1] == "+ 2 more SKUs"
    assert fitted.lines[-2].endswith(ELLIPSIS)
    assert all(text_width(line, fitted.font, fitted.size) <= 200 for line in fitted.lines)


def test_a_chinese_warehouse_name_on_a_mark_uses_an_embedded_cjk_face(pdftotext):
    shanghai = PartyAddress("SHA1", "上海浦东仓库", ("上海市浦东新区张江路 88 号",))
    pdf = render_box_marks([mark(warehouse=shanghai, contents=(("有机棉T恤-红-M", 3),))])

    assert b"+WenQuanYiZenHei" in pdf and b"/FontFile2" in pdf and b"/STSong-Light" not in pdf
    text = pdftotext(pdf)
    assert "上海浦东仓库" in text and "SHA1" in text and "有机棉T恤-红-M × 3" in text


@pytest.mark.parametrize("fmt", list(BOX_MARK_FORMATS))
def test_marks_are_vector_and_deterministic(fmt):
    pdf = render_box_marks([mark(n) for n in (1, 2, 3)], fmt)

    assert pdf.startswith(b"%PDF-")
    assert not re.search(rb"/Subtype\s*/Image", pdf)
    assert pdf == render_box_marks([mark(n) for n in (1, 2, 3)], fmt)


def test_formats_have_names_for_a_select_box():
    assert set(BOX_MARK_FORMATS) == {"100x100", "a4-2up"}
    assert all(name for _, name in BOX_MARK_FORMAT_CHOICES)
    a4 = BOX_MARK_FORMATS["a4-2up"]
    assert (a4.page_width, a4.page_height, a4.labels_per_page, a4.label_height * 2) == (210, 297, 2, 297)


def test_marks_accept_a_generator_and_empty_weight_and_contents(pdftotext):
    pdf = render_box_marks(mark(n, 2, contents=(), weight_kg="", dimensions_cm="") for n in (1, 2))
    text = pdftotext(pdf)
    assert "BOX 2 / 2" in text and "Weight" not in text and "Size" not in text


# --- Box marks: invalid input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "fmt", "message"),
    [
        ([mark()], "letter", r"Unknown box mark format 'letter'; choose one of: 100x100, a4-2up\."),
        ([mark()], None, r"Unknown box mark format None"),
        ([], "100x100", r"There are no box marks to print"),
        ([mark(), "box"], "100x100", r"Box mark 2 is not a BoxMark\."),
        ([mark(4, 3)], "100x100", r"Box mark 1: the box number must be a whole number from 1 to 3; got 4\."),
        ([mark(0, 3)], "100x100", r"the box number must be a whole number from 1 to 3; got 0"),
        ([mark(1, 0)], "100x100", r"the box count must be a whole number, 1 or more; got 0"),
        ([mark(True, 3)], "100x100", r"the box number must be a whole number"),
        ([mark(inbound_number=" ")], "100x100", r"Box mark 1 has no inbound number\."),
        ([mark(customer_code="")], "100x100", r"Box mark 1 has no customer code\."),
        ([mark(warehouse=PartyAddress("", "X", ()))], "100x100", r"The warehouse of box mark 1 has no code\."),
        ([mark(warehouse="LAX1")], "100x100", r"must be a PartyAddress"),
        ([mark(contents=(("ACME-1", 0),))], "100x100", r"the quantity of 'ACME-1' must be a whole number, 1 or more"),
        ([mark(contents=(("", 1),))], "100x100", r"content line 1 must be a \(SKU, quantity\) pair"),
        ([mark(contents="ACME-1")], "100x100", r"contents must be a list"),
        ([mark(weight_kg=12.5)], "100x100", r"weight and dimensions must be text"),
        ([mark(inbound_number="IN-Größe")], "100x100", r"Code 128 cannot encode 'ß', 'ö'"),
        ([mark(inbound_number="IN" + "X" * 40)], "100x100", r"too long for a scannable barcode on the Thermal"),
    ],
)
def test_invalid_box_marks_raise_a_clear_value_error(marks, fmt, message):
    with pytest.raises(ValueError, match=message):
        render_box_marks(marks, fmt)


def test_too_many_marks():
    with pytest.raises(ValueError, match=r"Too many box marks: at most 10,000"):
        render_box_marks(mark(1, 1) for _ in range(MAX_MARKS + 1))
