"""The orders API (DESIGN §7, §10): contracts, bad input, state conflicts, tenancy, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.services import api_key_create
from apps.billing.models import Wallet
from apps.core.models import IdempotentRequest
from apps.core.tenancy import customer_scope
from apps.inventory.models import StockBalance
from apps.orders.choices import OrderSource, OrderStatus
from apps.orders.models import Order
from apps.orders.rules import RECIPIENT as RULES_RECIPIENT
from apps.orders.services import order_create, order_submit

from .conftest import RECIPIENT

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"
FIELDS = {
    "number",
    "external_ref",
    "source",
    "status",
    "abnormal_reason",
    "recipient",
    "warehouse",
    "shipping_channel",
    "lines",
    "estimated_cost",
    "actual_cost",
    "currency",
    "tracking_number",
    "note",
    "created_at",
    "updated_at",
}
BODY = {
    "external_ref": "#1001",
    "warehouse": "LAX1",
    "recipient": RECIPIENT,
    "note": "gift wrap",
    "lines": [{"sku": "TEE", "quantity": 2}, {"sku": "mug", "quantity": 1}],
}


@pytest.fixture
def api(world):
    client = APIClient()
    client.force_login(world.user)
    return client


def create(api, status=201, **changes):
    response = api.post(URL, {**BODY, **changes}, format="json")
    assert response.status_code == status, response.json()
    return response.json()


def url(number, action=""):
    return f"{URL}{number}/{action + '/' if action else ''}"


# --- Create ----------------------------------------------------------------------------------------


def test_create_answers_201_with_the_design_fields(api, world):
    body = create(api)
    assert set(body) == FIELDS | {"events"}
    assert body["status"] == "confirming" and body["source"] == "api" and body["abnormal_reason"] is None
    assert body["external_ref"] == "#1001" and body["note"] == "gift wrap"
    assert body["warehouse"] == "LAX1" and body["shipping_channel"] is None
    assert body["recipient"] == {**RECIPIENT, "phone": body["recipient"]["phone"]}
    assert set(body["recipient"]) == set(RULES_RECIPIENT)
    assert body["lines"] == [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}]
    assert body["estimated_cost"] is None and body["actual_cost"] is None and body["currency"] == "USD"
    assert body["tracking_number"] == ""
    assert [(e["to_status"], e["by"]) for e in body["events"]] == [("confirming", world.user.email)]
    order = Order.objects.get(number=body["number"])
    assert order.source == OrderSource.API and order.created_by == world.user


def test_create_and_submit_at_once_with_a_chosen_channel(api, world):
    body = create(api, shipping_channel="dhl-express", submit=True, lines=[{"sku": "TEE", "quantity": 1}])
    assert body["status"] == "pending_shipment" and body["shipping_channel"] == "dhl-express"
    assert isinstance(body["estimated_cost"], str) and Decimal(body["estimated_cost"]) >= Decimal("20.00")


def test_the_same_idempotency_key_creates_one_order_and_replays_the_answer(api, world):
    first = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_a_refused_create_does_not_use_up_the_idempotency_key(api, world):
    bad = api.post(
        URL, {**BODY, "lines": [{"sku": "NOPE", "quantity": 1}]}, format="json", HTTP_IDEMPOTENCY_KEY="order-2"
    )
    assert bad.status_code == 400 and not IdempotentRequest.objects.filter(key="order-2").exists()
    assert api.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="order-2").status_code == 201


@pytest.mark.parametrize(
    ("changes", "code", "says"),
    [
        ({"lines": [{"sku": "TEE", "quantity": 1}, {"sku": "NOPE", "quantity": 1}]}, "unknown_sku", "NOPE"),
        ({"lines": [{"sku": "TEE", "quantity": 0}]}, "invalid_lines", "quantity"),
        ({"lines": [{"sku": "TEE", "quantity": "two"}]}, "validation_error", "lines"),
        ({"lines": []}, "invalid_lines", "at least one"),
        ({"recipient": {**RECIPIENT, "country": "ZZ"}}, "invalid_address", "ZZ"),
        ({"recipient": {**RECIPIENT, "email": "not-an-email"}}, "invalid_address", "E-mail"),
        ({"warehouse": "XYZ9"}, "unknown_warehouse", "XYZ9"),
        ({"shipping_channel": "pigeon-post"}, "unknown_channel", "pigeon-post"),
        ({"external_ref": "x" * 101}, "invalid_external_ref", "100"),
        ({"warehouse": None}, "validation_error", "warehouse"),
    ],
)
def test_bad_input_is_400_with_a_stable_code_and_creates_nothing(api, world, changes, code, says):
    body = create(api, status=400, **changes)
    assert body["code"] == code and says in body["message"] + str(body.get("errors", "")), body
    assert not Order.objects.exists()


def test_a_warehouse_outside_the_plan_is_refused(api, world):
    from apps.warehouses.models import Warehouse

    Warehouse.objects.create(code="JFK1", name="New York", address1="1", city="NYC", country="US")
    body = create(api, status=400, warehouse="JFK1")
    assert body["code"] == "unknown_warehouse" and not Order.objects.exists()


def test_a_duplicate_external_ref_is_400(api, world):
    create(api)
    body = create(api, status=400)
    assert body["code"] == "duplicate_external_ref" and "#1001" in body["message"]
    assert Order.objects.count() == 1


def test_a_missing_country_is_refused_and_an_incomplete_address_fails_at_submit(api, world):
    body = create(api, status=400, recipient={**RECIPIENT, "country": ""})
    assert body["code"] == "invalid_address" and body["errors"]["recipient.country"] == ["Country is required."]
    assert not Order.objects.exists()
    body = create(api, recipient={**RECIPIENT, "city": ""})  # a shop's order may arrive incomplete
    submitted = api.post(url(body["number"], "submit")).json()
    assert submitted["status"] == "abnormal"
    assert submitted["abnormal_reason"]["code"] == "INVALID_ADDRESS"
    assert "City is required" in submitted["abnormal_reason"]["message"]


# --- List ------------------------------------------------------------------------------------------


def _order(world, **changes):
    source = changes.pop("source", OrderSource.API)
    return order_create(actor=world.user, data=world.data(**changes), source=source)


def numbers(response):
    assert response.status_code == 200, response.json()
    return [row["number"] for row in response.json()["results"]]


def test_list_filters(api, world):
    tee, mug = world.products["TEE"], world.products["MUG"]
    plain = _order(world, external_ref="A-1", source=OrderSource.MANUAL)
    express = _order(world, external_ref="A-2", channel=world.express, lines=[(mug, 1)])
    canada = _order(
        world,
        external_ref="A-3",
        lines=[(tee, 1)],
        recipient={"name": "Zed Quinn", "country": "CA", "state": "ON", "postal_code": "M5V 2T6", "phone": ""},
    )
    pending = order_submit(actor=world.user, order=_order(world, external_ref="A-4"))
    Order.objects.filter(pk=plain.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    Order.objects.filter(pk=plain.pk).update(updated_at=timezone.now() - datetime.timedelta(days=10))
    everyone = {plain.number, express.number, canada.number, pending.number}

    assert set(numbers(api.get(URL))) == everyone
    assert numbers(api.get(URL, {"status": "pending_shipment"})) == [pending.number]
    assert numbers(api.get(URL, {"external_ref": "A-2"})) == [express.number]
    assert numbers(api.get(URL, {"shipping_channel": "DHL-express"})) == [express.number]
    assert set(numbers(api.get(URL, {"warehouse": "lax1"}))) == everyone
    assert numbers(api.get(URL, {"warehouse": "JFK1"})) == []
    assert numbers(api.get(URL, {"source": "manual"})) == [plain.number]
    assert numbers(api.get(URL, {"country": "ca"})) == [canada.number]
    assert numbers(api.get(URL, {"sku": "mug"})) == [express.number]
    assert numbers(api.get(URL, {"search": "zed"})) == [canada.number]
    assert numbers(api.get(URL, {"search": pending.number})) == [pending.number]
    ten_days_ago = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert numbers(api.get(URL, {"created_before": ten_days_ago})) == [plain.number]
    assert plain.number not in numbers(api.get(URL, {"created_after": timezone.localdate().isoformat()}))
    an_hour_ago = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    assert set(numbers(api.get(URL, {"created_after": an_hour_ago}))) == everyone - {plain.number}
    assert numbers(api.get(URL, {"created_before": an_hour_ago})) == [plain.number]
    since = (timezone.now() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert set(numbers(api.get(URL, {"updated_since": since}))) == everyone - {plain.number}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"source": "fax"}, "source"),
        ({"created_after": "2026-13-01"}, "created_after"),
        ({"created_before": "yesterday"}, "created_before"),
        ({"updated_since": "soon"}, "updated_since"),
        ({"country": "USA"}, "country"),
    ],
)
def test_bad_filter_values_are_400_with_a_message(api, world, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and body["message"].startswith(field) and field in body["errors"]


def test_cursor_pages_newest_first(api, world):
    made = [_order(world).number for _ in range(5)]
    first = api.get(URL, {"page_size": 2}).json()
    assert set(first) == {"next", "previous", "results"} and first["previous"] is None
    seen = [row["number"] for row in first["results"]]
    page = first
    while page["next"]:
        page = api.get(page["next"]).json()
        assert len(page["results"]) <= 2
        seen += [row["number"] for row in page["results"]]
    assert seen == list(reversed(made))
    back = api.get(page["previous"]).json()
    assert [row["number"] for row in back["results"]] == list(reversed(made))[2:4]


def test_a_date_range_pages_newest_created_first(api, world):
    made = [_order(world) for _ in range(5)]
    start = timezone.now() - datetime.timedelta(days=3)
    for order, minutes in zip(made, [30, 10, 40, 20, 20], strict=True):  # two share a minute: by id then
        Order.objects.filter(pk=order.pk).update(created_at=start + datetime.timedelta(minutes=minutes))
    expected = [made[i].number for i in (2, 0, 4, 3, 1)]
    params = {"page_size": 2, "created_after": start.isoformat(), "created_before": timezone.now().isoformat()}
    page = api.get(URL, params).json()
    seen = [row["number"] for row in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["number"] for row in page["results"]]
    assert seen == expected


def test_page_size_is_capped_at_200(api, world):
    from apps.orders.api.views import OrderPagination

    assert OrderPagination.max_page_size == 200 and OrderPagination.ordering == "-id"


def test_the_list_runs_the_same_queries_for_5_and_50_orders(api, world):
    lines = [(world.products["TEE"], 1), (world.products["MUG"], 1)]

    def run():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(URL, {"page_size": 200})
        assert response.status_code == 200
        return len(response.json()["results"]), len(ctx.captured_queries)

    for _ in range(5):
        _order(world, lines=lines, channel=world.ground)
    few, few_queries = run()
    for _ in range(45):
        _order(world, lines=lines, channel=world.ground)
    many, many_queries = run()
    assert (few, many) == (5, 50)
    assert few_queries == many_queries


# --- Detail, edit ----------------------------------------------------------------------------------


def test_detail_has_the_events(api, world):
    number = create(api, submit=True, lines=[{"sku": "TEE", "quantity": 1}])["number"]
    body = api.get(url(number)).json()
    assert set(body) == FIELDS | {"events"}
    assert [(e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("", "confirming"),
        ("confirming", "pending_shipment"),
    ]
    event = body["events"][-1]
    assert set(event) == {"at", "kind", "from_status", "to_status", "message", "by"}
    assert event["kind"] == "status" and event["by"] == world.user.email and "estimated" in event["message"]


def test_patch_changes_only_the_given_fields_while_confirming(api, world):
    number = create(api, shipping_channel="dhl-express")["number"]
    response = api.patch(
        url(number), {"recipient": {"city": "Oakland", "postal_code": "94607"}, "note": "leave at door"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["recipient"]["city"] == "Oakland" and body["recipient"]["name"] == RECIPIENT["name"]
    assert body["note"] == "leave at door" and body["external_ref"] == "#1001"
    assert body["lines"] == [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}]
    assert body["shipping_channel"] == "dhl-express"
    assert body["events"][-1]["kind"] == "edit" and "City" in body["events"][-1]["message"]

    body = api.patch(
        url(number), {"lines": [{"sku": "LAMP", "quantity": 1}], "shipping_channel": None}, format="json"
    ).json()
    assert body["lines"] == [{"sku": "LAMP", "quantity": 1}] and body["shipping_channel"] is None
    bad = api.patch(url(number), {"lines": [{"sku": "NOPE", "quantity": 1}]}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "unknown_sku"


def test_patch_fixes_an_abnormal_order_back_to_confirming(api, world):
    number = create(api, lines=[{"sku": "LAMP", "quantity": 1}])["number"]
    assert api.post(url(number, "submit")).json()["status"] == "abnormal"
    body = api.patch(url(number), {"lines": [{"sku": "TEE", "quantity": 1}]}, format="json").json()
    assert body["status"] == "confirming" and body["abnormal_reason"] is None


def test_patch_is_409_once_pending_shipment(api, world):
    number = create(api, submit=True, lines=[{"sku": "TEE", "quantity": 1}])["number"]
    response = api.patch(url(number), {"note": "too late"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "order_locked"
    assert Order.objects.get(number=number).note == "gift wrap"
    assert api.put(url(number), BODY, format="json").status_code == 405


# --- Submit, cancel, copy --------------------------------------------------------------------------


def test_submit_makes_it_pending_shipment_with_the_estimated_cost(api, world):
    number = create(api, lines=[{"sku": "TEE", "quantity": 3}])["number"]
    response = api.post(url(number, "submit"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "pending_shipment" and body["abnormal_reason"] is None
    assert body["shipping_channel"] == "ups-ground" and Decimal(body["estimated_cost"]) >= Decimal("6.00")
    again = api.post(url(number, "submit"))
    assert again.status_code == 409 and again.json()["code"] == "order_locked"


def test_submit_without_enough_stock_shows_the_abnormal_reason(api, world):
    number = create(api, lines=[{"sku": "MUG", "quantity": 5}])["number"]
    body = api.post(url(number, "submit")).json()
    assert body["status"] == "abnormal"
    assert body["abnormal_reason"]["code"] == "INSUFFICIENT_STOCK" and "MUG" in body["abnormal_reason"]["message"]
    assert body["estimated_cost"] is None
    assert api.get(URL, {"status": "abnormal"}).json()["results"][0]["abnormal_reason"]["code"] == "INSUFFICIENT_STOCK"


def test_cancel_gives_the_stock_and_money_back(api, world):
    number = create(api, submit=True, lines=[{"sku": "TEE", "quantity": 2}])["number"]
    stock = StockBalance.objects.get(product=world.products["TEE"], warehouse=world.warehouse)
    assert stock.allocated == 2
    response = api.post(url(number, "cancel"), {"reason": "customer changed mind"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled" and "customer changed mind" in body["events"][-1]["message"]
    stock.refresh_from_db()
    assert stock.allocated == 0 and Wallet.objects.get(customer=world.customer).held == Decimal("0")
    again = api.post(url(number, "cancel"))
    assert again.status_code == 409 and again.json()["code"] == "order_locked"


def test_copy_is_201_with_a_new_confirming_order(api, world):
    original = create(api, submit=True, shipping_channel="dhl-express", lines=[{"sku": "TEE", "quantity": 1}])
    response = api.post(url(original["number"], "copy"))
    assert response.status_code == 201
    copy = response.json()
    assert copy["number"] != original["number"] and copy["status"] == "confirming"
    assert copy["lines"] == original["lines"] and copy["recipient"] == original["recipient"]
    assert copy["shipping_channel"] == "dhl-express" and copy["external_ref"] == ""
    assert Order.objects.count() == 2


# --- Who may ask -----------------------------------------------------------------------------------


def test_another_customers_order_is_404_on_every_route(api, world, user_b):
    number = create(api)["number"]
    other = APIClient()
    other.force_login(user_b)
    assert other.get(url(number)).status_code == 404
    assert other.patch(url(number), {"note": "mine"}, format="json").status_code == 404
    for action in ("submit", "cancel", "copy"):
        response = other.post(url(number, action))
        assert response.status_code == 404 and response.json()["code"] == "not_found", action
    assert other.get(URL).json()["results"] == []
    assert other.get(URL, {"search": number}).json()["results"] == []
    order = Order.objects.get(number=number)
    assert (order.status, order.note) == (OrderStatus.CONFIRMING, "gift wrap") and Order.objects.count() == 1


@pytest.mark.parametrize("number", ["S123", "nonsense", "S00000000000000", "batch-x"])
def test_a_malformed_or_unknown_number_is_404(api, world, number):
    response = api.get(url(number))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.post(url(number, "submit")).status_code == 404


def test_an_api_key_works(world):
    with customer_scope(world.customer):
        issued = api_key_create(actor=world.user, name="ERP")
    client = APIClient()
    auth = {"HTTP_AUTHORIZATION": f"Token {issued.raw_key}"}
    created = client.post(URL, BODY, format="json", **auth)
    assert created.status_code == 201
    number = created.json()["number"]
    assert numbers(client.get(URL, **auth)) == [number]
    assert client.post(url(number, "submit"), **auth).json()["status"] == "pending_shipment"
    assert client.get(URL).status_code == 401


def test_staff_users_get_403(world, make_staff):
    client = APIClient()
    client.force_login(make_staff("admin"))
    for response in (client.get(URL), client.post(URL, BODY, format="json")):
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"


# --- Batch upload ----------------------------------------------------------------------------------


def regular_file(*rows) -> bytes:
    from apps.documents.toolkit.xlsx import write_xlsx
    from apps.orders.batch_files import REGULAR_COLUMNS

    keys = [column.key for column in REGULAR_COLUMNS]
    return write_xlsx(REGULAR_COLUMNS, [[{**RECIPIENT, **row}.get(key, "") for key in keys] for row in rows])


def upload(api, data, headers=None, **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.post(
        f"{URL}batch/",
        {"file": SimpleUploadedFile("orders.xlsx", data), **fields},
        format="multipart",
        **(headers or {}),
    )


def test_batch_upload_answers_202_with_the_job(api, world, django_capture_on_commit_callbacks):
    data = regular_file(
        {"order_ref": "#B1", "sku": "TEE", "quantity": 2, "warehouse": "LAX1"},
        {"order_ref": "#B1", "sku": "MUG", "quantity": 1, "warehouse": "LAX1"},
        {"order_ref": "#B2", "sku": "TEE", "quantity": 1, "warehouse": "LAX1"},
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(api, data, kind="regular", headers={"HTTP_IDEMPOTENCY_KEY": "batch-1"})
    assert response.status_code == 202, response.json()
    job = response.json()
    assert {"id", "kind", "status", "progress", "message", "result", "result_url"} <= set(job)
    assert job["status"] == "queued" and job["progress"] == {"done": 0, "total": 3} and not Order.objects.exists()
    callbacks[0]()  # the worker runs the job: the file's rows are read there
    polled = api.get(f"/api/v1/jobs/{job['id']}/")
    assert polled.status_code == 200 and polled.json()["status"] == "done"
    assert polled.json()["progress"] == {"done": 3, "total": 3} and polled.json()["result"]["created"] == 2
    assert sorted(Order.objects.values_list("external_ref", flat=True)) == ["#B1", "#B2"]
    assert Order.objects.get(external_ref="#B1").lines.count() == 2
    again = upload(api, data, kind="regular", headers={"HTTP_IDEMPOTENCY_KEY": "batch-1"})
    assert again.status_code == 202 and again.json()["id"] == job["id"] and Order.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "fields", "code"),
    [
        (b"sku,quantity\nTEE,1\n", {}, None),  # a CSV renamed .xlsx: refused by the upload checks
        ("bad-header", {}, "bad_headers"),
        (None, {"kind": "amazon"}, "validation_error"),
        (None, {"warehouse": "JFK1"}, "unknown_warehouse"),
    ],
)
def test_batch_upload_refuses_bad_requests_with_400(api, world, django_capture_on_commit_callbacks, data, fields, code):
    if data == "bad-header":
        from apps.documents.toolkit.xlsx import Column, write_xlsx

        data = write_xlsx([Column("ref", "Order"), Column("sku", "SKU")], [["#B1", "TEE"]])
    data = data or regular_file({"order_ref": "#B1", "sku": "TEE", "quantity": 1})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(api, data, **fields)
    assert response.status_code == 400, response.json()
    assert response.json()["message"] and (code is None or response.json()["code"] == code)
    assert not Order.objects.exists() and callbacks == []  # nothing queued


def test_batch_upload_without_a_file_is_400(api, world):
    response = api.post(f"{URL}batch/", {"kind": "regular"}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"
    assert "file" in response.json()["errors"]
