"""The files of an inbound: product list, SKU barcodes, packing list, box marks (built from the
inbound's rows, rendered by the documents app)."""

from __future__ import annotations

from apps.documents.layouts.barcode_labels import Label, render_labels
from apps.documents.layouts.box_marks import BOX_MARK_FORMATS, BoxMark, render_box_marks
from apps.documents.layouts.inbound_lists import ListLine, PackedBox, render_packing_list_pdf, render_product_list_pdf
from apps.documents.toolkit.barcodes import symbology_for
from apps.documents.toolkit.pages import PartyAddress

from .spreadsheets import lines_xlsx, packing_xlsx

PDF, XLSX = "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {
    "product-list.pdf": "Product list (PDF)",
    "product-list.xlsx": "Product list (XLSX)",
    "barcodes.pdf": "SKU barcodes (PDF)",
    "packing-list.pdf": "Packing list (PDF)",
    "packing-list.xlsx": "Packing list (XLSX)",
    "box-marks.pdf": "Box marks (PDF)",
}
NEEDS_BOXES = {"packing-list.pdf", "packing-list.xlsx", "box-marks.pdf"}


def _warehouse(inbound) -> PartyAddress:
    w = inbound.warehouse
    return PartyAddress(code=w.code, name=w.name, lines=tuple(w.address_lines))


def _dims(box) -> str:
    if box.length_cm and box.width_cm and box.height_cm:
        return f"{box.length_cm:g} × {box.width_cm:g} × {box.height_cm:g}"
    return ""


def inbound_document(*, inbound, kind: str, label_format: str = "thermal-50x30", mark_format: str = "100x100"):
    """(bytes, content type, file name) of one of the inbound's documents; ValueError says why not."""
    if kind not in KINDS:
        raise ValueError("Unknown document.")
    boxes = list(inbound.boxes.prefetch_related("items__product"))
    if kind in NEEDS_BOXES and not boxes:
        raise ValueError("Fill in the packing list (step 3) first.")
    lines = list(inbound.lines.select_related("product"))
    stem = inbound.number
    if kind == "product-list.pdf":
        data = render_product_list_pdf(
            inbound_number=inbound.number,
            warehouse=_warehouse(inbound),
            customer_code=inbound.customer.code,
            lines=[
                ListLine(sku=ln.product.sku, name=ln.product.name, upc=ln.product.upc, quantity=ln.quantity)
                for ln in lines
            ],
            status_label=inbound.get_status_display(),
        )
        return data, PDF, f"{stem}-product-list.pdf"
    if kind == "product-list.xlsx":
        return lines_xlsx(inbound), XLSX, f"{stem}-product-list.xlsx"
    if kind == "barcodes.pdf":
        labels = []
        for ln in lines:
            symbology, value = symbology_for(ln.product.sku, ln.product.upc)
            labels.append(
                Label(value=value, symbology=symbology, caption=value, title=ln.product.name, copies=ln.quantity)
            )
        return render_labels(labels, label_format), PDF, f"{stem}-barcodes.pdf"
    if kind == "packing-list.pdf":
        data = render_packing_list_pdf(
            inbound_number=inbound.number,
            warehouse=_warehouse(inbound),
            customer_code=inbound.customer.code,
            boxes=[
                PackedBox(
                    box_no=b.box_no,
                    dimensions_cm=_dims(b),
                    weight_kg=f"{b.weight_kg:g}" if b.weight_kg else "",
                    contents=tuple((i.product.sku, i.product.name, i.quantity) for i in b.items.all()),
                )
                for b in boxes
            ],
        )
        return data, PDF, f"{stem}-packing-list.pdf"
    if kind == "packing-list.xlsx":
        return packing_xlsx(inbound), XLSX, f"{stem}-packing-list.xlsx"
    if mark_format not in BOX_MARK_FORMATS:
        raise ValueError("Choose a box mark size.")
    marks = [
        BoxMark(
            inbound_number=inbound.number,
            box_no=b.box_no,
            box_count=len(boxes),
            warehouse=_warehouse(inbound),
            customer_code=inbound.customer.code,
            contents=tuple((i.product.sku, i.quantity) for i in b.items.all()),
            weight_kg=f"{b.weight_kg:g}" if b.weight_kg else "",
            dimensions_cm=_dims(b),
        )
        for b in boxes
    ]
    return render_box_marks(marks, mark_format), PDF, f"{stem}-box-marks.pdf"
