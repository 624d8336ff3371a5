"""Sending a Celery task by its registered name, after the current transaction commits.

A service that starts background work of its own app would otherwise import the app's `tasks`
module, which imports the service back: a loop between sibling modules. Sending by name keeps the
direction one way (tasks → services) and is how work is handed to a higher app too (STYLE rules 8
and 15). The task runs exactly as `task.delay_on_commit` would run it, eagerly where Celery is
configured to.
"""

from __future__ import annotations

from celery import current_app
from celery.app.task import Task
from django.db import transaction


def task_named(name: str) -> Task:
    """The task registered as `name`. Autodiscovery only imports the apps' `tasks` modules in a
    worker, so a web process that has not imported the one holding `name` yet runs it here."""
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()  # sends import_modules: autodiscovery of every app's tasks
    try:
        return app.tasks[name]
    except KeyError:
        raise LookupError(f"No Celery task is registered as {name!r}; check the name given to @shared_task.") from None


def task_send_on_commit(name: str, /, *args, **kwargs) -> None:
    """Send the task registered as `name` with these arguments once the transaction commits (at
    once outside a transaction); an unknown name raises LookupError now, not after the commit."""
    task = task_named(name)
    transaction.on_commit(lambda: task.delay(*args, **kwargs))
