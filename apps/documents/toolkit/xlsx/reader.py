"""Reading an uploaded XLSX into rows: ``read_table``; checking its header row alone: ``read_header``.

Safety checks first (``uploads.check_xlsx_upload``), then python-calamine — fast — finds the header
row, maps headers to ``Column`` keys and returns ``Row`` objects with raw cell values. Coercing
values (numbers, dates, codes) is the importer's job; ``cell_text`` helps with codes. Every problem
is a ``SpreadsheetError`` whose ``message`` tells a person what is wrong and how to fix it.

``read_header`` is what an upload request runs before it stores the file and queues the job that
calls ``read_table``: the same checks and messages for everything found at the top of the workbook
(the sheets, hidden copies of the table, the header row, rows below it), read as a stream
(``peek``) so that its cost does not grow with the rows.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ..uploads import XLSX_MAX_BYTES, SpreadsheetError, UploadError, check_xlsx_upload
from .columns import (
    ERRORS_HEADER,
    HEADER_SEARCH_ROWS,
    MAX_ROWS,
    Column,
    ColumnHeaders,
    Row,
    Table,
    cell_text,
    is_example_row,
    normalize_header,
)
from .peek import WorkbookPeek


def read_table(
    data: bytes,
    columns: Sequence[Column],
    *,
    max_rows: int = MAX_ROWS,
    sheet: str | None = None,
    max_bytes: int = XLSX_MAX_BYTES,
    skip_example: bool = True,
) -> Table:
    """Read an uploaded XLSX into rows keyed by ``Column.key``, or raise ``SpreadsheetError``.

    Strings come back stripped ('' becomes None), numbers as floats (calamine's reading of the
    file), dates as ``date``/``datetime``, booleans as ``bool``; nothing else is coerced. Fully blank
    rows are skipped, and so is the template's example row when it is the first row and unchanged
    (``skip_example``). ``Row.number`` is the row number the user sees in Excel.
    """
    headers = ColumnHeaders(columns)
    check_xlsx_upload(data, max_bytes=max_bytes)
    cells, sheet_name, merged, hidden = _load_cells(data, sheet, headers)
    if not _has_values(cells):
        raise _empty_sheet(sheet_name)
    header_index = _find_header_row(cells, headers)
    _check_hidden_sheets(hidden, sheet_name)
    _check_merged_cells(merged, header_index, sheet_name)
    table = _map_headers(cells[header_index], header_index + 1, headers, sheet_name)

    positions = [(key, number - 1) for key, number in table.column_numbers.items()]
    absent = [column.key for column in headers.columns if column.key not in table.column_numbers]
    rows: list[Row] = []
    count = 0
    for index in range(header_index + 1, len(cells)):
        line = cells[index]
        values: dict[str, Any] = {}
        blank = True
        for key, position in positions:
            value = line[position]
            if value.__class__ is str:
                value = value.strip()
                if not value:
                    value = None
                elif value[0] == "'" and len(value) > 1 and value[1] in "=+-@":
                    value = value[1:]  # undo write_xlsx's neutralising, so an export re-imports as it was
            if value is not None:
                blank = False
            values[key] = value
        if blank:
            continue
        count += 1
        if count > max_rows:
            continue  # only counting now, for the message
        for key in absent:
            values[key] = None
        rows.append(Row(index + 1, values))
    if skip_example and rows and is_example_row(rows[0], headers.columns):
        rows.pop(0)
        count -= 1
    if count > max_rows:
        raise SpreadsheetError(
            f"The file has {count:,} rows; split it into files of at most {max_rows:,} rows.",
            code="too_many_rows",
        )
    if not rows:
        raise _no_rows(table.header_row)
    table.rows = rows
    return table


@dataclass
class Header:
    table: Table  # the header row and its columns, as read_table finds them; no rows
    rows: int | None  # data rows below the header: exact in a short sheet, else as the sheet declares, or None


def read_header(
    data: bytes,
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    max_bytes: int = XLSX_MAX_BYTES,
    skip_example: bool = True,
) -> Header:
    """Check an upload as far as its header row, without reading the rows below: ``SpreadsheetError``
    with read_table's message for anything wrong there. What needs every row (merged cells in the
    table, too many rows, each row's values) is left to read_table."""
    headers = ColumnHeaders(columns)
    check_xlsx_upload(data, max_bytes=max_bytes)
    try:
        with WorkbookPeek(data) as workbook:
            if sheet is not None and sheet not in workbook.sheet_names:
                raise _missing_sheet(sheet, workbook.sheet_names)
            name = sheet if sheet is not None else _first_peeked_worksheet(workbook)
            top = workbook.top(name, HEADER_SEARCH_ROWS)
            hidden = [
                meta.name
                for meta in workbook.sheets
                if meta.worksheet
                and not meta.visible
                and (meta.name == name or _holds_table(workbook.top(meta.name, HEADER_SEARCH_ROWS).rows, headers))
            ]
    except UploadError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except Exception as exc:
        raise _unreadable() from exc
    if not _has_values(top.rows) and not top.more:
        raise _empty_sheet(name)
    header_index = _find_header_row(top.rows, headers)
    _check_hidden_sheets(hidden, name)
    table = _map_headers(top.rows[header_index], header_index + 1, headers, name)
    if top.more:  # rows go on below the top of the sheet
        declared = top.last_row - table.header_row if top.last_row else None
        return Header(table, declared if declared and declared > 0 else None)
    positions = [(key, number - 1) for key, number in table.column_numbers.items()]
    below = [{key: line[position] for key, position in positions} for line in top.rows[header_index + 1 :]]
    below = [values for values in below if any(cell_text(value) is not None for value in values.values())]
    if skip_example and below and is_example_row(below[0], headers.columns):
        below.pop(0)
    if not below:
        raise _no_rows(table.header_row)
    return Header(table, len(below))


def _empty_sheet(name: str) -> SpreadsheetError:
    return SpreadsheetError(
        f'The sheet "{name}" is empty. Put the headers in the first row and one item per row below them.',
        code="empty_sheet",
    )


def _no_rows(header_row: int) -> SpreadsheetError:
    return SpreadsheetError(
        f"The file has headers (row {header_row}) but no data rows. "
        "Add one row per item below the header row and upload it again.",
        code="no_rows",
    )


def _missing_sheet(sheet: str, names: Sequence[str]) -> SpreadsheetError:
    listed = ", ".join(f'"{name}"' for name in names)
    return SpreadsheetError(
        f'The workbook has no sheet named "{sheet}" (it has {listed}). Rename the sheet or use the template.',
        code="sheet_not_found",
    )


def _unreadable() -> SpreadsheetError:
    return SpreadsheetError(
        'The workbook could not be read; it may be damaged. Open it in Excel, save it again as "Excel '
        'Workbook (.xlsx)" and upload the new file.',
        code="unreadable_file",
    )


def _no_sheets() -> SpreadsheetError:
    return SpreadsheetError("The workbook has no sheets. Use the template from this page.", code="empty_sheet")


def _first_peeked_worksheet(workbook: WorkbookPeek) -> str:
    for meta in workbook.sheets:
        if meta.worksheet and meta.visible:
            return meta.name
    if workbook.sheets:
        return workbook.sheets[0].name
    raise _no_sheets()


def _holds_table(top: list[list[Any]], headers: ColumnHeaders) -> bool:
    """A row of these top rows has this table's headers (two of them, or the only one)."""
    needed = max(1, min(2, len(headers.columns)))
    return any(
        sum(1 for value in line if value != "" and normalize_header(value) in headers.by_name) >= needed for line in top
    )


def _has_values(cells: list[list[Any]]) -> bool:
    return any(any(value != "" for value in row) for row in cells)


def _load_cells(
    data: bytes, sheet: str | None, headers: ColumnHeaders
) -> tuple[list[list[Any]], str, list[tuple[tuple[int, int], tuple[int, int]]], list[str]]:
    """The sheet's cells and name, its merged ranges, and the hidden sheets that hold this table's headers."""
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            if sheet is not None:
                if sheet not in workbook.sheet_names:
                    raise _missing_sheet(sheet, workbook.sheet_names)
                name = sheet
            else:
                name = _first_worksheet(workbook)
            worksheet = workbook.get_sheet_by_name(name)
            cells = worksheet.to_python(skip_empty_area=False)
            merged = list(worksheet.merged_cell_ranges or ())
            hidden = _hidden_tables(workbook, headers, name)
    except UploadError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except BaseException as exc:  # calamine raises its own errors, and a Rust panic is a BaseException
        raise _unreadable() from exc
    return cells, name, merged, hidden


def _hidden_tables(workbook: CalamineWorkbook, headers: ColumnHeaders, reading: str) -> list[str]:
    """Hidden worksheets that look like this upload's table (the sheet being read, if hidden, too).

    A hidden sheet of choice lists (as ``template_xlsx`` writes) is harmless; one with the table's
    headers holds rows the user cannot see, which we would silently leave out (or read unseen).
    """
    found = []
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible == SheetVisibleEnum.Visible:
            continue
        if meta.name == reading:
            found.append(meta.name)
            continue
        top = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
        if _holds_table(top, headers):
            found.append(meta.name)
    return found


def _check_hidden_sheets(hidden: list[str], sheet_name: str) -> None:
    if not hidden:
        return
    if sheet_name in hidden:
        raise SpreadsheetError(
            f'The sheet "{sheet_name}" is hidden in Excel, so you cannot see the rows we would import. Unhide it '
            "(right-click a sheet tab › Unhide), check its rows and upload the file again.",
            code="hidden_sheet",
        )
    raise SpreadsheetError(
        f"The workbook has a hidden {_plural(hidden, 'sheet')} with the same columns: {_quoted(hidden)}. Only the "
        f'visible sheet "{sheet_name}" would be imported, and the hidden rows would be left out without you seeing '
        "them. Unhide it (right-click a sheet tab › Unhide), move the rows you want into "
        f'"{sheet_name}" or delete the hidden sheet, and upload the file again.',
        code="hidden_sheet",
    )


def _check_merged_cells(merged: list, header_index: int, sheet_name: str) -> None:
    """Merged cells in the header or data rows: Excel keeps a merged value in its first cell only,
    so every other row of the merge would be read as empty. Titles above the header may be merged."""
    ranges = [
        f"{get_column_letter(c1 + 1)}{r1 + 1}:{get_column_letter(c2 + 1)}{r2 + 1}"
        for (r1, c1), (r2, c2) in sorted(merged)
        if r2 >= header_index
    ]
    if not ranges:
        return
    shown = ", ".join(ranges[:5]) + (f" and {len(ranges) - 5} more" if len(ranges) > 5 else "")
    raise SpreadsheetError(
        f'The sheet "{sheet_name}" has merged cells in its table ({shown}). A merged cell keeps its value in '
        "its first row only, so the other rows would be read as empty. Select the table, choose Merge & Center › "
        "Unmerge Cells, fill in every row and upload the file again.",
        code="merged_cells",
    )


def _first_worksheet(workbook: CalamineWorkbook) -> str:
    for meta in workbook.sheets_metadata:
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible:
            return meta.name
    if workbook.sheet_names:
        return workbook.sheet_names[0]
    raise _no_sheets()


def _find_header_row(cells: list[list[Any]], headers: ColumnHeaders) -> int:
    # The row matching the most headers wins (the first on a tie), so a title that happens to equal
    # one header does not pass for the header row.
    best, best_matches = 0, 0
    for index, line in enumerate(cells[:HEADER_SEARCH_ROWS]):
        matches = sum(1 for value in line if value != "" and normalize_header(value) in headers.by_name)
        if matches > best_matches:
            best, best_matches = index, matches
    if best_matches:
        return best
    expected = ", ".join(column.template_header for column in headers.columns)
    raise SpreadsheetError(
        f"No header row found in the first {HEADER_SEARCH_ROWS} rows. One row must hold the column headers: "
        f"{expected}. Download the template from this page to see the layout.",
        code="header_not_found",
    )


def _map_headers(line: list[Any], header_row: int, headers: ColumnHeaders, sheet_name: str) -> Table:
    table = Table(rows=[], header_row=header_row, sheet_name=sheet_name)
    unknown: list[str] = []
    repeated: list[str] = []
    errors_name = normalize_header(ERRORS_HEADER)
    for position, value in enumerate(line):
        if value == "" or value is None:
            continue
        text = value.strip() if isinstance(value, str) else (cell_text(value) or "")
        if not text:
            continue
        table.last_column = position + 1
        name = normalize_header(text)
        column = headers.by_name.get(name)
        if column is None:
            if name == errors_name and table.errors_column is None:
                table.errors_column = position + 1
            else:
                unknown.append(text)
        elif column.key in table.column_numbers:
            repeated.append(text)
        else:
            table.column_numbers[column.key] = position + 1
            table.headers[column.key] = text
    missing = [
        column.template_header
        for column in headers.columns
        if column.required and column.key not in table.column_numbers
    ]
    problems = []
    if missing:
        problems.append(f"It lacks the required {_plural(missing, 'column')}: {_quoted(missing)}.")
    if unknown:
        problems.append(f"It has {_plural(unknown, 'column')} this upload does not take: {_quoted(unknown)}.")
    if repeated:
        problems.append(f"It repeats {_plural(repeated, 'column')}: {_quoted(repeated)}.")
    if problems:
        raise SpreadsheetError(
            f"The header row (row {header_row}) does not match the template. {' '.join(problems)} "
            "Use the headers of the template from this page; the column order does not matter.",
            code="bad_headers",
        )
    return table


def _plural(items: Sequence[str], word: str) -> str:
    return word if len(items) == 1 else f"{word}s"


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(f'"{item}"' for item in items)
