"""Spreadsheets in and out: read an uploaded XLSX into rows, write exports, templates and marked copies.

Plain Python (no Django settings, no other app of the project): every problem with an upload is a
``SpreadsheetError`` whose ``message`` tells a person what is wrong and how to fix it.

- ``read_table``: safety checks (``uploads.check_xlsx_upload``), then python-calamine — fast — finds
  the header row, maps headers to ``Column`` keys and returns ``Row`` objects with raw cell values.
  Coercing values (numbers, dates, codes) is the importer's job; ``cell_text`` helps with codes.
- ``write_xlsx``: exports with openpyxl's write-only mode, neutralising formula injection.
- ``template_xlsx``: the downloadable template with notes, validations and an example row.
- ``mark_errors``: the user's own workbook back, bad cells filled and commented, an "Errors" column.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from .uploads import XLSX_MAX_BYTES, SpreadsheetError, UploadError, check_xlsx_upload, format_size

__all__ = [
    "ERRORS_HEADER",
    "CellError",
    "Column",
    "Row",
    "SpreadsheetError",
    "Table",
    "UploadError",
    "cell_text",
    "check_xlsx_upload",
    "format_size",
    "is_example_row",
    "mark_errors",
    "neutralise",
    "normalize_header",
    "read_table",
    "template_xlsx",
    "write_xlsx",
]

MAX_ROWS = 50_000
# How many rows from the top of the sheet may hold a title and notes before the header row.
HEADER_SEARCH_ROWS = 20
# Data validations in a template cover this many rows below the header.
TEMPLATE_DATA_ROWS = 10_000
# Header of the column ``mark_errors`` adds; ``read_table`` ignores it, so a marked copy,
# once corrected, can be uploaded again as it is.
ERRORS_HEADER = "Errors"
TEMPLATE_HINT = (
    "One row per item below the headers. Columns marked * are required. The grey example row is "
    "ignored on upload. The Notes sheet explains every column."
)
EXCEL_MAX_TEXT = 32_767
MARK_AUTHOR = "Fulfillment Hub"

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_TITLE = re.compile(r"[\[\]:*?/\\]")
_ERROR_FILL = PatternFill(fill_type="solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
_ERROR_FONT = Font(bold=True, color="FF9C0006")
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
_REQUIRED_FILL = PatternFill(fill_type="solid", start_color="FFFCE4D6", end_color="FFFCE4D6")
_EXAMPLE_FONT = Font(italic=True, color="FF808080")


# --------------------------------------------------------------------------------------------
# Describing columns, rows and errors


@dataclass(frozen=True)
class Column:
    """One column of an upload template or an export."""

    key: str  # internal name, e.g. "sku"
    header: str  # header text, e.g. "SKU*" or "SKU"; matching ignores "*", case and spacing
    required: bool = False
    note: str = ""  # shown as a comment on the template's header and on its "Notes" sheet
    example: str | int | float | None = None
    choices: tuple[str, ...] = ()  # -> list data validation in the template
    number_range: tuple[float, float] | None = None  # -> decimal data validation in the template
    width: int = 18
    text: bool = False  # the template formats the column as Text, so codes keep their leading zeros

    @property
    def label(self) -> str:
        """The header without the required-star, as written in exports."""
        return self.header.strip().rstrip("*").rstrip()

    @property
    def template_header(self) -> str:
        return f"{self.label}*" if self.required else self.label


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1-based row number in the spreadsheet, as the user sees it
    values: dict[str, Any]  # column key -> cell value (None when empty or the column is absent)


@dataclass(frozen=True, slots=True)
class CellError:
    row: int  # 1-based spreadsheet row number (Row.number)
    column_key: str | None  # Column.key, or None for a problem with the whole row
    message: str


@dataclass
class Table:
    rows: list[Row]
    header_row: int  # 1-based
    sheet_name: str
    column_numbers: dict[str, int] = field(default_factory=dict)  # key -> 1-based column in the sheet
    headers: dict[str, str] = field(default_factory=dict)  # key -> header text as found in the file
    last_column: int = 0  # 1-based number of the last non-empty header cell
    errors_column: int | None = None  # 1-based column of an "Errors" column left by mark_errors

    def header_for(self, key: str | None) -> str:
        """The header text the user sees for a column key (for error tables)."""
        if key is None:
            return ""
        return self.headers.get(key, key)


class _Headers:
    """Header text -> column key, tolerant of '*', case and spacing."""

    def __init__(self, columns: Sequence[Column]):
        self.columns = list(columns)
        self.by_name: dict[str, Column] = {}
        keys: set[str] = set()
        for column in self.columns:
            name = normalize_header(column.header)
            if not name or column.key in keys or name in self.by_name:
                raise ValueError(f"Columns need unique keys and headers: {column.key!r} / {column.header!r}")
            keys.add(column.key)
            self.by_name[name] = column


def normalize_header(value: Any) -> str:
    """Compare headers ignoring the required-star, case and surrounding or repeated spaces."""
    text = value if isinstance(value, str) else (cell_text(value) or "")
    return " ".join(text.replace("*", " ").split()).casefold()


# --------------------------------------------------------------------------------------------
# Reading


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
    headers = _Headers(columns)
    check_xlsx_upload(data, max_bytes=max_bytes)
    cells, sheet_name, merged, hidden = _load_cells(data, sheet, headers)
    if not _has_values(cells):
        raise SpreadsheetError(
            f'The sheet "{sheet_name}" is empty. Put the headers in the first row and one item per row below them.',
            code="empty_sheet",
        )
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
        raise SpreadsheetError(
            f"The file has headers (row {table.header_row}) but no data rows. "
            "Add one row per item below the header row and upload it again.",
            code="no_rows",
        )
    table.rows = rows
    return table


def _has_values(cells: list[list[Any]]) -> bool:
    return any(any(value != "" for value in row) for row in cells)


def _load_cells(
    data: bytes, sheet: str | None, headers: _Headers
) -> tuple[list[list[Any]], str, list[tuple[tuple[int, int], tuple[int, int]]], list[str]]:
    """The sheet's cells and name, its merged ranges, and the hidden sheets that hold this table's headers."""
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            if sheet is not None:
                if sheet not in workbook.sheet_names:
                    names = ", ".join(f'"{name}"' for name in workbook.sheet_names)
                    raise SpreadsheetError(
                        f'The workbook has no sheet named "{sheet}" (it has {names}). '
                        "Rename the sheet or use the template.",
                        code="sheet_not_found",
                    )
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
        raise SpreadsheetError(
            'The workbook could not be read; it may be damaged. Open it in Excel, save it again as "Excel '
            'Workbook (.xlsx)" and upload the new file.',
            code="unreadable_file",
        ) from exc
    return cells, name, merged, hidden


def _hidden_tables(workbook: CalamineWorkbook, headers: _Headers, reading: str) -> list[str]:
    """Hidden worksheets that look like this upload's table (the sheet being read, if hidden, too).

    A hidden sheet of choice lists (as ``template_xlsx`` writes) is harmless; one with the table's
    headers holds rows the user cannot see, which we would silently leave out (or read unseen).
    """
    needed = max(1, min(2, len(headers.columns)))
    found = []
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible == SheetVisibleEnum.Visible:
            continue
        if meta.name == reading:
            found.append(meta.name)
            continue
        top = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
        for line in top:
            matches = sum(1 for value in line if value != "" and normalize_header(value) in headers.by_name)
            if matches >= needed:
                found.append(meta.name)
                break
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
    raise SpreadsheetError("The workbook has no sheets. Use the template from this page.", code="empty_sheet")


def _find_header_row(cells: list[list[Any]], headers: _Headers) -> int:
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


def _map_headers(line: list[Any], header_row: int, headers: _Headers, sheet_name: str) -> Table:
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


def cell_text(value: Any) -> str | None:
    """A cell as text for codes: 12345678905.0 -> "12345678905", "  AB " -> "AB", empty -> None.

    A number that Excel stored for a code typed without quotes loses its leading zeros; put them
    back where the code has a fixed length (a UPC-A has 12 digits: ``text.zfill(12)``).
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip() or None


def is_example_row(row: Row | Mapping[str, Any], columns: Sequence[Column]) -> bool:
    """True when the row is the template's example row, unchanged (the importer skips it)."""
    values = row.values if isinstance(row, Row) else row
    if all(cell_text(column.example) is None for column in columns):
        return False
    return all(cell_text(values.get(column.key)) == cell_text(column.example) for column in columns)


# --------------------------------------------------------------------------------------------
# Writing


def neutralise(text: str) -> str:
    """Defuse formula injection: text starting with = + - @ tab or CR gets a leading apostrophe."""
    if text.startswith(_FORMULA_TRIGGERS):
        return "'" + text
    return text


def _clean_text(text: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > EXCEL_MAX_TEXT:
        text = text[:EXCEL_MAX_TEXT]
    return neutralise(text)


def _export_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, Decimal)):
        return value
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        # Excel has no time zones: an aware value is written as its wall-clock time in its own zone
        # (call django.utils.timezone.localtime first to show the user's time).
        return value.replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, (dt.date, dt.timedelta)):
        return value
    return _clean_text(str(value))


def _sheet_title(title: str) -> str:
    cleaned = _BAD_SHEET_TITLE.sub(" ", title).strip().strip("'")[:31].strip()
    return cleaned or "Sheet1"


def write_xlsx(
    columns: Sequence[Column] | Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_title: str = "Sheet1"
) -> bytes:
    """An export: bold frozen header, one row per item; text is neutralised against formula injection.

    Numbers (int, float, Decimal) stay numbers and dates stay dates. Headers of ``Column`` objects
    are written without the required-star.
    """
    labels = [column.label if isinstance(column, Column) else str(column) for column in columns]
    rows = iter(rows)
    head = [list(row) for _, row in zip(range(100), rows, strict=False)]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    for index, column in enumerate(columns):
        if isinstance(column, Column):
            width = column.width
        else:
            lengths = [len(labels[index])] + [len(cell_text(row[index]) or "") for row in head if index < len(row)]
            width = min(max(max(lengths) + 2, 8), 60)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=_clean_text(label))
        cell.font = bold
        cell.fill = _HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in head:
        sheet.append([_export_value(value) for value in row])
    for row in rows:
        sheet.append([_export_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx(columns: Sequence[Column], *, title: str, instructions: Sequence[str] = ()) -> bytes:
    """The upload template: title and instructions, starred headers with notes, a grey example row,
    list and number validations over the data rows, and a "Notes" sheet describing every column."""
    headers = _Headers(columns)
    lines = [title, *instructions, TEMPLATE_HINT]
    if len(lines) >= HEADER_SEARCH_ROWS:
        raise ValueError(f"At most {HEADER_SEARCH_ROWS - 3} instruction lines fit above the header row.")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    last = get_column_letter(max(len(columns), 1))
    total_width = max(sum(column.width for column in columns), 10)
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1, value=_clean_text(line))
        if number == 1:
            cell.font = Font(bold=True, size=14)
            sheet.row_dimensions[number].height = 22
        else:
            # Merged cells never grow to fit, so give wrapped lines the height they need.
            cell.font = Font(italic=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.row_dimensions[number].height = 15 * max(1, math.ceil(len(line) / total_width))
        if len(columns) > 1:
            sheet.merge_cells(f"A{number}:{last}{number}")

    header_row = len(lines) + 1
    first_data, last_data = header_row + 1, header_row + TEMPLATE_DATA_ROWS
    lists_sheet = None
    for index, column in enumerate(headers.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
        cell = sheet.cell(row=header_row, column=index, value=column.template_header)
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        cell.comment = _comment(_column_help(column), author=title)

        if column.example is not None:
            example = sheet.cell(row=header_row + 1, column=index, value=_export_value(column.example))
            example.font = _EXAMPLE_FONT
            if column.text:
                example.number_format = "@"

        target = f"{letter}{first_data}:{letter}{last_data}"
        if column.choices:
            inline = ",".join(column.choices)
            if len(inline) <= 250 and not any("," in choice or '"' in choice for choice in column.choices):
                source = f'"{inline}"'
            else:
                if lists_sheet is None:
                    lists_sheet = workbook.create_sheet("Lists")
                    lists_sheet.sheet_state = "hidden"
                for offset, choice in enumerate(column.choices, start=1):
                    lists_sheet.cell(row=offset, column=index, value=_clean_text(choice))
                source = f"Lists!${letter}$1:${letter}${len(column.choices)}"
            validation = DataValidation(type="list", formula1=source, allow_blank=True)
            validation.error = f"Choose one of the values in the list for {column.label}."
        elif column.number_range is not None:
            low, high = column.number_range
            validation = DataValidation(
                type="decimal", operator="between", formula1=f"{low:g}", formula2=f"{high:g}", allow_blank=True
            )
            validation.error = f"{column.label} must be a number from {low:g} to {high:g}."
        else:
            continue
        validation.errorTitle = column.label
        validation.showErrorMessage = True
        validation.add(target)
        sheet.add_data_validation(validation)
    sheet.freeze_panes = f"A{header_row + 1}"

    notes = workbook.create_sheet("Notes")
    notes.append(["Column", "Required", "Note", "Example", "Allowed values"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    for column in headers.columns:
        allowed = ", ".join(column.choices)
        if column.number_range is not None:
            allowed = f"a number from {column.number_range[0]:g} to {column.number_range[1]:g}"
        notes.append(
            [
                _clean_text(column.template_header),
                "Yes" if column.required else "No",
                _clean_text(column.note),
                _export_value(column.example),
                _clean_text(allowed),
            ]
        )
    for letter, width in zip("ABCDE", (24, 10, 70, 22, 40), strict=True):
        notes.column_dimensions[letter].width = width
    for line in notes.iter_rows(min_row=2):
        line[2].alignment = Alignment(wrap_text=True, vertical="top")
    notes.freeze_panes = "A2"
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_help(column: Column) -> str:
    parts = [column.note.strip()] if column.note.strip() else []
    parts.append("Required." if column.required else "Optional.")
    if column.choices:
        parts.append("One of: " + ", ".join(column.choices) + ".")
    if column.number_range is not None:
        parts.append(f"A number from {column.number_range[0]:g} to {column.number_range[1]:g}.")
    if column.example is not None:
        parts.append(f"Example: {cell_text(column.example)}")
    return "\n".join(parts)


def _comment(text: str, *, author: str) -> Comment:
    lines = text.splitlines() or [""]
    height = min(40 + 18 * sum(1 + len(line) // 40 for line in lines), 400)
    return Comment(ILLEGAL_CHARACTERS_RE.sub("", text), author[:60], height=height, width=300)


# --------------------------------------------------------------------------------------------
# Marking errors in the user's own file


def mark_errors(data: bytes, errors: Sequence[CellError], *, table: Table) -> bytes:
    """The uploaded workbook with each bad cell filled light red and commented, and an "Errors" column.

    ``table`` is what ``read_table`` returned for the same bytes: it says where the header row and
    each column are. Rows without errors are left as they are, except that marks this function
    made on an earlier upload of the same file (fill, comment, old "Errors" cells) are cleared.
    """
    check_xlsx_upload(data, max_bytes=max(len(data), 1))  # the size was the caller's business
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops
            workbook = load_workbook(io.BytesIO(data), rich_text=False)
        sheet = workbook[table.sheet_name]
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as exc:
        raise SpreadsheetError(
            'The workbook could not be opened to mark the errors. Open it in Excel, save it again as "Excel '
            'Workbook (.xlsx)" and upload the new file.',
            code="unreadable_file",
        ) from exc

    errors_column = table.errors_column or table.last_column + 1
    if table.errors_column is not None:
        _clear_old_marks(sheet, table)
    header = sheet.cell(row=table.header_row, column=errors_column, value=ERRORS_HEADER)
    header.font = _ERROR_FONT
    header.fill = _ERROR_FILL
    sheet.column_dimensions[get_column_letter(errors_column)].width = 60

    by_row: dict[int, list[CellError]] = defaultdict(list)
    for error in errors:
        by_row[error.row].append(error)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number in sorted(by_row):
        by_cell: dict[int, list[str]] = defaultdict(list)
        lines = []
        for error in by_row[row_number]:
            number = table.column_numbers.get(error.column_key) if error.column_key else None
            if number is not None:
                by_cell[number].append(error.message)
                lines.append(f"{table.header_for(error.column_key)}: {error.message}")
            elif error.column_key:
                lines.append(f"{error.column_key}: {error.message}")
            else:
                lines.append(error.message)
        for number, messages in by_cell.items():
            cell = sheet.cell(row=row_number, column=number)
            cell.fill = _ERROR_FILL
            text = "\n".join(messages)
            if cell.comment is not None and cell.comment.author != MARK_AUTHOR:
                text = f"{text}\n\n{cell.comment.text}"  # keep the user's own note
            cell.comment = _comment(text, author=MARK_AUTHOR)
        cell = sheet.cell(row=row_number, column=errors_column, value=_clean_text("\n".join(lines)))
        cell.font = _ERROR_FONT
        cell.fill = _ERROR_FILL
        cell.alignment = wrap
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _clear_old_marks(sheet, table: Table) -> None:
    """Undo an earlier mark_errors on this file, so fixed cells do not stay red."""
    columns = [*table.column_numbers.values(), table.errors_column]
    for line in sheet.iter_rows(min_row=table.header_row + 1, max_col=max(columns)):
        for cell in line:
            if cell.column == table.errors_column:
                if cell.value is not None or cell.has_style:
                    cell.value = None
                    cell.style = "Normal"
                continue
            if cell.comment is not None and cell.comment.author == MARK_AUTHOR:
                cell.comment = None
                if cell.fill == _ERROR_FILL:
                    cell.fill = PatternFill(fill_type=None)
