"""Customs documents for a parcel leaving its warehouse's country (UPU forms).

- CN 22: for a parcel declared at up to 300 SDR (and few enough lines to fit): one 4 × 6 in page,
  printed on the label printer right after the shipping label and stuck beside it.
- CN 23 and a commercial invoice: for anything above, two A4 documents in one PDF, put in the
  document pouch on the parcel.

Each line is a SKU of the parcel: its customs name, quantity, net weight, value, HS tariff number
and country of origin. Totals are per currency (a parcel may mix them). Which form a parcel needs
is decided by the caller (it knows the SDR rates); this module only draws.

Works on the plain dataclasses below and needs no Django settings (documents imports no app). Bad
input raises ValueError with a sentence saying what is wrong.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.pdfgen.canvas import Canvas

from ..toolkit.a4_documents import Block, Document, Section, render_documents
from ..toolkit.fonts import REGULAR, PdfCanvas, clean_text, fit
from ..toolkit.pages import MARGIN_X, MM, PAGE_WIDTH, PartyAddress, TableColumn, has_text, is_count
from .shipping_labels import PAGE_HEIGHT_MM, PAGE_WIDTH_MM, format_weight

CN22_MAX_LINES = 5  # what fits the 4 × 6 in form; more lines go on a CN 23
CATEGORY = "Sale of goods"
CATEGORIES = ("Gift", "Documents", "Commercial sample", "Returned goods", "Sale of goods", "Other")
DECLARATION = (
    "I certify that the particulars given in this customs declaration are correct and that this item does not "
    "contain any dangerous article or articles prohibited by legislation or by postal or customs regulations."
)


@dataclass(frozen=True)
class CustomsLine:
    description: str  # the SKU's customs name, e.g. "Ceramic mug"
    quantity: int
    net_weight_g: int  # of all the units of the line
    value: Decimal  # of all the units of the line
    currency: str  # "USD"
    hs_code: str  # "691200"
    origin_country: str  # "CN"
    sku: str = ""
    unit_value: Decimal | None = None


@dataclass(frozen=True)
class CustomsDeclaration:
    order_number: str
    sender: PartyAddress  # the warehouse, shipping for the customer
    exporter: str  # the customer's company name
    recipient: PartyAddress  # name, address lines, country last
    lines: tuple[CustomsLine, ...]
    gross_weight_g: int  # the packed parcel (or the estimate before packing)
    tracking_number: str = ""
    carrier_name: str = ""
    postage: str = ""  # "12.40 USD", "" when unknown
    printed_on: date | None = None


def _check(decl: object) -> CustomsDeclaration:
    if not isinstance(decl, CustomsDeclaration):
        raise ValueError("A customs document needs a CustomsDeclaration.")
    if not has_text(decl.order_number):
        raise ValueError("The customs declaration has no order number.")
    if not decl.lines:
        raise ValueError(f"Order {decl.order_number}: a customs declaration needs at least one line.")
    for n, line in enumerate(decl.lines, start=1):
        if not isinstance(line, CustomsLine):
            raise ValueError(f"Line {n} of the customs declaration is not a CustomsLine.")
        missing = [
            what
            for what, value in (
                ("customs name", line.description),
                ("HS code", line.hs_code),
                ("country of origin", line.origin_country),
                ("currency", line.currency),
            )
            if not has_text(value)
        ]
        if missing:
            raise ValueError(f"Line {n} ({line.sku or line.description}) has no {', '.join(missing)}.")
        if not is_count(line.quantity, 1) or not is_count(line.net_weight_g, 0):
            raise ValueError(f"Line {n} ({line.sku}): the quantity and weight must be whole numbers.")
        if not isinstance(line.value, Decimal) or line.value < 0:
            raise ValueError(f"Line {n} ({line.sku}): the value must be a Decimal, 0 or more.")
    if not is_count(decl.gross_weight_g, 0):
        raise ValueError("The parcel's gross weight must be whole grams.")
    return decl


def money(value: Decimal, currency: str) -> str:
    return f"{value.quantize(Decimal('0.01'))} {currency}"


def totals(lines: Sequence[CustomsLine]) -> dict[str, Decimal]:
    """The value per currency, in the order the currencies first appear."""
    out: dict[str, Decimal] = {}
    for line in lines:
        out[line.currency] = out.get(line.currency, Decimal("0")) + line.value
    return out


def total_text(lines: Sequence[CustomsLine]) -> str:
    return " + ".join(money(v, c) for c, v in totals(lines).items())


def _kg(grams: int) -> str:
    return format_weight(grams) if grams else "0 kg"


def _day(decl: CustomsDeclaration) -> str:
    return (decl.printed_on or date.today()).isoformat()


# --- CN 22 on a 4 × 6 in page ------------------------------------------------------------------------


def _text(canvas: Canvas, text: str, x: float, y: float, width: float, size: float, *, bold=False, align="left"):
    fitted = fit(text, width, size, max(5.0, size - 3), bold=bold)
    if not fitted.lines:
        return
    canvas.setFont(fitted.font, fitted.size)
    if align == "right":
        canvas.drawRightString(x + width, y, fitted.lines[0])
    else:
        canvas.drawString(x, y, fitted.lines[0])


def _box(canvas: Canvas, x: float, y: float, ticked: bool) -> None:
    side = 2.8 * MM
    canvas.setLineWidth(0.7)
    canvas.rect(x, y, side, side, stroke=1, fill=0)
    if ticked:
        canvas.setLineWidth(1.1)
        canvas.line(x + 0.5, y + 0.5, x + side - 0.5, y + side - 0.5)
        canvas.line(x + 0.5, y + side - 0.5, x + side - 0.5, y + 0.5)


def render_cn22(decl: CustomsDeclaration) -> bytes:
    """The CN 22 of one parcel on a 4 × 6 in page: category "Sale of goods", one row per line
    (quantity × description, HS code, origin, weight, value), the totals, the declaration, the date
    and the sender."""
    decl = _check(decl)
    if len(decl.lines) > CN22_MAX_LINES:
        raise ValueError(
            f"Order {decl.order_number} has {len(decl.lines)} lines; a CN 22 holds {CN22_MAX_LINES}: use a CN 23."
        )
    width, height = PAGE_WIDTH_MM * MM, PAGE_HEIGHT_MM * MM
    pad = 4 * MM
    inner = width - 2 * pad
    buffer = io.BytesIO()
    canvas = PdfCanvas(buffer, pagesize=(width, height), pageCompression=1, invariant=1)
    canvas.setTitle(f"CN 22 {decl.order_number}")
    canvas.setCreator("Fulfillment Hub")
    y = height - pad - 14
    _text(canvas, "CUSTOMS DECLARATION", pad, y, inner * 0.7, 13, bold=True)
    _text(canvas, "CN 22", pad + inner * 0.7, y, inner * 0.3, 16, bold=True, align="right")
    y -= 12
    _text(canvas, f"Designated operator: {clean_text(decl.carrier_name) or '—'}", pad, y, inner * 0.62, 8)
    _text(canvas, "May be opened officially", pad + inner * 0.62, y, inner * 0.38, 8, align="right")
    y -= 6
    canvas.setLineWidth(1)
    canvas.line(pad, y, width - pad, y)
    # Categories, two columns of three, "Sale of goods" ticked.
    y -= 12
    for n, name in enumerate(CATEGORIES):
        x = pad + (n % 2) * inner / 2
        row_y = y - (n // 2) * 11
        _box(canvas, x, row_y - 1, name == CATEGORY)
        _text(canvas, name, x + 4 * MM, row_y, inner / 2 - 5 * MM, 8.5, bold=name == CATEGORY)
    y -= 3 * 11
    canvas.line(pad, y, width - pad, y)
    # The lines.
    cols = (pad, pad + inner * 0.40, pad + inner * 0.56, pad + inner * 0.66, pad + inner * 0.79, width - pad)
    heads = ("Quantity and description", "HS code", "Origin", "Weight", "Value")
    y -= 9
    for n, head in enumerate(heads):
        _text(
            canvas, head, cols[n] + 1, y, cols[n + 1] - cols[n] - 2, 6.5, bold=True, align="right" if n > 2 else "left"
        )
    y -= 3
    canvas.setLineWidth(0.5)
    canvas.line(pad, y, width - pad, y)
    for line in decl.lines:
        y -= 11
        cells = (
            f"{line.quantity} × {clean_text(line.description)}",
            clean_text(line.hs_code),
            clean_text(line.origin_country),
            _kg(line.net_weight_g),
            money(line.value, line.currency),
        )
        for n, cell in enumerate(cells):
            _text(canvas, cell, cols[n] + 1, y, cols[n + 1] - cols[n] - 2, 8, align="right" if n > 2 else "left")
        y -= 3
        canvas.setStrokeGray(0.6)
        canvas.line(pad, y, width - pad, y)
        canvas.setStrokeGray(0)
    y -= 12
    net = sum(line.net_weight_g for line in decl.lines)
    _text(canvas, f"Total gross weight {_kg(decl.gross_weight_g or net)}", pad, y, inner * 0.45, 9, bold=True)
    _text(
        canvas,
        f"Total value {total_text(decl.lines)}",
        pad + inner * 0.45,
        y,
        inner * 0.55,
        9,
        bold=True,
        align="right",
    )
    y -= 6
    canvas.setLineWidth(1)
    canvas.line(pad, y, width - pad, y)
    # The declaration, the date and who signs.
    statement = fit(DECLARATION, inner, 7, 5.5, 5)
    canvas.setFont(statement.font, statement.size)
    y -= 10
    for text in statement.lines:
        canvas.drawString(pad, y, text)
        y -= statement.size * 1.2
    y -= 6
    _text(canvas, f"Date {_day(decl)}", pad, y, inner * 0.35, 8.5)
    sender = clean_text(decl.exporter) or clean_text(decl.sender.name)
    _text(canvas, f"Sender's signature: {sender}", pad + inner * 0.35, y, inner * 0.65, 8.5, align="right")
    y -= 14
    canvas.setLineWidth(0.8)
    canvas.line(pad + inner * 0.35, y, width - pad, y)
    # What ties the form to the parcel.
    y = pad + 4
    ref = f"Order {decl.order_number}" + (f" · Tracking {decl.tracking_number}" if decl.tracking_number else "")
    _text(canvas, ref, pad, y, inner, 9, bold=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- CN 23 and the commercial invoice on A4 ----------------------------------------------------------

_PARTY_HEIGHT = 30 * MM
_SIGN_HEIGHT = 30 * MM


def _parties_block(decl: CustomsDeclaration, *, first: str, first_party: PartyAddress, with_category: bool) -> Block:
    """Who sends and who receives, side by side; then (CN 23) the category boxes; then the
    declaration, the date and the signature."""
    height = _PARTY_HEIGHT + _SIGN_HEIGHT + (10 * MM if with_category else 0)

    def draw(canvas: Canvas, top: float) -> None:
        usable = PAGE_WIDTH - 2 * MARGIN_X
        half = usable / 2
        for n, (caption, party) in enumerate(((first, first_party), ("To (consignee)", decl.recipient))):
            x = MARGIN_X + n * half
            canvas.setFillGray(0.4)
            canvas.setFont(REGULAR, 7.5)
            canvas.drawString(x, top - 8, caption.upper())
            canvas.setFillGray(0)
            lines = [party.name, *party.lines][:6]
            y = top - 20
            for k, line in enumerate(lines):
                _text(canvas, line, x, y, half - 6 * MM, 10 if k == 0 else 9, bold=k == 0)
                y -= 11
        y = top - _PARTY_HEIGHT
        if with_category:
            x = MARGIN_X
            for name in CATEGORIES:
                _box(canvas, x, y - 9, name == CATEGORY)
                _text(canvas, name, x + 4 * MM, y - 8, usable / len(CATEGORIES) - 5 * MM, 8.5, bold=name == CATEGORY)
                x += usable / len(CATEGORIES)
            y -= 10 * MM
        statement = fit(DECLARATION, usable, 8.5, 6.5, 3)
        canvas.setFont(statement.font, statement.size)
        y -= 10
        for text in statement.lines:
            canvas.drawString(MARGIN_X, y, text)
            y -= statement.size * 1.25
        y -= 12
        _text(canvas, f"Date {_day(decl)}", MARGIN_X, y, half / 2, 9.5)
        who = clean_text(decl.exporter) or clean_text(decl.sender.name)
        _text(canvas, f"Signature ({who})", MARGIN_X + half / 2, y, half, 9.5)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X + half * 1.5, y - 1, MARGIN_X + usable, y - 1)

    return Block(height, draw)


def _facts(decl: CustomsDeclaration) -> tuple[tuple[str, str], ...]:
    facts = []  # the order number is the document's number, over its barcode
    if decl.tracking_number:
        facts.append(("Tracking", decl.tracking_number))
    facts.append(("Date", _day(decl)))
    return tuple(facts)


def _cn23(decl: CustomsDeclaration) -> Document:
    rows = tuple(
        (
            str(n),
            clean_text(line.description),
            str(line.quantity),
            _kg(line.net_weight_g),
            money(line.value, line.currency),
            clean_text(line.hs_code),
            clean_text(line.origin_country),
        )
        for n, line in enumerate(decl.lines, start=1)
    )
    units = sum(line.quantity for line in decl.lines)
    net = sum(line.net_weight_g for line in decl.lines)
    section = Section(
        band="Detailed description of contents",
        columns=(
            TableColumn("#", 8, "right"),
            TableColumn("Description", 0),
            TableColumn("Qty", 12, "right"),
            TableColumn("Net weight", 22, "right"),
            TableColumn("Value", 30, "right"),
            TableColumn("HS tariff no.", 24, code=True),
            TableColumn("Origin", 14),
        ),
        rows=rows,
        total=("", "Total", str(units), _kg(net), total_text(decl.lines), "", ""),
    )
    gross = f"Total gross weight {_kg(decl.gross_weight_g or net)}"
    postage = f" · Postal charges {decl.postage}" if decl.postage else ""
    return Document(
        "Customs declaration CN 23",
        "Order",
        decl.order_number,
        decl.sender,
        _facts(decl),
        f"Category: {CATEGORY} · {gross}{postage} · Operator: {clean_text(decl.carrier_name) or '—'}",
        (section,),
        _parties_block(decl, first="From (sender)", first_party=_from(decl), with_category=True),
    )


def _from(decl: CustomsDeclaration) -> PartyAddress:
    exporter = clean_text(decl.exporter)
    name = f"{exporter} c/o {decl.sender.name}" if exporter else decl.sender.name
    return PartyAddress(decl.sender.code, name, decl.sender.lines)


def _invoice(decl: CustomsDeclaration) -> Document:
    rows = []
    for n, line in enumerate(decl.lines, start=1):
        unit = line.unit_value if line.unit_value is not None else line.value / line.quantity
        rows.append(
            (
                str(n),
                clean_text(line.sku),
                clean_text(line.description),
                clean_text(line.hs_code),
                clean_text(line.origin_country),
                str(line.quantity),
                money(unit, line.currency),
                money(line.value, line.currency),
            )
        )
    section = Section(
        band="Goods",
        columns=(
            TableColumn("#", 8, "right"),
            TableColumn("SKU", 26, code=True),
            TableColumn("Description", 0),
            TableColumn("HS code", 20, code=True),
            TableColumn("Origin", 13),
            TableColumn("Qty", 11, "right"),
            TableColumn("Unit value", 24, "right"),
            TableColumn("Amount", 26, "right"),
        ),
        rows=tuple(rows),
        total=("", "", "Total", "", "", str(sum(line.quantity for line in decl.lines)), "", total_text(decl.lines)),
    )
    return Document(
        "Commercial invoice",
        "Invoice",
        decl.order_number,
        decl.sender,
        _facts(decl),
        f"Reason for export: {CATEGORY} · Currency {', '.join(totals(decl.lines))} · "
        f"Total gross weight {_kg(decl.gross_weight_g or sum(x.net_weight_g for x in decl.lines))}",
        (section,),
        _parties_block(decl, first="Exporter", first_party=_from(decl), with_category=False),
    )


def render_cn23(decl: CustomsDeclaration) -> bytes:
    """The CN 23 and the commercial invoice of one parcel, both A4, in one PDF."""
    decl = _check(decl)
    return render_documents((_cn23(decl), _invoice(decl)))
