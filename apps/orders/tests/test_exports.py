"""Order exports into the download centre: the order details (a row per line) and the Shipping
Waybill (shipped parcels), for customers and for staff."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.core.errors import PermissionDenied
from apps.core.tenancy import staff_scope
from apps.orders import exports
from apps.orders.choices import OrderStatus
from apps.orders.errors import OrderInvalid
from apps.orders.exports import ORDER_COLUMNS, WAYBILL_COLUMNS, order_export_start
from apps.orders.models import Order
from apps.orders.selectors import OrderFilters
from apps.orders.services import order_create

pytestmark = pytest.mark.django_db


def sheet_of(job):
    with scopes_disabled():
        data = job.result_file.open("rb").read()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in line] for line in sheet.iter_rows()]
    return rows[0], [dict(zip(rows[0], line, strict=True)) for line in rows[1:]]


def ship(order, **changes):
    now = timezone.now()
    values = {
        "status": OrderStatus.SHIPPED,
        "tracking_number": "1Z999",
        "channel": order.channel,
        "packed_weight_g": 640,
        "estimated_weight_g": 600,
        "estimated_cost": Decimal("9.50"),
        "actual_cost": Decimal("8.75"),
        "submitted_at": now,
        "shipped_at": now,
        **changes,
    }
    Order.objects.filter(pk=order.pk).update(**values)


def test_the_orders_export_has_a_row_per_line_with_the_orders_fields(world):
    two = order_create(
        actor=world.user,
        data=world.data(
            lines=[(world.products["TEE"], 2), (world.products["MUG"], 1)],
            external_ref="#1001",
            recipient={"name": '=HYPERLINK("x")'},
            note="+cmd",
            channel=world.ground,
        ),
    )
    one = order_create(actor=world.user, data=world.data(external_ref="#1002"))
    job = order_export_start(actor=world.user, filters=OrderFilters(), kind="orders")
    assert job.status == "done" and job.result_name.startswith("orders-") and job.customer == world.customer
    header, rows = sheet_of(job)
    assert tuple(header) == ORDER_COLUMNS
    assert [(r["Order number"], r["SKU"], r["Quantity"]) for r in rows] == [
        (one.number, "TEE", 1),
        (two.number, "TEE", 2),
        (two.number, "MUG", 1),
    ]
    first = rows[1]
    assert (
        first["External reference"],
        first["Status"],
        first["Source"],
        first["Warehouse"],
        first["Shipping method"],
        first["Carrier"],
        first["Country code"],
        first["Product name"],
    ) == ("#1001", "Confirming", "Manual", "LAX1", "ups-ground", "UPS", "US", "TEE name")
    assert first["Recipient name"] == '\'=HYPERLINK("x")' and first["Note"] == "'+cmd"  # formulas neutralised
    assert first["Created"] is not None and first["Shipped"] is None

    filtered = order_export_start(actor=world.user, filters=OrderFilters(external_ref="#1002"), kind="orders")
    assert [r["Order number"] for r in sheet_of(filtered)[1]] == [one.number]


def test_the_waybill_holds_only_shipped_delivered_and_returned_orders(world):
    shipped = order_create(actor=world.user, data=world.data(external_ref="W-1", channel=world.ground))
    estimated = order_create(actor=world.user, data=world.data(external_ref="W-2", channel=world.express))
    waiting = order_create(actor=world.user, data=world.data(external_ref="W-3"))
    ship(shipped, status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    ship(estimated, packed_weight_g=None, actual_cost=None, tracking_number="JD014")
    job = order_export_start(actor=world.user, filters=OrderFilters(), kind="waybill")
    header, rows = sheet_of(job)
    assert tuple(header) == WAYBILL_COLUMNS and job.result_name.startswith("waybill-")
    by_ref = {r["External reference"]: r for r in rows}
    assert set(by_ref) == {"W-1", "W-2"} and waiting.number not in {r["Order number"] for r in rows}
    delivered = by_ref["W-1"]
    assert (
        delivered["Order number"],
        delivered["Tracking number"],
        delivered["Carrier"],
        delivered["Shipping method"],
        delivered["Weight (g)"],
        delivered["Weight is"],
        delivered["Cost"],
        delivered["Cost is"],
        delivered["Currency"],
    ) == (shipped.number, "1Z999", "UPS", "ups-ground", 640, "Packed", 8.75, "Actual", "USD")
    assert delivered["Created"] and delivered["Shipped"] and delivered["Delivered"]
    in_transit = by_ref["W-2"]
    assert (
        in_transit["Carrier"],
        in_transit["Weight (g)"],
        in_transit["Weight is"],
        in_transit["Cost"],
        in_transit["Cost is"],
        in_transit["Delivered"],
    ) == ("DHL", 600, "Estimated", 9.5, "Estimated", None)


def test_a_big_export_runs_in_celery(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(exports, "SYNC_EXPORT_ORDERS", 1)
    for n in range(3):
        order_create(actor=world.user, data=world.data(external_ref=f"BIG-{n}"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = order_export_start(actor=world.user, filters=OrderFilters(), kind="orders")
    assert job.status == "queued" and len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == "done" and job.total == 3 and len(sheet_of(job)[1]) == 3
    exports.order_export_run(job_id=job.pk)  # a second delivery changes nothing
    job.refresh_from_db()
    assert job.status == "done"


def test_customers_export_only_their_own_orders(world, customer_b):
    with pytest.raises(PermissionDenied):
        order_export_start(actor=world.user, filters=OrderFilters(), kind="orders", customer=customer_b)
    with pytest.raises(OrderInvalid):
        order_export_start(actor=world.user, filters=OrderFilters(), kind="labels")


def test_staff_export_a_customers_orders_with_a_customer_column(world, make_staff):
    staff = make_staff("order_group")
    order = order_create(actor=world.user, data=world.data(external_ref="ST-1"))
    with staff_scope():
        job = order_export_start(actor=staff, filters=OrderFilters(customer=world.customer.code), kind="orders")
        header, rows = sheet_of(job)
        assert header[0] == "Customer" and rows[0]["Customer"] == world.customer.code
        assert rows[0]["Order number"] == order.number
        assert job.customer is None  # a staff job: it never shows in the customer's download centre
        everyone = order_export_start(actor=staff, filters=OrderFilters(), kind="orders")
        assert sheet_of(everyone)[1][0]["Customer"] == world.customer.code
