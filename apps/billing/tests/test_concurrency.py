"""The wallet ledger under real concurrency (PostgreSQL only): threads with their own connections
posting on one wallet at once."""

from __future__ import annotations

import itertools
import random
import threading
from decimal import Decimal

import pytest
from django.db.models import Sum

from apps.billing import services
from apps.billing.choices import EntryKind
from apps.billing.errors import InsufficientBalance
from apps.billing.models import Wallet, WalletEntry
from apps.core.tenancy import customer_scope
from apps.core.testing import require_postgresql, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


def check_chain(customer) -> tuple[Decimal, int]:
    """balance_after is gap-free by id; the wallet equals Σ entries. Returns (balance, entries)."""
    with customer_scope(customer):
        rows = list(
            WalletEntry.objects.filter(customer=customer)
            .order_by("id")
            .values_list("amount", "held_delta", "balance_after", "held_after")
        )
        wallet = Wallet.objects.get(customer=customer)
        total = WalletEntry.objects.filter(customer=customer).aggregate(s=Sum("amount"))["s"]
    balance = held = D("0")
    for i, (amount, held_delta, balance_after, held_after) in enumerate(rows):
        balance, held = balance + amount, held + held_delta
        assert (balance_after, held_after) == (balance, held), f"chain broken at entry #{i}"
    assert wallet.balance == balance == total and wallet.held == held
    assert wallet.balance >= wallet.held
    return wallet.balance, len(rows)


def test_a_thousand_charges_from_eight_connections_end_exact(customer_a):
    require_postgresql()
    c = customer_a
    rng = random.Random(7)
    amounts = [D(rng.randint(1, 100)) / 100 for _ in range(1000)]
    with customer_scope(c):
        services.credit(customer=c, amount="1000", idempotency_key="seed")
    feed, lock = iter(enumerate(amounts)), threading.Lock()

    def one():
        with lock:
            i, amount = next(feed)
        with customer_scope(c):
            return services.charge(
                customer=c, amount=amount, kind=EntryKind.FULFILMENT_FEE, idempotency_key=f"fee-{i}"
            ).pk

    ids = run_concurrently(one, threads=8, repeat=125)
    assert len(set(ids)) == 1000
    balance, count = check_chain(c)
    assert count == 1001
    assert balance == D("1000") - sum(amounts)


def test_the_same_key_from_ten_threads_posts_once(customer_a):
    require_postgresql()
    c = customer_a
    with customer_scope(c):
        services.credit(customer=c, amount="50", idempotency_key="seed")

    def post():
        with customer_scope(c):
            return services.charge(customer=c, amount="7.25", kind=EntryKind.FREIGHT, idempotency_key="order-9").pk

    ids = run_concurrently(post, threads=10)
    assert len(set(ids)) == 1
    balance, count = check_chain(c)
    assert (balance, count) == (D("42.75"), 2)


def test_racing_charges_take_exactly_what_the_balance_covers(customer_a):
    require_postgresql()
    c = customer_a
    with customer_scope(c):
        services.credit(customer=c, amount="30", idempotency_key="seed")
        services.hold(customer=c, amount="5", idempotency_key="hold")  # 25.00 available
    counter, lock = itertools.count(), threading.Lock()

    def attempt():
        with lock:
            i = next(counter)
        with customer_scope(c):
            try:
                services.charge(customer=c, amount="1.25", kind=EntryKind.FREIGHT, idempotency_key=f"race-{i}")
                return True
            except InsufficientBalance:
                return False

    results = run_concurrently(attempt, threads=8, repeat=10)
    assert results.count(True) == 20 and results.count(False) == 60
    balance, count = check_chain(c)
    assert (balance, count) == (D("5"), 22)
    with customer_scope(c):
        assert Wallet.objects.get(customer=c).available == D("0")
