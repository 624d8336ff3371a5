"""Inbound lines and packing lists in and out of XLSX (templates, imports, exports)."""

from __future__ import annotations

from apps.catalog.models import Product
from apps.catalog.selectors import missing_skus, products_by_sku
from apps.documents.toolkit.xlsx import Column, SpreadsheetError, cell_text, read_table, template_xlsx, write_xlsx

LINE_COLUMNS = (
    Column("sku", "SKU", required=True, note="One of your SKUs.", example="ACME-TEE-BLK-M"),
    Column("quantity", "Quantity", required=True, note="Units you send.", example=24, number_range=(1, 1_000_000)),
)
PACKING_COLUMNS = (
    Column(
        "box", "Box no", required=True, note="1, 2, 3… One row per SKU in the box.", example=1, number_range=(1, 2000)
    ),
    Column("sku", "SKU", required=True, example="ACME-TEE-BLK-M"),
    Column("quantity", "Quantity", required=True, example=24, number_range=(1, 1_000_000)),
    Column("length_cm", "Length (cm)", example=40, number_range=(0.1, 300)),
    Column("width_cm", "Width (cm)", example=30, number_range=(0.1, 300)),
    Column("height_cm", "Height (cm)", example=30, number_range=(0.1, 300)),
    Column("weight_kg", "Weight (kg)", example=8.5, number_range=(0.01, 500)),
)


def lines_template() -> bytes:
    return template_xlsx(LINE_COLUMNS, title="Inbound SKUs", instructions=("One row per SKU you send.",))


def packing_template() -> bytes:
    return template_xlsx(
        PACKING_COLUMNS,
        title="Packing list",
        instructions=("One row per SKU per box; repeat the box's size and weight on its first row (or every row).",),
    )


def _int(value, what: str, row: int) -> int:
    text = cell_text(value)
    if not text or not text.isdecimal() or int(text) <= 0:
        raise SpreadsheetError(f"Row {row}: {what} must be a whole number above 0.")
    return int(text)


def _products(customer, skus) -> dict[str, Product]:
    """Lower-cased SKU → the customer's product; every SKU must be one of theirs."""
    found = products_by_sku(customer=customer, skus=skus)
    missing = missing_skus(found, skus)
    if missing:
        raise SpreadsheetError(f"Not your SKUs: {', '.join(missing[:10])}. Create them under Products first.")
    return found


def read_lines(*, customer, data: bytes) -> list[tuple]:
    table = read_table(data, LINE_COLUMNS, max_rows=5000)
    raw = [(cell_text(r.values.get("sku")) or "", r.values.get("quantity"), r.number) for r in table.rows]
    products = _products(customer, {sku for sku, _q, _n in raw if sku})
    return [(products[sku.lower()], _int(q, "the quantity", n)) for sku, q, n in raw]


def lines_xlsx(inbound) -> bytes:
    rows = [
        (line.product.sku, line.product.upc, line.product.name, line.quantity)
        for line in inbound.lines.select_related("product")
    ]
    return write_xlsx(("SKU", "UPC", "Product name", "Quantity"), rows, sheet_title=inbound.number)


def packing_xlsx(inbound) -> bytes:
    rows = []
    for box in inbound.boxes.prefetch_related("items__product"):
        for item in box.items.all():
            rows.append(
                (
                    box.box_no,
                    item.product.sku,
                    item.product.name,
                    item.quantity,
                    box.length_cm,
                    box.width_cm,
                    box.height_cm,
                    box.weight_kg,
                )
            )
    return write_xlsx(
        ("Box no", "SKU", "Product name", "Quantity", "Length (cm)", "Width (cm)", "Height (cm)", "Weight (kg)"),
        rows,
        sheet_title=inbound.number,
    )
