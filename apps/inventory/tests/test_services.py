import pytest
from django_scopes import scopes_disabled

from apps.inventory.errors import InsufficientStock, InvalidMove, ReasonRequired
from apps.inventory.models import BinStock, StockBalance, StockMove
from apps.inventory.services import (
    stock_adjust,
    stock_allocate,
    stock_receive,
    stock_record_damage,
    stock_record_gain,
    stock_release,
    stock_ship,
)

pytestmark = pytest.mark.django_db


def balance(product, warehouse):
    with scopes_disabled():
        b = StockBalance.objects.get(product=product, warehouse=warehouse)
    return b.on_hand, b.allocated, b.damaged


def moves():
    with scopes_disabled():
        return StockMove.objects.count()


def test_full_cycle_keeps_balance_and_ledger_in_step(make_product, warehouse, bin_a, make_staff):
    p = make_product()
    clerk = make_staff("warehouse")
    with scopes_disabled():
        stock_receive(actor=clerk, product=p, warehouse=warehouse, quantity=10, bin=bin_a, reference="Inbound IN1")
        stock_record_damage(actor=clerk, product=p, warehouse=warehouse, quantity=1, bin=bin_a)
        stock_record_gain(actor=clerk, product=p, warehouse=warehouse, quantity=2, bin=bin_a)
        stock_allocate(
            actor=None, product=p, warehouse=warehouse, quantity=4, reference_type="order", reference_id="S1"
        )
        stock_release(actor=None, product=p, warehouse=warehouse, quantity=1)
        stock_ship(actor=clerk, product=p, warehouse=warehouse, quantity=3, bin=bin_a)
        stock_adjust(actor=clerk, product=p, warehouse=warehouse, quantity=-2, bin=bin_a, reason="Broken on shelf")
        assert balance(p, warehouse) == (6, 0, 1)
        assert BinStock.objects.get(product=p, bin=bin_a).quantity == 6
        sums = [
            sum(m.on_hand_delta for m in StockMove.objects.all()),
            sum(m.allocated_delta for m in StockMove.objects.all()),
        ]
        assert sums == [6, 0]


def test_allocating_more_than_available_is_refused_and_writes_nothing(make_product, warehouse):
    p = make_product()
    with scopes_disabled():
        stock_receive(actor=None, product=p, warehouse=warehouse, quantity=5)
        stock_allocate(actor=None, product=p, warehouse=warehouse, quantity=3)
        before = moves()
        with pytest.raises(InsufficientStock) as exc:
            stock_allocate(actor=None, product=p, warehouse=warehouse, quantity=3)
        assert "Only 2 of MUG in LAX1 are available (5 on hand, 3 allocated)" in exc.value.message
        assert moves() == before and balance(p, warehouse) == (5, 3, 0)


def test_nothing_to_allocate_where_nothing_was_received(make_product, warehouse):
    p = make_product()
    with scopes_disabled(), pytest.raises(InsufficientStock):
        stock_allocate(actor=None, product=p, warehouse=warehouse, quantity=1)
    assert moves() == 0


def test_adjustment_below_allocated_is_refused(make_product, warehouse, make_staff):
    p = make_product()
    with scopes_disabled():
        stock_receive(actor=None, product=p, warehouse=warehouse, quantity=5)
        stock_allocate(actor=None, product=p, warehouse=warehouse, quantity=4)
        with pytest.raises(InsufficientStock):
            stock_adjust(actor=make_staff("warehouse"), product=p, warehouse=warehouse, quantity=-2, reason="count")
        assert balance(p, warehouse) == (5, 4, 0)


@pytest.mark.parametrize("reason", ["", "   "])
def test_adjustment_needs_a_reason(make_product, warehouse, reason):
    p = make_product()
    with scopes_disabled(), pytest.raises(ReasonRequired):
        stock_adjust(actor=None, product=p, warehouse=warehouse, quantity=3, reason=reason)
    assert moves() == 0


@pytest.mark.parametrize("quantity", [0, -1, 2.5, True])
def test_quantities_must_be_positive_whole_numbers(make_product, warehouse, quantity):
    p = make_product()
    with scopes_disabled(), pytest.raises(InvalidMove):
        stock_receive(actor=None, product=p, warehouse=warehouse, quantity=quantity)


def test_bin_of_another_warehouse_is_refused(make_product, warehouse2, bin_a):
    p = make_product()
    with scopes_disabled(), pytest.raises(InvalidMove, match="not in warehouse NJ1"):
        stock_receive(actor=None, product=p, warehouse=warehouse2, quantity=1, bin=bin_a)


def test_taking_more_from_a_bin_than_it_holds_is_refused(make_product, warehouse, bin_a):
    p = make_product()
    with scopes_disabled():
        stock_receive(actor=None, product=p, warehouse=warehouse, quantity=5)  # not put away in a bin
        with pytest.raises(InsufficientStock, match="Bin A-01-01 holds 0"):
            stock_adjust(actor=None, product=p, warehouse=warehouse, quantity=-1, bin=bin_a, reason="x")
        assert balance(p, warehouse) == (5, 0, 0)


def test_same_idempotency_key_posts_once(make_product, warehouse):
    p = make_product()
    with scopes_disabled():
        first = stock_receive(actor=None, product=p, warehouse=warehouse, quantity=5, idempotency_key="in:1:line:1")
        again = stock_receive(actor=None, product=p, warehouse=warehouse, quantity=5, idempotency_key="in:1:line:1")
        assert first.pk == again.pk and balance(p, warehouse) == (5, 0, 0)


def test_database_refuses_a_negative_available_even_without_the_service(make_product, warehouse):
    from django.db import IntegrityError, transaction

    p = make_product()
    with scopes_disabled():
        stock_receive(actor=None, product=p, warehouse=warehouse, quantity=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            StockBalance.objects.filter(product=p).update(allocated=2)
