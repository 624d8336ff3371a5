"""Batch order creation: templates, whole-file checks, all-or-nothing, valid only, submit at once,
Kickstarter files, unsafe workbooks, the Celery path, and the bulk twin of order_create."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.catalog.services import products_set_active
from apps.documents.models import Job
from apps.orders.batch_files import BACKER_COLUMNS, REGULAR_COLUMNS, REWARD_COLUMNS
from apps.orders.choices import OrderSource, OrderStatus
from apps.orders.imports import IMPORT_KIND, order_import_start
from apps.orders.models import Order, OrderEvent
from apps.orders.services import order_create

from .conftest import RECIPIENT

pytestmark = pytest.mark.django_db
HEADERS = [c.template_header for c in REGULAR_COLUMNS]
KEYS = [c.key for c in REGULAR_COLUMNS]


def workbook(rows, headers=HEADERS, title="Data") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(headers)
    for line in rows:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(ref, sku="TEE", quantity=1, **changes):
    values = {"order_ref": ref, **RECIPIENT, "sku": sku, "quantity": quantity, **changes}
    return [values.get(c.key) for c in REGULAR_COLUMNS]


def kickstarter(backers, rewards, extra_headers=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Backers"
    sheet.append([c.template_header for c in BACKER_COLUMNS] + list(extra_headers))
    for values in backers:
        sheet.append([values.get(c.key) for c in BACKER_COLUMNS] + ["ignored"] * len(extra_headers))
    mapping = book.create_sheet("Rewards")
    mapping.append([c.template_header for c in REWARD_COLUMNS])
    for line in rewards:
        mapping.append(list(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def backer(number, reward="Early bird", **changes):
    return {
        "backer_number": number,
        "backer_uid": 900 + number,
        "backer_name": f"Backer {number}",
        "email": f"b{number}@example.com",
        "shipping_name": f"Backer {number}",
        "address1": "500 Market St",
        "city": "San Francisco",
        "state": "CA",
        "postal_code": "94105",
        "country": "US",
        "phone": "+1 415-555-0142",
        "reward_title": reward,
        "pledge_amount": 40,
        **changes,
    }


@pytest.fixture
def portal(client, world):
    client.force_login(world.user)
    return client


def upload(client, data, name="orders.xlsx", **fields):
    """Post a file as the browser does; its job runs after the request's commit, as a worker (or eager
    Celery) runs it; then the job's page, or the refused form."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("orders:batch"), {"file": SimpleUploadedFile(name, data), "kind": "regular", **fields}
        )
    return client.get(response.url) if response.status_code == 302 else response


def batch_orders(world):
    return list(
        Order.objects.filter(customer=world.customer, source=OrderSource.BATCH)
        .prefetch_related("lines__product")
        .order_by("external_ref")
    )


def start(world, data, **kwargs):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = order_import_start(
            actor=world.user, data=data, name="orders.xlsx", kind=kwargs.pop("kind", "regular"), **kwargs
        )
    job.refresh_from_db()
    return job


# --- Templates -----------------------------------------------------------------------------------


def test_templates_download_with_an_example_row_and_round_trip(portal, world):
    response = portal.get(reverse("orders:batch-template", args=["regular"]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('regular-order-template.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Data"]
    header = next(n for n in range(1, 20) if sheet.cell(n, 1).value == "Order ref*")
    assert [c.value for c in sheet[header]][:3] == ["Order ref*", "Recipient name*", "Company"]
    assert "SKU*" in [c.value for c in sheet[header]] and "Notes" in book.sheetnames
    assert sheet.cell(header + 1, 1).value == "#1001" and sheet.cell(header + 1, 2).value == "Jane Doe"
    assert "LAX1" in " ".join(str(sheet.cell(n, 1).value) for n in range(1, header))  # the customer's warehouses
    for line in [row("R-1"), row("R-1", "MUG"), row("R-2")]:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    upload(portal, out.getvalue())
    assert [(o.external_ref, o.lines.count()) for o in batch_orders(world)] == [("R-1", 2), ("R-2", 1)]

    response = portal.get(reverse("orders:batch-template", args=["kickstarter"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["Backers", "Rewards"] and "Notes" in book.sheetnames
    backers, rewards = book["Backers"], book["Rewards"]
    values = [c.value for line in backers.iter_rows() for c in line]
    assert "Backer Number*" in values and "Reward Title*" in values and "Shipping Country Code*" in values
    assert "Early bird: T-shirt + mug" in values
    assert {"Reward Title*", "SKU*", "Quantity*", "ACME-TEE-RED-M"} <= {c.value for r in rewards.iter_rows() for c in r}
    assert portal.get(reverse("orders:batch-template", args=["other"])).status_code == 404
    backers.append([backer(7, reward="Early bird: T-shirt + mug").get(c.key) for c in BACKER_COLUMNS])
    rewards.append(["Early bird: T-shirt + mug", "TEE", 1])
    rewards.append(["Early bird: T-shirt + mug", "MUG", 1])
    out = io.BytesIO()
    book.save(out)
    response = upload(portal, out.getvalue(), kind="kickstarter")  # one warehouse: no need to choose it
    assert "Created all 1 order" in response.content.decode()
    assert sorted(line.product.sku for line in Order.objects.get(external_ref="KS-7").lines.all()) == ["MUG", "TEE"]


def test_the_batch_page_offers_templates_form_and_a_way_back(portal):
    page = portal.get(reverse("orders:batch")).content.decode()
    for text in (
        "Regular Order Template",
        "Kickstarter Order Upload Template",
        'name="only_valid"',
        'name="submit"',
        'name="warehouse"',
        reverse("orders:list"),
    ):
        assert text in page


# --- Regular files -------------------------------------------------------------------------------


def test_a_good_regular_file_creates_its_orders(portal, world):
    data = workbook(
        [row("1001"), row("1001", "MUG", 2), row("1002", quantity=3, note="Fragile", shipping_method="ups-ground")]
    )
    response = upload(portal, data)
    assert "Created all 2 orders (3 rows)." in response.content.decode()
    first, second = batch_orders(world)
    assert first.status == OrderStatus.CONFIRMING and first.warehouse == world.warehouse
    assert sorted((line.product.sku, line.quantity) for line in first.lines.all()) == [("MUG", 2), ("TEE", 1)]
    assert (first.recipient_name, first.city, first.country, first.created_by) == (
        "Jane Doe",
        "San Francisco",
        "US",
        world.user,
    )
    assert (second.note, second.channel, second.lines.get().quantity) == ("Fragile", world.ground, 3)
    created, allocated = first.events.values_list("to_status", "message")
    assert created == ("confirming", "Order created (Batch upload)")
    assert allocated[0] == "" and allocated[1].startswith("Allocated warehouse LAX1: ")  # the row named none


def test_rows_of_one_order_must_agree_on_the_recipient(world):
    job = start(world, workbook([row("1001"), row("1001", "MUG", city="Oakland")]))
    assert job.result["problems"] == [
        [3, "City*", "City differs from row 2: every row of order ref “1001” must give the same recipient."]
    ]
    assert batch_orders(world) == []


def test_2000_rows_with_5_bad_report_exactly_those_then_valid_only_creates_the_rest(
    portal, world, django_capture_on_commit_callbacks
):
    order_create(actor=world.user, data=world.data(external_ref="TAKEN"))
    products_set_active(actor=world.user, products=[world.products["LAMP"]], active=False)
    rows = []
    for n in range(995):  # 1,990 rows: two-line orders
        rows += [row(f"O-{n}"), row(f"O-{n}", "MUG", 2)]
    for n in range(10):  # 10 single-line orders
        rows.append(row(f"S-{n}"))
    rows[100][KEYS.index("sku")] = "NO-SUCH-SKU"  # sheet row 102
    rows[501][KEYS.index("quantity")] = 0  # sheet row 503
    rows[1200][KEYS.index("sku")] = "LAMP"  # sheet row 1202, deactivated
    rows[1991][KEYS.index("order_ref")] = "TAKEN"  # sheet row 1993
    rows[1995][KEYS.index("country")] = None  # sheet row 1997
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        posted = portal.post(
            reverse("orders:batch"), {"file": SimpleUploadedFile("o.xlsx", workbook(rows)), "kind": "regular"}
        )
    assert callbacks, "a file over 500 rows goes through the Celery task"
    response = portal.get(posted.url)
    job = response.context["job"]
    assert job.status == "done" and job.total == 2000
    assert [(r, column) for r, column, _m in job.result["problems"]] == [
        (102, "SKU*"),
        (503, "Quantity*"),
        (1202, "SKU*"),
        (1993, "Order ref*"),
        (1997, "Country code*"),
    ]
    messages = [m for _r, _c, m in job.result["problems"]]
    assert "“NO-SUCH-SKU” is not one of your products" in messages[0]
    assert messages[1] == "MUG: the quantity must be a whole number from 1 to 100,000."
    assert messages[2] == "LAMP is deactivated; activate it or remove it from the order."
    assert messages[3] == "You already have an order with the external reference “TAKEN”."
    assert messages[4] == "Country is required."
    assert job.result["bad_rows"] == 5 and batch_orders(world) == []
    assert "Nothing was created: 5 rows of 2,000 have problems" in job.message
    page = response.content.decode()
    assert "Create only the 1000 valid orders" in page and "NO-SUCH-SKU" in page

    with scopes_disabled():
        marked = openpyxl.load_workbook(io.BytesIO(job.result_file.read())).active
    errors_column = [c.value for c in marked[1]].index("Errors") + 1
    assert marked.cell(1997, errors_column).value.startswith("Country code*: Country is required")
    assert marked.cell(1996, errors_column).value is None

    with django_capture_on_commit_callbacks(execute=True):
        posted = portal.post(reverse("orders:batch-valid-only", args=[job.pk]))
    new = portal.get(posted.url).context["job"]
    assert new.params["only_valid"] and new.result["created"] == 1000 and new.result["skipped"] == 5
    refs = {o.external_ref for o in batch_orders(world)}
    assert len(refs) == 1000 and not {"O-50", "O-250", "O-600", "S-1", "S-5"} & refs and {"O-51", "S-3"} <= refs


def test_quantity_sku_country_and_reference_problems_read_clearly(world):
    order_create(actor=world.user, data=world.data(external_ref="OLD-1"))
    job = start(
        world,
        workbook(
            [
                row("A", quantity=0),
                row("B", sku="GHOST"),
                row("C", country=None),
                row("OLD-1"),
                row("D", quantity=1.5),
                row("E", sku=None),
            ]
        ),
    )
    problems = {r: (column, message) for r, column, message in job.result["problems"]}
    assert problems[2] == ("Quantity*", "TEE: the quantity must be a whole number from 1 to 100,000.")
    assert problems[3][0] == "SKU*" and "“GHOST” is not one of your products" in problems[3][1]
    assert problems[4] == ("Country code*", "Country is required.")
    assert problems[5] == ("Order ref*", "You already have an order with the external reference “OLD-1”.")
    assert problems[6][0] == "Quantity*" and problems[7] == ("SKU*", "SKU is required.")
    assert batch_orders(world) == []


def test_submit_at_once_reports_pending_and_abnormal(portal, world):
    data = workbook([row("P-1"), row("P-2", "MUG"), row("P-3", "LAMP")])  # LAMP has no stock
    response = upload(portal, data, submit="on")
    job = response.context["job"]
    assert (job.result["pending"], job.result["abnormal"]) == (2, 1)
    assert "2 went to Pending Shipment, 1 is Abnormal" in job.message
    statuses = {o.external_ref: (o.status, o.abnormal_code) for o in batch_orders(world)}
    assert statuses == {
        "P-1": ("pending_shipment", ""),
        "P-2": ("pending_shipment", ""),
        "P-3": ("abnormal", "INSUFFICIENT_STOCK"),
    }
    page = response.content.decode()
    assert job.result["abnormal_orders"][0][0] in page and "Pending Shipment" in page


# --- Kickstarter ---------------------------------------------------------------------------------


def test_a_kickstarter_file_makes_one_order_per_backer(portal, world):
    data = kickstarter(
        [backer(1), backer(2, reward="Tee only"), backer(3, reward=" early  BIRD ", shipping_name=None)],
        [("Early bird", "TEE", 1), ("Early bird", "MUG", 1), ("Tee only", "TEE", 2)],
        extra_headers=("Reward ID", "Survey Response"),
    )
    response = upload(portal, data, kind="kickstarter", warehouse="LAX1")
    assert "Created all 3 orders" in response.content.decode()
    orders = {o.external_ref: o for o in batch_orders(world)}
    assert set(orders) == {"KS-1", "KS-2", "KS-3"}
    assert sorted((line.product.sku, line.quantity) for line in orders["KS-1"].lines.all()) == [("MUG", 1), ("TEE", 1)]
    assert [(line.product.sku, line.quantity) for line in orders["KS-2"].lines.all()] == [("TEE", 2)]
    assert orders["KS-3"].recipient_name == "Backer 3" and orders["KS-1"].recipient_email == "b1@example.com"
    assert orders["KS-1"].warehouse == world.warehouse


def test_an_unmapped_reward_is_named_and_nothing_is_created(portal, world):
    data = kickstarter([backer(1), backer(2, reward="Deluxe Lamp Pack")], [("Early bird", "TEE", 1)])
    response = upload(portal, data, kind="kickstarter", warehouse="LAX1")
    job = response.context["job"]
    assert job.result["problems"] == [
        [
            3,
            "Reward Title*",
            "The reward “Deluxe Lamp Pack” is not on the Rewards "
            "sheet: add a row per SKU it ships (Reward Title, SKU, "
            "Quantity).",
        ]
    ]
    assert "Deluxe Lamp Pack" in response.content.decode() and batch_orders(world) == []


def test_a_bad_rewards_row_is_reported_on_the_rewards_sheet(world):
    data = kickstarter([backer(1), backer(2, reward="Tee only")], [("Early bird", "GHOST", 1), ("Tee only", "TEE", 1)])
    job = start(world, data, kind="kickstarter")
    columns = [(r, c) for r, c, _m in job.result["problems"]]
    assert columns == [(2, "Reward Title*"), (2, "Rewards › SKU*")]
    with scopes_disabled():
        book = openpyxl.load_workbook(io.BytesIO(job.result_file.read()))
    assert "GHOST" in book["Rewards"].cell(2, 4).value and "Early bird" in book["Backers"].cell(2, 17).value


# --- Unsafe workbooks ----------------------------------------------------------------------------


def _saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_hidden_sheet_is_refused_at_upload_and_merged_cells_by_the_job(portal, world):
    book = openpyxl.load_workbook(io.BytesIO(workbook([row("H-1")])))
    hidden = book.create_sheet("More orders")
    hidden.append(HEADERS)
    hidden.append(row("H-2"))
    hidden.sheet_state = "hidden"
    response = upload(portal, _saved(book))
    assert response.status_code == 400
    page = response.content.decode()
    assert "hidden sheet with the same columns" in page and "More orders" in page
    assert not Job.objects.filter(kind=IMPORT_KIND).exists()

    # Merged cells can stand anywhere in the table, which the request does not read: the job says so.
    book = openpyxl.load_workbook(io.BytesIO(workbook([row("M-1"), row("M-1", "MUG")])))
    book.active.merge_cells("A2:A3")  # one order ref for two rows, as people do
    response = upload(portal, _saved(book))
    job = response.context["job"]
    assert job.status == "failed" and "merged cells in its table (A2:A3)" in job.message and "Unmerge" in job.message
    assert "merged cells in its table (A2:A3)" in response.content.decode()
    assert batch_orders(world) == []


def test_a_file_that_is_not_a_workbook_is_refused(portal, world):
    response = upload(portal, b"order_ref,sku\n1,TEE\n", name="orders.csv")
    assert response.status_code == 400 and "CSV" in response.content.decode()


def test_orders_that_name_no_warehouse_get_one_of_the_plan_or_are_refused_without_one(portal, world):
    from apps.warehouses.models import Warehouse
    from apps.warehouses.services import customer_warehouses_set

    other = Warehouse.objects.create(code="NYC1", name="New York", address1="1 Pier", city="NY", country="US")
    customer_warehouses_set(actor=None, customer=world.customer, warehouses=[world.warehouse, other])
    data = kickstarter([backer(1)], [("Early bird", "TEE", 1)])
    response = upload(portal, data, kind="kickstarter")
    assert response.status_code == 200 and "Created all 1 order" in response.content.decode()
    job = start(world, workbook([row("W-1")]))
    assert job.result["created"] == 1, job.result
    orders = {o.external_ref: o for o in batch_orders(world)}
    assert {orders["KS-1"].warehouse, orders["W-1"].warehouse} <= {world.warehouse, other}

    customer_warehouses_set(actor=None, customer=world.customer, warehouses=[])
    job = start(world, workbook([row("W-2")]))
    assert job.result["problems"][0][1] == "Warehouse"
    assert "ask your sales contact to add a warehouse to your logistics plan" in job.result["problems"][0][2]


# --- The bulk twin -------------------------------------------------------------------------------


def test_the_bulk_twin_writes_what_order_create_writes(world):
    recipient = {**RECIPIENT, "phone": "+1 (415) 555-0142", "postal_code": " 94105 ", "country": "us"}
    data = world.data(
        lines=[(world.products["TEE"], 2), (world.products["MUG"], 1)],
        recipient=recipient,
        channel=world.ground,
        note=" Leave at the door ",
        external_ref="TWIN-A",
    )
    single = order_create(actor=world.user, data=data, source=OrderSource.BATCH)
    job = start(
        world,
        workbook(
            [
                row(
                    "TWIN-B",
                    "TEE",
                    2,
                    shipping_method="ups-ground",
                    warehouse="lax1",
                    note=" Leave at the door ",
                    **recipient,
                ),
                row("TWIN-B", "MUG", 1, **recipient),
            ]
        ),
    )
    assert job.result["created"] == 1, job.result
    bulk = Order.objects.get(external_ref="TWIN-B")
    skip = {"id", "number", "external_ref", "created_at", "updated_at"}
    fields = [f.attname for f in Order._meta.concrete_fields if f.attname not in skip]
    assert {f: getattr(bulk, f) for f in fields} == {f: getattr(single, f) for f in fields}
    assert list(bulk.lines.values_list("product_id", "quantity")) == list(
        single.lines.values_list("product_id", "quantity")
    )
    event_fields = ("kind", "actor_id", "from_status", "to_status", "message")
    assert list(OrderEvent.objects.filter(order=bulk).values_list(*event_fields)) == list(
        OrderEvent.objects.filter(order=single).values_list(*event_fields)
    )
    assert bulk.number != single.number and bulk.number.startswith("S")
