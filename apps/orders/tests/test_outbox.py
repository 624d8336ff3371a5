"""Abnormal orders retried through the outbox (DESIGN §3 and §5): every path that frees stock or
adds money writes an outbox row in its own transaction; the row is sent by task name after commit
and, when the broker was away, by the beat sweep; the retry runs once however often it is sent."""

import datetime
import socket
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.billing.models import Wallet
from apps.billing.services import adjust, charge, credit
from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_sweep
from apps.inbound.models import InboundBox
from apps.inbound.receiving import inbound_count_box, inbound_finish_receiving, inbound_mark_arrived
from apps.inbound.services import BoxSpec, inbound_create_complete
from apps.inventory.services import stock_adjust, stock_allocate, stock_receive
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.models import Order
from apps.orders.services import order_cancel, order_create, order_submit
from apps.orders.tasks import retry_after_stock
from config.celery import app
from tests.test_celery_worker import worker  # noqa: F401 - the real-worker fixture

pytestmark = pytest.mark.django_db(transaction=True)  # commits for real: after-commit work runs as in use


def _abnormal(world, code, **data):
    order = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data(**data)))
    assert (order.status, order.abnormal_code) == (OrderStatus.ABNORMAL, code)
    return order


def _drain(world):
    """Spend what is available in the wallet, so an order's hold cannot be paid."""
    wallet = Wallet.objects.get(customer=world.customer)
    charge(
        customer=world.customer,
        amount=wallet.balance - wallet.held,
        kind="misc_fee",
        idempotency_key=f"drain-{uuid.uuid4()}",
    )


def _status(order):
    order.refresh_from_db()
    return order.status


def _went_on(order) -> int:
    """How many times the order went from Abnormal to Pending Shipment."""
    return order.events.filter(from_status=OrderStatus.ABNORMAL, to_status=OrderStatus.PENDING_SHIPMENT).count()


@contextmanager
def broker_unreachable():
    """Point the Celery app at a local port nobody listens on, not eager, for the block."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block below starts
    conf = app.conf
    saved = (conf.broker_url, conf.task_always_eager)

    def reconnect():  # the next publish opens a connection to the broker now configured
        app._pool = None
        app.amqp._producer_pool = None

    conf.broker_url, conf.task_always_eager = f"redis://127.0.0.1:{port}/0", False
    reconnect()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager = saved
        reconnect()


# --- Written in the change's own transaction -------------------------------------------------------


def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(world):
    order = _abnormal(world, AbnormalReason.INSUFFICIENT_STOCK, lines=[(world.products["MUG"], 3)])
    before = OutboxMessage.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        stock_receive(actor=None, product=world.products["MUG"], warehouse=world.warehouse, quantity=5)
        assert OutboxMessage.objects.count() == before + 1  # written inside the transaction…
        raise RuntimeError("the receiving session failed")
    assert OutboxMessage.objects.count() == before  # …and gone with it
    assert _status(order) == OrderStatus.ABNORMAL


def test_many_moves_of_one_customer_in_one_transaction_make_one_row(world, customer_b):
    _abnormal(world, AbnormalReason.INSUFFICIENT_STOCK, lines=[(world.products["MUG"], 3)])
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    with transaction.atomic():
        for _ in range(3):
            stock_receive(actor=None, product=world.products["MUG"], warehouse=world.warehouse, quantity=1)
        credit(customer=world.customer, amount="5", idempotency_key="refund-1", kind="refund")
        credit(customer=world.customer, amount="5", idempotency_key="refund-2", kind="refund")
    rows = OutboxMessage.objects.exclude(pk__in=before)
    assert sorted(rows.values_list("kind", "task", "payload")) == [
        ("balance_increased", "orders.retry_after_balance", {"customer_id": world.customer.pk}),
        ("stock_increased", "orders.retry_after_stock", {"customer_id": world.customer.pk}),
    ]
    assert all(row.published_at is not None and row.attempts == 1 for row in rows)


def test_what_takes_stock_or_money_writes_no_row(world):
    before = OutboxMessage.objects.count()
    stock_allocate(actor=None, product=world.products["TEE"], warehouse=world.warehouse, quantity=2)
    stock_adjust(actor=world.user, product=world.products["TEE"], warehouse=world.warehouse, quantity=-1, reason="x")
    charge(customer=world.customer, amount="1", kind="misc_fee", idempotency_key="fee-1")
    adjust(customer=world.customer, amount="-1", reason="correction", idempotency_key="adj-down", actor=world.user)
    assert OutboxMessage.objects.count() == before


# --- Broker away: the sweep sends it, once ------------------------------------------------------------


def test_with_the_broker_away_the_sweep_retries_the_order_exactly_once(world):
    order = _abnormal(world, AbnormalReason.INSUFFICIENT_STOCK, lines=[(world.products["MUG"], 3)])
    with broker_unreachable():
        stock_receive(actor=None, product=world.products["MUG"], warehouse=world.warehouse, quantity=2)
        row = OutboxMessage.objects.get(kind="stock_increased", published_at__isnull=True)
        assert row.attempts == 1 and "OperationalError" in row.last_error
        assert _status(order) == OrderStatus.ABNORMAL  # committed, but nobody was told
        OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=5))
        assert outbox_sweep() == {"sent": 0, "failed": 1, "purged": 0}  # still away: it waits
    row.refresh_from_db()
    assert row.published_at is None and row.attempts == 2

    assert outbox_sweep()["sent"] == 1  # the broker is back (eager here: the task runs now)
    assert _status(order) == OrderStatus.PENDING_SHIPMENT
    assert outbox_sweep()["sent"] == 0  # swept twice: sent once
    retry_after_stock.delay(customer_id=world.customer.pk)  # and a message delivered twice does nothing more
    assert _went_on(order) == 1
    row.refresh_from_db()
    assert row.published_at is not None and row.attempts == 3


def test_the_sweep_leaves_fresh_rows_to_their_after_commit_publish(world):
    with broker_unreachable():
        stock_receive(actor=None, product=world.products["MUG"], warehouse=world.warehouse, quantity=1)
    assert outbox_sweep() == {"sent": 0, "failed": 0, "purged": 0}  # within the grace period
    assert outbox_sweep(grace_seconds=0)["sent"] == 1


def test_the_sweep_forgets_old_published_rows(world, settings):
    stock_receive(actor=None, product=world.products["MUG"], warehouse=world.warehouse, quantity=1)
    old = timezone.now() - timedelta(days=settings.OUTBOX_KEEP_DAYS + 1)
    OutboxMessage.objects.update(published_at=old)
    assert outbox_sweep()["purged"] >= 1
    assert not OutboxMessage.objects.exists()


def test_the_task_names_are_known_and_the_sweep_runs_on_beat(settings):
    from apps.billing.services import RETRY_AFTER_BALANCE
    from apps.inventory.services import RETRY_AFTER_STOCK

    app.loader.import_default_modules()
    assert {RETRY_AFTER_BALANCE, RETRY_AFTER_STOCK, "core.outbox_sweep"} <= set(app.tasks)
    assert any(job["task"] == "core.outbox_sweep" for job in settings.CELERY_BEAT_SCHEDULE.values())


# --- Every path that adds money ----------------------------------------------------------------------


def test_a_staff_wallet_adjustment_retries_insufficient_balance_orders(world, client, make_staff):
    _drain(world)
    order = _abnormal(world, AbnormalReason.INSUFFICIENT_BALANCE)
    stock_short = _abnormal(world, AbnormalReason.INSUFFICIENT_STOCK, lines=[(world.products["MUG"], 3)])
    client.force_login(make_staff("finance"))
    with scopes_disabled():
        response = client.post(
            reverse("backoffice:billing-wallet-adjust", args=[world.customer.pk]),
            {"amount": "25", "reason": "Goodwill credit", "idempotency_key": str(uuid.uuid4())},
        )
    assert response.status_code == 302
    assert _status(order) == OrderStatus.PENDING_SHIPMENT
    assert order.events.last().actor is None  # the system did it
    assert _status(stock_short) == OrderStatus.ABNORMAL  # money does not make stock


def test_a_refund_retries_insufficient_balance_orders(world):
    _drain(world)
    order = _abnormal(world, AbnormalReason.INSUFFICIENT_BALANCE)
    credit(customer=world.customer, amount="30", kind="refund", idempotency_key="refund-claim-1")
    assert _status(order) == OrderStatus.PENDING_SHIPMENT


def test_a_hold_released_by_a_cancel_retries_insufficient_balance_orders(world):
    first = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data()))
    assert first.status == OrderStatus.PENDING_SHIPMENT
    _drain(world)  # the first order's hold is all that is left
    second = _abnormal(world, AbnormalReason.INSUFFICIENT_BALANCE)
    order_cancel(actor=world.user, order=first)
    assert _status(second) == OrderStatus.PENDING_SHIPMENT


# --- Every path that frees stock ---------------------------------------------------------------------


def test_stock_freed_by_a_cancel_retries_insufficient_stock_orders(world):
    first = order_submit(
        actor=world.user, order=order_create(actor=world.user, data=world.data(lines=[(world.products["MUG"], 1)]))
    )
    assert first.status == OrderStatus.PENDING_SHIPMENT
    second = _abnormal(world, AbnormalReason.INSUFFICIENT_STOCK, lines=[(world.products["MUG"], 1)])
    order_cancel(actor=world.user, order=first)
    assert _status(second) == OrderStatus.PENDING_SHIPMENT


def test_a_stock_adjustment_up_retries_insufficient_stock_orders(world):
    order = _abnormal(world, AbnormalReason.INSUFFICIENT_STOCK, lines=[(world.products["MUG"], 2)])
    stock_adjust(
        actor=world.user, product=world.products["MUG"], warehouse=world.warehouse, quantity=1, reason="Found one"
    )
    assert _status(order) == OrderStatus.PENDING_SHIPMENT


def test_receiving_an_inbound_retries_insufficient_stock_orders(world, make_staff):
    mug = world.products["MUG"]
    order = _abnormal(world, AbnormalReason.INSUFFICIENT_STOCK, lines=[(mug, 4)])
    inbound = inbound_create_complete(
        actor=world.user,
        warehouse=world.warehouse,
        lines=[(mug, 5)],
        boxes=[BoxSpec(items=[(mug, 5)], length_cm="30", width_cm="20", height_cm="20", weight_kg="3")],
        shipping={
            "carrier": "DHL",
            "tracking_number": "1234567890",
            "transport_mode": "express",
            "ship_date": datetime.date(2026, 11, 20),
            "eta": datetime.date(2026, 11, 28),
        },
        submit=True,
    )
    clerk = make_staff("warehouse")
    with scopes_disabled():
        inbound_mark_arrived(actor=clerk, inbound=inbound)
        inbound_count_box(
            actor=clerk, inbound=inbound, box=InboundBox.objects.get(inbound=inbound), counts={mug.pk: (5, 0)}
        )
        assert _status(order) == OrderStatus.ABNORMAL  # counted, not posted yet
        inbound_finish_receiving(actor=clerk, inbound=inbound)
    assert _status(order) == OrderStatus.PENDING_SHIPMENT
    assert Order.objects.filter(customer=world.customer, status=OrderStatus.ABNORMAL).count() == 0


# --- Through a real worker and Redis (pytest -m worker, PostgreSQL + REDIS_URL) -----------------------


@pytest.mark.worker
def test_a_real_worker_retries_the_order_once_the_sweep_sends_what_the_broker_missed(world, worker):  # noqa: F811
    import time

    order = _abnormal(world, AbnormalReason.INSUFFICIENT_STOCK, lines=[(world.products["MUG"], 3)])
    with broker_unreachable():
        stock_receive(actor=None, product=world.products["MUG"], warehouse=world.warehouse, quantity=2)
    row = OutboxMessage.objects.get(kind="stock_increased", published_at__isnull=True)
    OutboxMessage.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert outbox_sweep()["sent"] == 1  # to Redis now; the worker runs the retry
    deadline = time.monotonic() + 45
    while _status(order) != OrderStatus.PENDING_SHIPMENT and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _status(order) == OrderStatus.PENDING_SHIPMENT, worker[1].read_text()[-3000:]
    assert outbox_sweep()["sent"] == 0
    assert _went_on(order) == 1
