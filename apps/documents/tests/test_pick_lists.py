"""Outbound paperwork: the pick list and the carrier manifest scan back to their numbers on every
page, show every line, run over pages with their headings, and refuse bad input with a sentence.

The decode and text tests render the PDF the way a printer would (pdftoppm at 300 dpi, read with
zxing-cpp) or extract its text with pdftotext. They skip where poppler-utils or zxing-cpp is
missing, and fail instead on CI.
"""

import re
import subprocess
from html import unescape

import pytest
from PIL import Image

from apps.documents.layouts.manifests import ManifestParcel, render_manifest
from apps.documents.layouts.pick_lists import PickListLine, render_pick_list
from apps.documents.toolkit.pages import PartyAddress

MM = 72 / 25.4
WAVE = "PW2611250001"
MANIFEST = "MF2611250003"
LAX1 = PartyAddress(
    "LAX1", "Fulfillment Hub Los Angeles", ("1200 E Warehouse Way, Dock 4", "Los Angeles, CA 90021", "US")
)


def order_number(n: int) -> str:
    return f"S2611250{n:06d}1"


def pick_lines(n: int = 12, *, upc: str = "036000291452") -> list[PickListLine]:
    """n lines over n // 3 orders (slots), walking A-01-01, A-01-02 …; the last one has no bin."""
    lines = [
        PickListLine(
            bin=f"A-{i // 4 + 1:02d}-{i % 4 + 1:02d}",
            sku=f"ACME-SKU-{i:03d}",
            name=f"Organic cotton T-shirt, colour {i}",
            quantity=i % 5 + 1,
            slot=i // 3 + 1,
            order_number=order_number(i // 3 + 1),
            upc=upc if i % 2 else "",
        )
        for i in range(n - 1)
    ]
    last = n - 1
    lines.append(
        PickListLine(
            bin="",
            sku="ACME-UNSHELVED",
            name="Just received",
            quantity=2,
            slot=last // 3 + 1,
            order_number=order_number(last // 3 + 1),
        )
    )
    return lines


def parcels(n: int = 3) -> list[ManifestParcel]:
    return [
        ManifestParcel(
            tracking_number=f"1Z999AA1{i:010d}",
            order_number=order_number(i),
            weight_g=450 + i * 100,
            channel="UPS Ground",
            customer_code="C10001",
        )
        for i in range(1, n + 1)
    ]


# --- Helpers -------------------------------------------------------------------------------------


def decode(zxingcpp, pdf: bytes, tmp_path) -> list[list[str]]:
    """Per page, the text of every Code 128 zxing-cpp reads on the whole page printed at 300 dpi."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(path), str(tmp_path / "page")], check=True)
    result = []
    for page in sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        with Image.open(page) as image:
            result.append(sorted(c.text for c in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)))
    return result


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def words_with_boxes(pdftotext, pdf: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    html = pdftotext(pdf, "-bbox")
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", html, re.DOTALL):
        words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)
        pages.append([(float(a), float(b), float(c), float(d), unescape(w)) for a, b, c, d, w in words])
    return pages


# --- The pick list -------------------------------------------------------------------------------


def test_every_page_of_a_long_pick_list_scans_to_the_wave_number(zxing, tmp_path):
    pdf = render_pick_list(wave_number=WAVE, warehouse=LAX1, lines=pick_lines(90), criteria="LAX1")
    pages = page_count(pdf)
    assert pages >= 3
    assert decode(zxing, pdf, tmp_path) == [[WAVE]] * pages


def test_the_pick_list_shows_every_line_in_walking_order_and_the_cart_slots(pdftotext):
    lines = pick_lines(40, upc="")  # names on one line, so each row is one line of text
    pdf = render_pick_list(
        wave_number=WAVE,
        warehouse=LAX1,
        lines=lines,
        created="Created 2026-11-25 10:02 by warehouse@hub.example",
        criteria="LAX1, UPS Ground",
    )
    text = pdftotext(pdf, "-layout")
    pages = page_count(pdf)

    rows = [line for line in text.splitlines() if re.match(r"\s*\d+\s+(A-\d\d-\d\d|NO BIN)\s", line)]
    assert len(rows) == len(lines)
    for row, line in zip(rows, lines, strict=True):  # bin, SKU, quantity, slot and order on one row, in order
        assert re.search(
            rf"{line.bin or 'NO BIN'}\s+{line.sku}\s.*\s{line.quantity}\s+{line.slot}\s+"
            rf"{line.order_number}",
            row,
        ), row
    units = sum(line.quantity for line in lines)
    assert re.search(rf"Total\s+40 lines\s+39 bins, 14 orders\s+{units}", text)
    assert "Cart slots: put each order's units in its slot" in text
    assert re.search(rf"\n\s*14\s+{order_number(14)}\s+1\s+2\s*\n", text)  # the last slot: 1 line, 2 units
    assert "Created 2026-11-25 10:02 by warehouse@hub.example · Orders: LAX1, UPS Ground" in text
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text
    assert text.count(f"Wave {WAVE}") >= 2 * pages  # header and footer on every page
    assert len(re.findall(r"Bin\s+SKU\s+Name\s+Qty\s+Slot\s+Order\s+Picked", text)) >= pages - 1  # headings repeat


def test_pick_list_words_stay_inside_the_page_margins(pdftotext):
    lines = [
        PickListLine(
            bin="MEZZANINE-AISLE-42-RACK-7",
            sku="ACME-" + "VERY-LONG-SKU-" * 3,
            name="Extraordinarily long product name " * 8,
            quantity=1_234,
            slot=1,
            order_number=order_number(1),
            upc="036000291452",
        ),
        PickListLine(
            bin="B-01-01",
            sku="有机棉T恤-红-M",
            name="有机棉T恤 红色 M码 限量版 " * 6,
            quantity=3,
            slot=1,
            order_number=order_number(1),
        ),
    ]
    pdf = render_pick_list(wave_number=WAVE, warehouse=LAX1, lines=lines, criteria="x" * 400)
    for words in words_with_boxes(pdftotext, pdf):
        for x0, _, x1, _, word in words:
            assert x0 >= 15 * MM - 0.5 and x1 <= (210 - 15) * MM + 0.5, word


def test_the_pick_list_is_deterministic():
    first = render_pick_list(wave_number=WAVE, warehouse=LAX1, lines=pick_lines())
    assert first.startswith(b"%PDF") and first == render_pick_list(wave_number=WAVE, warehouse=LAX1, lines=pick_lines())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lines": []}, "The pick list is empty"),
        ({"lines": "A-01-01"}, "lines must be a list of PickListLine"),
        ({"wave_number": " "}, "The wave number is missing"),
        ({"wave_number": "PW26–1"}, "cannot be a Code 128 barcode"),
        ({"wave_number": "PW" + "x" * 60}, "too long for the header barcode"),
        ({"warehouse": "LAX1"}, "The warehouse must be a PartyAddress"),
        ({"lines": [PickListLine("A-01-01", "", "Tee", 1, 1, "S1")]}, "Line 1 has no SKU"),
        (
            {"lines": [PickListLine("A-01-01", "TEE", "Tee", 0, 1, "S1")]},
            "the quantity must be a whole number, 1 or more",
        ),
        ({"lines": [PickListLine("A-01-01", "TEE", "Tee", 1, 0, "S1")]}, "the slot must be a whole number, 1 or more"),
        ({"lines": [PickListLine("A-01-01", "TEE", "Tee", 1, 1, "")]}, "has no order number"),
        ({"lines": [PickListLine(None, "TEE", "Tee", 1, 1, "S1")]}, "must be text"),
        (
            {"lines": [PickListLine("A", "TEE", "Tee", 1, 1, "S1"), PickListLine("B", "MUG", "Mug", 1, 1, "S2")]},
            "slot 1 holds order S1, not S2",
        ),
    ],
)
def test_an_invalid_pick_list_raises_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        render_pick_list(**{"wave_number": WAVE, "warehouse": LAX1, "lines": pick_lines(3), **kwargs})


# --- The manifest --------------------------------------------------------------------------------


def test_every_page_of_a_long_manifest_scans_to_the_manifest_number(zxing, tmp_path):
    pdf = render_manifest(manifest_number=MANIFEST, carrier_name="UPS", warehouse=LAX1, parcels=parcels(60))
    pages = page_count(pdf)
    assert pages >= 2
    assert decode(zxing, pdf, tmp_path) == [[MANIFEST]] * pages


def test_the_manifest_lists_every_parcel_the_totals_and_a_signature_box_once(pdftotext):
    listed = parcels(60)
    pdf = render_manifest(
        manifest_number=MANIFEST,
        carrier_name="UPS",
        warehouse=LAX1,
        parcels=listed,
        status="Open",
        opened="Opened 2026-11-25 09:00",
    )
    text = pdftotext(pdf, "-layout")
    pages = page_count(pdf)

    for n, parcel in enumerate(listed, start=1):
        weight = f"{parcel.weight_g / 1000:.2f} kg"
        assert re.search(
            rf"\b{n}\s+{parcel.tracking_number}\s+{parcel.order_number}\s+C10001\s+UPS Ground\s+{weight}", text
        ), parcel
    total = sum(p.weight_g for p in listed) / 1000
    assert re.search(rf"60 parcels\s+{total:,.2f} kg", text)
    assert text.count("Received by UPS: 60 parcels") == 1
    last_page = text.split("\f")[pages - 1]
    assert "Received by UPS" in last_page and "CARRIER DRIVER" in last_page and "Signature" in last_page
    assert "Opened 2026-11-25 09:00" in text and "Carrier manifest" in text
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text


def test_a_one_parcel_manifest_says_parcel(pdftotext):
    text = pdftotext(
        render_manifest(manifest_number=MANIFEST, carrier_name="DHL", warehouse=LAX1, parcels=parcels(1)), "-layout"
    )
    assert "Received by DHL: 1 parcel, 0.55 kg in total" in text


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"parcels": []}, "The manifest is empty"),
        ({"carrier_name": " "}, "The manifest names no carrier"),
        ({"manifest_number": ""}, "The manifest number is missing"),
        ({"parcels": [ManifestParcel("", "S1", 100, "UPS Ground")]}, "Parcel 1 has no tracking number"),
        ({"parcels": [ManifestParcel("1Z1", "", 100, "UPS Ground")]}, "has no order number"),
        ({"parcels": [ManifestParcel("1Z1", "S1", 0, "UPS Ground")]}, "the weight must be whole grams, 1 or more"),
        (
            {"parcels": [ManifestParcel("1Z1", "S1", 100, "UPS"), ManifestParcel("1Z1", "S2", 100, "UPS")]},
            "tracking number 1Z1 is listed twice",
        ),
        ({"parcels": ["1Z1"]}, "Parcel 1 is not a ManifestParcel"),
    ],
)
def test_an_invalid_manifest_raises_a_clear_value_error(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        render_manifest(
            **{"manifest_number": MANIFEST, "carrier_name": "UPS", "warehouse": LAX1, "parcels": parcels(2), **kwargs}
        )
