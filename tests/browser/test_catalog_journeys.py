"""Products in a real browser: create with Apply ST-UPC, find it, import a file with a bad row."""

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect

from apps.catalog.imports import PRODUCT_COLUMNS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_product_with_generated_upc_and_find_it(page, live_server, login, user_a):
    login(page, user_a.email)
    page.goto(live_server.url + "/products/new/")
    page.get_by_label("Product name").fill("Travel mug")
    page.get_by_label("Declared value").fill("7.90")
    page.get_by_test_id("apply-upc").click()  # htmx fills the UPC in place
    upc_input = page.locator("#id_upc")
    expect(upc_input).to_have_value(re.compile(r"^\d{12}$"))
    upc = upc_input.input_value()
    page.get_by_role("button", name="OK", exact=True).click()  # no SKU: the UPC becomes the SKU
    expect(page.get_by_test_id("flash").first).to_contain_text(f"Product {upc} created.")

    page.get_by_role("searchbox", name="Search").fill("travel")
    page.get_by_role("button", name="Search").click()
    table = page.get_by_test_id("product-table")
    expect(table).to_contain_text("Travel mug")
    expect(table).to_contain_text(upc)


def _workbook(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([c.header for c in PRODUCT_COLUMNS])
    for row in rows:
        ws.append([row.get(c.key) for c in PRODUCT_COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_with_a_bad_row_then_only_the_valid_ones(page, live_server, login, user_a, tmp_path):
    path = tmp_path / "products.xlsx"
    path.write_bytes(
        _workbook(
            [
                {"sku": "IMP-1", "name": "Imported one", "declared_value": 3},
                {"sku": "IMP-2", "name": "Imported two", "declared_value": -3},
            ]
        )
    )
    login(page, user_a.email)
    page.goto(live_server.url + "/products/import/")
    page.get_by_label("Product file (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_test_id("job-message")).to_contain_text("Nothing was imported: 1 row of 2 have problems")
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("must be between 0")
    with page.expect_download() as download:
        problems.get_by_role("link", name=re.compile("problems marked")).click()
    assert download.value.suggested_filename == "products-errors.xlsx"

    page.get_by_test_id("import-valid-only").click()
    expect(page.get_by_test_id("job-message")).to_contain_text("Imported the 1 valid products")
    page.goto(live_server.url + "/products/")
    expect(page.get_by_test_id("product-table")).to_contain_text("IMP-1")
    expect(page.get_by_test_id("product-table")).not_to_contain_text("IMP-2")
