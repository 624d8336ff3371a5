"""A transaction that PostgreSQL picks as a deadlock victim (or that lost a race it checked for)
runs again, a bounded number of times; its caller never sees "deadlock detected"."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import F

from apps.core.models import Sequence
from apps.core.retry import ATTEMPTS, Busy, Contended, atomic_retry
from apps.core.testing import require_postgresql


def _rows():
    return Sequence.objects.create(name="retry-a"), Sequence.objects.create(name="retry-b")


@pytest.mark.django_db(transaction=True)
def test_the_deadlock_victim_runs_again_and_both_finish():
    require_postgresql()
    a, b = _rows()
    holding = threading.Barrier(2)
    calls, outcome = [], {}

    @atomic_retry
    def forward():  # a, then b — the victim: it checks for deadlocks first
        calls.append(1)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '50ms'")
        Sequence.objects.select_for_update().get(pk=a.pk)
        if len(calls) == 1:
            holding.wait()
        Sequence.objects.filter(pk=b.pk).update(value=F("value") + 1)
        return "done"

    def backward():  # b, then a, in a plain transaction
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL deadlock_timeout = '5s'")
                Sequence.objects.select_for_update().get(pk=b.pk)
                holding.wait()
                Sequence.objects.filter(pk=a.pk).update(value=F("value") + 1)
            outcome["backward"] = "done"
        except OperationalError as exc:  # pragma: no cover - the test fails below
            outcome["backward"] = str(exc)
        finally:
            connection.close()

    other = threading.Thread(target=backward)
    other.start()
    try:
        outcome["forward"] = forward()
    finally:
        other.join()
    assert outcome == {"forward": "done", "backward": "done"}
    assert len(calls) == 2  # picked as the victim once, then run again
    assert sorted(Sequence.objects.filter(pk__in=[a.pk, b.pk]).values_list("value", flat=True)) == [1, 1]


@pytest.mark.django_db(transaction=True)
def test_a_race_lost_every_time_ends_in_a_clear_busy_error_and_nothing_saved():
    a, _b = _rows()
    calls = []

    @atomic_retry
    def always_loses():
        calls.append(1)
        Sequence.objects.filter(pk=a.pk).update(value=F("value") + 1)
        raise Contended("the money went elsewhere")

    with pytest.raises(Busy, match="Try again in a moment") as refused:
        always_loses()
    assert refused.value.http_status == 409 and refused.value.code == "busy"
    assert len(calls) == ATTEMPTS
    assert Sequence.objects.get(pk=a.pk).value == 0


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_only_the_caller_can_run_it_again():
    calls = []

    @atomic_retry
    def loses():
        calls.append(1)
        raise Contended("lost")

    with pytest.raises(Contended), transaction.atomic():
        loses()
    assert calls == [1]
