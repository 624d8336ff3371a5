"""The stock ledger under real concurrency (PostgreSQL only): many threads, each with its own
database connection, posting moves against the same balance row at once."""

from __future__ import annotations

import itertools
import random
import threading

import pytest
from django.db.models import Sum
from django_scopes import scopes_disabled

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.core.testing import require_postgresql, run_concurrently
from apps.inventory.choices import MoveKind
from apps.inventory.errors import InsufficientStock, InvalidMove
from apps.inventory.models import BinStock, StockBalance, StockMove
from apps.inventory.services import stock_allocate, stock_receive, stock_release, stock_ship
from apps.warehouses.models import BinLocation, Warehouse

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stock(user_a):
    """One product of customer A, one warehouse with one bin."""
    with customer_scope(user_a.customer):
        product = product_create(actor=user_a, data={"sku": "HOT-1", "name": "Hot item", "declared_value": "1"})
    warehouse = Warehouse.objects.create(code="LAX1", name="LA", address1="1 Main", city="LA", country="US")
    bin = BinLocation.objects.create(warehouse=warehouse, code="A-01-01")
    return user_a, product, warehouse, bin


def ledger_sums(product, warehouse) -> dict:
    with scopes_disabled():
        return StockMove.objects.filter(product=product, warehouse=warehouse).aggregate(
            on_hand=Sum("on_hand_delta", default=0),
            allocated=Sum("allocated_delta", default=0),
            damaged=Sum("damaged_delta", default=0),
        )


def balance_of(product, warehouse) -> StockBalance:
    with scopes_disabled():
        return StockBalance.objects.get(product=product, warehouse=warehouse)


def test_fifty_concurrent_allocations_never_oversell(stock):
    require_postgresql()
    user, product, warehouse, bin = stock
    customer = user.customer
    with customer_scope(customer):
        stock_receive(actor=user, product=product, warehouse=warehouse, quantity=20, bin=bin)

    def allocate_one():
        with customer_scope(customer):
            try:
                stock_allocate(
                    actor=user,
                    product=product,
                    warehouse=warehouse,
                    quantity=1,
                    reference_type="order",
                    reference_id="1",
                )
            except InsufficientStock:
                return False
            return True

    results = run_concurrently(allocate_one, threads=50)

    assert len(results) == 50
    assert results.count(True) == 20
    balance = balance_of(product, warehouse)
    assert (balance.on_hand, balance.allocated, balance.available) == (20, 20, 0)
    with scopes_disabled():
        assert StockMove.objects.filter(product=product, kind=MoveKind.ALLOCATE).count() == 20
    assert ledger_sums(product, warehouse) == {"on_hand": 20, "allocated": 20, "damaged": 0}


def test_concurrent_mixed_moves_keep_balance_equal_to_ledger(stock):
    require_postgresql()
    user, product, warehouse, bin = stock
    customer = user.customer
    with customer_scope(customer):
        stock_receive(actor=user, product=product, warehouse=warehouse, quantity=10, bin=bin)

    seeds = itertools.count(1)
    seed_lock = threading.Lock()
    observed = []  # (on_hand, allocated, damaged, bin quantity) read by the threads between their moves

    def mixed_moves():
        with seed_lock:
            rng = random.Random(next(seeds))
        done = refused = 0
        with customer_scope(customer):
            for _ in range(25):
                kind = rng.choice(["allocate", "allocate", "release", "ship", "ship", "receive"])
                quantity = rng.randint(1, 3)
                try:
                    if kind == "allocate":
                        stock_allocate(actor=user, product=product, warehouse=warehouse, quantity=quantity)
                    elif kind == "release":
                        stock_release(actor=user, product=product, warehouse=warehouse, quantity=quantity)
                    elif kind == "ship":
                        stock_ship(
                            actor=user,
                            product=product,
                            warehouse=warehouse,
                            quantity=quantity,
                            bin=bin if rng.random() < 0.5 else None,
                        )
                    else:
                        stock_receive(
                            actor=user,
                            product=product,
                            warehouse=warehouse,
                            quantity=quantity,
                            bin=bin if rng.random() < 0.5 else None,
                        )
                    done += 1
                except (InsufficientStock, InvalidMove):  # InvalidMove: a binless ship of shelved units
                    refused += 1
                b = StockBalance.objects.get(product=product, warehouse=warehouse)
                in_bin = BinStock.objects.get(product=product, bin=bin).quantity
                observed.append((b.on_hand, b.allocated, b.damaged, in_bin))
        return done, refused

    results = run_concurrently(mixed_moves, threads=8)

    assert sum(done + refused for done, refused in results) == 8 * 25
    assert sum(done for done, _ in results) > 0
    for on_hand, allocated, damaged, in_bin in observed:
        assert 0 <= allocated <= on_hand and damaged >= 0 and in_bin >= 0
    balance = balance_of(product, warehouse)
    with scopes_disabled():  # at rest, the bins never hold more than is on hand
        assert BinStock.objects.get(product=product, bin=bin).quantity <= balance.on_hand
    sums = ledger_sums(product, warehouse)
    assert (balance.on_hand, balance.allocated, balance.damaged) == (
        sums["on_hand"],
        sums["allocated"],
        sums["damaged"],
    )
    assert balance.allocated >= 0 and balance.available >= 0
    with scopes_disabled():
        assert StockMove.objects.filter(product=product).count() == 1 + sum(done for done, _ in results)
        bin_sum = StockMove.objects.filter(product=product, bin=bin).aggregate(s=Sum("on_hand_delta"))["s"]
        assert BinStock.objects.get(product=product, bin=bin).quantity == bin_sum >= 0


@pytest.mark.parametrize("kind", ["receive", "allocate"])
def test_same_idempotency_key_from_ten_threads_posts_once(stock, kind):
    require_postgresql()
    user, product, warehouse, bin = stock
    customer = user.customer
    if kind == "allocate":
        with customer_scope(customer):
            stock_receive(actor=user, product=product, warehouse=warehouse, quantity=100)
    before = balance_of(product, warehouse) if kind == "allocate" else None

    def post():
        with customer_scope(customer):
            if kind == "receive":
                move = stock_receive(
                    actor=user,
                    product=product,
                    warehouse=warehouse,
                    quantity=5,
                    bin=bin,
                    idempotency_key="inbound-42-line-1",
                )
            else:
                move = stock_allocate(
                    actor=user, product=product, warehouse=warehouse, quantity=5, idempotency_key="order-42-line-1"
                )
            return move.pk

    results = run_concurrently(post, threads=10)

    assert len(results) == 10 and len(set(results)) == 1
    balance = balance_of(product, warehouse)
    with scopes_disabled():
        moves = StockMove.objects.filter(product=product, kind=kind)
        assert moves.count() == 1 and moves.get().pk == results[0]
    if kind == "receive":
        assert (balance.on_hand, balance.allocated) == (5, 0)
        with scopes_disabled():
            assert BinStock.objects.get(product=product, bin=bin).quantity == 5
    else:
        assert (balance.on_hand, balance.allocated) == (before.on_hand, before.allocated + 5)
