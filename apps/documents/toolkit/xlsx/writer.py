"""Writing spreadsheets: exports (``write_xlsx``), upload templates (``template_xlsx``) and the
user's own workbook back with its errors marked (``mark_errors``).

Exports use openpyxl's write-only mode and neutralise formula injection (``neutralise``).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..uploads import SpreadsheetError, check_xlsx_upload
from .columns import ERRORS_HEADER, HEADER_SEARCH_ROWS, CellError, Column, ColumnHeaders, Table, cell_text

# Data validations in a template cover this many rows below the header.
TEMPLATE_DATA_ROWS = 10_000
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
    headers = ColumnHeaders(columns)
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
            allowed = f"a number from {_range_text(column.number_range)}"
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


def _range_text(number_range) -> str:
    """ "1 to 100,000", "0 to 10,000,000", "0.5 to 2": as people write numbers, never "1e+07"."""
    return " to ".join(format(Decimal(str(n)).normalize(), ",f") for n in number_range)


def _column_help(column: Column) -> str:
    parts = [column.note.strip()] if column.note.strip() else []
    parts.append("Required." if column.required else "Optional.")
    if column.choices:
        parts.append("One of: " + ", ".join(column.choices) + ".")
    if column.number_range is not None:
        parts.append(f"A number from {_range_text(column.number_range)}.")
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
