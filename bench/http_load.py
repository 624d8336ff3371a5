"""Benchmark: requests/s of the portal and API order lists against /healthz, under gunicorn, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python bench/http_load.py

gunicorn runs as the Dockerfile runs it (`gunicorn -c config/gunicorn.py config.wsgi:application`, DEBUG off,
collected static files, the access log written) on a free local port against the database of
bench/orders_list.py (1,000,000 orders; built there with COPY when missing, ~90 s). As the owner of the
biggest customer (~100,000 orders) BENCH_CONCURRENCY client threads (keep-alive http.client, reconnecting
when the sync worker closes) request, in turn and BENCH_ROUNDS times: GET /healthz (SELECT 1 and a broker
ping), the portal's GET /orders/ (session cookie) and GET /api/v1/orders/ (API key), BENCH_SECONDS each.
Each server configuration in BENCH_SERVERS ("<CONN_MAX_AGE>:<workers>x<threads>", space-separated) gets a
gunicorn of its own; the figures are the median round's requests/s and its ratio to /healthz of the same
server. Targets (2 cores): portal ≥ 0.4×, API ≥ 0.5× of /healthz.
Named http_load.py, not http.py: a bench/http.py would shadow the standard library's http package for every
script in bench/ (the script's folder comes first on sys.path).
Environment: BENCH_SERVERS ("0:3x1 60:3x1 60:2x4 60:5x1"), BENCH_CONCURRENCY (6), BENCH_SECONDS (5), BENCH_ROUNDS (3).
"""

import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gunicorn import Client, collect_static, gunicorn, session_cookie  # noqa: E402  (sets SECRET_KEY)
from orders_list import bench_customers, bench_users, build_data, migrate  # noqa: E402  (django.setup())

from apps.accounts.services import api_key_create  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402

SERVERS = os.environ.get("BENCH_SERVERS", "0:3x1 60:3x1 60:2x4 60:5x1").split()
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "6"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TARGETS = {"portal /orders/": 0.4, "API /api/v1/orders/": 0.5}


def load(port: int, path: str, headers: dict, seconds: float) -> tuple[float, float]:
    """(requests/s, median ms) of CONCURRENCY threads requesting ``path`` for ``seconds``."""
    barrier, lock = threading.Barrier(CONCURRENCY + 1), threading.Lock()
    latencies, errors = [], []

    def worker():
        client, mine = Client(port, headers), []
        barrier.wait()
        stop = time.perf_counter() + seconds
        try:
            while (started := time.perf_counter()) < stop:
                status, _body = client.get(path)
                if status != 200:
                    errors.append(status)
                    return
                mine.append(time.perf_counter() - started)
        finally:
            client.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{path} answered {errors[0]}")
    return len(latencies) / elapsed, statistics.median(latencies) * 1000


def measure(port: int, cases: list[tuple[str, str, dict]]) -> dict:
    """{title: [(requests/s, median ms) per round]}, the cases taking turns round by round."""
    for _title, path, headers in cases:  # warm-up: every worker imports, connects, loads templates
        load(port, path, headers, 1.0)
    results = {title: [] for title, _path, _headers in cases}
    for _ in range(ROUNDS):
        for title, path, headers in cases:
            results[title].append(load(port, path, headers, SECONDS))
    return results


def main() -> None:
    from django.db import connection
    from django.test import Client as TestClient

    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    migrate()
    build_data(False)
    customers = bench_customers()[0]
    big = bench_users(customers)[0]
    client = TestClient(SERVER_NAME="localhost")
    client.force_login(big)
    with customer_scope(big.customer):
        token = f"Token {api_key_create(actor=big, name='http bench').raw_key}"
    started = time.perf_counter()
    collect_static()
    print(f"static: collected in {time.perf_counter() - started:.1f} s")
    cases = [
        ("/healthz", "/healthz", {}),
        ("portal /orders/", "/orders/", session_cookie(client)),
        ("API /api/v1/orders/", "/api/v1/orders/", {"Authorization": token}),
    ]
    print(
        f"\n{CONCURRENCY} client threads, {ROUNDS} rounds of {SECONDS:g} s per URL; median round "
        f"(requests/s, median latency, × /healthz); {os.cpu_count()} CPUs"
    )
    for spec in SERVERS:
        max_age, shape = spec.split(":")
        workers, threads = shape.split("x")
        with gunicorn(CONN_MAX_AGE=max_age, GUNICORN_WORKERS=workers, GUNICORN_THREADS=threads) as port:
            results = measure(port, cases)
        print(f"  CONN_MAX_AGE={max_age}, {workers} workers × {threads} threads")
        base = statistics.median(r for r, _ms in results["/healthz"])
        for title, rounds in results.items():
            rate = statistics.median(r for r, _ms in rounds)
            latency = statistics.median(ms for _r, ms in rounds)
            target = TARGETS.get(title)
            verdict = (
                "" if target is None else f"  (target ≥ {target}×: {'met' if rate / base >= target else 'NOT met'})"
            )
            spread = f"{min(r for r, _ in rounds):.0f}–{max(r for r, _ in rounds):.0f}"
            print(f"    {title:22s} {rate:7.0f} req/s ({spread}) {latency:6.1f} ms  {rate / base:.2f}×{verdict}")


if __name__ == "__main__":
    main()
