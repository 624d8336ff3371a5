"""read_header: what an upload request checks before it queues the job that calls read_table — the
same refusals in the same words for everything at the top of a workbook, without reading its rows."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from apps.documents.toolkit.xlsx import (
    SpreadsheetError,
    WorkbookPeek,
    read_header,
    read_table,
    template_xlsx,
    write_xlsx,
)

from .test_spreadsheets import SKU_COLUMNS, workbook_bytes


def _template_with_only_its_example() -> bytes:
    return template_xlsx(SKU_COLUMNS, title="SKUs")


def _hidden_copy() -> bytes:
    return workbook_bytes(
        ["SKU", "Name"], ["A", "B"], extra_sheets=[("Old", "hidden", [["Notes"], ["SKU", "Name"], ["C", "D"]])]
    )


def _reading_a_hidden_sheet() -> bytes:
    return workbook_bytes(["x"], extra_sheets=[("Data", "hidden", [["SKU", "Name"], ["C", "D"]])])


REFUSED = {
    "bad headers": lambda: workbook_bytes(["Name", "Colour", "upc", "UPC"], ["Blue mug", "blue", 1, 2]),
    "no header row": lambda: workbook_bytes(["Colour", "Size"], ["blue", "L"]),
    "headers, no rows": lambda: workbook_bytes(["SKU", "Name"], [None, None]),
    "only the example row": _template_with_only_its_example,
    "empty sheet": lambda: workbook_bytes(),
    "hidden copy of the table": _hidden_copy,
    "not an xlsx": lambda: b"SKU,Name\nA,B\n",
    "too large": lambda: workbook_bytes(["SKU", "Name"], ["A", "B"]) + b"\0" * 20_000,
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_read_header_refuses_what_read_table_refuses_with_the_same_words(case):
    data = REFUSED[case]()
    with pytest.raises(SpreadsheetError) as by_table:
        read_table(data, SKU_COLUMNS, max_bytes=20_000)
    with pytest.raises(SpreadsheetError) as by_header:
        read_header(data, SKU_COLUMNS, max_bytes=20_000)
    assert (by_header.value.code, by_header.value.message) == (by_table.value.code, by_table.value.message)


def test_a_named_sheet_and_a_hidden_sheet_being_read_are_checked_alike():
    data = workbook_bytes(["SKU", "Name"], ["A", "B"], title="Products")
    for call in (read_table, read_header):
        with pytest.raises(SpreadsheetError, match='no sheet named "Missing" \\(it has "Products"\\)'):
            call(data, SKU_COLUMNS, sheet="Missing")
        with pytest.raises(SpreadsheetError, match='The sheet "Data" is hidden'):
            call(_reading_a_hidden_sheet(), SKU_COLUMNS, sheet="Data")


GOOD = {
    # openpyxl writes shared strings; write_xlsx inline strings; a title, notes and an Errors column above / beside
    "shared strings, notes above": lambda: workbook_bytes(
        ["Stock upload"], [], ["Name *", " sku", "Errors", "Weight (KG)"], ["Blue mug", "MUG-01", "old", 0.4]
    ),
    "inline strings": lambda: write_xlsx(SKU_COLUMNS, [["MUG-01", "Blue mug", "012345678905", "pcs", 0.4, None]]),
    "a filled template": lambda: _filled_template(3),
}


def _filled_template(rows: int) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(template_xlsx(SKU_COLUMNS, title="SKUs")))
    for n in range(rows):
        book["Data"].append([f"S-{n}", f"Item {n}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("case", list(GOOD))
def test_read_header_finds_the_header_read_table_finds(case):
    data = GOOD[case]()
    table, header = read_table(data, SKU_COLUMNS), read_header(data, SKU_COLUMNS)
    seen = ("sheet_name", "header_row", "column_numbers", "headers", "last_column", "errors_column")
    assert {name: getattr(header.table, name) for name in seen} == {name: getattr(table, name) for name in seen}
    assert header.table.rows == [] and header.rows == len(table.rows)


def _sheet_cut_after_row(data: bytes, last: int) -> bytes:
    """The same workbook with its sheet's XML broken after row ``last`` (a valid zip, CRCs right)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                cut = re.search(rb'<row r="%d"' % (last + 1), content).start()
                content = content[:cut] + b"<row r=<<garbage"
            target.writestr(info.filename, content)
    return out.getvalue()


def test_read_header_stops_at_the_top_of_the_sheet():
    book = Workbook()
    sheet = book.active
    sheet.append(["SKU", "Name"])
    for n in range(500):
        sheet.append([f"S-{n}", f"Item {n}"])
    sheet.merge_cells("B300:B301")
    out = io.BytesIO()
    book.save(out)
    whole = out.getvalue()
    with pytest.raises(SpreadsheetError) as caught:
        read_table(whole, SKU_COLUMNS)
    assert caught.value.code == "merged_cells"  # needs the whole sheet: the job's read_table says so
    assert read_header(whole, SKU_COLUMNS).rows == 500  # as the sheet's <dimension> declares

    broken = _sheet_cut_after_row(whole, 40)  # whatever lies below the top is never parsed
    with pytest.raises(SpreadsheetError) as caught:
        read_table(broken, SKU_COLUMNS)
    assert caught.value.code == "unreadable_file"
    header = read_header(broken, SKU_COLUMNS)
    assert header.table.column_numbers == {"sku": 1, "name": 2} and header.rows == 500


def test_peek_reads_the_sheets_and_top_rows_as_calamine_does():
    from python_calamine import CalamineWorkbook

    data = workbook_bytes(
        ["Title"], [], ["SKU", None, "Name", True, 3.5], ["A", "B"], extra_sheets=[("Lists", "hidden", [["pcs"]])]
    )
    with WorkbookPeek(data) as peek:
        sheets = [(s.name, s.visible, s.worksheet) for s in peek.sheets]
        assert sheets == [("Sheet", True, True), ("Lists", False, True)]
        top = peek.top("Sheet", 3)
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        expected = workbook.get_sheet_by_name("Sheet").to_python(skip_empty_area=False, nrows=3)
    assert top.rows == expected and top.more  # row 4 has values
