"""The outbox itself, with a task of its own (the order retries are tested in apps/orders)."""

from datetime import timedelta

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from apps.core.models import OutboxMessage
from apps.core.outbox import outbox_emit, outbox_sweep

RECEIVED: list[dict] = []


@shared_task(name="tests.outbox_probe")
def outbox_probe(*, n: int, fail: bool = False) -> None:
    if fail:
        raise ValueError("the task failed")
    RECEIVED.append({"n": n})


@pytest.fixture(autouse=True)
def _clear():
    RECEIVED.clear()


def emit(n, key=None, **payload):
    return outbox_emit(kind="probe", task="tests.outbox_probe", payload={"n": n, **payload}, key=key or f"probe:{n}")


def test_a_message_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        emit(1)
    assert not OutboxMessage.objects.exists()


def test_published_after_commit_by_name_and_marked(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = emit(1)
        assert emit(1) is None  # same key, same transaction: coalesced
        emit(2)
        assert RECEIVED == []  # nothing before commit
    assert RECEIVED == [{"n": 1}, {"n": 2}]
    message.refresh_from_db()
    assert message.published_at is not None and message.attempts == 1 and message.last_error == ""


def test_a_savepoint_rolled_back_takes_its_message_along(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            emit(1)
            raise RuntimeError("undone")
        assert emit(1) is not None  # the first one is gone, so this one is written
    assert RECEIVED == [{"n": 1}]
    assert OutboxMessage.objects.count() == 1


def test_a_failing_task_stays_for_the_sweep_and_does_not_block_others(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        bad = emit(1, fail=True)
    bad.refresh_from_db()
    assert bad.published_at is None and "the task failed" in bad.last_error
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        emit(2)  # committed, its after-commit publish never ran (the process died)
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert outbox_sweep() == {"sent": 1, "failed": 1, "purged": 0}
    assert RECEIVED == [{"n": 2}]


def test_an_unknown_task_is_not_marked_published_in_eager_mode(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox_emit(kind="probe", task="tests.no_such_task", payload={}, key="nothing")
    message.refresh_from_db()
    assert message.published_at is None and "no task named tests.no_such_task" in message.last_error


def test_a_claimed_message_is_not_sent_twice(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        message = emit(1)
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    stale = OutboxMessage.objects.get(pk=message.pk)
    assert outbox_sweep()["sent"] == 1
    from apps.core.outbox import outbox_send

    assert outbox_send(stale) is None  # a second publisher holding the old row finds it claimed
    assert RECEIVED == [{"n": 1}]
