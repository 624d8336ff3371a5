"""The pack station buys the carrier label outside the order's row lock: lock, check, release; buy
the label; lock, check again, attach — or void the label when the order changed meanwhile.

The carrier is the outside system here: a carrier adapter registered for UPS through the seam
(`register_adapter`), which numbers labels like the local adapter, records the labels it is
asked to void, and lets a test act while "the carrier is working" on a label."""

import threading

import pytest
from django.db import connection, connections

from apps.core.tenancy import staff_scope
from apps.core.testing import require_postgresql
from apps.fulfillment.choices import WaveOrderStatus
from apps.fulfillment.errors import OutboundConflict
from apps.fulfillment.models import FulfillmentEvent, Parcel
from apps.fulfillment.packing import pack_complete, pack_find, pack_scan
from apps.fulfillment.picking import wave_create
from apps.fulfillment.selectors import events_of
from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.orders.services import order_cancel
from apps.shipping.carriers import LocalCarrierAdapter, RetryableCarrierError, register_adapter, registry

from .test_outbound import pick_all

pytestmark = pytest.mark.usefixtures("staff_side")


class FakeCarrier(LocalCarrierAdapter):
    """UPS as the test wants it: ``while_buying`` runs while a label is being issued; voided
    numbers are kept; ``void_error`` makes voiding fail like an unreachable carrier."""

    while_buying = None
    voided: list[str] = []
    void_error: Exception | None = None

    def request_label(self, request, *, sequence):
        result = super().request_label(request, sequence=sequence)
        if FakeCarrier.while_buying is not None:
            FakeCarrier.while_buying(result.tracking_number)
        return result

    def cancel(self, tracking_number):
        if FakeCarrier.void_error is not None:
            raise FakeCarrier.void_error
        super().cancel(tracking_number)
        FakeCarrier.voided.append(tracking_number)


@pytest.fixture
def carrier(monkeypatch):
    monkeypatch.setattr(registry, "_registry", {})
    monkeypatch.setattr(FakeCarrier, "while_buying", None)
    monkeypatch.setattr(FakeCarrier, "voided", [])
    monkeypatch.setattr(FakeCarrier, "void_error", None)
    register_adapter("ups", FakeCarrier)
    return FakeCarrier


def ready_to_pack(floor, submitted):
    """A picked order at the pack station with every item scanned: (task, scanned)."""
    order = submitted()
    pick_all(floor, wave_create(actor=floor.clerk, warehouse=floor.warehouse))
    task = pack_find(warehouse=floor.warehouse, code=order.number)
    _sku, scanned = pack_scan(task=task, scanned={}, code="TEE")
    return task, scanned


def test_a_label_bought_for_an_order_that_is_still_packable_is_attached(floor, submitted, carrier):
    task, scanned = ready_to_pack(floor, submitted)
    parcel = pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=450)
    order = Order.objects.get(pk=task.order.pk)
    assert order.is_packed and order.tracking_number == parcel.tracking_number
    assert carrier.voided == []
    task.wave_order.refresh_from_db()
    assert task.wave_order.status == WaveOrderStatus.PACKED


def test_an_order_cancelled_while_its_label_was_bought_voids_the_label_and_packs_nothing(floor, submitted, carrier):
    task, scanned = ready_to_pack(floor, submitted)
    bought = []

    def customer_cancels(tracking_number):
        bought.append(tracking_number)
        order_cancel(actor=floor.user, order=task.order, reason="changed my mind")

    carrier.while_buying = customer_cancels
    with pytest.raises(OutboundConflict) as refused:
        pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=450)
    assert refused.value.code == "order_cancelled"
    message = refused.value.message
    assert f"Order {task.order.number} was cancelled by the customer" in message
    assert "Nothing is packed: the order changed while its label was being bought." in message
    assert f"Its label {bought[0]}, bought meanwhile, is voided with UPS." in message
    assert carrier.voided == bought
    order = Order.objects.get(pk=task.order.pk)
    assert order.status == OrderStatus.CANCELLED and not order.is_packed and order.tracking_number == ""
    assert not Parcel.objects.exists()
    assert not FulfillmentEvent.objects.filter(subject="parcel").exists()
    task.wave_order.refresh_from_db()
    assert task.wave_order.status == WaveOrderStatus.CANCELLED  # off the pick list
    assert events_of(task.wave_order).last().actor == floor.clerk


def test_a_label_the_carrier_cannot_void_is_named_for_voiding_by_hand(floor, submitted, carrier):
    task, scanned = ready_to_pack(floor, submitted)
    carrier.while_buying = lambda _number: order_cancel(actor=floor.user, order=task.order)
    carrier.void_error = RetryableCarrierError("UPS did not answer in time.", carrier_code="ups")
    with pytest.raises(OutboundConflict) as refused:
        pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=450)
    assert "could not be voided (UPS did not answer in time.): destroy it and void it with UPS by hand." in (
        refused.value.message
    )
    assert carrier.voided == [] and not Parcel.objects.exists()


def test_a_second_station_that_packed_the_order_meanwhile_wins_and_the_late_label_is_voided(floor, submitted, carrier):
    task, scanned = ready_to_pack(floor, submitted)
    first = []

    def other_station_packs(_number):
        carrier.while_buying = None
        first.append(pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=450))

    carrier.while_buying = other_station_packs
    with pytest.raises(OutboundConflict) as refused:
        pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=450)
    assert refused.value.code == "order_packed"
    (parcel,) = first
    assert Parcel.objects.get().tracking_number == parcel.tracking_number
    assert len(carrier.voided) == 1 and carrier.voided[0] != parcel.tracking_number
    assert f"Its label {carrier.voided[0]}, bought meanwhile, is voided" in refused.value.message


@pytest.mark.django_db(transaction=True)
def test_the_order_is_not_locked_while_the_carrier_issues_the_label(floor, submitted, carrier):
    """PostgreSQL: the customer's cancel, on its own connection, goes through while the carrier
    is still working on the label; were the order still locked it would wait, and give up after
    the lock timeout."""
    require_postgresql()
    task, scanned = ready_to_pack(floor, submitted)
    outcome = {}

    def cancel_elsewhere():
        try:
            with staff_scope():
                with connection.cursor() as cursor:
                    cursor.execute("SET lock_timeout = '5s'")
                outcome["status"] = order_cancel(actor=floor.user, order=task.order).status
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc
        finally:
            connections.close_all()

    def while_buying(_number):
        worker = threading.Thread(target=cancel_elsewhere)
        worker.start()
        worker.join()

    carrier.while_buying = while_buying
    with pytest.raises(OutboundConflict, match="cancelled by the customer"):
        pack_complete(actor=floor.clerk, task=task, scanned=scanned, weight_g=450)
    assert outcome == {"status": OrderStatus.CANCELLED}
    assert len(carrier.voided) == 1
    assert not Parcel.objects.exists()
    assert Order.objects.get(pk=task.order.pk).status == OrderStatus.CANCELLED
