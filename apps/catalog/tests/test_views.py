import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.catalog.imports import PRODUCT_COLUMNS
from apps.catalog.models import Product
from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.documents.models import Job

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in PRODUCT_COLUMNS]


def workbook(rows, headers=HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(sku, name="Mug", value=4.5, **extra):
    values = {"sku": sku, "name": name, "declared_value": value, **extra}
    return [values.get(c.key) for c in PRODUCT_COLUMNS]


def upload(client, data, name="products.xlsx"):
    """Post a file as the browser does; its job runs after the request's commit (a worker, or eager
    Celery); then the job's page, or the refused form."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("catalog:product-import"), {"file": SimpleUploadedFile(name, data)})
    return client.get(response.url) if response.status_code == 302 else response


def make(user, **data):
    with customer_scope(user.customer):
        return product_create(actor=user, data={"name": "Mug", "declared_value": "4", **data})


@pytest.fixture
def portal(client, user_a):
    client.force_login(user_a)
    return client


def products_of(user):
    with scopes_disabled():
        return sorted(Product.objects.filter(customer=user.customer).values_list("sku", flat=True))


def test_create_form_ok_returns_to_list_with_message(portal, user_a):
    response = portal.post(
        reverse("catalog:product-create"),
        {
            "sku": "MUG-1",
            "upc": "",
            "name": "Mug",
            "declared_value": "4.50",
            "currency": "USD",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("catalog:product-list")
    assert "Product MUG-1 created." in response.content.decode()
    assert products_of(user_a) == ["MUG-1"]


def test_create_form_shows_field_errors_and_saves_nothing(portal, user_a):
    response = portal.post(
        reverse("catalog:product-create"),
        {
            "sku": "MUG-1",
            "upc": "012345678906",
            "name": "Mug",
            "declared_value": "4",
            "currency": "USD",
            "length_cm": "-3",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "check digit is wrong" in body and "more than 0" in body
    assert products_of(user_a) == []


def test_apply_st_upc_without_javascript_fills_the_form(portal):
    response = portal.post(reverse("catalog:product-create"), {"name": "Mug", "apply_upc": "1"})
    assert "is reserved for you" in response.content.decode()
    upc = response.context["form"].data["upc"]
    assert len(upc) == 12 and upc.isdigit()


def test_apply_st_upc_htmx_returns_the_input(portal):
    response = portal.post(reverse("catalog:apply-upc"), HTTP_HX_REQUEST="true")
    assert 'name="upc"' in response.content.decode()


def test_list_search_filter_sort_and_query_count(portal, user_a, django_assert_max_num_queries):
    for i in range(5):
        make(user_a, sku=f"CUP-{i}", name=f"Cup {i}", category="Kitchen")
    make(user_a, sku="PLATE", name="Plate", category="Dining", upc="PLATE")
    body = portal.get(reverse("catalog:product-list"), {"q": "cup", "sort": "-sku"}).content.decode()
    assert body.index("CUP-4") < body.index("CUP-0") and "PLATE" not in body
    body = portal.get(reverse("catalog:product-list"), {"category": "Dining"}).content.decode()
    assert "PLATE" in body and "CUP-1" not in body
    with django_assert_max_num_queries(12) as few:
        portal.get(reverse("catalog:product-list"))
    for i in range(30):
        make(user_a, sku=f"MORE-{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        portal.get(reverse("catalog:product-list"))


def test_bulk_deactivate(portal, user_a):
    a, b = make(user_a, sku="A"), make(user_a, sku="B")
    response = portal.post(reverse("catalog:product-bulk"), {"ids": [a.pk, b.pk], "action": "deactivate"}, follow=True)
    assert "2 products deactivated." in response.content.decode()
    response = portal.post(reverse("catalog:product-bulk"), {"action": "deactivate"}, follow=True)
    assert "Tick at least one product first." in response.content.decode()


def test_detail_shows_declared_and_measured(portal, user_a):
    p = make(user_a, sku="A", length_cm="30")
    with scopes_disabled():
        Product.objects.filter(pk=p.pk).update(measured_length_cm="31.0")
    body = portal.get(reverse("catalog:product-detail", args=[p.pk])).content.decode()
    assert "30.0" in body and "31.0" in body and "The measured figures are used" in body


def test_template_download_is_a_workbook_with_the_headers(portal):
    response = portal.get(reverse("catalog:product-import-template"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {str(c.value).rstrip("*").strip() for r in sheet.iter_rows() for c in r if c.value}
    assert {"SKU", "Product name", "Declared value"} <= cells


def test_import_good_file_imports_everything(portal, user_a):
    response = upload(portal, workbook([row("A-1"), row("A-2", upc=12345678905)]))
    assert "Imported all 2 products." in response.content.decode()
    assert products_of(user_a) == ["A-1", "A-2"]
    with scopes_disabled():  # Excel dropped the UPC's leading zero; we put it back
        assert Product.objects.get(sku="A-2").upc == "012345678905"


def test_import_with_bad_rows_imports_nothing_then_only_valid_on_request(portal, user_a):
    make(user_a, sku="EXISTS")
    data = workbook([row("A-1"), row("exists"), row("A-3", value=-1), row("A-1")])
    response = upload(portal, data)
    body = response.content.decode()
    assert "Nothing was imported: 3 rows of 4 have problems" in body
    assert "SKU exists already exists in your products" in body
    assert "appears twice in the file (row 2)" in body
    assert products_of(user_a) == ["EXISTS"]

    job = response.context["job"]
    with scopes_disabled():
        marked = openpyxl.load_workbook(io.BytesIO(job.result_file.read())).active
    header = [c.value for c in marked[1]]
    errors_col = header.index("Errors") + 1
    assert "must be between 0" in marked.cell(row=4, column=errors_col).value
    assert marked.cell(row=2, column=errors_col).value in (None, "")

    with TestCase.captureOnCommitCallbacks(execute=True):
        posted = portal.post(reverse("catalog:product-import-valid-only", args=[job.pk]))
    response = portal.get(posted.url)
    assert "Imported the 1 valid products" in response.content.decode()
    assert products_of(user_a) == ["A-1", "EXISTS"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"sku,name\nA,B\n", "not an Excel"),
        (b"", "empty"),
    ],
)
def test_import_refuses_files_that_are_not_spreadsheets(portal, user_a, data, message):
    response = upload(portal, data, name="products.xlsx")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert products_of(user_a) == []
    with scopes_disabled():
        assert not Job.objects.exists()


def test_import_refuses_wrong_headers(portal, user_a):
    response = upload(portal, workbook([["A", "B"]], headers=["Colour", "Size"]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Product name" in body and products_of(user_a) == []


def test_big_import_runs_as_a_job_with_progress(portal, user_a, django_capture_on_commit_callbacks):
    data = workbook([row(f"BULK-{i:05d}") for i in range(1200)])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(portal, data)
    assert response.context["job"].total == 1200
    assert len(products_of(user_a)) == 1200
    with scopes_disabled():
        job = Job.objects.get(kind="product_import")
    status = portal.get(reverse("catalog:product-import-job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "Imported all 1200 products." in status.content.decode()


def test_the_upload_request_checks_the_header_and_the_job_reads_the_rows_once(
    portal, user_a, django_capture_on_commit_callbacks, monkeypatch
):
    from apps.catalog import imports

    reads = []
    real = imports.read_table
    monkeypatch.setattr(imports, "read_table", lambda *a, **k: reads.append(1) or real(*a, **k))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        posted = portal.post(
            reverse("catalog:product-import"), {"file": SimpleUploadedFile("p.xlsx", workbook([row("O-1")]))}
        )
    assert posted.status_code == 302 and reads == [] and len(callbacks) == 1  # stored and queued, no row read
    assert products_of(user_a) == []
    callbacks[0]()
    assert reads == [1] and products_of(user_a) == ["O-1"]
    assert "Imported all 1 products." in portal.get(posted.url).content.decode()


def test_export_neutralises_formulas(portal, user_a):
    make(user_a, sku="=HYPERLINK(1)", name="+cmd", category="@x")
    response = portal.post(reverse("catalog:product-export"), follow=True)
    job = response.context["job"]
    assert job.status == "done"
    with scopes_disabled():
        sheet = openpyxl.load_workbook(io.BytesIO(job.result_file.read())).active
    cells = [c for r in sheet.iter_rows(min_row=2) for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert {"'=HYPERLINK(1)", "'+cmd", "'@x"} <= {c.value for c in cells}
    download = portal.get(reverse("documents:job-file", args=[job.pk, "result"]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")


def test_labels_page_and_pdf(portal, user_a):
    a = make(user_a, sku="A-1", upc="012345678905")
    b = make(user_a, sku="B-1")
    page = portal.get(reverse("catalog:product-labels"), {"ids": [a.pk, b.pk]}).content.decode()
    assert "UPC-A 012345678905" in page and "Code 128 B-1" in page
    response = portal.post(
        reverse("catalog:product-labels"),
        {
            "ids": [a.pk, b.pk],
            "format": "thermal-50x30",
            f"copies-{a.pk}": "2",
            f"copies-{b.pk}": "1",
        },
    )
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")


def test_labels_bad_copies_explain(portal, user_a):
    a = make(user_a, sku="A-1")
    response = portal.post(
        reverse("catalog:product-labels"), {"ids": [a.pk], "format": "a4-3x8", f"copies-{a.pk}": "-5"}, follow=True
    )
    assert "copies must be a whole number" in response.content.decode()


def test_import_refuses_a_zip_bomb_and_an_oversized_file(portal, user_a):
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))
    response = upload(portal, bomb.getvalue())
    assert response.status_code == 400 and "as a zip bomb does" in response.content.decode()

    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"0" * (10 * 1024 * 1024 + 1))
    response = portal.post(reverse("catalog:product-import"), {"file": big})
    assert response.status_code == 400 and "the limit is 10 MB" in response.content.decode()
    assert products_of(user_a) == []
    with scopes_disabled():
        assert not Job.objects.exists()


def test_an_import_that_imports_nothing_says_so_on_its_badge(portal, user_a):
    body = upload(portal, workbook([row("A-1", value=-1)])).content.decode()
    assert 'data-testid="job-badge">Nothing imported<' in body
    assert ">Done<" not in body
    body = upload(portal, workbook([row("A-2")])).content.decode()
    assert 'data-testid="job-badge">Done<' in body
    centre = portal.get(reverse("documents:download-centre")).content.decode()
    assert "Nothing imported" in centre


def test_a_declared_value_with_a_decimal_comma_is_read_as_meant(portal, user_a):
    upload(portal, workbook([row("A-1", value="4,50"), row("A-2", value="4.50")]))
    with scopes_disabled():
        values = {p.sku: p.declared_value for p in Product.objects.all()}
    assert values == {"A-1": Decimal("4.50"), "A-2": Decimal("4.50")}
