"""Celery runs work only after the transaction that asked for it commits (DESIGN §3)."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services import customer_register
from config.celery import app


def register(email):
    return customer_register(company_name="Nova", contact_name="Nina", email=email, password="a-long-secret-77")


def test_celery_is_configured_not_to_lose_or_double_work():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    # Redis redelivers unacknowledged work after the visibility timeout: it must be well above
    # the longest a task may run, or a slow task would run twice.
    assert conf.broker_transport_options["visibility_timeout"] >= 2 * conf.task_time_limit
    assert settings.CELERY_TASK_SERIALIZER == "json"


@pytest.mark.django_db(transaction=True)
def test_task_enqueued_inside_rolled_back_transaction_never_runs():
    with pytest.raises(RuntimeError), transaction.atomic():
        register("ghost@nova.example")
        raise RuntimeError("the request failed after the task was enqueued")
    assert not User.objects.filter(email="ghost@nova.example").exists()
    assert mail.outbox == []

    register("real@nova.example")  # committed: its task runs (eagerly here)
    assert [m.to for m in mail.outbox] == [["real@nova.example"]]
