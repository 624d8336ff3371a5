"""4 × 6 in shipping labels: each page scans back to its tracking and order numbers, at a thermal
printer's 203 dpi and at 300 dpi, and every text fits its place.

The decode and text tests render the PDF the way a printer would (pdftoppm, read with zxing-cpp) or
extract its text with pdftotext. They skip where poppler-utils or zxing-cpp is missing, and fail
instead on CI.
"""

import re
import subprocess
from datetime import date, datetime

import pytest
from PIL import Image

from apps.documents.layouts.shipping_labels import (
    CARRIER_SIZE,
    MAX_SHIPPING_LABELS,
    PADDING_MM,
    PAGE_HEIGHT_MM,
    PAGE_WIDTH_MM,
    LabelAddress,
    ShippingLabel,
    check_shipping_label,
    format_weight,
    plan_shipping_label,
    render_shipping_labels,
)

from .pdf_checks import page_count, pdf_streams, words_with_boxes

MM = 72 / 25.4
DOT_MM = 25.4 / 203
DAY = date(2026, 11, 25)

WAREHOUSE = LabelAddress(
    "Fulfillment Hub Los Angeles",
    "Fulfillment Hub Inc.",
    ("1200 E Warehouse Way, Dock 4", "Los Angeles CA 90021", "US"),
    "+1 213 555 0100",
)
JANE = LabelAddress(
    "Jane Doe", "Acme Corp", ("742 Evergreen Terrace", "Apt 12B", "Springfield IL 62704", "US"), "+1 217 555 0199"
)
LONG = LabelAddress(
    "Maximilian Alexander Featherstonehaugh-Worthington III " * 2,
    "The Extraordinarily Long Company Name Holdings International LLC " * 2,
    (
        "12345 North Very Long Boulevard Name Extension, Building 7, Suite 1200, Attention Receiving " * 3,
        "c/o Mailroom, Floor 3, Desk 14, Behind the big red door " * 3,
        "Second floor, the door at the end of the corridor on the left",
        "Loading bay 9",
        "Ring the bell twice",
        "San Francisco CA 94105-1234",
        "United States of America",
    ),
    "+1 415 555 0123 ext. 4567",
)
WANG = LabelAddress(
    "王小明", "", ("上海市浦东新区张江路 88 号 3 号楼 1201 室", "上海 200120", "CN"), "+86 21 5555 0100"
)


def label(tracking="1Z999AA10123456784", order="S26112500000421", **kw) -> ShippingLabel:
    fields = {
        "sender": WAREHOUSE,
        "recipient": JANE,
        "order_number": order,
        "tracking_number": tracking,
        "carrier_name": "UPS",
        "channel_name": "UPS Ground",
        "service_level": "Ground, 3–5 days",
        "weight_g": 1250,
        "parcel_no": 1,
        "parcel_count": 2,
        "reference": "PO-88812",
    } | kw
    return ShippingLabel(**fields)


# Different carriers and tracking formats, a long address, a Chinese recipient.
BATCH = [
    label(),
    label(
        "9400100912345000000016",
        "S26112500000439",
        carrier_name="USPS",
        channel_name="USPS Ground Advantage",
        service_level="2–5 days",
        recipient=LONG,
        weight_g=480,
        parcel_no=2,
        parcel_count=2,
        reference="CUSTOMER-REFERENCE-123456789-ABCDEFG " * 3,
    ),
    label(
        "3318810025",
        "S26112500000447",
        carrier_name="DHL",
        channel_name="DHL Express Worldwide",
        service_level="1–3 days",
        recipient=WANG,
        weight_g=730,
        parcel_count=1,
        reference="",
    ),
    label(
        "YT2611250000000018",
        "S26112500000454",
        carrier_name="YunExpress",
        channel_name="YunExpress Global Direct",
        service_level="",
        weight_g=0,
        parcel_count=1,
    ),
    label("GM5369000000000012", "S26112500000462", carrier_name="DHL eCommerce", channel_name="DHL Parcel Expedited"),
    label("FHGR0000000012346", "S26112500000470", carrier_name="Fulfillment Hub", channel_name="FHGR Local Courier"),
    label(
        "961234567890123456789012345678901234", "S26112500000488", carrier_name="FedEx", channel_name="FedEx Ground"
    ),  # a long (34-digit) number
]


# --- Helpers -------------------------------------------------------------------------------------


def decode(zxingcpp, pdf: bytes, tmp_path, dpi: int, *options: str) -> list[list[str]]:
    """Per page, the text of every Code 128 zxing-cpp reads on the page rendered at `dpi`."""
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), *options, "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    result = []
    for page in pages:
        with Image.open(page) as image:
            assert image.size == (round(PAGE_WIDTH_MM / 25.4 * dpi), round(PAGE_HEIGHT_MM / 25.4 * dpi))
            codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
        result.append(sorted(code.text for code in codes))
    return result


def plan_of(n: int, item: ShippingLabel):
    return plan_shipping_label(n, item, *check_shipping_label(n, item), DAY.isoformat())


# --- The barcodes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dpi", "options"),
    [
        # A thermal head: 203 dots an inch, each on or off (no anti-aliasing).
        (203, ("-aa", "no", "-aaVector", "no")),
        (203, ()),
        (300, ()),
    ],
)
def test_every_page_scans_to_exactly_its_tracking_and_order_number(zxing, tmp_path, dpi, options):
    pdf = render_shipping_labels(BATCH, printed_on=DAY)

    assert page_count(pdf) == len(BATCH)
    assert decode(zxing, pdf, tmp_path, dpi, *options) == [
        sorted([item.tracking_number, item.order_number]) for item in BATCH
    ]


@pytest.mark.parametrize(
    ("tracking", "dots"),
    [
        ("1Z999AA10123456784", 3),  # UPS: 189 modules, 0.375 mm
        ("9400100912345000000016", 4),  # USPS: all digits, 156 modules, 0.5 mm
        ("3318810025", 4),
        ("YT2611250000000018", 4),
        ("961234567890123456789012345678901234", 3),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2),  # long: shrunk, but never under two dots
    ],
)
def test_the_tracking_barcode_is_whole_printer_dots_and_as_wide_as_its_quiet_zones_allow(tracking, dots):
    plan = plan_of(1, label(tracking)).tracking

    module_mm = plan.module / MM
    assert module_mm == pytest.approx(dots * DOT_MM)
    if dots >= 3:
        assert module_mm >= 0.33
    modules = round(float(plan.rects.rsplit("\n", 1)[1].split()[0]) + float(plan.rects.rsplit("\n", 1)[1].split()[2]))
    quiet = 10 * plan.module
    pad = PADDING_MM * MM
    # Quiet zones inside the padding, and one more dot a module would not fit.
    assert plan.bars_x - quiet >= pad - 0.5 * DOT_MM * MM
    assert plan.bars_x + modules * plan.module + quiet <= (PAGE_WIDTH_MM - PADDING_MM) * MM + 0.5 * DOT_MM * MM
    if dots < 4:
        assert (modules + 20) * (dots + 1) * DOT_MM > PAGE_WIDTH_MM - 2 * PADDING_MM
    # The bars start on a printer dot, and are tall.
    assert plan.bars_x / (72 / 203) == pytest.approx(round(plan.bars_x / (72 / 203)), abs=1e-6)
    assert plan.bar_height >= 25 * MM


def test_the_order_barcode_is_smaller_and_clear_of_the_text():
    plan = plan_of(1, label())
    assert plan.order.module == pytest.approx(2 * DOT_MM * MM)
    assert plan.order.bar_height < plan.tracking.bar_height
    assert plan.order.bar_height >= 15 * MM


def test_no_text_lies_on_the_bars_or_their_quiet_zones(pdftotext):
    pdf = render_shipping_labels(BATCH, printed_on=DAY)
    height = PAGE_HEIGHT_MM * MM
    pad = PADDING_MM * MM - 0.5
    for n, (item, words) in enumerate(zip(BATCH, words_with_boxes(pdftotext, pdf), strict=True), start=1):
        plan = plan_of(n, item)
        zones = []
        for bars in (plan.tracking, plan.order):
            modules = int(bars.rects.rsplit("\n", 1)[1].split()[0]) + int(bars.rects.rsplit("\n", 1)[1].split()[2])
            quiet = 10 * bars.module
            # In pdftotext's coordinates: from the top.
            zones.append(
                (
                    bars.bars_x - quiet,
                    height - bars.bars_y - bars.bar_height,
                    bars.bars_x + modules * bars.module + quiet,
                    height - bars.bars_y,
                )
            )
        assert words
        for x0, y0, x1, y1, word in words:
            assert pad <= x0 and x1 <= PAGE_WIDTH_MM * MM - pad, (n, word)
            assert pad <= y0 and y1 <= height - pad, (n, word)
            for zx0, zy0, zx1, zy1 in zones:
                assert x1 <= zx0 or x0 >= zx1 or y1 <= zy0 or y0 >= zy1, (n, word)


# --- The text ------------------------------------------------------------------------------------


def test_labels_show_recipient_city_order_and_the_parcel_facts(pdftotext):
    pdf = render_shipping_labels(BATCH, printed_on=DAY)
    pages = pdftotext(pdf).split("\f")

    first = pages[0]
    for expected in (
        "FROM",
        "Fulfillment Hub Los Angeles",
        "Los Angeles CA 90021",
        "UPS",
        "UPS Ground",
        "Ground, 3–5 days",
        "SHIP TO:",
        "Jane Doe",
        "Acme Corp",
        "742 Evergreen Terrace",
        "Apt 12B",
        "Springfield IL 62704",
        "Tel. +1 217 555 0199",
        "TRACKING # 1Z999AA10123456784",
        "ORDER #",
        "S26112500000421",
        "Parcel 1 of 2",
        "Weight 1.25 kg",
        "Ref. PO-88812",
        "Date 2026-11-25",
    ):
        assert expected in first, expected
    # The long address is shrunk and cut, but the city and country stay whole.
    assert "San Francisco CA 94105-1234" in pages[1] and "United States of America" in pages[1]
    assert "Maximilian Alexander" in pages[1] and "S26112500000439" in pages[1] and "Parcel 2 of 2" in pages[1]
    # The Chinese recipient: an embedded CJK face, and the text is there to extract.
    assert b"+WenQuanYiZenHei" in pdf and b"/FontFile2" in pdf and b"/STSong-Light" not in pdf
    assert "王小明" in pages[2] and "上海 200120" in pages[2] and "S26112500000447" in pages[2]
    assert "Ref." not in pages[2] and "Weight" not in pages[3]  # no reference, no weight: nothing printed
    assert "TRACKING # 961234567890123456789012345678901234" in pages[6]


def test_the_recipient_is_the_most_prominent_text():
    plan = plan_of(1, label()).tracking
    sizes = {line: size for _font, size, lines in plan.texts for _x, _y, line in lines}
    assert sizes["Jane Doe"] == max(sizes.values()) == CARRIER_SIZE == sizes["UPS"]
    assert sizes["Springfield IL 62704"] > sizes["Fulfillment Hub Los Angeles"]
    # Squeezed by a long address, the name shrinks; the carrier shrinks with it.
    plan = plan_of(1, label(recipient=LONG)).tracking
    sizes = {line: size for _font, size, lines in plan.texts for _x, _y, line in lines}
    assert sizes["UPS"] == sizes["Maximilian Alexander Featherstonehaugh-"] < CARRIER_SIZE


def test_a_long_address_shrinks_before_it_is_cut():
    plan = plan_of(
        1, label(recipient=LabelAddress("Jane Doe", "", ("1 Very Long Street Name " * 3, "Springfield IL 62704", "US")))
    ).tracking
    lines = [line for _font, _size, placed in plan.texts for _x, _y, line in placed]
    assert "…" not in "".join(lines)
    assert "Springfield IL 62704" in lines


def test_format_weight():
    assert format_weight(1250) == "1.25 kg"
    assert format_weight(1005) == "1.01 kg"  # half up
    assert format_weight(25_000) == "25.00 kg"
    assert format_weight(80) == "0.08 kg"
    assert format_weight(3) == "0.01 kg"  # never "0.00 kg" for something that weighs


# --- The PDF itself ------------------------------------------------------------------------------


def test_labels_are_vector_4x6_pages_and_deterministic():
    pdf = render_shipping_labels(BATCH, printed_on=DAY)

    assert pdf.startswith(b"%PDF-")
    assert b"/FlateDecode" in pdf
    content = b"\n".join(pdf_streams(pdf))
    assert b" re" in content and b"\nf Q" in content  # the bars: filled rectangles
    assert not re.search(rb"/Subtype\s*/Image", pdf + content)
    assert not re.search(rb"(?:^|\s)BI\s", content)  # no inline images either
    assert b"/XObject" not in pdf
    assert re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf) == [(b"288", b"432")] * len(BATCH)
    assert pdf == render_shipping_labels(BATCH, printed_on=DAY)
    assert pdf != render_shipping_labels(BATCH, printed_on=date(2026, 11, 26))


def test_labels_accept_a_generator_a_datetime_and_default_to_today(pdftotext):
    text = pdftotext(render_shipping_labels((label() for _ in range(2)), printed_on=datetime(2026, 11, 25, 23, 59)))
    assert text.count("Date 2026-11-25") == 2
    assert f"Date {date.today().isoformat()}" in pdftotext(render_shipping_labels([label()]))


# --- Invalid input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([], r"There are no shipping labels to print"),
        ([label(), "label"], r"Label 2 is not a ShippingLabel\."),
        ([label(tracking="")], r"Label 1 has no tracking number; every shipping label needs one for its barcode\."),
        ([label(tracking="  ")], r"Label 1 has no tracking number"),
        ([label(tracking=None)], r"Label 1 has no tracking number"),
        ([label(), label(order="")], r"Label 2 has no order number"),
        (
            [label(tracking="1Z999AÄ1012345678é")],
            r"Label 1: the tracking number '1Z999AÄ1012345678é' cannot be a "
            r"Code 128 barcode because of 'Ä', 'é'; use printable ASCII only",
        ),
        ([label(order="S2611250000042\t1")], r"the order number 'S2611250000042\\t1' cannot be a Code 128 barcode"),
        (
            [label(tracking="ABCDEFGHIJKLMNOPQRSTUVWXYZABCD")],
            r"Label 1: the tracking number 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCD' is too long for a barcode "
            r"a 203 dpi printer",
        ),
        (
            [label(order="ORDER-ABCDEFGHIJKLMN")],
            r"the order number 'ORDER-ABCDEFGHIJKLMN' is too long .* 20 "
            r"characters, where about 18 fit \(more if they are digits\)\.",
        ),
        ([label(recipient="Jane Doe")], r"Label 1: the recipient must be a LabelAddress"),
        ([label(recipient=LabelAddress("", "", ("Main St",)))], r"the recipient has neither a name nor a company"),
        ([label(recipient=LabelAddress("Jane", "", ("", " ")))], r"Label 1: the recipient has no address lines\."),
        ([label(recipient=LabelAddress("Jane", "", "Main St"))], r"the recipient's address must be a list"),
        ([label(sender=LabelAddress("", "", ()))], r"the sender has neither a name nor a company"),
        ([label(carrier_name="", channel_name="")], r"names no carrier"),
        ([label(weight_g=-1)], r"the weight must be whole grams, 0 or more; got -1\."),
        ([label(weight_g=1.5)], r"the weight must be whole grams"),
        ([label(parcel_no=3, parcel_count=2)], r"the parcel number must be a whole number from 1 to 2; got 3\."),
        ([label(parcel_no=True)], r"the parcel number must be a whole number"),
        ([label(parcel_count=0)], r"the parcel count must be a whole number, 1 or more; got 0\."),
        ([label(reference=None)], r"the carrier, channel, service level and reference must be text"),
    ],
)
def test_invalid_labels_raise_a_clear_value_error(labels, message):
    with pytest.raises(ValueError, match=message):
        render_shipping_labels(labels, printed_on=DAY)


def test_printed_on_must_be_a_date():
    with pytest.raises(ValueError, match=r"printed_on must be a date; got '2026-11-25'\."):
        render_shipping_labels([label()], printed_on="2026-11-25")


def test_too_many_labels_fail_before_any_is_laid_out():
    def endless():
        while True:
            yield label()

    with pytest.raises(ValueError, match=r"Too many shipping labels: at most 10,000 fit in one PDF"):
        render_shipping_labels(endless(), printed_on=DAY)
    assert MAX_SHIPPING_LABELS == 10_000
