"""The two batch-order upload templates (Regular and Kickstarter), the upload request's check of a
filled-in file (its sheets and header rows, not its rows), and reading it into orders and lines
with the row each came from (in the import job); the checks and the writing are in imports.py."""

from __future__ import annotations

import io
from copy import copy
from dataclasses import dataclass, field, replace
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from apps.documents.toolkit.xlsx import (
    HEADER_SEARCH_ROWS,
    Column,
    Table,
    WorkbookPeek,
    cell_text,
    check_xlsx_upload,
    normalize_header,
    read_header,
    read_table,
    template_xlsx,
)
from apps.shipping.selectors import channel_codes_text
from apps.warehouses.selectors import customer_warehouses

from .errors import OrderInvalid
from .rules import LABELS, RECIPIENT, STATE_REQUIRED

REWARDS_SHEET, BACKERS_SHEET = "Rewards", "Backers"

REGULAR_COLUMNS: tuple[Column, ...] = (
    Column(
        "order_ref",
        "Order ref",
        required=True,
        text=True,
        example="#1001",
        note="Your shop's order number. Rows with the same order ref form one order; it is kept as the "
        "order's external reference and must not be used by another of your orders.",
    ),
    Column("name", "Recipient name", required=True, example="Jane Doe", width=22),
    Column("company", "Company"),
    Column("phone", "Phone", text=True, example="+1 415 555 0142", note="With the country code, e.g. +1 415 555 0142."),
    Column("email", "E-mail", example="jane@example.com", width=24),
    Column("address1", "Address 1", required=True, example="500 Market St", width=28),
    Column("address2", "Address 2", example="Apt 4"),
    Column("city", "City", required=True, example="San Francisco"),
    Column(
        "state",
        "State",
        example="CA",
        note="State or province; required for " + ", ".join(sorted(STATE_REQUIRED)) + ".",
    ),
    Column(
        "postal_code",
        "Postal code",
        text=True,
        example="94105",
        note="Required where the country has postal codes (e.g. 5 digits in the US).",
    ),
    Column("country", "Country code", required=True, example="US", note="Two letters, e.g. US, CA, GB, DE."),
    Column(
        "sku",
        "SKU",
        required=True,
        text=True,
        example="ACME-TEE-RED-M",
        note="One of your active SKUs (Products). One SKU per row; add rows with the same order ref for more.",
    ),
    Column(
        "quantity", "Quantity", required=True, example=1, number_range=(1, 100_000), note="Whole units, 1 to 100,000."
    ),
    Column(
        "shipping_method",
        "Shipping method",
        note="The shipping method's code (the shipping calculator lists yours). Leave it empty and the cheapest "
        "suitable method is chosen when the order is submitted.",
    ),
    Column(
        "warehouse",
        "Warehouse",
        text=True,
        note="The warehouse code (e.g. LAX1). Leave it empty and one of your warehouses is chosen for the order.",
    ),
    Column("note", "Note", example="Gift wrap, please", width=24, note="Up to 500 characters, for the warehouse."),
)
BACKER_COLUMNS: tuple[Column, ...] = (
    Column(
        "backer_number",
        "Backer Number",
        required=True,
        example=1,
        note="From the Kickstarter backer report; the order's external reference is KS-<Backer Number>.",
    ),
    Column("backer_uid", "Backer UID", example=123456789),
    Column("backer_name", "Backer Name", example="Jane Doe", note="Used as the recipient when Shipping Name is empty."),
    Column("email", "Email", example="jane@example.com", width=24),
    Column("shipping_name", "Shipping Name", example="Jane Doe"),
    Column("address1", "Shipping Address 1", required=True, example="500 Market St", width=28),
    Column("address2", "Shipping Address 2", example="Apt 4"),
    Column("city", "Shipping City", required=True, example="San Francisco"),
    Column("state", "Shipping State", example="CA", note="Required for " + ", ".join(sorted(STATE_REQUIRED)) + "."),
    Column("postal_code", "Shipping Postal Code", text=True, example="94105"),
    Column("country", "Shipping Country Code", required=True, example="US", note="Two letters, e.g. US."),
    Column("phone", "Shipping Phone Number", text=True, example="+1 415 555 0142"),
    Column(
        "reward_title",
        "Reward Title",
        required=True,
        example="Early bird: T-shirt + mug",
        width=28,
        note="Must be listed on the Rewards sheet, which says the SKUs it ships.",
    ),
    Column("reward_minimum", "Reward Minimum", example=35),
    Column("pledge_amount", "Pledge Amount", example=40),
    Column("shipping_amount", "Shipping Amount", example=5),
)
REWARD_COLUMNS: tuple[Column, ...] = (
    Column(
        "reward_title",
        "Reward Title",
        required=True,
        example="Early bird: T-shirt + mug",
        width=32,
        note="Exactly as in the backer report (case and spacing do not matter).",
    ),
    Column("sku", "SKU", required=True, text=True, example="ACME-TEE-RED-M", note="One of your active SKUs."),
    Column(
        "quantity",
        "Quantity",
        required=True,
        example=1,
        number_range=(1, 100_000),
        note="Units of this SKU per backer.",
    ),
)
# Which column holds each recipient field (API names, as rules.clean_recipient takes them).
REGULAR_RECIPIENT = {key: key for key in RECIPIENT}
BACKER_RECIPIENT = {**REGULAR_RECIPIENT, "name": "shipping_name", "company": None}


# --- Templates -----------------------------------------------------------------------------------


def _plan_note(customer) -> str:
    if customer is None:
        return ""
    codes = [w.code for w in customer_warehouses(customer=customer)]
    return f"Your warehouses: {', '.join(codes) or 'none yet — ask your account manager'}."


def _columns_for(customer) -> tuple[Column, ...]:
    """The regular columns, the Shipping method's note naming the codes this customer may type."""
    if customer is None:
        return REGULAR_COLUMNS
    codes = channel_codes_text(customer=customer) or "none in your plan yet (ask your account manager)"
    note = f"The shipping method's code; yours: {codes}. Leave it empty and the cheapest suitable one is chosen."
    return tuple(replace(c, note=note) if c.key == "shipping_method" else c for c in REGULAR_COLUMNS)


def regular_template(*, customer=None) -> bytes:
    """The Regular Order Template: one row per order line, with notes and an example row."""
    return template_xlsx(
        _columns_for(customer),
        title="Regular orders",
        instructions=tuple(
            filter(
                None,
                (
                    "One row per SKU of an order. Rows with the same Order ref form one order: "
                    "repeat the recipient on each.",
                    "A file is created whole or not at all: every problem is listed with its row and column first. "
                    "Files are imported in the background; the page shows the progress.",
                    _plan_note(customer),
                ),
            )
        ),
    )


def kickstarter_template(*, customer=None) -> bytes:
    """The Kickstarter Order Upload Template: a Backers sheet (the backer report's columns; other
    columns of the report are ignored) and a Rewards sheet mapping each reward to SKUs."""
    backers = load_workbook(
        io.BytesIO(
            template_xlsx(
                BACKER_COLUMNS,
                title="Kickstarter backers",
                instructions=(
                    "Paste the backer report here: one row per backer, one order each. "
                    "Other report columns are ignored.",
                    "Remove backers who get nothing shipped. Each Reward Title must be on the Rewards sheet.",
                ),
            )
        )
    )
    backers["Data"].title = BACKERS_SHEET
    rewards = load_workbook(
        io.BytesIO(
            template_xlsx(
                REWARD_COLUMNS,
                title="Kickstarter rewards",
                instructions=(
                    "One row per SKU of a reward: a reward of a T-shirt and a mug takes two rows "
                    "with the same Reward Title.",
                    "Choose the warehouse the orders ship from on the upload page.",
                ),
            )
        )
    )
    target = backers.create_sheet(REWARDS_SHEET, index=1)
    _copy_sheet(rewards["Data"], target)
    notes = backers["Notes"]
    notes.append([])
    notes.append(["Rewards sheet"])
    for line in rewards["Notes"].iter_rows(min_row=2, values_only=True):
        notes.append(list(line))
    out = io.BytesIO()
    backers.save(out)
    return out.getvalue()


def _copy_sheet(source, target) -> None:
    for line in source.iter_rows():
        for cell in line:
            new = target.cell(row=cell.row, column=cell.column, value=cell.value)
            if cell.has_style:
                new.font, new.fill, new.alignment = copy(cell.font), copy(cell.fill), copy(cell.alignment)
                new.number_format = cell.number_format
            if cell.comment is not None:
                new.comment = copy(cell.comment)
    for merged in source.merged_cells.ranges:
        target.merge_cells(str(merged))
    for letter, dimension in source.column_dimensions.items():
        target.column_dimensions[letter].width = dimension.width
    for number, dimension in source.row_dimensions.items():
        target.row_dimensions[number].height = dimension.height
    for validation in source.data_validations.dataValidation:
        clone = DataValidation(
            type=validation.type,
            operator=validation.operator,
            formula1=validation.formula1,
            formula2=validation.formula2,
            allow_blank=validation.allow_blank,
        )
        clone.error, clone.errorTitle, clone.showErrorMessage = (
            validation.error,
            validation.errorTitle,
            validation.showErrorMessage,
        )
        clone.add(str(validation.sqref))
        target.add_data_validation(clone)
    target.freeze_panes = source.freeze_panes


TEMPLATES = {
    "regular": ("regular-order-template.xlsx", regular_template),
    "kickstarter": ("kickstarter-order-template.xlsx", kickstarter_template),
}


# --- Reading a file into orders ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None  # Column.key, None for the whole row
    message: str
    sheet: str = ""  # "" for the main sheet, else the other sheet's name (Kickstarter rewards)
    code: str = ""  # the order intake's stable code ("" for the file's own shape problems)


@dataclass
class LineIn:
    row: int
    sku: str
    quantity: Any
    sheet: str = ""


@dataclass
class OrderIn:
    """One order as the file gives it, before any rule has looked at it."""

    ref: str
    row: int  # the first row: order-level problems go there
    recipient: dict  # API names → text
    recipient_columns: dict  # API name → column key (None: no such column)
    ref_column: str
    warehouse: str = ""
    shipping_method: str = ""
    note: str = ""
    lines: list[LineIn] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reward: str = ""  # Kickstarter: the reward title whose Rewards rows gave the lines
    sku_column: str = "sku"


@dataclass
class ParsedFile:
    kind: str
    rows: int
    orders: list[OrderIn]
    table: Table
    rewards: Table | None = None
    problems: list[Problem] = field(default_factory=list)  # rows that make no order at all


def check_order_file(data: bytes, kind: str) -> int | None:
    """The upload request's check of an order file, before it is stored and its job queued: the
    upload checks, the template's sheets and header rows, and rows below them — without reading
    the rows (read_header). SpreadsheetError says what is wrong; returns the rows the file declares
    for the progress bar (None when it does not say)."""
    if kind == "regular":
        return read_header(data, REGULAR_COLUMNS).rows
    if kind == "kickstarter":
        backers = read_header(data, _backer_columns(data), sheet=BACKERS_SHEET)
        read_header(data, REWARD_COLUMNS, sheet=REWARDS_SHEET)
        return backers.rows
    raise _unknown_template()


def read_order_file(data: bytes, kind: str) -> ParsedFile:
    """Check and read an uploaded order file (the import job); SpreadsheetError says what is wrong with the file."""
    if kind == "regular":
        return _read_regular(read_table(data, REGULAR_COLUMNS))
    if kind == "kickstarter":
        return _read_kickstarter(data)
    raise _unknown_template()


def _unknown_template() -> OrderInvalid:
    return OrderInvalid(
        "Choose the Regular or the Kickstarter template.", code="unknown_template", extra={"kind": ["unknown template"]}
    )


def _text(value) -> str:
    return cell_text(value) or ""


def _recipient(values: dict, columns: dict) -> dict:
    recipient = {key: (_text(values.get(column)) if column else "") for key, column in columns.items()}
    postal = values.get(columns["postal_code"])
    if isinstance(postal, (int, float)) and recipient["country"].upper() == "US" and len(recipient["postal_code"]) < 5:
        recipient["postal_code"] = recipient["postal_code"].zfill(5)  # Excel dropped a ZIP code's leading zero
    return recipient


def _read_regular(table: Table) -> ParsedFile:
    orders: dict[str, OrderIn] = {}
    loose: list[OrderIn] = []
    first_cells: dict[int, list] = {}  # order → its first row's recipient cells, as read
    for row in table.rows:
        values = row.values
        ref = _text(values["order_ref"])
        line = LineIn(row.number, _text(values["sku"]), values["quantity"])
        given = {
            "warehouse": _text(values["warehouse"]),
            "shipping_method": _text(values["shipping_method"]),
            "note": _text(values["note"]),
        }
        order = orders.get(ref) if ref else None
        if order is None:
            order = OrderIn(
                ref=ref,
                row=row.number,
                recipient=_recipient(values, REGULAR_RECIPIENT),
                recipient_columns=REGULAR_RECIPIENT,
                ref_column="order_ref",
                **given,
            )
            first_cells[id(order)] = [values[key] for key in RECIPIENT]
            if ref:
                orders[ref] = order
            else:
                order.problems.append(
                    Problem(
                        row.number, "order_ref", "Order ref is required: rows with the same order ref form one order."
                    )
                )
                loose.append(order)
        else:
            same = [values[key] for key in RECIPIENT] == first_cells[id(order)]  # cheap: the usual case
            for key, value in ({} if same else _recipient(values, REGULAR_RECIPIENT)).items():
                if value != order.recipient[key]:
                    order.problems.append(
                        Problem(
                            row.number,
                            key,
                            f"{LABELS[key]} differs from row {order.row}: every row of order ref "
                            f"“{ref}” must give the same recipient.",
                        )
                    )
            for key, value in given.items():
                if value and not getattr(order, key):
                    setattr(order, key, value)
                elif value and value != getattr(order, key):
                    label = {"warehouse": "Warehouse", "shipping_method": "Shipping method", "note": "Note"}[key]
                    order.problems.append(
                        Problem(
                            row.number,
                            key,
                            f"{label} differs from row {order.row}: one order ref, one {label.lower()}.",
                        )
                    )
        order.rows.append(row.number)
        order.lines.append(line)
    return ParsedFile(kind="regular", rows=len(table.rows), orders=[*orders.values(), *loose], table=table)


def _backer_columns(data: bytes) -> tuple[Column, ...]:
    """The backer columns plus one ignored column per other header of the backer report."""
    check_xlsx_upload(data)  # before anything reads it
    known = {normalize_header(c.header) for c in BACKER_COLUMNS} | {normalize_header("Errors")}
    try:
        with WorkbookPeek(data) as workbook:
            if BACKERS_SHEET not in workbook.sheet_names:
                return BACKER_COLUMNS  # read_header / read_table say the sheet is missing
            top = workbook.top(BACKERS_SHEET, HEADER_SEARCH_ROWS).rows
    except Exception:
        return BACKER_COLUMNS  # read_header / read_table explain an unreadable file
    header = max(top, key=lambda line: sum(1 for v in line if v != "" and normalize_header(v) in known), default=[])
    extra, seen = [], set(known)
    for position, value in enumerate(header):
        name = normalize_header(value) if value not in ("", None) else ""
        if name and name not in seen:
            seen.add(name)
            extra.append(Column(f"extra_{position}", _text(value)))
    return (*BACKER_COLUMNS, *extra)


def _read_kickstarter(data: bytes) -> ParsedFile:
    backers = read_table(data, _backer_columns(data), sheet=BACKERS_SHEET)
    rewards = read_table(data, REWARD_COLUMNS, sheet=REWARDS_SHEET)
    mapping: dict[str, list[LineIn]] = {}
    problems = []
    for row in rewards.rows:
        title = " ".join(_text(row.values["reward_title"]).split())
        if not title:
            problems.append(Problem(row.number, "reward_title", "Reward Title is required.", REWARDS_SHEET))
            continue
        mapping.setdefault(title.casefold(), []).append(
            LineIn(row.number, _text(row.values["sku"]), row.values["quantity"], REWARDS_SHEET)
        )
    orders, seen = [], {}
    for row in backers.rows:
        values = row.values
        number = _text(values["backer_number"])
        recipient = _recipient(values, BACKER_RECIPIENT)
        recipient["name"] = recipient["name"] or _text(values["backer_name"])
        title = " ".join(_text(values["reward_title"]).split())
        order = OrderIn(
            ref=f"KS-{number}" if number else "",
            row=row.number,
            recipient=recipient,
            recipient_columns=BACKER_RECIPIENT,
            ref_column="backer_number",
            rows=[row.number],
            reward=title,
            sku_column="reward_title",
        )
        if not number:
            order.problems.append(Problem(row.number, "backer_number", "Backer Number is required."))
        elif number in seen:
            order.problems.append(
                Problem(
                    row.number,
                    "backer_number",
                    f"Backer Number {number} appears twice in the file (row {seen[number]}).",
                )
            )
        else:
            seen[number] = row.number
        if not title:
            order.problems.append(Problem(row.number, "reward_title", "Reward Title is required."))
        elif title.casefold() not in mapping:
            order.problems.append(
                Problem(
                    row.number,
                    "reward_title",
                    f"The reward “{title}” is not on the Rewards sheet: add a row per SKU it "
                    "ships (Reward Title, SKU, Quantity).",
                )
            )
        else:
            order.lines = mapping[title.casefold()]
        orders.append(order)
    return ParsedFile(
        kind="kickstarter", rows=len(backers.rows), orders=orders, table=backers, rewards=rewards, problems=problems
    )
