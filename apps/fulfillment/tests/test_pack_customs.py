"""The pack station prints an international parcel's customs form with its label (issue 18 item 2):
the pack page says so, the packed page offers the CN 22 / CN 23 beside the label, a domestic
parcel shows neither."""

import shutil
import subprocess

import pytest

from apps.catalog.services import product_update
from apps.core.tenancy import customer_scope

from .outbound_pages import body, pack, picked, url

pytestmark = pytest.mark.usefixtures("staff_side")
BERLIN = {"address1": "Hauptstr. 1", "city": "Berlin", "state": "", "postal_code": "10115", "country": "DE"}


def _text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def abroad(floor, submitted):
    with customer_scope(floor.customer):
        product_update(
            actor=floor.user,
            product=floor.products["TEE"],
            data={"customs_name": "Cotton T-shirt", "hs_code": "610910", "origin_country": "BD"},
        )
    order = submitted(recipient=BERLIN)
    picked(floor, order)
    return order


def test_the_pack_page_and_the_packed_page_print_the_customs_form_with_the_label(clerk, floor, abroad):
    page = body(clerk.get(url("pack-order", abroad.number)))
    assert 'data-testid="customs-notice"' in page and "International parcel (US → DE)" in page

    parcel = pack(floor, abroad)
    done = body(clerk.get(url("pack-done", abroad.number)))
    assert 'data-testid="print-label"' in done and 'data-testid="print-customs"' in done

    response = clerk.get(url("pack-customs", abroad.number))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "CN 22" in text and "1 × Cotton T-shirt" in text and "3.00 USD" in text
    assert parcel.tracking_number in text  # packed: the form names the parcel's tracking number
    assert "0.45 kg" in text  # the packed weight is the gross weight


def test_a_domestic_parcel_has_no_customs_form(clerk, floor, submitted):
    order = submitted()
    picked(floor, order)
    assert 'data-testid="customs-notice"' not in body(clerk.get(url("pack-order", order.number)))
    pack(floor, order)
    assert 'data-testid="print-customs"' not in body(clerk.get(url("pack-done", order.number)))
    assert clerk.get(url("pack-customs", order.number)).status_code == 404
