"""Spreadsheets in and out: read an uploaded XLSX into rows, write exports, templates and marked copies.

Plain Python (no Django settings, no other app of the project): every problem with an upload is a
``SpreadsheetError`` whose ``message`` tells a person what is wrong and how to fix it.

- ``read_table`` (``reader``): safety checks (``uploads.check_xlsx_upload``), then python-calamine
  finds the header row, maps headers to ``Column`` keys and returns ``Row`` objects with raw values.
- ``read_header`` (``reader``): the same checks for everything at the top of the workbook (sheets,
  header row, rows below it), read as a stream (``peek.WorkbookPeek``) without the rows — what an
  upload request runs before it queues the job that calls ``read_table``.
- ``write_xlsx``, ``template_xlsx``, ``mark_errors`` (``writer``): exports neutralised against
  formula injection, the downloadable template, and the user's own workbook with its errors marked.
- ``Column``, ``Row``, ``CellError``, ``Table``, ``cell_text`` (``columns``): what both share.

This package is the import path for callers; its modules are the parts.
"""

from ..uploads import XLSX_MAX_BYTES, SpreadsheetError, UploadError, check_xlsx_upload, format_size
from .columns import (
    ERRORS_HEADER,
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    CellError,
    Column,
    ColumnHeaders,
    Row,
    Table,
    cell_text,
    is_example_row,
    normalize_header,
)
from .peek import WorkbookPeek
from .reader import Header, read_header, read_table
from .writer import TEMPLATE_HINT, mark_errors, neutralise, template_xlsx, write_xlsx

__all__ = [
    "ERRORS_HEADER",
    "HEADER_SEARCH_ROWS",
    "MAX_ROWS",
    "TEMPLATE_HINT",
    "XLSX_MAX_BYTES",
    "CellError",
    "Column",
    "ColumnHeaders",
    "Header",
    "Row",
    "SpreadsheetError",
    "Table",
    "UploadError",
    "WorkbookPeek",
    "cell_text",
    "check_xlsx_upload",
    "format_size",
    "is_example_row",
    "mark_errors",
    "neutralise",
    "normalize_header",
    "read_header",
    "read_table",
    "template_xlsx",
    "write_xlsx",
]
