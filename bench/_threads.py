"""Shared by the concurrency benchmarks: start N threads at once, each on its own connection."""

import threading
import time


def run_threads(work, threads):
    """Start ``threads`` threads together; each runs ``work()`` on its own database connection.
    Returns (results, seconds from the common start to the last finish); re-raises a worker's error."""
    from django.db import connections

    barrier = threading.Barrier(threads + 1)
    results, errors = [], []

    def target():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=target) for _ in range(threads)]
    for t in workers:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in workers:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return results, elapsed
