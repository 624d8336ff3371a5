"""Sending a task by name: after the commit, with the arguments given, and never for a name no task has."""

import pytest
from celery import shared_task
from django.db import transaction

from apps.core.task_names import task_named, task_send_on_commit

RECEIVED: list[tuple] = []


@shared_task(name="core.tests.record")
def record(value, *, label=""):
    RECEIVED.append((value, label))


@pytest.fixture(autouse=True)
def clean():
    RECEIVED.clear()


@pytest.mark.django_db
def test_the_task_runs_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        task_send_on_commit("core.tests.record", 7, label="seven")
        assert RECEIVED == []  # nothing before the commit
    assert len(callbacks) == 1
    assert RECEIVED == [(7, "seven")]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        task_send_on_commit("core.tests.record", 1)
        raise RuntimeError("roll back")
    assert RECEIVED == []


def test_an_app_task_is_found_by_its_name():
    assert task_named("accounts.send_welcome_email").name == "accounts.send_welcome_email"


def test_an_unknown_name_fails_at_once():
    with pytest.raises(LookupError, match=r"No Celery task is registered as 'core.tests.nope'"):
        task_send_on_commit("core.tests.nope", 1)
