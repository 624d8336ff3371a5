"""The upload request checks a batch file as far as its header rows, stores it and queues the job;
the job reads the rows, once, and reports progress that the job's page shows (issue 14, item 7)."""

import html
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.documents.models import Job
from apps.orders.imports import IMPORT_KIND, order_import_run

from .test_imports import HEADERS, backer, batch_orders, kickstarter, row, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(client, world):
    client.force_login(world.user)
    return client


def _rewards_missing() -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(kickstarter([backer(1)], [("Early bird", "TEE", 1)])))
    del book["Rewards"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (
            lambda: workbook([["1001", "TEE", 1]], headers=["Order", "SKU*", "Qty"]),
            "regular",
            'The header row (row 1) does not match the template. It lacks the required columns: "Order ref*"',
        ),
        (lambda: workbook([], headers=HEADERS), "regular", "The file has headers (row 1) but no data rows."),
        (lambda: b"%PDF-1.7\n" + b"0" * 100, "regular", "This is not an Excel .xlsx file (it looks like a PDF)."),
        (lambda: b"PK\x03\x04" + b"0" * 100, "regular", "The file is damaged or incomplete."),
        (lambda: b"PK\x03\x04" + b"0" * (10 * 1024 * 1024), "regular", "the limit is 10 MB. Split it"),
        (_rewards_missing, "kickstarter", 'The workbook has no sheet named "Rewards"'),
    ],
    ids=["bad-header", "no-rows", "not-a-zip", "broken-zip", "too-large", "no-rewards-sheet"],
)
def test_a_bad_file_is_refused_in_the_request_and_nothing_is_queued(
    portal, world, django_capture_on_commit_callbacks, data, kind, message
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = portal.post(
            reverse("orders:batch"), {"file": SimpleUploadedFile("orders.xlsx", data()), "kind": kind}
        )
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert callbacks == [] and not Job.objects.filter(kind=IMPORT_KIND).exists()


@pytest.mark.parametrize("orders", [2, 300])  # under and over the old in-request limit of 500 rows
def test_the_request_does_not_read_the_rows_and_the_job_reads_them_once(
    portal, world, django_capture_on_commit_callbacks, monkeypatch, orders
):
    from apps.orders import batch_files

    reads = []
    real = batch_files.read_table

    def counted(*args, **kwargs):
        reads.append(kwargs.get("sheet"))
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_files, "read_table", counted)
    data = workbook([row(f"ONCE-{n // 2}", "TEE" if n % 2 else "MUG") for n in range(2 * orders)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        posted = portal.post(reverse("orders:batch"), {"file": SimpleUploadedFile("o.xlsx", data), "kind": "regular"})
    assert posted.status_code == 302 and reads == []  # checked, stored, queued: no row read
    job = Job.objects.get(kind=IMPORT_KIND)
    assert job.status == "queued" and job.total == 2 * orders and len(callbacks) == 1  # the rows the sheet declares
    callbacks[0]()  # the worker runs the job
    assert reads == [None] and len(batch_orders(world)) == orders
    page = portal.get(posted.url).content.decode()
    assert f"Created all {orders} orders ({2 * orders} rows)." in page


def test_the_job_page_shows_the_progress_the_job_reports(
    portal, world, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.orders import imports

    seen = []
    real = imports.job_progress

    def and_look(*, job_id, done, total):
        real(job_id=job_id, done=done, total=total)
        status = portal.get(reverse("orders:batch-job", args=[job_id]), HTTP_HX_REQUEST="true").content.decode()
        seen.append(status)

    monkeypatch.setattr(imports, "job_progress", and_look)
    data = workbook([row(f"P-{n // 2}", "TEE" if n % 2 else "MUG") for n in range(2000)])  # 1,000 orders
    with django_capture_on_commit_callbacks(execute=True):
        posted = portal.post(reverse("orders:batch"), {"file": SimpleUploadedFile("o.xlsx", data), "kind": "regular"})
    assert len(seen) >= 3 and all('data-status="running"' in status for status in seen)
    assert "0 / 2000" in seen[0] and any('aria-valuenow="50"' in s and "1000 / 2000" in s for s in seen)
    assert 'hx-trigger="every 1s"' in seen[0]  # the page keeps polling while the job runs
    done = portal.get(posted.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in done and "Created all 1,000 orders (2,000 rows)." in done


def test_every_file_runs_as_a_job_with_a_job_page_and_runs_once(portal, world, django_capture_on_commit_callbacks):
    data = workbook([row(f"B-{n // 2}", "TEE" if n % 2 else "MUG") for n in range(600)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        posted = portal.post(reverse("orders:batch"), {"file": SimpleUploadedFile("o.xlsx", data), "kind": "regular"})
    job = portal.get(posted.url).context["job"]
    assert job.status == "queued" and len(callbacks) == 1
    page = portal.get(reverse("orders:batch-job", args=[job.pk])).content.decode()
    assert 'role="progressbar"' in page and "0 / 600" in page
    callbacks[0]()  # the worker gets the task
    callbacks[0]()  # ... and a second delivery of it does nothing
    order_import_run(job_id=job.pk)
    assert len(batch_orders(world)) == 300
    status = portal.get(reverse("orders:batch-job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Created all 300 orders (600 rows)." in status and 'data-status="done"' in status
