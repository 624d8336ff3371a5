"""Looking at the top of an uploaded XLSX without reading its rows: ``WorkbookPeek``.

An upload request checks a file's sheets and header row, then stores it and queues the job that reads
it whole. This reads the workbook's list of sheets and the first rows of a sheet as a stream — each zip
entry inflated as it is read, its XML fed through defusedxml's ``iterparse`` — and stops there, so its
cost does not grow with the rows below. Shared strings are read only up to the highest one those rows
use. Call it on bytes ``uploads.check_xlsx_upload`` has passed.

Plain Python: no Django settings, no other app of the project.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree as DefusedET

_OFFICE_DOCUMENT = "officeDocument/2006/relationships"
_SAFE = {"forbid_dtd": True, "forbid_entities": True, "forbid_external": True}


@dataclass(frozen=True)
class SheetMeta:
    name: str
    visible: bool
    worksheet: bool  # False for a chart or dialog sheet
    path: str  # the part inside the zip, "" when the workbook does not say


@dataclass
class SheetTop:
    rows: list[list[Any]]  # the first rows, from row 1, each from column A: "" for an empty cell
    more: bool  # a cell with a value stands below these rows
    last_row: int | None  # the last row the sheet's <dimension> declares (an estimate; None when absent)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (r:id, strict or transitional)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _column_index(reference: str) -> int | None:
    """0-based column of a cell reference ("C7" → 2)."""
    index = 0
    for char in reference:
        if "A" <= char <= "Z":
            index = index * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            index = index * 26 + ord(char) - 96
        else:
            break
    return index - 1 if index else None


def _row_number(reference: str) -> int | None:
    digits = reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$")
    return int(digits) if digits.isdigit() else None


def _text(element) -> str:
    """The text of a string item (<si> or <is>): its <t> parts, phonetic runs (<rPh>) left out."""
    parts: list[str] = []

    def walk(node) -> None:
        for child in node:
            name = _local(child.tag)
            if name == "t":
                parts.append(child.text or "")
            elif name == "r":
                walk(child)

    walk(element)
    return "".join(parts)


class WorkbookPeek:
    """The sheets of a workbook and the top rows of any of them, read as a stream."""

    def __init__(self, data: bytes):
        self._zip = zipfile.ZipFile(io.BytesIO(data))
        self._names = {name.casefold(): name for name in self._zip.namelist()}
        self._shared_path = ""
        self._shared: list[str] = []
        self._shared_iter = None
        self._streams: list = []
        self.sheets = self._read_sheets()

    def close(self) -> None:
        for stream in self._streams:
            stream.close()
        self._zip.close()

    def __enter__(self) -> WorkbookPeek:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets]

    def sheet(self, name: str) -> SheetMeta:
        return next(sheet for sheet in self.sheets if sheet.name == name)

    def _part(self, path: str) -> str | None:
        return self._names.get(path.lstrip("/").casefold())

    def _iterparse(self, path: str, events=("end",)):
        """Parse events of a part as it is inflated; the stream is closed with the peek."""
        stream = self._zip.open(path)
        self._streams.append(stream)
        return DefusedET.iterparse(stream, events=events, **_SAFE)

    def _read_sheets(self) -> list[SheetMeta]:
        workbook = self._part("xl/workbook.xml")
        if workbook is None:
            raise ValueError("no xl/workbook.xml")
        targets: dict[str, tuple[str, str]] = {}  # relationship id → (type, part)
        rels = self._part("xl/_rels/workbook.xml.rels")
        if rels is not None:
            for _event, element in self._iterparse(rels):
                if _local(element.tag) == "Relationship":
                    target = element.get("Target", "")
                    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                    targets[element.get("Id", "")] = (element.get("Type", ""), part)
        for kind, part in targets.values():
            if kind.endswith("/sharedStrings"):
                self._shared_path = self._part(part) or ""
        if not self._shared_path:
            self._shared_path = self._part("xl/sharedStrings.xml") or ""
        sheets = []
        for _event, element in self._iterparse(workbook):
            if _local(element.tag) != "sheet":
                continue
            kind, part = targets.get(_attribute(element, "id") or "", ("", ""))
            sheets.append(
                SheetMeta(
                    name=element.get("name", ""),
                    visible=element.get("state", "visible") == "visible",
                    worksheet=not kind or kind.endswith("/worksheet"),
                    path=(self._part(part) or "") if part else "",
                )
            )
        return sheets

    def _shared_string(self, index: int) -> str:
        """Shared string ``index``, reading the table only as far as it."""
        if self._shared_iter is None and self._shared_path:
            self._shared_iter = self._iterparse(self._shared_path)
        while len(self._shared) <= index and self._shared_iter is not None:
            try:
                _event, element = next(self._shared_iter)
            except StopIteration:
                self._shared_iter = None
                break
            if _local(element.tag) == "si":
                self._shared.append(_text(element))
                element.clear()
        return self._shared[index] if index < len(self._shared) else ""

    def top(self, name: str, nrows: int) -> SheetTop:
        """The first ``nrows`` rows of sheet ``name``, and whether any value stands below them
        (read on only until the first such value: at once in a filled sheet)."""
        rows: list[list[Any]] = []
        last_row, more = None, False
        path = self.sheet(name).path
        if not path:
            return SheetTop(rows, more, last_row)
        row_number, column, cells = 0, 0, {}
        for event, element in self._iterparse(path, events=("start", "end")):
            tag = _local(element.tag)
            if event == "start":
                if tag == "row":
                    row_number = int(element.get("r") or row_number + 1)
                    column, cells = 0, {}
                continue
            if tag == "c":
                reference = element.get("r")
                index = _column_index(reference) if reference else None
                column = column if index is None else index
                value = self._value(element)
                element.clear()
                if value != "" and row_number > nrows:
                    more = True
                    break
                cells[column] = value
                column += 1
            elif tag == "row":
                element.clear()
                if row_number <= nrows and cells:
                    rows.extend([] for _ in range(row_number - 1 - len(rows)))
                    rows.append([cells.get(i, "") for i in range(max(cells) + 1)])
            elif tag == "dimension":
                last_row = _row_number((element.get("ref") or "").rpartition(":")[2])
            elif tag == "sheetData":
                break
        width = max((len(line) for line in rows), default=0)
        return SheetTop([line + [""] * (width - len(line)) for line in rows], more, last_row)

    def _value(self, cell) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            found = next((child for child in cell if _local(child.tag) == "is"), None)
            return _text(found) if found is not None else ""
        raw = next((child.text for child in cell if _local(child.tag) == "v"), None)
        if raw is None or raw == "":
            return ""
        if kind == "s":
            return self._shared_string(int(raw)) if raw.isdigit() else ""
        if kind in ("str", "e", "d"):
            return raw
        if kind == "b":
            return raw == "1"
        try:
            return float(raw)
        except ValueError:
            return raw
