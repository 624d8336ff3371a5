"""The order intake: one table of bad inputs through the three order doors (API, portal form,
Regular importer) answers with the same codes and the same sentences; codes resolve set-based in
a fixed number of queries; an order that names no warehouse gets one of the plan's (or is refused
when the plan has none), and the timeline says so."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from apps.catalog.selectors import unknown_product_problem
from apps.catalog.services import product_create, products_set_active
from apps.core.tenancy import customer_scope
from apps.orders.batch_files import REGULAR_COLUMNS
from apps.orders.choices import OrderSource
from apps.orders.imports import order_import_start
from apps.orders.intake import OrderCodes, intake_resolve
from apps.orders.models import Order
from apps.orders.rules import REF_TOO_LONG, duplicate_ref_message, inactive_message, quantity_message
from apps.orders.services import order_create
from apps.shipping.selectors import unknown_channel_problem
from apps.warehouses.models import Warehouse
from apps.warehouses.selectors import no_warehouse_problem, unknown_warehouse_problem
from apps.warehouses.services import customer_warehouses_set

from .conftest import RECIPIENT

pytestmark = pytest.mark.django_db

GOOD = {"ref": "#T-1", "warehouse": "LAX1", "channel": "", "sku": "TEE", "quantity": 1, "recipient": {}}


def _warehouse(code, **changes):
    values = {"code": code, "name": code, "address1": "1 Dock Rd", "city": "Carson", "country": "US", **changes}
    return Warehouse.objects.create(**values)


def other_customers_warehouse(world, customer_b):
    customer_warehouses_set(actor=None, customer=customer_b, warehouses=[_warehouse("JFK1")])


def warehouse_outside_the_plan(world, customer_b):
    _warehouse("SEA1")


def inactive_warehouse_in_the_plan(world, customer_b):
    customer_warehouses_set(
        actor=None, customer=world.customer, warehouses=[world.warehouse, _warehouse("OLD1", is_active=False)]
    )


def taken_reference(world, customer_b):
    order_create(actor=world.user, data=world.data(external_ref="#TAKEN"))


def deactivated_lamp(world, customer_b):
    products_set_active(actor=world.user, products=[world.products["LAMP"]], active=False)


def empty_plan(world, customer_b):
    customer_warehouses_set(actor=None, customer=world.customer, warehouses=[])


def another_customers_sku(world, customer_b):
    user = customer_b.users.first()
    with customer_scope(customer_b):
        product_create(actor=user, data={"sku": "BSKU", "name": "B's", "declared_value": "1"})


# (case, setup, change to the good order, the one (code, sentence) every door must answer with)
CASES = [
    ("unknown SKU", None, {"sku": "NOPE"}, unknown_product_problem("NOPE")),
    ("another customer's SKU", another_customers_sku, {"sku": "BSKU"}, unknown_product_problem("BSKU")),
    ("deactivated SKU", deactivated_lamp, {"sku": "LAMP"}, ("invalid_lines", inactive_message("LAMP"))),
    ("quantity 0", None, {"quantity": 0}, ("invalid_lines", quantity_message("TEE"))),
    ("quantity too big", None, {"quantity": 100_001}, ("invalid_lines", quantity_message("TEE"))),
    ("unknown warehouse", None, {"warehouse": "XYZ9"}, unknown_warehouse_problem("XYZ9")),
    (
        "another customer's warehouse",
        other_customers_warehouse,
        {"warehouse": "JFK1"},
        unknown_warehouse_problem("JFK1"),
    ),
    (
        "a warehouse outside the plan",
        warehouse_outside_the_plan,
        {"warehouse": "SEA1"},
        unknown_warehouse_problem("SEA1"),
    ),
    (
        "an inactive warehouse of the plan",
        inactive_warehouse_in_the_plan,
        {"warehouse": "OLD1"},
        unknown_warehouse_problem("OLD1"),
    ),
    ("no warehouse and none allowed", empty_plan, {"warehouse": ""}, no_warehouse_problem()),
    ("unknown channel", None, {"channel": "pigeon-post"}, unknown_channel_problem("pigeon-post")),
    ("missing country", None, {"recipient": {"country": ""}}, ("invalid_address", "Country is required.")),
    ("not a country", None, {"recipient": {"country": "ZZ"}}, ("invalid_address", None)),
    ("bad e-mail", None, {"recipient": {"email": "nope"}}, ("invalid_address", "E-mail is not an e-mail address.")),
    (
        "duplicate external ref",
        taken_reference,
        {"ref": "#TAKEN"},
        ("duplicate_external_ref", duplicate_ref_message("#TAKEN")),
    ),
    ("external ref too long", None, {"ref": "R" * 101}, ("invalid_external_ref", REF_TOO_LONG)),
]


def _expected(expected):
    return (expected.code, expected.message) if hasattr(expected, "code") else expected


def _order(change):
    order = {**GOOD, **change}
    order["recipient"] = {**RECIPIENT, **change.get("recipient", {})}
    return order


def through_api(world, order):
    client = APIClient()
    client.force_login(world.user)
    body = {
        "external_ref": order["ref"],
        "warehouse": order["warehouse"],
        "shipping_channel": order["channel"],
        "recipient": order["recipient"],
        "lines": [{"sku": order["sku"], "quantity": order["quantity"]}],
    }
    response = client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400, response.json()
    answer = response.json()
    return [(answer["code"], answer["message"])]


def through_portal_form(world, order, client):
    client.force_login(world.user)
    data = {
        **order["recipient"],
        "warehouse": order["warehouse"],
        "external_ref": order["ref"],
        "note": "",
        "channel": order["channel"],
        "sku": [order["sku"]],
        "quantity": [str(order["quantity"])],
        "save": "1",
    }
    response = client.post(reverse("orders:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    found = [(p.code, p.message) for p in response.context["problems"]]
    for _code, message in found:
        assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in page or message in page
    return found


def through_regular_file(world, order):
    values = {"order_ref": order["ref"], **order["recipient"], "sku": order["sku"], "quantity": order["quantity"]}
    values.update(warehouse=order["warehouse"], shipping_method=order["channel"])
    book = openpyxl.Workbook()
    book.active.append([c.template_header for c in REGULAR_COLUMNS])
    book.active.append([values.get(c.key) for c in REGULAR_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the import job runs after the upload's commit
        job = order_import_start(actor=world.user, data=out.getvalue(), name="t.xlsx", kind="regular")
    job.refresh_from_db()
    assert job.result["created"] == 0, job.result
    return [
        (code, message)
        for code, (_row, _column, message) in zip(job.result["problem_codes"], job.result["problems"], strict=True)
    ]


@pytest.mark.parametrize(("case", "setup", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_every_door_answers_a_bad_order_with_the_same_code_and_sentence(
    world, customer_b, user_b, client, case, setup, change, expected
):
    if setup:
        setup(world, customer_b)
    order = _order(change)
    before = Order.objects.count()
    answers = {
        "api": through_api(world, order),
        "portal form": through_portal_form(world, order, client),
        "regular file": through_regular_file(world, order),
    }
    code, sentence = _expected(expected)
    for door, found in answers.items():
        assert [c for c, _m in found] == [code], (door, found)
        if sentence is not None:
            assert [m for _c, m in found] == [sentence], (door, found)
    assert len({tuple(found) for found in answers.values()}) == 1, answers  # word for word alike
    assert Order.objects.count() == before


def test_an_unknown_another_customers_and_an_unusable_warehouse_read_alike(world, customer_b):
    other_customers_warehouse(world, customer_b)
    warehouse_outside_the_plan(world, customer_b)
    inactive_warehouse_in_the_plan(world, customer_b)
    codes = ["XYZ9", "JFK1", "SEA1", "OLD1"]
    results = intake_resolve(
        customer=world.customer,
        orders=[OrderCodes(recipient=RECIPIENT, lines=[("TEE", 1)], warehouse=code) for code in codes],
    )
    answers = {(p.code, p.message.replace(code, "…")) for r, code in zip(results, codes) for p in r.problems}
    assert answers == {
        ("unknown_warehouse", "Warehouse “…” is not in your logistics plan; use the code of one of your warehouses.")
    }


# --- Set-based -------------------------------------------------------------------------------------


def _api_shaped(n, **changes):
    return [
        OrderCodes(
            recipient=RECIPIENT,
            lines=[("TEE", 1 + i % 3), ("mug", 1)],
            external_ref=f"API-{i}",
            source=OrderSource.API,
            **changes,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("changes", [{}, {"warehouse": "LAX1", "channel": "ups-ground"}])
def test_the_intake_runs_the_same_queries_for_1_and_300_orders(world, changes):
    counts = []
    for n in (1, 300):
        with CaptureQueriesContext(connection) as queries:
            results = intake_resolve(customer=world.customer, orders=_api_shaped(n, **changes))
        assert all(r.ok for r in results), results[0].problems
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6, counts


def test_skus_and_upcs_resolve_alike_and_a_reference_twice_in_one_batch_is_a_duplicate(world):
    tee = world.products["TEE"]
    tee.upc = "036000291452"
    tee.save()
    first, second = intake_resolve(
        customer=world.customer,
        orders=[
            OrderCodes(recipient=RECIPIENT, lines=[("036000291452", 1), ("tee", 2)], external_ref="SAME"),
            OrderCodes(recipient=RECIPIENT, lines=[("TEE", 1)], external_ref="SAME"),
        ],
    )
    assert first.ok and first.data.lines == [(tee, 3)]
    assert [(p.field, p.code) for p in second.problems] == [("external_ref", "duplicate_external_ref")]


def test_an_edited_order_keeps_its_own_reference(world):
    order = order_create(actor=world.user, data=world.data(external_ref="MINE"))
    codes = OrderCodes(recipient=RECIPIENT, lines=[("TEE", 1)], warehouse="LAX1", external_ref="MINE")
    assert not intake_resolve(customer=world.customer, orders=[codes])[0].ok
    edited = OrderCodes(**{**codes.__dict__, "editing": order.pk})
    assert intake_resolve(customer=world.customer, orders=[edited])[0].ok


# --- No warehouse named ----------------------------------------------------------------------------


def test_an_api_order_without_a_warehouse_gets_one_of_the_plan_on_its_timeline(world):
    client = APIClient()
    client.force_login(world.user)
    body = {"recipient": RECIPIENT, "lines": [{"sku": "TEE", "quantity": 1}]}
    response = client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["warehouse"] == "LAX1"
    assert [e["kind"] for e in answer["events"]] == ["status", "action"]
    assert answer["events"][1]["message"].startswith("Allocated warehouse LAX1: ")


def test_a_named_channel_gives_its_warehouse(world):
    result = intake_resolve(
        customer=world.customer, orders=[OrderCodes(recipient=RECIPIENT, lines=[("TEE", 1)], channel="UPS-GROUND")]
    )[0]
    assert result.ok and result.data.warehouse == world.warehouse and result.data.channel == world.ground
    assert result.allocation is None and not result.data.allocated
