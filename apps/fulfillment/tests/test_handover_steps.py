"""Closing a manifest ships each order in its own short transaction: an order that can no longer
ship is kept back, a hand-over killed halfway finishes on the next run with every order shipped
once, and a big hand-over never deadlocks with the same customer's submissions."""

import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.models import Sum

from apps.billing.models import Wallet, WalletEntry
from apps.billing.services import credit
from apps.core.tenancy import customer_scope, staff_scope
from apps.core.testing import require_postgresql
from apps.fulfillment.choices import EventSubject, ManifestStatus, ParcelStatus
from apps.fulfillment.handover import manifest_add, manifest_hand_over, manifest_open, manifests_finish
from apps.fulfillment.models import FulfillmentEvent, Parcel
from apps.fulfillment.picking import wave_create
from apps.inventory.models import StockBalance, StockMove
from apps.inventory.services import stock_receive
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.models import Order
from apps.orders.services import order_create, order_mark_abnormal, order_submit

from .outbound_pages import pack, pick_all, url

ROOT = Path(__file__).resolve().parents[3]


def _packed(floor, count):
    """``count`` orders of 1 TEE, picked and packed, and a manifest with all of them on it."""
    wave_orders = []
    for _ in range(count):
        data = floor.data(lines=[(floor.products["TEE"], 1)])
        with customer_scope(floor.customer):
            order = order_submit(actor=floor.user, order=order_create(actor=floor.user, data=data))
        assert order.status == OrderStatus.PENDING_SHIPMENT, order.abnormal_message
        wave_orders.append(order)
    with staff_scope():
        for start in range(0, count, 50):
            pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse, limit=50))
        parcels = [pack(floor, order) for order in wave_orders]
        manifest = manifest_open(actor=floor.clerk, warehouse=floor.warehouse, carrier=floor.ground.carrier)
        for parcel in parcels:
            manifest_add(actor=floor.clerk, manifest=manifest, code=parcel.tracking_number)
    return manifest, wave_orders


def _stock(floor, units):
    stock_receive(
        actor=None, product=floor.products["TEE"], warehouse=floor.warehouse, bin=floor.bins["A-01-01"], quantity=units
    )


def _shipped_once(orders):
    numbers = [o.number for o in orders]
    ships = StockMove.objects.filter(reference_id__in=numbers, kind="ship").values_list("reference_id", flat=True)
    freight = WalletEntry.objects.filter(reference_id__in=numbers, kind="freight").values_list(
        "reference_id", flat=True
    )
    return sorted(ships) == sorted(numbers) and sorted(freight) == sorted(numbers)


def test_an_order_stopped_after_its_scan_is_kept_back_and_the_rest_ship(floor):
    manifest, orders = _packed(floor, 3)
    with staff_scope():
        order_mark_abnormal(
            actor=floor.clerk, order=orders[1], code=AbnormalReason.STOCK_DISCREPANCY, message="Recount the bin"
        )
        done = manifest_hand_over(actor=floor.clerk, manifest=manifest)
        assert done.manifest.status == ManifestStatus.CLOSED
        assert done.shipped == 2
        assert [number for number, _why in done.kept_back] == [orders[1].number]
        assert "only Pending Shipment orders can be shipped" in done.kept_back[0][1]
        kept = Parcel.objects.get(order=orders[1])
        assert (kept.status, kept.manifest_id) == (ParcelStatus.PACKED, None)
        assert [Order.objects.get(pk=o.pk).status for o in orders] == [
            OrderStatus.SHIPPED,
            OrderStatus.ABNORMAL,
            OrderStatus.SHIPPED,
        ]
        closed = FulfillmentEvent.objects.filter(subject=EventSubject.MANIFEST, object_id=manifest.pk).latest("id")
        assert closed.message.startswith(f"Handed over: 2 parcels; kept back {orders[1].number}: ")


def test_the_hand_over_page_shows_the_progress_then_what_shipped_and_what_was_kept_back(
    floor, clerk, django_capture_on_commit_callbacks
):
    manifest, orders = _packed(floor, 2)
    with staff_scope():
        order_mark_abnormal(actor=floor.clerk, order=orders[0], code=AbnormalReason.STOCK_DISCREPANCY, message="Stop")
    with django_capture_on_commit_callbacks() as queued:  # the worker has not run yet
        response = clerk.post(url("manifest-close", manifest.number), {"confirm": "yes"}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200 and len(queued) == 1
    assert "Handing 2 parcels over to UPS" in text and 'data-testid="manifest-closing"' in text
    assert "0 of 2 orders Shipped so far" in text
    queued[0]()  # the worker ships them
    with staff_scope():
        assert Order.objects.get(pk=orders[1].pk).status == OrderStatus.SHIPPED
    poll = clerk.get(url("manifest", manifest.number), HTTP_HX_REQUEST="true").content.decode()
    assert "manifest-closing" not in poll  # the poll stops: the manifest is handed over
    assert "Handed over to UPS: 1 order Shipped" in poll
    assert poll.count('data-testid="kept-back"') == 1 and f">{orders[0].number}</span>" in poll


@pytest.mark.django_db(transaction=True)
def test_with_an_eager_worker_the_page_says_at_once_what_shipped_and_what_was_kept_back(floor, clerk):
    manifest, orders = _packed(floor, 2)
    with staff_scope():
        order_mark_abnormal(actor=floor.clerk, order=orders[0], code=AbnormalReason.STOCK_DISCREPANCY, message="Stop")
    response = clerk.post(url("manifest-close", manifest.number), {"confirm": "yes"}, follow=True)
    text = response.content.decode()
    assert "1 order is Shipped now" in text
    assert f"Order {orders[0].number} was kept back and is off the manifest" in text


@pytest.mark.django_db(transaction=True)
def test_a_hand_over_killed_halfway_finishes_on_the_next_run_and_ships_each_order_once(floor):
    require_postgresql()
    manifest, orders = _packed(floor, 8)
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("REDIS_URL", None)  # the dying process runs its after-commit tasks in-process
    script = (
        "import django; django.setup()\n"
        "from apps.core.tenancy import staff_scope\n"
        "from apps.fulfillment.handover import manifest_hand_over\n"
        "from apps.fulfillment.models import Manifest\n"
        f"with staff_scope(): manifest_hand_over(actor=None, manifest=Manifest.objects.get(pk={manifest.pk}))\n"
    )
    blocker = connections.create_connection("default")  # holds the 5th order: the close stops there
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute("SELECT id FROM orders_order WHERE id = %s FOR UPDATE", [orders[4].pk])
    closing = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while Parcel.objects.filter(manifest=manifest, status=ParcelStatus.SHIPPED).count() < 4:
            assert closing.poll() is None and time.monotonic() < deadline, "the close did not get to the 5th order"
            time.sleep(0.05)
        time.sleep(0.3)  # it is waiting on the 5th order's lock now
        closing.send_signal(signal.SIGKILL)
        closing.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
    with staff_scope():
        assert Parcel.objects.filter(manifest=manifest, status=ParcelStatus.SHIPPED).count() == 4
        manifest.refresh_from_db()
        assert manifest.status == ManifestStatus.CLOSING  # the driver signed; it was not finished
        assert manifests_finish(actor=None) == 1  # the sweep (or pressing the button again)
        manifest.refresh_from_db()
        assert manifest.status == ManifestStatus.CLOSED
        assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == {
            OrderStatus.SHIPPED
        }
        assert _shipped_once(orders)
        assert manifests_finish(actor=None) == 0


@pytest.mark.django_db(transaction=True)
def test_a_big_hand_over_and_the_customers_submissions_at_once_never_deadlock(floor):
    require_postgresql()
    parcels, submits = int(os.environ.get("HANDOVER_PARCELS", "300")), 100
    _stock(floor, parcels + submits)
    credit(customer=floor.customer, amount="10000.00", idempotency_key="big-topup")
    manifest, shipped = _packed(floor, parcels)
    waiting = []
    with customer_scope(floor.customer):
        for _ in range(submits):
            waiting.append(order_create(actor=floor.user, data=floor.data(lines=[(floor.products["TEE"], 1)])))
    errors, results = [], {}
    start = threading.Barrier(2)

    def hand_over():
        try:
            start.wait()
            with staff_scope():
                results["handover"] = manifest_hand_over(actor=floor.clerk, manifest=manifest)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def submit_all():
        try:
            start.wait()
            with customer_scope(floor.customer):
                results["submitted"] = [order_submit(actor=floor.user, order=o).status for o in waiting]
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_over), threading.Thread(target=submit_all)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results["handover"].shipped == parcels and results["handover"].manifest.status == ManifestStatus.CLOSED
    assert results["submitted"] == [OrderStatus.PENDING_SHIPMENT] * submits
    with staff_scope():
        assert _shipped_once(shipped)
        # Stock adds up: what shipped left, what waits is allocated.
        balance = StockBalance.objects.get(product=floor.products["TEE"], warehouse=floor.warehouse)
        assert balance.allocated == submits
        assert balance.on_hand == 10 + parcels + submits - parcels
        # Money adds up: the balance is the sum of the entries; what is held is what the waiting orders hold.
        wallet = Wallet.objects.get(customer=floor.customer)
        entries = WalletEntry.objects.filter(customer=floor.customer)
        assert wallet.balance == entries.aggregate(s=Sum("amount"))["s"]
        held = Order.objects.filter(pk__in=[o.pk for o in waiting]).aggregate(s=Sum("held_amount"))["s"]
        assert wallet.held == held == entries.aggregate(s=Sum("held_delta"))["s"] > Decimal("0")


@pytest.mark.django_db(transaction=True)  # committed: each announcement is a row of its own
@pytest.mark.parametrize(("freight", "announced"), [(None, 0), ("1.00", 1)])
def test_a_settlement_that_frees_no_money_announces_nothing(floor, freight, announced):
    """Shipping at the estimate releases the hold and charges the same amount: the available
    balance does not grow, so no retry of the customer's Abnormal orders is queued."""
    from apps.core.models import OutboxMessage

    manifest, (order,) = _packed(floor, 1)
    if freight is not None:  # the packed parcel came out cheaper than the estimate
        Order.objects.filter(pk=order.pk).update(actual_freight=Decimal(freight))
    before = OutboxMessage.objects.filter(kind="balance_increased").count()
    with staff_scope():
        manifest_hand_over(actor=floor.clerk, manifest=manifest)
    assert OutboxMessage.objects.filter(kind="balance_increased").count() - before == announced
    entries = WalletEntry.objects.filter(reference_id=order.number).order_by("id")
    assert [e.kind for e in entries] == ["hold", "release", "freight", "fulfilment_fee"]
    assert (
        entries.last().balance_after - entries.last().held_after
        == Wallet.objects.get(customer=floor.customer).available
    )
