"""Products in and out of spreadsheets: the import template, the import job, the export job.

The rules are the product rules (rules.py) via the import services; this module only moves
rows between spreadsheets and those services, and reports progress on the job.
"""

from __future__ import annotations

from pathlib import PurePath

from django.db import transaction
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.core.task_names import task_send_on_commit
from apps.documents.services import job_create, job_fail, job_finish, job_progress, job_start
from apps.documents.toolkit.xlsx import (
    CellError,
    Column,
    SpreadsheetError,
    cell_text,
    is_example_row,
    mark_errors,
    read_header,
    read_table,
    template_xlsx,
    write_xlsx,
)

from .rules import MAX_DECLARED_VALUE, MAX_DIMENSION_CM, MAX_WEIGHT_G
from .selectors import product_list
from .services import products_import

IMPORT_KIND = "product_import"
EXPORT_KIND = "product_export"
SYNC_EXPORT_ROWS = 5000
MAX_REPORTED_PROBLEMS = 500

PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column(
        "sku",
        "SKU",
        note="Your code for the product, unique among your SKUs. Leave empty to use the UPC.",
        example="ACME-TEE-RED-M",
    ),
    Column(
        "upc",
        "UPC",
        note="UPC-A (12 digits) or EAN-13 (13 digits) with a valid check digit, or the SKU again.",
        example="012345678905",
    ),
    Column(
        "name",
        "Product name",
        required=True,
        note="What it is, as your customers know it.",
        example="Organic cotton T-shirt, red, M",
        width=32,
    ),
    Column(
        "customs_name",
        "Declared customs name",
        note="Plain English for customs, e.g. 'Cotton T-shirt'.",
        example="Cotton T-shirt",
        width=24,
    ),
    Column("category", "Category", example="Apparel"),
    Column(
        "declared_value",
        "Declared value",
        required=True,
        note="Value per unit for customs.",
        example=12.5,
        number_range=(0, float(MAX_DECLARED_VALUE)),
    ),
    Column(
        "currency",
        "Currency",
        note="ISO code; USD when empty.",
        example="USD",
        choices=("USD", "EUR", "GBP", "CNY", "CAD", "AUD", "JPY", "HKD"),
    ),
    Column("hs_code", "HS code", note="6 to 10 digits.", example="610910"),
    Column("origin_country", "Country of origin", note="Two-letter code such as CN or US.", example="CN"),
    Column("length_cm", "Length (cm)", example=30, number_range=(0.1, float(MAX_DIMENSION_CM))),
    Column("width_cm", "Width (cm)", example=25, number_range=(0.1, float(MAX_DIMENSION_CM))),
    Column("height_cm", "Height (cm)", example=2, number_range=(0.1, float(MAX_DIMENSION_CM))),
    Column("weight_g", "Weight (g)", note="Whole grams.", example=180, number_range=(1, MAX_WEIGHT_G)),
)
COLUMN_HEADERS = {c.key: c.header for c in PRODUCT_COLUMNS}

EXPORT_COLUMNS = (
    *(c.header for c in PRODUCT_COLUMNS),
    "Measured length (cm)",
    "Measured width (cm)",
    "Measured height (cm)",
    "Measured weight (g)",
    "Status",
    "Created",
)


def product_template() -> bytes:
    return template_xlsx(
        PRODUCT_COLUMNS,
        title="Products",
        instructions=(
            "Fill one row per SKU below the header; the grey row is an example and is ignored.",
            "Columns marked * are required. Hover a header for its note; the Notes sheet lists them all.",
        ),
    )


def check_product_file(data: bytes) -> int | None:
    """The upload request's check of a product file, before it is stored and its job queued: the
    upload checks, the header row and rows below it, without reading the rows (read_header).
    SpreadsheetError says what is wrong; returns the rows the file declares (None: it does not say)."""
    return read_header(data, PRODUCT_COLUMNS).rows


def read_product_rows(data: bytes):
    """Check and read an uploaded product file (the import job); SpreadsheetError says what is wrong with it."""
    table = read_table(data, PRODUCT_COLUMNS)
    rows = [(row.number, _coerce(row.values)) for row in table.rows if not is_example_row(row, PRODUCT_COLUMNS)]
    if not rows:
        raise SpreadsheetError("The file has no product rows below the header (the example row is ignored).")
    return table, rows


def product_import_start(*, actor, data: bytes, name: str, only_valid: bool = False):
    """Check an uploaded product file as far as its header row (check_product_file; SpreadsheetError
    when it is refused, and nothing is stored), store it and queue its import job, which reads the
    rows once (product_import_run) while the job's page shows the progress. With eager Celery (the
    laptop default) the job has run when this returns."""
    rows = check_product_file(data)
    job = job_create(
        actor=actor,
        customer=actor.customer,
        kind=IMPORT_KIND,
        input_bytes=data,
        input_name=name,
        total=rows or 0,
        title=f"Product import: {name}" + (" (valid rows only)" if only_valid else ""),
        params={"only_valid": only_valid},
    )
    task_send_on_commit("catalog.product_import", job.pk, customer_id=actor.customer_id)
    job.refresh_from_db()  # finished already when the task ran eagerly
    return job


def product_export_start(*, actor, filters: dict):
    """Export the filtered products; small lists are written now, big ones in Celery."""
    count = product_list(customer=actor.customer, **filters).count()
    job = job_create(
        actor=actor,
        customer=actor.customer,
        kind=EXPORT_KIND,
        total=count,
        title=f"Product export ({count} product{'s' if count != 1 else ''})",
        params=filters,
    )
    if count <= SYNC_EXPORT_ROWS:
        product_export_run(job_id=job.pk)
        job.refresh_from_db()
    else:
        task_send_on_commit("catalog.product_export", job.pk, customer_id=actor.customer_id)
    return job


def _coerce(values: dict) -> dict:
    """Spreadsheet cells to what the product rules expect: codes typed as numbers back to text
    (Excel drops a UPC-A's leading zero: 11 digits from a number cell are padded to 12)."""
    for key in ("sku", "upc", "hs_code"):
        value = values.get(key)
        if isinstance(value, (int, float)):
            text = cell_text(value)
            if key == "upc" and text and len(text) == 11:
                text = text.zfill(12)
            values[key] = text
    return values


def product_import_run(*, job_id: int) -> None:
    """Run an import job once: read the stored file (the only time its rows are read), check and
    import. A second delivery finds it claimed and does nothing."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    try:
        data = job.input_file.read()
        table, rows = read_product_rows(data)
    except SpreadsheetError as exc:
        job_fail(job_id=job.pk, message=exc.message)
        return
    job.total = len(rows)  # the upload request only had the rows the file declares
    job_progress(job_id=job.pk, done=0, total=len(rows))
    only_valid = bool(job.params.get("only_valid"))
    try:
        _import_rows(job, data, table, rows, only_valid)
    except ApplicationError as exc:
        job_fail(job_id=job.pk, message=exc.message)
    except Exception:
        job_fail(
            job_id=job.pk,
            message="The import failed unexpectedly and nothing was imported. "
            "We have been notified; please try again later.",
        )
        raise


def _import_rows(job, data, table, rows, only_valid) -> None:
    with transaction.atomic():
        check = products_import(
            actor=job.created_by,
            customer=job.customer,
            rows=rows,
            only_valid=only_valid,
            progress=lambda done, total: job_progress(job_id=job.pk, done=done, total=total),
        )
        imported = len(check.valid) if (only_valid or not check.problems) else 0
        problems = sorted(check.problems, key=lambda p: p.row)
        result = {
            "rows": len(rows),
            "valid": len(check.valid),
            "imported": imported,
            "bad_rows": len(check.bad_rows),
            "problem_count": len(problems),
            "problems": [[p.row, COLUMN_HEADERS.get(p.field, ""), p.message] for p in problems[:MAX_REPORTED_PROBLEMS]],
        }
        marked, marked_name = None, ""
        if problems:
            marked = mark_errors(data, [CellError(p.row, p.field, p.message) for p in problems], table=table)
            marked_name = f"{PurePath(job.input_name or 'products').stem}-errors.xlsx"
        job_finish(
            job=job,
            message=_import_message(result, only_valid),
            result=result,
            result_bytes=marked,
            result_name=marked_name,
        )


def _import_message(result: dict, only_valid: bool) -> str:
    if not result["problem_count"]:
        return f"Imported all {result['imported']} products."
    bad = f"{result['bad_rows']} row{'s' if result['bad_rows'] != 1 else ''}"
    if only_valid:
        return (
            f"Imported the {result['imported']} valid products; skipped {bad} with problems "
            "(download the file with the errors marked to fix them)."
        )
    return (
        f"Nothing was imported: {bad} of {result['rows']} have problems. Fix them and upload again, "
        f"or import only the {result['valid']} valid rows."
    )


def product_export_rows(*, customer, filters: dict):
    for p in product_list(customer=customer, **filters).iterator(chunk_size=2000):
        yield (
            p.sku,
            p.upc,
            p.name,
            p.customs_name,
            p.category,
            p.declared_value,
            p.currency,
            p.hs_code,
            p.origin_country,
            p.length_cm,
            p.width_cm,
            p.height_cm,
            p.weight_g,
            p.measured_length_cm,
            p.measured_width_cm,
            p.measured_height_cm,
            p.measured_weight_g,
            "Active" if p.is_active else "Inactive",
            timezone.localtime(p.created_at).replace(tzinfo=None),
        )


def product_export_run(*, job_id: int) -> None:
    job = job_start(job_id=job_id)
    if job is None:
        return
    rows = product_export_rows(customer=job.customer, filters=job.params)
    data = write_xlsx(EXPORT_COLUMNS, rows, sheet_title="Products")
    name = f"products-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    job_finish(job=job, message="Your product export is ready.", result_bytes=data, result_name=name)
