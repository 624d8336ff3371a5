"""The description of a spreadsheet's columns, rows and errors, shared by the reader and the writer.

Plain Python (no Django settings, no other app of the project). ``cell_text`` turns a cell into
the text of a code; ``normalize_header`` is how headers are matched (ignoring "*", case and spacing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

MAX_ROWS = 50_000
# How many rows from the top of the sheet may hold a title and notes before the header row.
HEADER_SEARCH_ROWS = 20
# Header of the column ``mark_errors`` adds; ``read_table`` ignores it, so a marked copy,
# once corrected, can be uploaded again as it is.
ERRORS_HEADER = "Errors"


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


class ColumnHeaders:
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
