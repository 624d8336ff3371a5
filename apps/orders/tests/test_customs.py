"""Customs for parcels leaving the warehouse's country (issue 18 item 2): the SKUs' customs fields
are required at submit (Abnormal MISSING_CUSTOMS_INFO with the sentence, nothing else changes),
a domestic order needs none, and the document is a CN 22 or a CN 23 + commercial invoice by value,
read back from the PDF with pdftotext."""

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.billing.models import Wallet
from apps.catalog.services import product_update
from apps.inventory.models import StockBalance
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.customs import CN22, CN23, customs_lines, customs_pdf, form_for, is_international
from apps.orders.services import order_create, order_submit

BERLIN = {"address1": "Hauptstr. 1", "city": "Berlin", "state": "", "postal_code": "10115", "country": "DE"}
CUSTOMS = {"customs_name": "Cotton T-shirt", "hs_code": "610910", "origin_country": "BD"}


def text_of(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode()


def _customs(world, sku, **fields):
    return product_update(actor=world.user, product=world.products[sku], data={**CUSTOMS, **fields})


def test_a_domestic_order_needs_no_customs_fields(world):
    order = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data()))
    assert order.status == OrderStatus.PENDING_SHIPMENT
    assert not is_international(order)
    assert customs_pdf(order) is None


def test_an_international_order_with_a_sku_missing_its_hs_code_goes_abnormal_and_nothing_else_changes(world):
    world.products["TEE"] = _customs(world, "TEE", hs_code="")
    order = order_create(actor=world.user, data=world.data(recipient=BERLIN))
    wallet_before = Wallet.objects.get(customer=world.customer)
    order = order_submit(actor=world.user, order=order)
    assert order.status == OrderStatus.ABNORMAL
    assert order.abnormal_code == AbnormalReason.MISSING_CUSTOMS_INFO
    assert order.abnormal_message == (
        "This parcel leaves US for DE, so customs needs every SKU's declared customs name, HS code, country "
        "of origin and value: SKU TEE has no HS code. Add them on the SKU's page (Products → the SKU → Edit) "
        "and submit the order again."
    )
    balance = StockBalance.objects.get(product=world.products["TEE"])
    assert balance.allocated == 0
    wallet = Wallet.objects.get(customer=world.customer)
    assert (wallet.balance, wallet.held) == (wallet_before.balance, wallet_before.held)
    assert order.held_amount in (None, Decimal("0")) and not order.stock_allocated
    with pytest.raises(ValueError, match="SKU TEE has no HS code"):
        customs_pdf(order)

    # Fixed on the SKU, the same order goes through.
    _customs(world, "TEE")
    order = order_submit(actor=world.user, order=order)
    assert order.status == OrderStatus.PENDING_SHIPMENT
    assert StockBalance.objects.get(product=world.products["TEE"]).allocated == 1


def test_the_sentence_names_each_sku_and_each_missing_field(world):
    world.products["MUG"] = _customs(world, "MUG", customs_name="", origin_country="")
    order = order_create(
        actor=world.user,
        data=world.data(recipient=BERLIN, lines=[(world.products["TEE"], 1), (world.products["MUG"], 1)]),
    )
    order = order_submit(actor=world.user, order=order)
    assert order.abnormal_code == AbnormalReason.MISSING_CUSTOMS_INFO
    assert (
        "SKU MUG has no declared customs name and country of origin; "
        "SKU TEE has no declared customs name, HS code and country of origin." in order.abnormal_message
    )


def test_a_cheap_parcel_gets_a_cn22_with_its_lines_totals_and_currency(world):
    world.products["TEE"] = _customs(world, "TEE", declared_value="12.50")
    order = order_submit(
        actor=world.user,
        order=order_create(actor=world.user, data=world.data(recipient=BERLIN, lines=[(world.products["TEE"], 3)])),
    )
    form, pdf = customs_pdf(order)
    assert form.kind == CN22
    text = text_of(pdf)
    assert "CUSTOMS DECLARATION" in text and "CN 22" in text and "CN 23" not in text
    assert "3 × Cotton T-shirt" in text
    assert "610910" in text and "BD" in text
    assert "0.60 kg" in text  # 3 × 200 g
    assert "37.50 USD" in text  # 3 × 12.50
    assert "Total value 37.50 USD" in text
    assert order.number in text
    assert "Commercial invoice" not in text


def test_a_parcel_above_300_sdr_gets_a_cn23_and_a_commercial_invoice(world):
    world.products["TEE"] = _customs(world, "TEE", declared_value="150.00")
    order = order_submit(
        actor=world.user,
        order=order_create(actor=world.user, data=world.data(recipient=BERLIN, lines=[(world.products["TEE"], 3)])),
    )
    form, pdf = customs_pdf(order)
    assert form.kind == CN23  # 450 USD ≈ 329.5 SDR at 1.36568 USD per SDR
    assert form.sdr_value == Decimal("329.51")
    text = text_of(pdf)
    assert "Customs declaration CN 23" in text and "Commercial invoice" in text
    assert "Cotton T-shirt" in text and "610910" in text
    assert "450.00 USD" in text and "150.00 USD" in text  # the total, and the unit value on the invoice
    assert "Sale of goods" in text
    assert "GERMANY" in text and "Berlin" in text


@override_settings(CUSTOMS_SDR_RATES={"USD": "1.5"}, CUSTOMS_SDR_RATES_DATE="2026-01-01")
def test_the_form_follows_the_rate_table_in_settings(world):
    world.products["TEE"] = _customs(world, "TEE", declared_value="150.00")
    order = order_create(actor=world.user, data=world.data(recipient=BERLIN, lines=[(world.products["TEE"], 3)]))
    form = form_for(customs_lines(order))
    assert (form.kind, form.sdr_value) == (CN22, Decimal("300.00"))  # 450 / 1.5: at the limit is a CN 22
    assert "2026-01-01" in form.reason
    world.products["TEE"] = _customs(world, "TEE", currency="EUR")
    form = form_for(customs_lines(order))
    assert form.kind == CN23 and "no SDR rate for EUR" in form.reason


def test_the_portal_and_the_back_office_serve_the_document(world, client, django_user_model):
    world.products["TEE"] = _customs(world, "TEE", declared_value="10")
    order = order_create(actor=world.user, data=world.data(recipient=BERLIN))
    client.force_login(world.user)
    page = client.get(reverse("orders:detail", args=[order.number]))
    assert b'data-testid="customs-pdf"' in page.content
    response = client.get(reverse("orders:customs", args=[order.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "CN 22" in text_of(response.content)
    domestic = order_create(actor=world.user, data=world.data())
    assert client.get(reverse("orders:customs", args=[domestic.number])).status_code == 404
