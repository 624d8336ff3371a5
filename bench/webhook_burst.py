"""Benchmark: a burst of BENCH_DELIVERIES (1,000) signed Shopify ``orders/create`` webhook deliveries, BENCH_DUPLICATES
(100) of them a second delivery of one already in the burst (the same X-Shopify-Event-Id), against gunicorn on loopback,
processed by 2 real Celery worker processes on PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fh_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/webhook_burst.py

gunicorn runs as the Dockerfile runs it (`gunicorn -c config/gunicorn.py config.wsgi:application`, production
settings, the access log written) with the README's sizes for 2 cores (3 workers × 2 threads, CONN_MAX_AGE=60), and 2
Celery workers (`celery -A config worker --pool solo`, one task at a time each) on a queue of the bench's own. The
deliveries are built by the fake Shopify (``webhook_payload`` / ``webhook_request``: the REST-shaped order, the
HMAC-SHA256 signature with the connection's secret, Shopify's headers) for 900 different orders of the customer's SKUs,
shuffled with their 100 repeats, and sent by BENCH_CONCURRENCY (6) keep-alive client threads as fast as the server
answers. A few deliveries to another connection warm every server process first (not counted).

Acknowledgement latency is one delivery's POST to its response read, as Shopify's clock would see it on loopback:
the request, the connection lookup, the signature check, the inbox row, the outbox row, the commit and the task
sent to Redis. "All processed" is from the first delivery sent until the last of the 900 stored events is processed
by the workers (the database polled every 20 ms): each event becomes a Confirming order with its lines and event, its
link and item mappings, through the same ``integrations.process_event`` task production runs.
Checked: every delivery answered 200, exactly 100 answered "duplicate", 900 events stored and processed, exactly 900
orders. Targets: acknowledgement p99 ≤ 50 ms, all processed within 10 s.
Environment: BENCH_DELIVERIES (1000), BENCH_DUPLICATES (100), BENCH_CONCURRENCY (6), BENCH_SERVER ("60:3x2").
"""

import contextlib
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gunicorn import ROOT, Client, collect_static, gunicorn, production_env  # noqa: E402  (sets SECRET_KEY)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fh_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
# Shop secrets are stored encrypted; the bench, the server and the workers share one key (base64 of 32 bytes).
os.environ.setdefault("INTEGRATION_KEYS", "YmVuY2gtb25seS1pbnRlZ3JhdGlvbi1rZXktMzJieXQ=")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"  # this process's setup; the server and the workers send and run tasks

import django  # noqa: E402

django.setup()

import _world  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.catalog.services import products_import  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.integrations.choices import EventStatus  # noqa: E402
from apps.integrations.models import OrderLink, PlatformEvent  # noqa: E402
from apps.integrations.services import connection_create  # noqa: E402
from apps.integrations.shopify.fake_server import FakeShopify  # noqa: E402
from apps.orders.models import Order  # noqa: E402

DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "1000"))
DUPLICATES = int(os.environ.get("BENCH_DUPLICATES", "100"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "6"))
SERVER = os.environ.get("BENCH_SERVER", "60:3x2")
SKUS = 20
SECRET = "shpss_bench_webhook_secret"
TARGET_P99_MS, TARGET_SECONDS = 50.0, 10.0
WORKERS = 2
DONE = (EventStatus.PROCESSED, EventStatus.IGNORED, EventStatus.FAILED)


def shop(tag: str):
    """A customer with SKUS products, the bench warehouse in its plan, and a Shopify connection with SECRET."""
    seller = _world.seller(_world.warehouse(), tag=f"Webhook{tag}", skus=0)
    with customer_scope(seller.customer):
        products_import(
            actor=seller.user,
            customer=seller.customer,
            rows=[
                (i + 2, {"sku": f"WB-{i:04d}", "name": f"Webhook SKU {i}", "declared_value": 5, "weight_g": 100 + i})
                for i in range(SKUS)
            ],
        )
        made = connection_create(
            actor=seller.user,
            platform="shopify",
            shop_domain=f"bench-{time.time_ns()}.myshopify.com",
            webhook_secret=SECRET,
            default_warehouse=_world.warehouse(),
        )
    return seller, made


def deliveries(domain: str, orders: int, repeats: int, seed: int = 15) -> list[tuple[bytes, dict]]:
    """``orders`` signed orders/create deliveries of different orders and ``repeats`` second deliveries of some of
    them (the same body and headers: the same event id), shuffled."""
    fake = FakeShopify(domain=domain)  # not started: only its orders, payloads and signing
    first = []
    for n in range(orders):
        order = fake.add_order(
            lines=[{"sku": f"WB-{(n + k) % SKUS:04d}", "quantity": 1 + (n + k) % 3} for k in range(1 + n % 2)]
        )
        for line in order["lineItems"]:  # one variant per SKU, as a shop has (the fake numbers them per line)
            line["variant"]["id"] = f"gid://shopify/ProductVariant/{45_000 + int(line['sku'][3:])}"
        first.append(fake.webhook_request("orders/create", fake.webhook_payload(order), secret=SECRET))
    rng = random.Random(seed)
    every = first + rng.sample(first, repeats)
    rng.shuffle(every)
    return every


@contextlib.contextmanager
def celery_workers(queue: str, log_dir: Path):
    """WORKERS worker processes on ``queue``, each running one task at a time, as the compose file's worker runs."""
    env = production_env(CELERY_TASK_ALWAYS_EAGER="false", CELERY_TASK_DEFAULT_QUEUE=queue, CONN_MAX_AGE=60)
    procs, logs = [], []
    try:
        for n in range(WORKERS):
            log = log_dir / f"worker-{n}.log"
            logs.append(log)
            with log.open("w") as out:
                procs.append(
                    subprocess.Popen(  # noqa: S603 - our own celery and arguments
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
                            "--hostname",
                            f"bench{n}-{queue}@%h",
                            "--without-gossip",
                            "--without-mingle",
                            "--without-heartbeat",
                            "--loglevel",
                            "INFO",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + 90
        while not all("ready." in log.read_text() for log in logs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                tails = "\n".join(log.read_text()[-2000:] for log in logs)
                raise RuntimeError(f"a Celery worker did not start:\n{tails}")
            time.sleep(0.2)
        yield [proc.pid for proc in procs]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def send(port: int, path: str, batch: list[tuple[bytes, dict]]) -> tuple[list[tuple[float, float, int, bytes]], float]:
    """POST every delivery from CONCURRENCY threads taking the next one in turn; [(start, seconds, status, body)]
    and the common start."""
    lock, barrier = threading.Lock(), threading.Barrier(CONCURRENCY + 1)
    todo = iter(batch)
    results = []

    def worker():
        client, mine = Client(port), []
        barrier.wait()
        try:
            while True:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                body, headers = item
                started = time.perf_counter()
                status, answer = client.post(path, body, headers)
                mine.append((started, time.perf_counter() - started, status, answer))
        finally:
            client.close()
            with lock:
                results.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return results, began


def processed(made, expected: int, timeout: float) -> float | None:
    """Wait until ``expected`` events of the connection are done; perf_counter() when they were, or None."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        with scopes_disabled():
            done = PlatformEvent.objects.filter(connection=made, status__in=DONE).count()
        if done >= expected:
            return time.perf_counter()
        time.sleep(0.02)
    return None


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc), in seconds."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def gunicorn_workers() -> list[int]:
    """The worker processes of the gunicorn this process started."""
    masters = [pid for pid in children(os.getpid()) if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    return [pid for master in masters for pid in children(master)]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    _world.ensure_database()
    call_command("migrate", verbosity=0)
    _world.fast_passwords()
    started = time.perf_counter()
    collect_static()
    print(f"static: collected in {time.perf_counter() - started:.1f} s")

    seller, made = shop("Burst")
    _warm_seller, warm = shop("Warm")
    unique = DELIVERIES - DUPLICATES
    batch = deliveries(made.shop_domain, unique, DUPLICATES)
    warmup = deliveries(warm.shop_domain, 4 * CONCURRENCY, 0, seed=1)
    path = reverse("integrations:shopify-webhook", kwargs={"connection_id": made.pk})
    warm_path = reverse("integrations:shopify-webhook", kwargs={"connection_id": warm.pk})

    queue = f"bench-webhooks-{uuid.uuid4().hex[:8]}"
    log_dir = ROOT / "var" / "bench-webhook-burst"
    log_dir.mkdir(parents=True, exist_ok=True)
    max_age, shape = SERVER.split(":")
    workers, threads = shape.split("x")
    server_env = {
        "CONN_MAX_AGE": max_age,
        "GUNICORN_WORKERS": workers,
        "GUNICORN_THREADS": threads,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    load_before = os.getloadavg()[0]
    with celery_workers(queue, log_dir) as worker_pids, gunicorn(**server_env) as port:
        warm_results, _ = send(port, warm_path, warmup)
        assert all(status == 200 for _s, _t, status, _b in warm_results), warm_results[:3]
        if processed(warm, len(warmup), 60) is None:
            raise RuntimeError(f"the warm-up's events were not processed; see {log_dir}")
        web_pids = gunicorn_workers()
        web_cpu, worker_cpu = cpu_seconds(web_pids), cpu_seconds(worker_pids)
        results, began = send(port, path, batch)
        acked = max(start + seconds for start, seconds, _st, _b in results)
        web_cpu = cpu_seconds(web_pids) - web_cpu
        finished = processed(made, unique, 300)
        worker_cpu = cpu_seconds(worker_pids) - worker_cpu
    load_after = os.getloadavg()[0]

    latencies = [seconds * 1000 for _s, seconds, _st, _b in results]
    statuses = {status for _s, _t, status, _b in results}
    duplicates = sum(1 for *_x, body in results if b'"duplicate"' in body)
    with scopes_disabled():
        events = PlatformEvent.objects.filter(connection=made)
        by_status = dict(events.values_list("status").annotate(n=Count("pk")).order_by())
        orders = Order.objects.filter(customer=seller.customer, source="shopify")
        created, confirming = orders.count(), orders.filter(status="confirming").count()
        links = OrderLink.objects.filter(connection=made).count()

    p50, p95, p99 = (percentile(latencies, q) for q in (0.50, 0.95, 0.99))
    print(
        f"\n{len(results)} deliveries ({unique} orders + {DUPLICATES} repeats), {CONCURRENCY} client threads, gunicorn "
        f"CONN_MAX_AGE={max_age} {workers} × {threads}, {WORKERS} Celery workers (solo pool); {os.cpu_count()} CPUs, "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )
    print(
        f"acknowledgements: p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {max(latencies):.1f} ms, "
        f"mean {statistics.mean(latencies):.1f} ms; all acknowledged in {acked - began:.2f} s "
        f"({len(results) / (acked - began):.0f}/s)  (target p99 ≤ {TARGET_P99_MS:.0f} ms: "
        f"{'met' if p99 <= TARGET_P99_MS else 'NOT met'})"
    )
    print(
        f"CPU (user + system, PostgreSQL's own not included): gunicorn {web_cpu * 1000 / len(results):.1f} ms "
        f"per delivery; the Celery workers {worker_cpu * 1000 / unique:.1f} ms per event"
    )
    if finished is None:
        print(f"NOT all processed within 300 s: events by status {by_status}")
    else:
        took = finished - began
        print(
            f"all {unique} events processed {took:.2f} s after the first delivery ({unique / took:.0f} events/s), "
            f"{finished - acked:.2f} s after the last acknowledgement  (target ≤ {TARGET_SECONDS:.0f} s: "
            f"{'met' if took <= TARGET_SECONDS else 'NOT met'})"
        )
    print(
        f"answers {sorted(statuses)}, {duplicates} acknowledged as duplicates; events {sum(by_status.values())} "
        f"{by_status}; orders {created} ({confirming} Confirming), links {links}"
    )
    assert statuses == {200}, statuses
    assert duplicates == DUPLICATES, duplicates
    assert created == unique and links == unique, (created, links)
    assert by_status == {EventStatus.PROCESSED: unique}, by_status


if __name__ == "__main__":
    main()
