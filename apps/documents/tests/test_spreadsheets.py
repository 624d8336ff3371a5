"""Reading uploads, writing exports and templates, and marking errors in the user's own file."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from apps.documents.toolkit.xlsx import (
    ERRORS_HEADER,
    TEMPLATE_HINT,
    CellError,
    Column,
    Row,
    SpreadsheetError,
    cell_text,
    is_example_row,
    mark_errors,
    normalize_header,
    read_table,
    template_xlsx,
    write_xlsx,
)

SKU_COLUMNS = (
    Column("sku", "SKU*", required=True, note="Your own code for the product.", example="MUG-01"),
    Column("name", "Name", required=True, note="What the product is.", example="Blue mug"),
    Column("upc", "UPC", note="12 digits.", example="012345678905", text=True),
    Column("unit", "Unit", choices=("pcs", "box", "pallet"), example="pcs"),
    Column("weight", "Weight (kg)", number_range=(0, 30), example=0.45),
    Column("received", "Received on"),
)


def workbook_bytes(*rows, title="Sheet", extra_sheets=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for name, state, sheet_rows in extra_sheets:
        extra = workbook.create_sheet(name)
        extra.sheet_state = state
        for row in sheet_rows:
            extra.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reread(data: bytes):
    return load_workbook(io.BytesIO(data))


# --------------------------------------------------------------------------------------------
# read_table


def test_reads_rows_below_notes_with_tolerant_headers():
    data = workbook_bytes(
        ["Product upload — fill one row per SKU"],
        ["Do not change the headers"],
        [" sku ", "NAME *", "upc", "Weight (KG)", "received  on"],
        ["  MUG-01 ", "Blue mug", 12345678905, 0.45, dt.date(2024, 3, 1)],
        [None, None, None, None, None],
        ["", "   ", None, None, None],
        ["TEE-02", "T-shirt", "036000291452", 2, dt.datetime(2024, 3, 2, 14, 30)],
        ["CAP-03", "", None, None, None],
    )
    table = read_table(data, SKU_COLUMNS)

    assert table.header_row == 3
    assert table.sheet_name == "Sheet"
    assert [row.number for row in table.rows] == [4, 7, 8]
    first, second, third = (row.values for row in table.rows)
    assert first == {
        "sku": "MUG-01",
        "name": "Blue mug",
        "upc": 12345678905.0,
        "weight": 0.45,
        "received": dt.date(2024, 3, 1),
        "unit": None,  # not in the file
    }
    assert cell_text(first["upc"]) == "12345678905"
    assert cell_text(first["upc"]).zfill(12) == "012345678905"
    assert second["upc"] == "036000291452"
    assert second["weight"] == 2
    assert second["received"] == dt.datetime(2024, 3, 2, 14, 30)
    assert third["name"] is None
    assert table.column_numbers == {"sku": 1, "name": 2, "upc": 3, "weight": 4, "received": 5}
    assert table.header_for("name") == "NAME *"


def test_a_title_equal_to_one_header_is_not_the_header_row():
    data = workbook_bytes(["Name"], ["SKU", "Name"], ["A", "B"])
    table = read_table(data, SKU_COLUMNS)
    assert table.header_row == 2
    assert [row.number for row in table.rows] == [3]


def test_header_match_ignores_star_case_and_spacing():
    assert normalize_header("  SKU* ") == normalize_header("sku") == normalize_header("Sku *") == "sku"
    assert normalize_header("Weight\n (kg)") == "weight (kg)"


def test_missing_unknown_and_repeated_headers_are_all_listed():
    data = workbook_bytes(["Name", "Colour", "Size", "upc", "UPC"], ["Blue mug", "blue", "L", 1, 2])
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, SKU_COLUMNS)
    message = caught.value.message
    assert caught.value.code == "bad_headers"
    assert "row 1" in message
    assert 'lacks the required column: "SKU*"' in message
    assert '"Colour", "Size"' in message
    assert 'repeats column: "UPC"' in message


def test_missing_required_headers_plural():
    data = workbook_bytes(["UPC", "Unit"], [1, "pcs"])
    with pytest.raises(SpreadsheetError, match='required columns: "SKU\\*", "Name\\*"'):
        read_table(data, SKU_COLUMNS)


def test_no_header_row_at_all():
    data = workbook_bytes(["Colour", "Size"], ["blue", "L"])
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, SKU_COLUMNS)
    assert caught.value.code == "header_not_found"
    assert "SKU*, Name*" in caught.value.message


def test_headers_but_no_rows():
    data = workbook_bytes(["SKU", "Name"], [None, None])
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, SKU_COLUMNS)
    assert caught.value.code == "no_rows"


def test_empty_sheet():
    with pytest.raises(SpreadsheetError) as caught:
        read_table(workbook_bytes(), SKU_COLUMNS)
    assert caught.value.code == "empty_sheet"


def test_too_many_rows_counts_them_all():
    rows = [[f"S-{i}", f"Item {i}"] for i in range(7)]
    data = workbook_bytes(["SKU", "Name"], *rows)
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, SKU_COLUMNS, max_rows=5)
    assert caught.value.code == "too_many_rows"
    assert caught.value.message == "The file has 7 rows; split it into files of at most 5 rows."
    assert len(read_table(data, SKU_COLUMNS, max_rows=7).rows) == 7


def test_too_many_rows_message_uses_thousands_separators():
    rows = [[f"S-{i}", "x"] for i in range(1001)]
    with pytest.raises(SpreadsheetError, match="The file has 1,001 rows; split it into files of at most 1,000 rows."):
        read_table(workbook_bytes(["SKU", "Name"], *rows), SKU_COLUMNS, max_rows=1000)


def test_over_size_is_refused_before_parsing():
    data = workbook_bytes(["SKU", "Name"], ["A", "B"])
    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, SKU_COLUMNS, max_bytes=1024)
    assert caught.value.code == "file_too_large"


def test_not_a_spreadsheet_is_refused():
    with pytest.raises(SpreadsheetError) as caught:
        read_table(b"SKU,Name\nA,B\n", SKU_COLUMNS)
    assert caught.value.code == "not_xlsx"


def test_workbook_calamine_cannot_read_is_a_clear_error():
    data = workbook_bytes(["SKU", "Name"], ["A", "B"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
    with pytest.raises(SpreadsheetError) as caught:
        read_table(out.getvalue(), SKU_COLUMNS)
    assert caught.value.code == "unreadable_file"


def test_reads_the_first_visible_sheet_or_the_named_one():
    data = workbook_bytes(
        ["SKU", "Name"],
        ["VISIBLE", "first"],
        title="Products",
        extra_sheets=[("Other", "visible", [["SKU", "Name"], ["OTHER", "second"]])],
    )
    assert read_table(data, SKU_COLUMNS).rows[0].values["sku"] == "VISIBLE"
    table = read_table(data, SKU_COLUMNS, sheet="Other")
    assert table.sheet_name == "Other"
    assert table.rows[0].values["sku"] == "OTHER"
    with pytest.raises(SpreadsheetError, match='no sheet named "Missing"'):
        read_table(data, SKU_COLUMNS, sheet="Missing")

    workbook = Workbook()
    workbook.active.title = "Hidden lists"
    workbook.active.sheet_state = "hidden"
    workbook.active.append(["pcs"])
    visible = workbook.create_sheet("Data")
    visible.append(["SKU", "Name"])
    visible.append(["A", "B"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table(buffer.getvalue(), SKU_COLUMNS).sheet_name == "Data"


def test_an_errors_column_from_a_marked_copy_is_ignored():
    data = workbook_bytes(["SKU", "Name", "Errors"], ["A", "B", "Name: too short"])
    table = read_table(data, SKU_COLUMNS)
    assert table.errors_column == 3
    assert table.rows[0].values == {
        "sku": "A",
        "name": "B",
        "upc": None,
        "unit": None,
        "weight": None,
        "received": None,
    }


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12345678905.0, "12345678905"),
        (12345678905, "12345678905"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        ("  AB-1 ", "AB-1"),
        ("   ", None),
        ("", None),
        (None, None),
        (True, "TRUE"),
        (Decimal("12.50"), "12.50"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 3, 4), "2024-01-02 03:04:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


# --------------------------------------------------------------------------------------------
# write_xlsx


def test_write_xlsx_neutralises_formula_injection_and_keeps_types():
    rows = [
        ["=SUM(A1)", "+1", "-2", "@x", "\tTAB", "\rCR", "plain", "a=b"],
        [1, 2.5, Decimal("3.25"), -4, dt.date(2024, 5, 6), dt.datetime(2024, 5, 6, 7, 8), None, True],
    ]
    data = write_xlsx([f"c{i}" for i in range(8)], rows, sheet_title="Export")
    sheet = reread(data)["Export"]

    injected = list(sheet.iter_rows(min_row=2, max_row=2))[0]
    assert all(cell.data_type != "f" for cell in injected)
    assert [cell.value for cell in injected[:5]] == ["'=SUM(A1)", "'+1", "'-2", "'@x", "'\tTAB"]
    assert injected[5].value in ("'\rCR", "'\nCR")  # XML parsers normalise a bare CR to LF
    assert all(cell.data_type == "s" for cell in injected)
    assert injected[6].value == "plain"
    assert injected[7].value == "a=b"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")

    typed = list(sheet.iter_rows(min_row=3, max_row=3))[0]
    assert [cell.data_type for cell in typed[:4]] == ["n", "n", "n", "n"]
    assert [cell.value for cell in typed[:4]] == [1, 2.5, 3.25, -4]
    assert typed[4].value == dt.datetime(2024, 5, 6)  # openpyxl reads dates back as datetimes
    assert typed[4].is_date
    assert typed[5].value == dt.datetime(2024, 5, 6, 7, 8)
    assert typed[6].value is None
    assert typed[7].value is True


def test_write_xlsx_header_is_bold_and_frozen():
    data = write_xlsx(SKU_COLUMNS, [["MUG-01", "Blue mug", "012345678905", "pcs", 0.45, None]])
    sheet = reread(data).active
    assert [cell.value for cell in sheet[1]] == ["SKU", "Name", "UPC", "Unit", "Weight (kg)", "Received on"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 18
    assert sheet["C2"].value == "012345678905"


def test_write_xlsx_sizes_columns_from_the_data_and_cleans_text():
    data = write_xlsx(
        ["Id", "Description"],
        ([i, "word " * 8 + "\x00\x07bell"] for i in range(3)),
        sheet_title="Bad/Title?",
    )
    workbook = reread(data)
    sheet = workbook.active
    assert sheet.title == "Bad Title"
    assert sheet["B2"].value == "word " * 8 + "bell"
    assert sheet.column_dimensions["A"].width == 8
    assert sheet.column_dimensions["B"].width > 40


def test_write_xlsx_writes_aware_datetimes_as_wall_clock_time():
    moment = dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    sheet = reread(write_xlsx(["At"], [[moment]])).active
    assert sheet["A2"].value == dt.datetime(2024, 5, 6, 7, 8)


def test_an_export_reads_back_as_it_was_written():
    rows = [['=HYPERLINK("x")', "-5 units", 12345678905, "pcs", 1.25, dt.date(2024, 1, 2)]]
    table = read_table(write_xlsx(SKU_COLUMNS, rows), SKU_COLUMNS)
    assert table.rows[0].values == {
        "sku": '=HYPERLINK("x")',
        "name": "-5 units",
        "upc": 12345678905.0,
        "unit": "pcs",
        "weight": 1.25,
        "received": dt.date(2024, 1, 2),
    }


# --------------------------------------------------------------------------------------------
# template_xlsx


def test_template_layout_notes_and_validations():
    data = template_xlsx(SKU_COLUMNS, title="SKU upload", instructions=["Fill in one SKU per row."])
    workbook = reread(data)
    assert workbook.sheetnames == ["Data", "Notes"]
    sheet = workbook["Data"]

    assert sheet["A1"].value == "SKU upload"
    assert sheet["A2"].value == "Fill in one SKU per row."
    assert sheet["A2"].font.italic
    assert sheet["A3"].value == TEMPLATE_HINT
    assert "A2:F2" in {str(merged) for merged in sheet.merged_cells.ranges}

    header = [cell.value for cell in sheet[4]]
    assert header == ["SKU*", "Name*", "UPC", "Unit", "Weight (kg)", "Received on"]
    assert sheet["A4"].fill.fgColor.rgb != sheet["C4"].fill.fgColor.rgb  # required ones stand out
    assert "Your own code for the product." in sheet["A4"].comment.text
    assert "Required." in sheet["A4"].comment.text
    assert sheet.freeze_panes == "A5"

    example = [cell.value for cell in sheet[5]]
    assert example == ["MUG-01", "Blue mug", "012345678905", "pcs", 0.45, None]
    assert sheet["A5"].font.italic
    assert sheet["A5"].font.color.rgb == "FF808080"
    assert sheet.column_dimensions["C"].number_format == "@"  # codes keep leading zeros

    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert validations["D5:D10004"].type == "list"
    assert validations["D5:D10004"].formula1 == '"pcs,box,pallet"'
    assert validations["E5:E10004"].type == "decimal"
    assert (validations["E5:E10004"].formula1, validations["E5:E10004"].formula2) == ("0", "30")

    notes = [list(row) for row in workbook["Notes"].iter_rows(values_only=True)]
    assert notes[0] == ["Column", "Required", "Note", "Example", "Allowed values"]
    assert notes[1] == ["SKU*", "Yes", "Your own code for the product.", "MUG-01", None]
    assert notes[4] == ["Unit", "No", None, "pcs", "pcs, box, pallet"]
    assert notes[5][4] == "a number from 0 to 30"


def test_template_example_row_is_recognised_and_skipped():
    data = template_xlsx(SKU_COLUMNS, title="SKU upload")
    table = read_table(data, SKU_COLUMNS, skip_example=False)
    assert table.header_row == 3
    assert is_example_row(table.rows[0], SKU_COLUMNS)
    assert is_example_row(table.rows[0].values, SKU_COLUMNS)
    changed = dict(table.rows[0].values, weight=0.5)
    assert not is_example_row(changed, SKU_COLUMNS)
    assert not is_example_row(Row(9, {"sku": None}), [Column("sku", "SKU")])  # no example at all

    with pytest.raises(SpreadsheetError) as caught:
        read_table(data, SKU_COLUMNS)  # the untouched template has no data rows
    assert caught.value.code == "no_rows"


def test_a_filled_template_reads_back():
    workbook = reread(template_xlsx(SKU_COLUMNS, title="SKU upload"))
    sheet = workbook["Data"]
    sheet.append(["BAG-9", "Tote bag", "012345678905", "box", 1.5, dt.date(2024, 7, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), SKU_COLUMNS)
    assert [row.number for row in table.rows] == [5]
    assert table.rows[0].values["sku"] == "BAG-9"


def test_long_choice_lists_go_to_a_hidden_sheet():
    countries = tuple(f"Country number {i}" for i in range(40))
    data = template_xlsx([Column("country", "Country", choices=countries)], title="Addresses")
    workbook = reread(data)
    assert workbook["Lists"].sheet_state == "hidden"
    validation = workbook["Data"].data_validations.dataValidation[0]
    assert validation.formula1 == "Lists!$A$1:$A$40"
    assert workbook["Lists"]["A40"].value == "Country number 39"


# --------------------------------------------------------------------------------------------
# mark_errors


def uploaded_file() -> bytes:
    return workbook_bytes(
        ["Upload of 3 March"],
        ["SKU", "Name", "Weight (kg)"],
        ["MUG-01", "Blue mug", 0.45],
        ["", "Tote", 900],
        ["TEE-02", "T-shirt", 0.2],
    )


def test_mark_errors_fills_comments_and_lists_errors():
    data = uploaded_file()
    table = read_table(data, SKU_COLUMNS)
    errors = [
        CellError(4, "sku", "SKU is required."),
        CellError(4, "weight", "Weight must be at most 30 kg."),
        CellError(4, None, "This row repeats row 3."),
        CellError(5, "unit", "Unit is not one of pcs, box, pallet."),  # a column not in the file
    ]
    sheet = reread(mark_errors(data, errors, table=table)).active

    assert sheet["D2"].value == ERRORS_HEADER
    assert sheet["A4"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet["A4"].comment.text == "SKU is required."
    assert sheet["C4"].comment.text == "Weight must be at most 30 kg."
    assert sheet["D4"].value.splitlines() == [
        "SKU: SKU is required.",
        "Weight (kg): Weight must be at most 30 kg.",
        "This row repeats row 3.",
    ]
    assert sheet["D5"].value == "unit: Unit is not one of pcs, box, pallet."

    for cell in sheet[3]:  # a good row is left alone
        assert cell.comment is None
        assert cell.fill.fill_type is None
    assert sheet["D3"].value is None
    assert sheet["B4"].fill.fill_type is None
    assert [cell.value for cell in sheet[4]][:3] == [None, "Tote", 900]  # the user's data is kept
    assert sheet["A1"].value == "Upload of 3 March"


def test_marking_a_marked_copy_again_reuses_the_errors_column_and_clears_old_marks():
    data = uploaded_file()
    first = mark_errors(data, [CellError(4, "weight", "Too heavy.")], table=read_table(data, SKU_COLUMNS))

    workbook = reread(first)
    workbook.active["C4"] = 0.9  # the user fixes the weight but leaves the red fill and comment
    workbook.active["A5"].comment = Comment("my own note", "Alice")
    buffer = io.BytesIO()
    workbook.save(buffer)
    corrected = buffer.getvalue()

    table = read_table(corrected, SKU_COLUMNS)
    assert table.errors_column == 4
    second = mark_errors(corrected, [CellError(5, "sku", "Duplicate SKU.")], table=table)
    sheet = reread(second).active

    assert [cell.value for cell in sheet[2]] == ["SKU", "Name", "Weight (kg)", "Errors"]
    assert sheet["C4"].comment is None
    assert sheet["C4"].fill.fill_type is None
    assert sheet["D4"].value is None
    assert sheet["D5"].value == "SKU: Duplicate SKU."
    assert sheet["A5"].comment.text == "Duplicate SKU.\n\nmy own note"


def test_template_ranges_are_written_as_people_write_numbers():
    columns = (
        Column("quantity", "Quantity", number_range=(1, 1_000_000)),
        Column("value", "Value", number_range=(0, 10_000_000.0)),
        Column("size", "Size", number_range=(0.1, 300.0)),
    )
    workbook = load_workbook(io.BytesIO(template_xlsx(columns, title="Ranges")))
    allowed = [row[4] for row in workbook["Notes"].iter_rows(min_row=2, values_only=True)]
    assert allowed == ["a number from 1 to 1,000,000", "a number from 0 to 10,000,000", "a number from 0.1 to 300"]
    header = next(r for r in workbook["Data"].iter_rows() if r[0].value == "Quantity")
    assert "A number from 1 to 1,000,000." in header[0].comment.text and "e+" not in header[0].comment.text
