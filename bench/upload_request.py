"""Benchmark: the upload request alone for a 50,000-row file (Orders › Batch creation and Products › Batch import).

Run against PostgreSQL (the database is created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/upload_request.py

Times the whole portal POST as Django serves it, through the test client: the multipart upload parsed into an
uploaded file, the form, the checks the request makes on the file, the job row and the stored input file, the task
sent to the broker, the redirect to the job's page. The broker is Celery's in-memory transport with no worker
(CELERY_TASK_ALWAYS_EAGER=0 and no REDIS_URL, set below), so the job itself does not run: what is measured is the
request. Each figure is the best and the median of BENCH_RUNS (5) requests, each from a fresh customer; the growth of
the process's peak memory (max RSS) is that of the first 50,000-row request, after a warm-up request with a small
file (imports loaded); the peak of Python allocations (tracemalloc) is taken over a separate request.

Files: a Regular Order Template of BENCH_ROWS (50,000) rows (orders of 2 lines) and a product file of the same number
of rows, written with the project's own XLSX writer.
"""

import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"  # the task goes to the broker; no worker takes it
os.environ.pop("REDIS_URL", None)  # the broker is the in-memory transport

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

settings.DEBUG = False
settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

import _world  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from apps.accounts.services import customer_create, customer_user_create  # noqa: E402
from apps.catalog.imports import PRODUCT_COLUMNS  # noqa: E402
from apps.core.tenancy import customer_scope  # noqa: E402
from apps.documents.models import Job  # noqa: E402
from apps.documents.toolkit.xlsx import write_xlsx  # noqa: E402
from apps.orders.batch_files import REGULAR_COLUMNS  # noqa: E402
from apps.warehouses.models import Warehouse  # noqa: E402
from apps.warehouses.services import customer_warehouses_set  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "50000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


ensure_database = _world.ensure_database  # create the bench database when it is missing


def order_file(rows: int) -> bytes:
    lines = []
    for n in range(rows):
        order = n // 2
        lines.append(
            [
                f"UPL-{order:06d}",
                f"Recipient {order}",
                "",
                f"+1 415 555 {100 + order % 100:04d}",
                f"r{order}@example.com",
                f"{100 + order} Market St",
                "",
                "San Francisco",
                "CA",
                "94105",
                "US",
                f"SKU-{n % 200:04d}",
                1 + n % 3,
                "",
                "UPL1",
                "",
            ]
        )
    return write_xlsx(REGULAR_COLUMNS, lines, sheet_title="Orders")


def product_file(rows: int) -> bytes:
    keys = [c.key for c in PRODUCT_COLUMNS]
    values = {"declared_value": 5, "currency": "USD", "weight_g": 120, "category": "Bench"}
    return write_xlsx(
        PRODUCT_COLUMNS,
        [
            [{"sku": f"UPL-SKU-{n:06d}", "name": f"Upload SKU {n}", **values}.get(k, "") for k in keys]
            for n in range(rows)
        ],
        sheet_title="Products",
    )


def portal_client() -> Client:
    """A logged-in customer user whose plan has the warehouse the order file names."""
    stamp = time.time_ns()
    customer = customer_create(
        actor=None, company_name=f"Upload bench {stamp}", contact_name="B", contact_email=f"up{stamp}@b.example"
    )
    user = customer_user_create(customer=customer, email=f"up{stamp}@b.example", password="bench-password-123")
    warehouse, _ = Warehouse.objects.get_or_create(
        code="UPL1",
        defaults={"name": "Upload bench", "address1": "1 Dock Rd", "city": "Carson", "state": "CA", "country": "US"},
    )
    customer_warehouses_set(actor=None, customer=customer, warehouses=[warehouse])
    client = Client()
    client.force_login(user)
    client.customer = customer
    return client


def post(client: Client, what: str, data: bytes):
    if what == "orders":
        url, fields = reverse("orders:batch"), {"kind": "regular", "warehouse": "UPL1"}
    else:
        url, fields = reverse("catalog:product-import"), {}
    return client.post(url, {"file": SimpleUploadedFile(f"{what}.xlsx", data), **fields})


def one_request(what: str, data: bytes, *, trace: bool = False) -> dict:
    client = portal_client()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = post(client, what, data)
    elapsed = time.perf_counter() - started
    figures = {"seconds": elapsed, "rss_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024}
    if trace:
        figures["traced_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    assert response.status_code == 302, (response.status_code, response.content[:2000])
    with customer_scope(client.customer):
        job = Job.objects.get(customer=client.customer)
        assert job.status == "queued", (job.status, job.message)  # the request queued it; no worker ran it
    return figures


def measure(what: str) -> None:
    data = order_file(ROWS) if what == "orders" else product_file(ROWS)
    one_request(what, order_file(600) if what == "orders" else product_file(1200))  # warm-up: modules, connection
    runs = [one_request(what, data) for _ in range(RUNS)]
    traced = one_request(what, data, trace=True)
    seconds = [r["seconds"] for r in runs]
    print(
        f"{what:8} {ROWS:,} rows, {len(data) / 1024 / 1024:.1f} MB: request best {min(seconds):.3f} s, median "
        f"{statistics.median(seconds):.3f} s of {RUNS} ({', '.join(f'{s:.3f}' for s in seconds)}); max RSS "
        f"+{runs[0]['rss_mb']:.0f} MB (first request); Python allocations peak {traced['traced_mb']:.0f} MB",
        flush=True,
    )


def main() -> None:
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    if len(sys.argv) > 1:  # one kind of upload per process, so each max-RSS figure is its own
        measure(sys.argv[1])
        return
    ensure_database()
    call_command("migrate", verbosity=0)
    for what in ("orders", "products"):
        subprocess.run([sys.executable, __file__, what], check=True)  # noqa: S603 (this script, by its own path)


if __name__ == "__main__":
    main()
