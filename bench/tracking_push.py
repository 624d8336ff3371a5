"""Benchmark: BENCH_SHIPMENTS (2,000) shipments × 5 signed 17TRACK pushes (10,000 pushed events; each push carries the
number's whole tracking so far, as 17TRACK's do; the fifth says Delivered) against gunicorn on loopback, from
BENCH_CONCURRENCY (100) client threads, processed by 2 real Celery worker processes on PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fh_bench_track REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/tracking_push.py

The server, the workers and the measuring are bench/webhook_burst.py's (gunicorn as the Dockerfile runs it, 3 workers
× 2 threads, CONN_MAX_AGE=60; `celery worker --pool solo` × 2). The pushes are built and signed by the fake 17TRACK
(apps/tracking/providers/fake_17track.py) and sent round by round (every shipment's first push, then every second one
…), so with 100 clients some arrive out of order. Acknowledgement: one push's POST to its response (signature check,
the raw push row, the outbox row, the commit, the task sent to Redis). "All processed": from the first push sent until
every stored push is processed (the database polled every 20 ms). Checked: every push 200; 10,000 events stored once
each; every order Delivered once. Targets: acknowledgement p99 ≤ 50 ms, all processed ≤ 20 s.
Environment: BENCH_SHIPMENTS (2000), BENCH_CONCURRENCY (100), BENCH_SERVER ("60:3x2").
"""

import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fh_bench_track")
os.environ["SEVENTEENTRACK_SECURITY_KEY"] = "bench-17track-security-key"  # the server's and the fake's
os.environ["SEVENTEENTRACK_API_KEY"] = ""  # no stoptrack calls to a real 17TRACK
os.environ.setdefault("BENCH_CONCURRENCY", "100")

import webhook_burst as burst  # noqa: E402  (django.setup(), the server, the workers, the client threads)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.orders.models import Order, OrderEvent  # noqa: E402
from apps.tracking.models import ProviderPush, Shipment, TrackingEvent  # noqa: E402
from apps.tracking.providers.fake_17track import Fake17Track  # noqa: E402

_world = burst._world  # imported by webhook_burst after django.setup()

SHIPMENTS = int(os.environ.get("BENCH_SHIPMENTS", "2000"))
STEPS = (
    ("InTransit_PickedUp", "Picked up", "Carson, CA"),
    ("InTransit_Departure", "Departed the facility", "Los Angeles, CA"),
    ("InTransit_Arrival", "Arrived at the destination facility", "Austin, TX"),
    ("OutForDelivery_Other", "Out for delivery", "Austin, TX"),
    ("Delivered_Other", "Delivered, front door", "Austin, TX"),
)
TARGET_P99_MS, TARGET_SECONDS = 50.0, 20.0


def shipped_orders(count: int) -> list[Shipment]:
    where = _world.warehouse()
    channel = _world.priced_channel(where)
    owner = _world.seller(where, tag="Track", skus=2)
    orders = _world.confirming_orders(owner, where, channel, count, lines=1)
    stamp = time.time_ns() % 10**9
    shipped_at = datetime.now(UTC) - timedelta(days=3)
    with scopes_disabled():
        for n, order in enumerate(orders):
            order.status, order.tracking_number = "shipped", f"1ZB{stamp:09d}{n:06d}"
            order.shipped_at = order.packed_at = shipped_at
        Order.objects.bulk_update(orders, ["status", "tracking_number", "shipped_at", "packed_at"], batch_size=500)
        return Shipment.objects.bulk_create(
            [
                Shipment(order=o, number=o.tracking_number, carrier_code=100002, state="registered", news_at=shipped_at)
                for o in orders
            ],
            batch_size=500,
        )


def pushes(shipments: list[Shipment]) -> list[tuple[bytes, dict]]:
    """Five signed pushes per number, round by round; the n-th carries the first n events."""
    fake = Fake17Track(security_key=os.environ["SEVENTEENTRACK_SECURITY_KEY"])  # not started: data and signing only
    start = datetime.now(UTC) - timedelta(days=2)
    for shipment in shipments:
        fake.numbers[shipment.number] = {"carrier": 100002, "param": "", "tag": "", "events": [], "registered": True}
    rounds = []
    for step, (sub, text, place) in enumerate(STEPS):
        batch = []
        for shipment in shipments:
            fake.add_event(shipment.number, sub, text, place, at=start + timedelta(hours=6 * step))
            body = fake.push_body(shipment.number)
            batch.append((body, {"Content-Type": "application/json", "sign": fake.sign(body)}))
        rounds.extend(batch)
    return rounds


def processed(expected: int, timeout: float) -> float | None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with scopes_disabled():
            if ProviderPush.objects.exclude(status="received").count() >= expected:
                return time.perf_counter()
        time.sleep(0.02)
    return None


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    _world.ensure_database()
    call_command("migrate", verbosity=0)
    _world.fast_passwords()
    burst.collect_static()
    with scopes_disabled():
        ProviderPush.objects.all().delete()
    shipments = shipped_orders(SHIPMENTS + 20)
    warm, shipments = shipments[:20], shipments[20:]
    warm_batch, batch = pushes(warm)[:40], pushes(shipments)
    path = reverse("tracking:webhook", kwargs={"provider": "17track"})

    queue = f"bench-tracking-{uuid.uuid4().hex[:8]}"
    log_dir = burst.ROOT / "var" / "bench-tracking-push"
    log_dir.mkdir(parents=True, exist_ok=True)
    max_age, shape = burst.SERVER.split(":")
    workers, threads = shape.split("x")
    server_env = {
        "CONN_MAX_AGE": max_age,
        "GUNICORN_WORKERS": workers,
        "GUNICORN_THREADS": threads,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    load_before = os.getloadavg()[0]
    with burst.celery_workers(queue, log_dir) as worker_pids, burst.gunicorn(**server_env) as port:
        warm_results, _ = burst.send(port, path, warm_batch)
        assert all(status == 200 for _s, _t, status, _b in warm_results), warm_results[:3]
        if processed(len(warm_batch), 60) is None:
            raise RuntimeError(f"the warm-up pushes were not processed; see {log_dir}")
        web_pids = burst.gunicorn_workers()
        web_cpu, worker_cpu = burst.cpu_seconds(web_pids), burst.cpu_seconds(worker_pids)
        results, began = burst.send(port, path, batch)
        acked = max(start + seconds for start, seconds, _st, _b in results)
        web_cpu = burst.cpu_seconds(web_pids) - web_cpu
        finished = processed(len(warm_batch) + len(batch), 600)
        worker_cpu = burst.cpu_seconds(worker_pids) - worker_cpu
    load_after = os.getloadavg()[0]

    latencies = [seconds * 1000 for _s, seconds, _st, _b in results]
    statuses = {status for _s, _t, status, _b in results}
    ids = [s.order_id for s in shipments]
    with scopes_disabled():
        by_status = dict(ProviderPush.objects.values_list("status").annotate(n=Count("pk")).order_by())
        events = TrackingEvent.objects.filter(order_id__in=ids).count()
        delivered = Order.objects.filter(pk__in=ids, status="delivered").count()
        transitions = OrderEvent.objects.filter(order_id__in=ids, to_status="delivered").count()
    p50, p95, p99 = (burst.percentile(latencies, q) for q in (0.50, 0.95, 0.99))
    print(
        f"\n{len(results)} pushes ({len(shipments)} shipments × {len(STEPS)}), {burst.CONCURRENCY} client threads, "
        f"gunicorn CONN_MAX_AGE={max_age} {workers} × {threads}, {burst.WORKERS} Celery workers (solo pool); "
        f"{os.cpu_count()} CPUs, load average {load_before:.1f} before, {load_after:.1f} after"
    )
    print(
        f"acknowledgements: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms; all "
        f"acknowledged in {acked - began:.2f} s ({len(results) / (acked - began):.0f}/s)  (target p99 ≤ "
        f"{TARGET_P99_MS:.0f} ms: {'met' if p99 <= TARGET_P99_MS else 'NOT met'})"
    )
    print(
        f"CPU: gunicorn {web_cpu * 1000 / len(results):.1f} ms per push; the Celery workers "
        f"{worker_cpu * 1000 / len(results):.1f} ms per push"
    )
    if finished is None:
        print(f"NOT all processed within 600 s: pushes by status {by_status}")
    else:
        took = finished - began
        print(
            f"all {len(results)} pushes processed {took:.2f} s after the first ({len(results) / took:.0f}/s), "
            f"{finished - acked:.2f} s after the last acknowledgement  (target ≤ {TARGET_SECONDS:.0f} s: "
            f"{'met' if took <= TARGET_SECONDS else 'NOT met'})"
        )
    print(f"pushes {by_status}; events {events}; orders delivered {delivered}, delivered transitions {transitions}")
    assert statuses == {200}, statuses
    assert events == len(shipments) * len(STEPS), events
    assert delivered == transitions == len(shipments), (delivered, transitions)


if __name__ == "__main__":
    main()
