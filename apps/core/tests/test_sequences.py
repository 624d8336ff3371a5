import threading

import pytest
from django.db import connection, connections, transaction

from apps.core.services import sequence_block, sequence_next, sequence_reserve
from apps.core.testing import require_postgresql, run_concurrently


@pytest.mark.django_db
def test_sequence_starts_after_start_and_counts_per_period():
    assert sequence_next(name="order", period="261125", start=0) == 1
    assert sequence_next(name="order", period="261125", start=0) == 2
    assert sequence_next(name="order", period="261126", start=0) == 1
    assert sequence_next(name="customer", start=10000) == 10001


@pytest.mark.django_db
def test_reserve_moves_the_sequence_past_an_explicit_number():
    sequence_reserve(name="customer", value=10002)
    assert sequence_next(name="customer", start=10000) == 10003
    sequence_reserve(name="customer", value=5)  # never moves backwards
    assert sequence_next(name="customer", start=10000) == 10004


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_never_get_the_same_number():
    require_postgresql("row-lock semantics are tested on PostgreSQL")
    results = run_concurrently(lambda: sequence_next(name="race", start=100), threads=12, repeat=5)
    assert sorted(results) == list(range(101, 161))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("own_transaction", [False, True])
def test_numbers_are_unique_and_consecutive_on_either_path(own_transaction):
    with transaction.atomic():
        first = sequence_next(name="inbound", period="261202", own_transaction=own_transaction)
        block = sequence_block(name="inbound", period="261202", count=5, own_transaction=own_transaction)
    assert (first, block) == (1, 2)
    assert sequence_next(name="inbound", period="261202", own_transaction=own_transaction) == 7


@pytest.mark.django_db(transaction=True)
def test_a_number_taken_in_a_rolled_back_transaction_leaves_a_gap_on_postgresql():
    require_postgresql("the counter's own transaction is PostgreSQL's")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert sequence_next(name="order", period="261202", own_transaction=True) == 1
        raise RuntimeError("the order was not saved")
    assert sequence_next(name="order", period="261202", own_transaction=True) == 2


@pytest.mark.django_db(transaction=True)
def test_a_transaction_holding_a_number_does_not_stall_the_next_customer():
    """A long import took its block of order numbers and is still writing; another customer's order
    takes its number at once (on the old path its UPDATE waited for the import's commit: here the
    lock timeout would fail it)."""
    require_postgresql("row-lock semantics are tested on PostgreSQL")
    taken, finish, numbers = threading.Event(), threading.Event(), {}

    def import_still_writing():
        try:
            with transaction.atomic():
                numbers["import"] = sequence_block(name="order", period="261202", count=50_000, own_transaction=True)
                taken.set()
                finish.wait(20)
        finally:
            connections.close_all()

    importer = threading.Thread(target=import_still_writing)
    importer.start()
    try:
        assert taken.wait(20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            numbers["single"] = sequence_next(name="order", period="261202", own_transaction=True)
            numbers["inbound"] = sequence_next(name="inbound", period="261202", own_transaction=True)
    finally:
        finish.set()
        importer.join()
    assert numbers == {"import": 1, "single": 50_001, "inbound": 1}


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_inside_transactions_never_get_the_same_number():
    require_postgresql("row-lock semantics are tested on PostgreSQL")

    def take():
        with transaction.atomic():
            return sequence_next(name="order", period="261203", own_transaction=True)

    results = run_concurrently(take, threads=8, repeat=5)
    assert sorted(results) == list(range(1, 41))
