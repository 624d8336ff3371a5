"""The product list and the packing list of an inbound: every line, the totals, page numbers, the
header barcode, and a clear message for bad input.

The decode and text tests render the PDF the way a printer would (pdftoppm at 300 dpi, read with
zxing-cpp) or extract its text with pdftotext. They skip where poppler-utils or zxing-cpp is
missing, and fail instead on CI.
"""

import re

import pytest
from PIL import Image

from apps.documents.layouts.inbound_lists import ListLine, PackedBox, render_packing_list_pdf, render_product_list_pdf
from apps.documents.toolkit.pages import PartyAddress

from .pdf_checks import page_count, render_pages, words_with_boxes

DPI = 300
PX_PER_MM = DPI / 25.4
MM = 72 / 25.4

INBOUND = "IN26112500001"
LAX1 = PartyAddress("LAX1", "Fulfillment Hub Los Angeles", ("1200 E Warehouse Way, Dock 4", "Los Angeles, CA 90021"))
CONTENTS = (("ACME-TEE-BLK-M", 24), ("ACME-MUG-350", 12))


# --- Product list --------------------------------------------------------------------------------


def product_lines(n=70) -> list[ListLine]:
    lines = []
    for i in range(1, n + 1):
        name = "有机棉T恤 红色 M码 限量版" if i % 7 == 0 else f"Organic cotton T-shirt, colour {i}, a fairly long name"
        lines.append(ListLine(f"ACME-SKU-{i:03d}", name, "036000291452" if i % 3 else "", i * 3))
    return lines


def test_product_list_has_every_sku_the_total_and_page_numbers(pdftotext):
    lines = product_lines(70)
    pdf = render_product_list_pdf(
        inbound_number=INBOUND, warehouse=LAX1, customer_code="C10001", lines=lines, status_label="Awaiting arrival"
    )
    text = pdftotext(pdf)
    pages = page_count(pdf)

    assert pages >= 2
    for line in lines:
        assert line.sku in text
    assert "036000291452" in text
    assert "有机棉T恤 红色 M码 限量版" in text  # CJK names: an embedded CJK face, no crash
    assert b"+WenQuanYiZenHei" in pdf and b"/FontFile2" in pdf and b"/STSong-Light" not in pdf
    total = sum(line.quantity for line in lines)
    assert re.search(rf"Total\s.*70 lines, 70 SKUs\s.*{total:,}", text, re.DOTALL)
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text
    assert text.count("Inbound IN26112500001") >= pages  # the header repeats
    assert text.count("C10001") >= pages and "Awaiting arrival" in text and "LAX1" in text


def test_product_list_words_stay_inside_the_page_margins(pdftotext):
    lines = [
        ListLine("ACME-" + "VERY-LONG-SKU-" * 3, "Extraordinarily long product name " * 8, "036000291452", 1_234_567),
        ListLine("有机棉T恤-红-M", "有机棉T恤 红色 M码 限量版 " * 6, "", 3),
    ]
    pdf = render_product_list_pdf(inbound_number=INBOUND, warehouse=LAX1, customer_code="C10001", lines=lines)
    for words in words_with_boxes(pdftotext, pdf):
        for x0, _, x1, _, word in words:
            assert x0 >= 15 * MM - 0.5 and x1 <= (210 - 15) * MM + 0.5, word


def test_product_list_header_barcode_decodes_to_the_inbound_number(zxing, tmp_path):
    pdf = render_product_list_pdf(
        inbound_number=INBOUND, warehouse=LAX1, customer_code="C10001", lines=product_lines(3)
    )
    (page,) = render_pages(pdf, tmp_path, DPI)
    with Image.open(page) as image:
        header = image.crop((0, 0, image.width, round(35 * PX_PER_MM)))
        codes = zxing.read_barcodes(header, formats=zxing.BarcodeFormat.Code128)
    assert [code.text for code in codes] == [INBOUND]


def test_product_list_is_deterministic():
    def render():
        return render_product_list_pdf(
            inbound_number=INBOUND, warehouse=LAX1, customer_code="C10001", lines=product_lines(5)
        )

    assert render() == render()


# --- Packing list --------------------------------------------------------------------------------


def packed_boxes() -> list[PackedBox]:
    return [
        PackedBox(2, "60 × 40 × 40", "12.5", (("ACME-TEE-BLK-M", "T-shirt black M", 24), ("ACME-MUG-350", "Mug", 6))),
        PackedBox(1, "40 × 30 × 30", "8", (("ACME-MUG-350", "Mug 350 ml", 12),)),
        PackedBox(3, "", "", (("ACME-CAP-RED", "Cap, red", 10), ("ACME-TEE-BLK-M", "T-shirt black M", 6))),
    ]


def test_packing_list_has_every_box_sku_and_the_totals(pdftotext):
    pdf = render_packing_list_pdf(inbound_number=INBOUND, warehouse=LAX1, customer_code="C10001", boxes=packed_boxes())
    text = pdftotext(pdf, "-layout")

    assert page_count(pdf) == 1 and "Page 1 of 1" in text
    assert "Box 1 / 3 · 40 × 30 × 30 cm · 8 kg · 12 units" in text
    assert "Box 2 / 3 · 60 × 40 × 40 cm · 12.5 kg · 30 units" in text
    assert "Box 3 / 3 · 16 units" in text  # no dimensions or weight given
    assert text.index("Box 1 / 3") < text.index("Box 2 / 3") < text.index("Box 3 / 3")  # by box number
    totals = text[text.index("Totals per SKU") :]
    assert re.search(r"ACME-TEE-BLK-M\s+T-shirt black M\s+30\n", totals)
    assert re.search(r"ACME-MUG-350\s+Mug 350 ml\s+18\n", totals)  # the name in the first box
    assert re.search(r"ACME-CAP-RED\s+Cap, red\s+10\n", totals)
    assert re.search(r"Total\s+3 boxes, 3 SKUs\s+58\n", totals)
    assert "3 boxes · 58 units" in text and "C10001" in text and "LAX1" in text


def test_a_box_running_onto_the_next_page_repeats_its_band(pdftotext):
    boxes = [
        PackedBox(1, "60 × 40 × 40", "20", tuple((f"ACME-SKU-{i:03d}", f"Product {i}", i) for i in range(1, 61))),
        PackedBox(2, "60 × 40 × 40", "20", (("ACME-SKU-001", "Product 1", 5),)),
    ]
    pdf = render_packing_list_pdf(inbound_number=INBOUND, warehouse=LAX1, customer_code="C10001", boxes=boxes)
    pages = pdftotext(pdf).split("\f")[: page_count(pdf)]

    assert len(pages) >= 3
    assert "Box 1 / 2 (continued)" in pages[1]
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    text = "".join(pages)
    for i in range(1, 61):
        assert f"ACME-SKU-{i:03d}" in text
    assert f"{sum(range(1, 61)) + 5:,}" in text


# --- Lists: invalid input ------------------------------------------------------------------------


def product_kwargs(**kw):
    return {
        "inbound_number": INBOUND,
        "warehouse": LAX1,
        "customer_code": "C10001",
        "lines": [ListLine("ACME-1", "Mug", "", 1)],
    } | kw


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (product_kwargs(lines=[]), r"The product list is empty"),
        (product_kwargs(inbound_number=""), r"The inbound number is missing\."),
        (product_kwargs(customer_code=" "), r"The customer code is missing\."),
        (product_kwargs(warehouse=PartyAddress(" ", "", ())), r"The warehouse has no code\."),
        (product_kwargs(warehouse=PartyAddress("LAX1", "", "1 Main St")), r"address must be a list of text lines"),
        (
            product_kwargs(lines=[ListLine("ACME-1", "Mug", "", -1)]),
            r"Line 1 \('ACME-1'\): the quantity must be a "
            r"whole number, 0 or more; got -1\.",
        ),
        (product_kwargs(lines=[ListLine("ACME-1", "Mug", "", 1.5)]), r"the quantity must be a whole number"),
        (product_kwargs(lines=[ListLine("ACME-1", "Mug", "", 1), ListLine("", "X", "", 1)]), r"Line 2 has no SKU"),
        (product_kwargs(lines=[("ACME-1", "Mug", "", 1)]), r"Line 1 is not a ListLine"),
        (product_kwargs(lines=[ListLine("ACME-1", "Mug", None, 1)]), r"the name and UPC must be text"),
        (product_kwargs(status_label=None), r"The status label must be text"),
    ],
)
def test_invalid_product_list_raises_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        render_product_list_pdf(**kwargs)


def test_a_zero_quantity_line_is_allowed_on_the_product_list():
    pdf = render_product_list_pdf(**product_kwargs(lines=[ListLine("ACME-1", "Mug", "", 0)]))
    assert pdf.startswith(b"%PDF-")


def box(no, *contents, dims="", weight=""):
    return PackedBox(no, dims, weight, contents or (("ACME-1", "Mug", 1),))


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        ([], r"The packing list is empty"),
        ([box(1), box(1)], r"Box numbers must run from 1 to 2 without gaps or repeats; got 1, 1\."),
        ([box(1), box(3)], r"Box numbers must run from 1 to 2 without gaps or repeats; got 1, 3\."),
        ([box(0)], r"Box 1 in the list: the box number must be a whole number, 1 or more; got 0\."),
        ([box(1), "box"], r"Box 2 in the list is not a PackedBox"),
        ([PackedBox(1, "", "", ())], r"Box 1 has no contents"),
        ([box(1, ("ACME-1", "Mug", 0))], r"Box 1 \('ACME-1'\): the quantity must be a whole number, 1 or more"),
        ([box(1, ("ACME-1", 1))], r"Box 1: every content line must be \(SKU, name, quantity\)"),
        ([box(1, weight=8)], r"Box 1: dimensions and weight must be text"),
    ],
)
def test_invalid_packing_list_raises_a_clear_value_error(boxes, message):
    with pytest.raises(ValueError, match=message):
        render_packing_list_pdf(inbound_number=INBOUND, warehouse=LAX1, customer_code="C10001", boxes=boxes)
