"""The carrier manifest, on A4: the parcels one carrier picks up at a warehouse — each parcel's
tracking number, order number, channel and weight, the totals — and a box where the driver signs
for them. The manifest number is printed as a Code 128 in the header of every page.

Built on the toolkit's A4 document (`toolkit.a4_documents`), like the pick list. Works on the plain
dataclasses below and needs no Django settings (documents imports no app). Bad input raises
ValueError with a sentence saying what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from ..toolkit.a4_documents import Block, Document, Section, render_document
from ..toolkit.fonts import REGULAR, clean_text, fit
from ..toolkit.pages import (
    MARGIN_X,
    MM,
    PAGE_WIDTH,
    PartyAddress,
    TableColumn,
    check_document_number,
    check_party,
    has_text,
    is_count,
    plain_text,
)
from .shipping_labels import format_weight

MAX_PARCELS = 10_000  # per manifest; a pickup is a few hundred parcels
SIGNATURE_HEIGHT = 46 * MM


@dataclass(frozen=True)
class ManifestParcel:
    tracking_number: str
    order_number: str
    weight_g: int
    channel: str  # the channel's name, e.g. "UPS Ground"
    customer_code: str = ""


def _check_parcel(n: int, parcel: object) -> ManifestParcel:
    if not isinstance(parcel, ManifestParcel):
        raise ValueError(f"Parcel {n} is not a ManifestParcel.")
    if not has_text(parcel.tracking_number):
        raise ValueError(f"Parcel {n} has no tracking number.")
    where = f"Parcel {n} ({parcel.tracking_number!r})"
    if not all(isinstance(v, str) for v in (parcel.order_number, parcel.channel, parcel.customer_code)):
        raise ValueError(f"{where}: the order number, channel and customer code must be text.")
    if not has_text(parcel.order_number):
        raise ValueError(f"{where} has no order number.")
    if not is_count(parcel.weight_g, 1):
        raise ValueError(f"{where}: the weight must be whole grams, 1 or more; got {parcel.weight_g!r}.")
    return parcel


def _signature_block(carrier: str, count: int, weight: str) -> Block:
    """What the driver signs: the parcels received, name, signature and time; beside it the clerk."""

    def draw(canvas: Canvas, top: float) -> None:
        usable = PAGE_WIDTH - 2 * MARGIN_X
        canvas.setLineWidth(0.8)
        canvas.rect(MARGIN_X, top - SIGNATURE_HEIGHT, usable, SIGNATURE_HEIGHT, stroke=1, fill=0)
        statement = fit(
            f"Received by {carrier}: {count:,} parcel{'s' if count != 1 else ''}, {weight} in total, "
            "as listed above, in apparent good order.",
            usable - 8 * MM,
            10,
            7,
            bold=True,
        )
        canvas.setFont(statement.font, statement.size)
        canvas.drawString(MARGIN_X + 4 * MM, top - 7 * MM, statement.lines[0])
        half = usable / 2
        for n, (heading, fields) in enumerate(
            (
                ("Carrier driver", ("Name", "Signature", "Date and time")),
                ("Handed over by (warehouse)", ("Name", "Signature")),
            )
        ):
            x = MARGIN_X + 4 * MM + n * half
            canvas.setFont(REGULAR, 8)
            canvas.setFillGray(0.4)
            canvas.drawString(x, top - 13 * MM, heading.upper())
            canvas.setFillGray(0)
            for row, field in enumerate(fields):
                y = top - (22 + row * 9) * MM
                canvas.setFont(REGULAR, 9)
                canvas.drawString(x, y, field)
                canvas.setLineWidth(0.5)
                canvas.line(x + 24 * MM, y - 1, x + half - 10 * MM, y - 1)

    return Block(SIGNATURE_HEIGHT, draw)


def render_manifest(
    *,
    manifest_number: str,
    carrier_name: str,
    warehouse: PartyAddress,
    parcels: Sequence[ManifestParcel],
    status: str = "",
    opened: str = "",
) -> bytes:
    """An A4 manifest: one row per parcel in the order given (#, tracking number, order, customer,
    channel, weight), the total, then the signature box. The header repeats on every page with the
    manifest number as a Code 128, the carrier, the parcel count and the total weight."""
    manifest_number = check_document_number("Manifest", manifest_number)
    carrier = plain_text(carrier_name, "carrier name")
    if not carrier:
        raise ValueError("The manifest names no carrier.")
    check_party(warehouse, "warehouse")
    status, opened = plain_text(status, "status"), plain_text(opened, "opening note")
    if isinstance(parcels, str) or not isinstance(parcels, Sequence):
        raise ValueError("parcels must be a list of ManifestParcel.")
    if not parcels:
        raise ValueError("The manifest is empty: scan parcels into it before printing.")
    if len(parcels) > MAX_PARCELS:
        raise ValueError(f"Too many parcels: at most {MAX_PARCELS:,} fit in one manifest.")
    rows, grams, seen = [], 0, set()
    for n, parcel in enumerate(parcels, start=1):
        parcel = _check_parcel(n, parcel)
        tracking = clean_text(parcel.tracking_number)
        if tracking in seen:
            raise ValueError(f"Parcel {n}: tracking number {tracking} is listed twice.")
        seen.add(tracking)
        grams += parcel.weight_g
        rows.append(
            (
                str(n),
                tracking,
                clean_text(parcel.order_number),
                clean_text(parcel.customer_code),
                clean_text(parcel.channel),
                format_weight(parcel.weight_g),
            )
        )
    total = format_weight(grams)
    section = Section(
        band="",
        columns=(
            TableColumn("#", 9, "right"),
            TableColumn("Tracking number", 50, code=True),
            TableColumn("Order", 34, code=True),
            TableColumn("Customer", 20),
            TableColumn("Channel", 0),
            TableColumn("Weight", 22, "right"),
        ),
        rows=tuple(rows),
        total=("", f"{len(rows):,} parcel{'s' if len(rows) != 1 else ''}", "", "", "", total),
    )
    facts = [("Carrier", carrier), ("Parcels", f"{len(rows):,}"), ("Weight", total)]
    if status:
        facts.append(("Status", status))
    doc = Document(
        "Carrier manifest",
        "Manifest",
        manifest_number,
        warehouse,
        tuple(facts),
        opened,
        (section,),
        _signature_block(carrier, len(rows), total),
    )
    return render_document(doc)
