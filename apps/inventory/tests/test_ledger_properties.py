"""Property test of the stock ledger: random sequences of moves, valid and invalid, on 2 products ×
2 warehouses with 3 bins, checked against a plain Python model of the rules.

After every move: the move succeeds exactly when the model says it should (and a refused move writes
nothing), every StockBalance equals the sum of its moves' deltas and matches the model, available,
allocated, damaged and every BinStock stay at or above zero, and every BinStock equals the sum of the
bin effects of the moves that named that bin.

Isolation between examples: the test runs in pytest-django's ``db`` transaction; each Hypothesis
example runs inside its own ``transaction.atomic()`` (a savepoint) that is always rolled back with a
sentinel exception, so every example starts from the same clean fixture rows. This behaves the same
on SQLite and PostgreSQL and needs no per-example deletes.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inventory import services
from apps.inventory.errors import InsufficientStock, InvalidMove, ReasonRequired
from apps.inventory.models import BinStock, StockBalance, StockMove
from apps.warehouses.models import BinLocation, Warehouse

WITH_BIN = {"receive", "gain", "damage", "ship", "adjust", "putaway"}
SERVICE = {
    "receive": services.stock_receive,
    "gain": services.stock_record_gain,
    "damage": services.stock_record_damage,
    "allocate": services.stock_allocate,
    "release": services.stock_release,
    "ship": services.stock_ship,
    "adjust": services.stock_adjust,
    "putaway": services.stock_put_away,
}
# (on_hand, allocated, damaged, bin) per unit; adjust takes its sign from the quantity; a put-away only fills a bin.
EFFECT = {
    "receive": (1, 0, 0, 1),
    "gain": (1, 0, 0, 1),
    "damage": (-1, 0, 1, -1),
    "allocate": (0, 1, 0, 0),
    "release": (0, -1, 0, 0),
    "ship": (-1, -1, 0, -1),
    "adjust": (1, 0, 0, 1),
    "putaway": (0, 0, 0, 1),
}


class _Rollback(Exception):
    """Raised at the end of every example to roll its savepoint back."""


@pytest.fixture
def world(user_a):
    with customer_scope(user_a.customer):
        products = [
            product_create(actor=user_a, data={"sku": f"P{i}", "name": f"Product {i}", "declared_value": "1"})
            for i in range(2)
        ]
    warehouses = [
        Warehouse.objects.create(code=code, name=code, address1="1 Main", city="LA", country="US")
        for code in ("LAX1", "NYC1")
    ]
    bins = [
        BinLocation.objects.create(warehouse=warehouses[0], code="A-01-01"),
        BinLocation.objects.create(warehouse=warehouses[0], code="A-01-02"),
        BinLocation.objects.create(warehouse=warehouses[1], code="B-01-01"),
    ]
    return user_a, products, warehouses, bins


# Moves are drawn one at a time against the model's current state (st.data()), so the quantities cluster around
# what is feasible right now: exactly the limit, one over it, anything in between, and 0 / negative ones.
# Hypothesis favours the first and last entries of sampled_from / one_of, so the rare (invalid) choices sit in the
# middle of each list.
KIND_WEIGHTS = [
    "receive",
    "allocate",
    "gain",
    "ship",
    "damage",
    "release",
    "adjust",
    "putaway",
    "ship",
    "receive",
    "release",
    "adjust",
    "putaway",
    "allocate",
]
BIN_CHOICES = [None, "own", "foreign", "own-2", None, "own"]  # a foreign bin lies in the other warehouse
BINS_OF = {0: [0, 1], 1: [2]}  # warehouse index -> indexes of its bins
REASONS = ["recount", "", "   ", "recount"]  # a blank reason is invalid for an adjustment
KEYS = [None, None, "k1", None, "k2", None, None]  # idempotency keys, reused now and then


PAIRS = [(0, 0), (0, 0), (0, 1), (1, 0), (1, 1)]  # (product, warehouse), P0@W0 the busiest


def pairs_for(model, kind):
    """All pairs, with those where the move can succeed now weighted up (so ships and releases do happen)."""
    feasible = [pair for pair in PAIRS if feasible_limit(model, kind, *pair, None) > 0]
    return PAIRS + feasible * 2


def pick_bin(choice, w):
    if choice is None:
        return None
    if choice == "foreign":
        return BINS_OF[1 - w][0]
    return BINS_OF[w][-1 if choice == "own-2" else 0]


def feasible_limit(model, kind, p, w, bin_index):
    """The largest quantity the move could take now (a generation hint only; the oracle is expected_outcome)."""
    on_hand, allocated, _damaged = model["balance"][(p, w)]
    in_bin = model["bins"][(p, bin_index)] if bin_index is not None else None
    limit = {
        "damage": on_hand - allocated,
        "allocate": on_hand - allocated,
        "release": allocated,
        "ship": allocated,
        "adjust": on_hand - allocated,
    }.get(kind, 8)
    if in_bin is not None and kind in ("damage", "ship", "adjust"):
        limit = min(limit, in_bin)
    if kind == "putaway":
        limit = loose(model, p, w)
    return max(limit, 0)


def loose(model, p, w):
    """Units on hand in the warehouse that are not in any of its bins (what a put-away may shelve)."""
    return model["balance"][(p, w)][0] - sum(model["bins"][(p, b)] for b in BINS_OF[w])


def draw_quantity(data, kind, limit):
    near = st.one_of(st.just(max(limit, 1)), st.just(limit + 1), st.integers(1, max(limit, 1)))
    invalid = st.sampled_from([0, -1])
    if kind == "adjust":  # signed: up by anything, down by up to the limit (+1); 0 is invalid
        return data.draw(st.one_of(st.integers(1, 8), near.map(lambda q: -q), st.just(0), near.map(lambda q: -q)))
    if kind in ("receive", "gain"):
        return data.draw(st.one_of(st.integers(1, 8), st.integers(1, 8), invalid, st.integers(1, 8)))
    return data.draw(st.one_of(near, near, invalid, near))


def expected_outcome(model, kind, p, w, quantity, bin_index, bin_warehouse, reason, key, keys_used):
    """What the service must do: an exception class, ("replay", key) or ("post", deltas)."""
    if kind == "adjust":
        if quantity == 0:
            return InvalidMove
        if not reason.strip():
            return ReasonRequired
    elif quantity <= 0:
        return InvalidMove
    if bin_index is not None and bin_warehouse != w:
        return InvalidMove
    if key is not None and key in keys_used:
        return ("replay", key)
    if kind == "putaway":
        return InsufficientStock if quantity > loose(model, p, w) else ("post", (0, 0, 0, quantity))
    e_on_hand, e_alloc, e_dmg, e_bin = EFFECT[kind]
    d_on_hand = quantity if kind == "adjust" else e_on_hand * quantity
    d_alloc, d_dmg = e_alloc * quantity, e_dmg * quantity
    d_bin = (d_on_hand if kind == "adjust" else e_bin * quantity) if bin_index is not None else 0
    on_hand, allocated, damaged = model["balance"][(p, w)]
    if on_hand + d_on_hand < allocated + d_alloc or allocated + d_alloc < 0 or damaged + d_dmg < 0:
        return InsufficientStock
    if bin_index is not None and model["bins"][(p, bin_index)] + d_bin < 0:
        return InsufficientStock
    if bin_index is None and d_on_hand < 0 and loose(model, p, w) + d_on_hand < 0:
        return InvalidMove  # units leaving without a bin must not be shelved ones
    return ("post", (d_on_hand, d_alloc, d_dmg, d_bin))


def snapshot():
    return (
        sorted(StockBalance.objects.values_list("product_id", "warehouse_id", "on_hand", "allocated", "damaged")),
        sorted(BinStock.objects.values_list("product_id", "bin_id", "quantity")),
        StockMove.objects.count(),
    )


def check_invariants(products, warehouses, bins, model):
    balances = {(b.product_id, b.warehouse_id): b for b in StockBalance.objects.all()}
    sums = {
        (row["product_id"], row["warehouse_id"]): row
        for row in StockMove.objects.values("product_id", "warehouse_id").annotate(
            on_hand=Sum("on_hand_delta"), allocated=Sum("allocated_delta"), damaged=Sum("damaged_delta")
        )
    }
    for p, product in enumerate(products):
        for w, warehouse in enumerate(warehouses):
            key = (product.pk, warehouse.pk)
            balance = balances.get(key)
            got = (balance.on_hand, balance.allocated, balance.damaged) if balance else (0, 0, 0)
            row = sums.get(key)
            ledger = (row["on_hand"], row["allocated"], row["damaged"]) if row else (0, 0, 0)
            assert got == ledger, f"balance {got} != ledger {ledger} for P{p}@W{w}"
            assert got == model["balance"][(p, w)], f"balance {got} != model {model['balance'][(p, w)]}"
            on_hand, allocated, damaged = got
            assert on_hand - allocated >= 0 and allocated >= 0 and damaged >= 0
    bin_stock = {(s.product_id, s.bin_id): s.quantity for s in BinStock.objects.all()}
    bin_sums = defaultdict(int)
    for product_id, bin_id, kind, quantity, on_hand_delta in StockMove.objects.filter(bin__isnull=False).values_list(
        "product_id", "bin_id", "kind", "quantity", "on_hand_delta"
    ):
        bin_sums[(product_id, bin_id)] += on_hand_delta if kind == "adjust" else EFFECT[kind][3] * quantity
    for p, product in enumerate(products):
        for b, bin in enumerate(bins):
            got = bin_stock.get((product.pk, bin.pk), 0)
            assert got == bin_sums[(product.pk, bin.pk)], f"bin {got} != ledger for P{p}@bin{b}"
            assert got == model["bins"][(p, b)] and got >= 0


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)  # "explain" is slow on long examples
@given(data=st.data())
def test_random_moves_keep_balances_equal_to_the_ledger(world, data):
    user, products, warehouses, bins = world
    model = {"balance": defaultdict(lambda: (0, 0, 0)), "bins": defaultdict(int)}
    keys_used = {}  # idempotency key -> the move it posted

    def step(kind, p, w, quantity, bin_index=None, reason="", key=None):
        """Post one move through its service and check it against the model and the invariants."""
        bin_warehouse = None if bin_index is None else (0 if bin_index < 2 else 1)
        outcome = expected_outcome(model, kind, p, w, quantity, bin_index, bin_warehouse, reason, key, keys_used)
        kwargs = {
            "actor": user,
            "product": products[p],
            "warehouse": warehouses[w],
            "quantity": quantity,
            "idempotency_key": key,
        }
        if kind == "adjust":
            kwargs["reason"] = reason
        if bin_index is not None:
            kwargs["bin"] = bins[bin_index]
        note(
            f"{kind}(P{p}, W{w}, q={quantity}, bin={bin_index}, reason={reason!r}, key={key}) -> "
            f"{outcome if not isinstance(outcome, type) else outcome.__name__}"
        )
        before = snapshot() if isinstance(outcome, type) or outcome[0] == "replay" else None
        if isinstance(outcome, type):
            with pytest.raises(outcome):
                SERVICE[kind](**kwargs)
            assert snapshot() == before, "a refused move changed something"
        elif outcome[0] == "replay":
            move = SERVICE[kind](**kwargs)
            assert move.pk == keys_used[key].pk
            assert snapshot() == before, "a replayed idempotency key changed something"
        else:
            d_on_hand, d_alloc, d_dmg, d_bin = outcome[1]
            move = SERVICE[kind](**kwargs)
            assert (move.on_hand_delta, move.allocated_delta, move.damaged_delta) == (d_on_hand, d_alloc, d_dmg)
            on_hand, allocated, damaged = model["balance"][(p, w)]
            model["balance"][(p, w)] = (on_hand + d_on_hand, allocated + d_alloc, damaged + d_dmg)
            if bin_index is not None:
                model["bins"][(p, bin_index)] += d_bin
            if key is not None:
                keys_used[key] = move
        check_invariants(products, warehouses, bins, model)

    try:
        with customer_scope(user.customer), transaction.atomic():
            # Opening stock (also through the services), so that ships, releases and damage have stock to act on.
            for p, w in [(0, 0), (0, 1), (1, 0), (1, 1)]:
                loose_units, binned, allocated = data.draw(
                    st.tuples(st.integers(0, 6), st.integers(0, 6), st.integers(0, 6)), label=f"opening P{p}@W{w}"
                )
                if loose_units:
                    step("receive", p, w, loose_units)
                if binned:
                    step("receive", p, w, binned, bin_index=BINS_OF[w][0])
                if allocated and allocated <= loose_units + binned:
                    step("allocate", p, w, allocated)
            for _step in range(data.draw(st.integers(1, 25), label="steps")):
                kind = data.draw(st.sampled_from(KIND_WEIGHTS))
                p, w = data.draw(st.sampled_from(pairs_for(model, kind)))
                bin_choice = data.draw(st.sampled_from(BIN_CHOICES)) if kind in WITH_BIN else None
                bin_index = pick_bin(bin_choice or ("own" if kind == "putaway" else None), w)
                quantity = draw_quantity(data, kind, feasible_limit(model, kind, p, w, bin_index))
                reason = data.draw(st.sampled_from(REASONS)) if kind == "adjust" else ""
                key = data.draw(st.sampled_from(KEYS))
                step(kind, p, w, quantity, bin_index, reason, key)
            raise _Rollback
    except _Rollback:
        pass


def test_put_away_replayed_with_the_same_key_returns_the_first_move(world):
    user, products, warehouses, bins = world
    with customer_scope(user.customer):
        services.stock_receive(actor=user, product=products[0], warehouse=warehouses[0], quantity=5)
        args = {
            "actor": user,
            "product": products[0],
            "warehouse": warehouses[0],
            "bin": bins[0],
            "quantity": 2,
            "idempotency_key": "putaway-1",
        }
        first = services.stock_put_away(**args)
        assert services.stock_put_away(**args).pk == first.pk
        assert BinStock.objects.get(product=products[0], bin=bins[0]).quantity == 2


def test_put_away_retried_after_shelving_everything_returns_the_first_move(world):
    user, products, warehouses, bins = world
    with customer_scope(user.customer):
        services.stock_receive(actor=user, product=products[0], warehouse=warehouses[0], quantity=5)
        args = {
            "actor": user,
            "product": products[0],
            "warehouse": warehouses[0],
            "bin": bins[0],
            "quantity": 5,
            "idempotency_key": "putaway-2",
        }
        first = services.stock_put_away(**args)
        assert services.stock_put_away(**args).pk == first.pk  # the response was lost; the client retries
        assert BinStock.objects.get(product=products[0], bin=bins[0]).quantity == 5
