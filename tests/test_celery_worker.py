"""Tasks through a real Celery worker process and Redis (not eager).

Needs PostgreSQL (the worker must see the test database) and REDIS_URL. Skipped on a laptop's
embedded default; on CI (CI set) a missing service fails the run instead of skipping silently.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.accounts.models import User
from apps.accounts.services import customer_register
from config.celery import app

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent


def _require_services():
    reasons = []
    if connection.vendor != "postgresql":
        reasons.append("DATABASE_URL is not PostgreSQL")
    if not settings.REDIS_URL:
        reasons.append("REDIS_URL is not set")
    if reasons:
        message = "real-worker tests need " + " and ".join(reasons)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(tmp_path):
    _require_services()
    queue = f"test-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "TESTING": "false",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--queues",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    old = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield mail_dir, log
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = old
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_for_mail(mail_dir: Path, recipient: str, log: Path, timeout: float = 45.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in mail_dir.glob("*.log"):
            text = path.read_text()
            if f"To: {recipient}" in text:
                return text
        time.sleep(0.2)
    pytest.fail(f"no e-mail to {recipient} within {timeout}s; worker log:\n{log.read_text()[-4000:]}")


def _register(email):
    return customer_register(company_name="Nova", contact_name="Nina", email=email, password="a-long-secret-77")


def test_worker_sends_welcome_email_after_commit(worker):
    mail_dir, log = worker
    user = _register("worker@nova.example")
    text = _wait_for_mail(mail_dir, "worker@nova.example", log)
    assert user.customer.code in text
    deadline = time.monotonic() + 10
    while User.objects.get(pk=user.pk).welcome_sent_at is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert User.objects.get(pk=user.pk).welcome_sent_at is not None


def test_worker_never_runs_task_from_rolled_back_transaction(worker):
    mail_dir, log = worker
    with pytest.raises(RuntimeError), transaction.atomic():
        _register("ghost@nova.example")
        raise RuntimeError("rolled back")
    _register("after@nova.example")
    _wait_for_mail(mail_dir, "after@nova.example", log)  # the queue is FIFO with one solo worker
    assert not any("ghost@nova.example" in p.read_text() for p in mail_dir.glob("*.log"))
