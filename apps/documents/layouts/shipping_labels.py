"""Shipping labels: 4 × 6 inch (101.6 × 152.4 mm) thermal labels, one per page, many to a PDF.

From the top: the sender (the warehouse) small on the left and the carrier with its channel and
service big on the right; the recipient, the largest text on the label; a big Code 128 of the
tracking number with "TRACKING #" and the number under it; then the order number over a smaller
Code 128 of it, beside the parcel's facts (parcel i of n, weight, reference, date).

Bars are whole dots of a 203 dpi thermal printer (the common one): the tracking number at up to
four dots (0.5 mm) a module, three (0.375 mm) for the usual 18-character UPS number, fewer only
for long numbers, never below two; the order number at two. Everything is vector, so 300 dpi
printers print it as sharp.

Works on the plain dataclasses below and needs no Django settings (documents imports no app). Bars
and text fitting come from the toolkit (`barcodes`, `fonts`). Bad input raises ValueError
with a sentence saying what is wrong.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from itertools import islice

from ..toolkit.barcodes import CODE128, MAX_LABELS, QUIET_MODULES, DrawPlan, draw_plan, encode, module_width_mm
from ..toolkit.fonts import BOLD, FittedText, PdfCanvas, clean_text, fit, is_complete, place_lines, text_width
from ..toolkit.pages import MM, is_count

PAGE_WIDTH_MM = 101.6  # 4 in
PAGE_HEIGHT_MM = 152.4  # 6 in
PRINTER_DPI = 203
PADDING_MM = 3.0  # kept clear at the label's edges; the barcodes' quiet zones fall inside it
DOT_MM = 25.4 / PRINTER_DPI
TRACKING_MAX_MODULE_MM = 4 * DOT_MM  # 0.5 mm: short tracking numbers get bars this wide
ORDER_MAX_MODULE_MM = 2 * DOT_MM  # 0.25 mm: the order barcode is the smaller one
MIN_MODULE_MM = 2 * DOT_MM  # one-dot bars do not print reliably on a thermal head
MAX_SHIPPING_LABELS = MAX_LABELS  # per PDF

_DOT = 72 / PRINTER_DPI  # points


# --- Input -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelAddress:
    name: str
    company: str
    lines: tuple[str, ...]  # street lines, then "City ST 90001", then the country ("US")
    phone: str = ""


@dataclass(frozen=True)
class ShippingLabel:
    sender: LabelAddress  # the warehouse
    recipient: LabelAddress
    order_number: str  # e.g. "S26112500000421"
    tracking_number: str  # e.g. "1Z999AA10123456784"
    carrier_name: str  # "UPS"
    channel_name: str  # "UPS Ground"
    service_level: str = ""  # e.g. "Ground, 3–5 days"
    weight_g: int = 0  # 0: not printed
    parcel_no: int = 1
    parcel_count: int = 1
    reference: str = ""  # e.g. the customer's own order reference


@dataclass(frozen=True)
class _Bars:
    """The stock a barcode prints on: its widest bar module and the printer's resolution."""

    max_module_mm: float
    printer_dpi: int = PRINTER_DPI


_TRACKING_BARS = _Bars(TRACKING_MAX_MODULE_MM)
_ORDER_BARS = _Bars(ORDER_MAX_MODULE_MM)


# --- Validation ------------------------------------------------------------------------------------


def _check_code(index: int, what: str, value: object) -> str:
    """A barcode value: text, not blank, printable ASCII (all Code 128 holds). Outer spaces are dropped."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"Label {index} has no {what}; every shipping label needs one for its barcode.")
    value = value.strip()
    bad = sorted({ch for ch in value if not 32 <= ord(ch) <= 126})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise ValueError(
            f"Label {index}: the {what} {value!r} cannot be a Code 128 barcode because of {shown}; "
            "use printable ASCII only (letters A-Z and a-z, digits, space and punctuation)."
        )
    return value


def _check_address(index: int, address: object, what: str) -> LabelAddress:
    if not isinstance(address, LabelAddress):
        raise ValueError(f"Label {index}: the {what} must be a LabelAddress (name, company, address lines, phone).")
    if not all(isinstance(v, str) for v in (address.name, address.company, address.phone)):
        raise ValueError(f"Label {index}: the {what}'s name, company and phone must be text (they may be empty).")
    if (
        isinstance(address.lines, str)
        or not isinstance(address.lines, Iterable)
        or not all(isinstance(line, str) for line in address.lines)
    ):
        raise ValueError(f"Label {index}: the {what}'s address must be a list of text lines.")
    if not clean_text(address.name) and not clean_text(address.company):
        raise ValueError(f"Label {index}: the {what} has neither a name nor a company.")
    if not any(clean_text(line) for line in address.lines):
        raise ValueError(f"Label {index}: the {what} has no address lines.")
    return address


def check_shipping_label(index: int, label: object) -> tuple[str, str]:
    """The label's tracking and order numbers, checked, or ValueError saying what is wrong."""
    if not isinstance(label, ShippingLabel):
        raise ValueError(f"Label {index} is not a ShippingLabel.")
    tracking = _check_code(index, "tracking number", label.tracking_number)
    order = _check_code(index, "order number", label.order_number)
    _check_address(index, label.sender, "sender")
    _check_address(index, label.recipient, "recipient")
    texts = (label.carrier_name, label.channel_name, label.service_level, label.reference)
    if not all(isinstance(v, str) for v in texts):
        raise ValueError(f"Label {index}: the carrier, channel, service level and reference must be text.")
    if not clean_text(label.carrier_name) and not clean_text(label.channel_name):
        raise ValueError(f"Label {index} ({tracking!r}) names no carrier: give the carrier or the channel name.")
    if not is_count(label.weight_g, 0):
        raise ValueError(
            f"Label {index} ({tracking!r}): the weight must be whole grams, 0 or more; got {label.weight_g!r}."
        )
    if not is_count(label.parcel_count, 1):
        raise ValueError(
            f"Label {index} ({tracking!r}): the parcel count must be a whole number, 1 or more; "
            f"got {label.parcel_count!r}."
        )
    if not is_count(label.parcel_no, 1) or label.parcel_no > label.parcel_count:
        raise ValueError(
            f"Label {index} ({tracking!r}): the parcel number must be a whole number from 1 to "
            f"{label.parcel_count}; got {label.parcel_no!r}."
        )
    return tracking, order


def format_weight(weight_g: int) -> str:
    """Grams as kilograms to two places: 1250 → "1.25 kg" (at least "0.01 kg" for a few grams)."""
    kg = (Decimal(weight_g) / 1000).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{max(kg, Decimal('0.01'))} kg"


# --- Layout ----------------------------------------------------------------------------------------

# Bands from the top of the label, in mm: header, recipient, tracking barcode, order and facts.
_HEADER_BOTTOM = 124.0
_SHIP_TO_BOTTOM = 75.0
_TRACKING_BOTTOM = 38.0
_FROM_SHARE = 0.52  # of the width, for the sender; the carrier takes the rest
_ORDER_COLUMN_MM = 52.0  # at least; wider when the order barcode needs it
_FACTS_MIN_MM = 30.0
_LEADING = 1.18
_SHIP_TO_SCALES = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6)
# (base size, bold, lines) of the recipient's name, company, each address line and phone.
_NAME, _COMPANY, _LINE, _PHONE = (18.0, True, 2), (13.5, False, 2), (13.5, False, 2), (10.0, False, 1)
CARRIER_SIZE = _NAME[0]  # the carrier is big, but never bigger than the recipient's name


@dataclass(frozen=True)
class LabelPlan:
    tracking: DrawPlan  # the tracking barcode and every line of text on the label
    order: DrawPlan  # the order barcode alone
    rules: tuple[float, ...]  # y (points from the bottom) of the lines across the label


def _bars(
    index: int, what: str, value: str, room_mm: float, bars: _Bars, *, hint_mm: float | None = None
) -> tuple[str, int, float]:
    """(path, modules, module width in mm) of a Code 128 of `value` in `room_mm` with its quiet zones.
    Too long: ValueError, saying how many characters fit in `hint_mm` (default `room_mm`)."""
    symbol = encode(CODE128, value)
    module_mm = module_width_mm(symbol.modules, room_mm, max_module_mm=bars.max_module_mm, printer_dpi=bars.printer_dpi)
    if module_mm is None or module_mm < MIN_MODULE_MM - 1e-9:
        modules = math.floor((hint_mm or room_mm) / MIN_MODULE_MM + 1e-9) - 2 * QUIET_MODULES
        fit_chars = max(0, (modules - 35) // 11)  # start, check and stop: 11 + 11 + 13 modules
        raise ValueError(
            f"Label {index}: the {what} {value!r} is too long for a barcode a {PRINTER_DPI} dpi printer can "
            f"print in its place on a 4 × 6 in label: {len(value)} characters, where about {fit_chars} fit "
            "(more if they are digits)."
        )
    return symbol.rects, symbol.modules, module_mm


def _on_dot(x: float) -> float:
    """`x` (points) moved to the nearest printer dot: bars starting on a dot print at their true width."""
    return round(x / _DOT) * _DOT


def _stack(items: list[tuple[FittedText, float]], x: float, top: float) -> tuple[list, float]:
    """Blocks of text one under the other from `top`, each (fitted, space after it in points);
    returns their placed lines and the y under the last."""
    placed = []
    y = top
    for fitted, after in items:
        if not fitted.lines:
            continue
        placed.append(place_lines(fitted, x, y - 0.78 * fitted.size, leading=_LEADING))
        y -= _LEADING * fitted.size * len(fitted.lines) + after
    return placed, y


def _address(address: LabelAddress, max_lines: int) -> list[str]:
    """The address lines with text in them, at most `max_lines`: the first (street) lines are joined
    when there are more, so the last ones (city and postcode, country) always stand on their own."""
    lines = [clean_text(line) for line in address.lines]
    lines = [line for line in lines if line]
    if len(lines) > max_lines:
        joined = len(lines) - max_lines + 1
        lines = [", ".join(lines[:joined]), *lines[joined:]]
    return lines


def _ship_to(recipient: LabelAddress, width: float, height: float) -> list[tuple[FittedText, float]]:
    """The recipient's name (bold), company, address lines and phone at the largest common scale at
    which all of it fits `height` points without cutting anything. When nothing does, the smallest
    scale, and the company and street lines (then the rest) lose their second line until it fits,
    cut short with an ellipsis."""
    name, company = clean_text(recipient.name), clean_text(recipient.company)
    if not name:
        name, company = company, ""
    phone = clean_text(recipient.phone)
    lines = _address(recipient, 5)
    # (text, (size, bold, lines), cut order: lower loses its second line first)
    pieces = [(name, _NAME, 3), (company, _COMPANY, 0)]
    pieces += [(line, _LINE, 1 if n < len(lines) - 2 else 2) for n, line in enumerate(lines)]
    pieces.append((f"Tel. {phone}" if phone else "", _PHONE, 0))
    pieces = [piece for piece in pieces if piece[0]]

    def attempt(scale: float, limits: list[int]) -> tuple[list[FittedText], bool, float]:
        fitted, whole, used = [], True, 0.0
        for (text, (size, bold, _), _), limit in zip(pieces, limits, strict=True):
            s = size * scale
            f = fit(text, width, s, s, limit, bold=bold)
            fitted.append(f)
            whole = whole and is_complete(f, text)
            used += _LEADING * s * len(f.lines)
        return fitted, whole, used

    limits = [spec[2] for _, spec, _ in pieces]
    for scale in _SHIP_TO_SCALES:
        fitted, whole, used = attempt(scale, limits)
        if whole and used <= height:
            return [(f, 0.0) for f in fitted]
    for n in sorted(range(len(pieces)), key=lambda n: pieces[n][2]):
        if used <= height:
            break
        if len(fitted[n].lines) > 1:
            limits[n] = 1
            fitted, _, used = attempt(scale, limits)
    return [(f, 0.0) for f in fitted]


_fixed = lru_cache(maxsize=256)(fit)  # texts that repeat on every label: captions, "Parcel 1 of 1", the date


@lru_cache(maxsize=64)
def _header(
    sender: tuple[str, str, tuple[str, ...], str], carrier: str, channel: str, service: str, carrier_size: float
) -> tuple:
    """The placed lines of the header: "FROM" and the sender (name, company, address lines, phone,
    already cleaned) small on the left; the carrier big (at most `carrier_size`), its channel and
    service right-aligned."""
    pad = PADDING_MM * MM
    left, right = pad, (PAGE_WIDTH_MM - PADDING_MM) * MM
    width = right - left
    top = (PAGE_HEIGHT_MM - PADDING_MM) * MM
    from_width = _FROM_SHARE * width - 2 * MM
    name, company, lines, phone = sender
    if not name:
        name, company = company, ""
    items = [(fit("FROM", from_width, 6.5, 6.5, bold=True), 1.0)]
    if name:
        items.append((fit(name, from_width, 8.5, 6, bold=True), 0.0))
    if company and company != name:
        items.append((fit(company, from_width, 8, 5.5), 0.0))
    items += [(fit(line, from_width, 8, 5.5), 0.0) for line in lines]
    if phone:
        items.append((fit(f"Tel. {phone}", from_width, 8, 5.5), 0.0))
    placed, _ = _stack(items, left, top)

    carrier_width = (1 - _FROM_SHARE) * width
    items = [
        (fit(carrier, carrier_width, carrier_size, min(10, carrier_size), bold=True), 2.0),
        (fit(channel, carrier_width, 10.5, 7, 2, bold=True), 1.0),
        (fit(service, carrier_width, 8.5, 6.5, 2), 0.0),
    ]
    y = top
    for fitted, after in items:  # right-aligned, one under the other
        if fitted.lines:
            placed.append(place_lines(fitted, right, y - 0.78 * fitted.size, "right", _LEADING))
            y -= _LEADING * fitted.size * len(fitted.lines) + after
    return tuple(placed)


def plan_shipping_label(index: int, label: ShippingLabel, tracking: str, order: str, printed_on: str) -> LabelPlan:
    pad = PADDING_MM * MM
    page_width = PAGE_WIDTH_MM * MM
    left, right = pad, page_width - pad
    width = right - left
    texts: list = []

    # SHIP TO: the biggest text on the label, indented under its caption.
    band_top = _HEADER_BOTTOM * MM - 2 * MM
    caption = _fixed("SHIP TO:", width, 9, 9, bold=True)
    texts.append(place_lines(caption, left, band_top - 0.78 * caption.size))
    indent = 5 * MM
    ship_top = band_top - _LEADING * caption.size - 1
    room = ship_top - (_SHIP_TO_BOTTOM * MM + 2 * MM)
    ship_to = _ship_to(label.recipient, width - indent, room)
    placed, _ = _stack(ship_to, left + indent, ship_top)
    texts += placed

    # Header: the sender small on the left, the carrier big on the right, no bigger than the
    # recipient's name. The same on most labels of a batch, so laid out once.
    sender = label.sender
    texts += _header(
        (clean_text(sender.name), clean_text(sender.company), tuple(_address(sender, 3)), clean_text(sender.phone)),
        clean_text(label.carrier_name),
        clean_text(label.channel_name),
        clean_text(label.service_level),
        min(CARRIER_SIZE, ship_to[0][0].size),
    )
    rules = [_HEADER_BOTTOM * MM]
    rules.append(_SHIP_TO_BOTTOM * MM)

    # The tracking barcode as wide as its quiet zones allow, "TRACKING #" and the number under it.
    rects, modules, module_mm = _bars(
        index, "tracking number", tracking, PAGE_WIDTH_MM - 2 * PADDING_MM, _TRACKING_BARS
    )
    module = module_mm * MM
    caption_size = 9.0
    caption_text = "TRACKING #"
    caption_width = text_width(caption_text, BOLD, caption_size)
    gap = 2 * MM
    number = fit(tracking, width - caption_width - gap, 14, 7, bold=True)
    line_width = caption_width + gap + text_width(number.lines[0], number.font, number.size)
    baseline = _TRACKING_BOTTOM * MM + 2.5 * MM
    start = (page_width - line_width) / 2
    texts.append(
        place_lines(_fixed(caption_text, caption_width + 1, caption_size, caption_size, bold=True), start, baseline)
    )
    texts.append(place_lines(number, start + caption_width + gap, baseline))
    bars_y = baseline + number.size + 1.5 * MM
    bar_height = _SHIP_TO_BOTTOM * MM - 2.5 * MM - bars_y
    tracking_plan = (rects, _on_dot((page_width - modules * module) / 2), bars_y, module, bar_height)
    rules.append(_TRACKING_BOTTOM * MM)

    # The order number over its barcode on the left; the parcel's facts on the right.
    order_symbol = encode(CODE128, order)
    needed_mm = (order_symbol.modules + 2 * QUIET_MODULES) * ORDER_MAX_MODULE_MM
    widest_mm = PAGE_WIDTH_MM - 2 * PADDING_MM - _FACTS_MIN_MM
    order_rects, _, order_module_mm = _bars(
        index, "order number", order, min(widest_mm, needed_mm), _ORDER_BARS, hint_mm=widest_mm
    )
    column_mm = max(_ORDER_COLUMN_MM, needed_mm)
    order_module = order_module_mm * MM
    band_top = _TRACKING_BOTTOM * MM - 2 * MM
    column = column_mm * MM
    items = [(_fixed("ORDER #", column, 7, 7, bold=True), 0.5), (fit(order, column, 12, 7, bold=True), 0.0)]
    placed, y = _stack(items, left, band_top)
    texts += placed
    # The quiet zones lie in the column: left of the bars in the label's padding where it is wide enough.
    order_x = _on_dot(left + max(0.0, QUIET_MODULES * order_module - pad))
    order_y = pad + 1 * MM
    order_plan = (order_rects, order_x, order_y, order_module, y - 1.5 * MM - order_y)

    facts_x = left + column + 2 * MM
    facts_width = right - facts_x
    items = [(_fixed(f"Parcel {label.parcel_no} of {label.parcel_count}", facts_width, 14, 8, bold=True), 3.0)]
    if label.weight_g:
        items.append((fit(f"Weight {format_weight(label.weight_g)}", facts_width, 11, 7, bold=True), 3.0))
    if clean_text(label.reference):
        items.append((fit(f"Ref. {label.reference}", facts_width, 9, 6, 2), 3.0))
    items.append((_fixed(f"Date {printed_on}", facts_width, 8.5, 6), 0.0))
    placed, _ = _stack(items, facts_x, band_top)
    texts += placed

    return LabelPlan(
        tracking=DrawPlan(*tracking_plan, tuple(texts)),
        order=DrawPlan(*order_plan, ()),
        rules=tuple(rules),
    )


# --- Rendering -------------------------------------------------------------------------------------


def render_shipping_labels(labels: Iterable[ShippingLabel], *, printed_on: date | None = None) -> bytes:
    """A PDF with one 4 × 6 in page per ShippingLabel, in the order given, for a thermal printer.
    `printed_on` is the date printed on every label (default: today on this machine's clock; pass
    the warehouse's local date). Every label is checked and laid out before anything is drawn."""
    if printed_on is None:
        printed_on = date.today()  # the server clock: callers pass the warehouse's local date
    if isinstance(printed_on, datetime):
        printed_on = printed_on.date()
    if not isinstance(printed_on, date):
        raise ValueError(f"printed_on must be a date; got {printed_on!r}.")
    day = printed_on.isoformat()
    batch = list(islice(labels, MAX_SHIPPING_LABELS + 1))
    if len(batch) > MAX_SHIPPING_LABELS:
        raise ValueError(
            f"Too many shipping labels: at most {MAX_SHIPPING_LABELS:,} fit in one PDF; print them in batches."
        )
    plans = []
    title = ""
    for index, label in enumerate(batch, start=1):
        tracking, order = check_shipping_label(index, label)
        plans.append(plan_shipping_label(index, label, tracking, order, day))
        if index == 1:
            title = f"Shipping label {tracking}"
    if not plans:
        raise ValueError("There are no shipping labels to print: pick at least one parcel.")

    buffer = io.BytesIO()
    canvas = PdfCanvas(buffer, pagesize=(PAGE_WIDTH_MM * MM, PAGE_HEIGHT_MM * MM), pageCompression=1, invariant=1)
    canvas.setTitle(title if len(plans) == 1 else f"Shipping labels ({len(plans):,})")
    canvas.setCreator("Fulfillment Hub")
    pad = PADDING_MM * MM
    for n, plan in enumerate(plans):
        if n:
            canvas.showPage()
        draw_plan(canvas, plan.tracking, 0, 0)
        draw_plan(canvas, plan.order, 0, 0)
        canvas.setLineWidth(1.2)
        for y in plan.rules:
            canvas.line(pad, y, PAGE_WIDTH_MM * MM - pad, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
