import pytest

from apps.core.services import sequence_next, sequence_reserve
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
