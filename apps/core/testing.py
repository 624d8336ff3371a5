"""Helpers for tests that need PostgreSQL's concurrency semantics."""

import threading

import pytest
from django.db import connection, connections


def require_postgresql(reason: str = "concurrency is tested on PostgreSQL") -> None:
    if connection.vendor != "postgresql":
        pytest.skip(reason)


def run_concurrently(call, *, threads: int, repeat: int = 1) -> list:
    """Start ``threads`` threads together (each with its own database connection), each calling
    ``call()`` ``repeat`` times; return every result, and re-raise the first error."""
    results, errors = [], []
    barrier = threading.Barrier(threads)

    def work():
        try:
            barrier.wait()
            for _ in range(repeat):
                results.append(call())
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    if errors:
        raise errors[0]
    return results
