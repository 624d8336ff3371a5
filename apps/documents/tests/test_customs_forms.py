"""The customs forms' layout: CN 22 on a 4 × 6 in page, CN 23 + commercial invoice on A4, totals per
currency, and bad input refused with a sentence."""

from datetime import date
from decimal import Decimal

import pytest

from apps.documents.layouts.customs_forms import (
    CustomsDeclaration,
    CustomsLine,
    render_cn22,
    render_cn23,
    total_text,
)
from apps.documents.toolkit.pages import PartyAddress

from .pdf_checks import page_count

WAREHOUSE = PartyAddress("LAX1", "Hub LAX", ("1 Main St", "Los Angeles CA 90001", "US"))
RECIPIENT = PartyAddress("", "Zoë Ibáñez", ("Hauptstr. 1", "Berlin 10115", "GERMANY"))
MUG = CustomsLine("Ceramic mug", 2, 700, Decimal("24.00"), "USD", "691200", "CN", sku="MUG-1")
TEE = CustomsLine("Cotton T-shirt", 1, 200, Decimal("15.50"), "EUR", "610910", "BD", sku="TS-1")


def declaration(*lines, **changes):
    data = {
        "order_number": "S26120400000011",
        "sender": WAREHOUSE,
        "exporter": "ACME Inc.",
        "recipient": RECIPIENT,
        "lines": lines or (MUG,),
        "gross_weight_g": 1000,
        "tracking_number": "1Z999AA10123456784",
        "carrier_name": "UPS",
        "printed_on": date(2026, 12, 4),
        **changes,
    }
    return CustomsDeclaration(**data)


def test_a_cn22_is_one_label_page_with_lines_totals_per_currency_and_the_parcel(pdftotext):
    pdf = render_cn22(declaration(MUG, TEE))
    assert page_count(pdf) == 1
    text = pdftotext(pdf, "-layout")
    assert "CN 22" in text and "Sale of goods" in text
    assert "2 × Ceramic mug" in text and "1 × Cotton T-shirt" in text
    assert "Total value 24.00 USD + 15.50 EUR" in text
    assert "Total gross weight 1.00 kg" in text
    assert "1Z999AA10123456784" in text and "2026-12-04" in text


def test_a_cn23_comes_with_a_commercial_invoice(pdftotext):
    pdf = render_cn23(declaration(MUG, TEE))
    assert page_count(pdf) == 2
    text = pdftotext(pdf, "-layout")
    cn23, invoice = text.split("\f")[:2]
    assert "Customs declaration CN 23" in cn23 and "691200" in cn23 and "0.70 kg" in cn23
    assert "Commercial invoice" in invoice and "12.00 USD" in invoice  # the mug's unit value
    total_row = [line for line in invoice.splitlines() if "24.00 USD +" in line]  # mixed currencies wrap
    assert total_row and "15.50 EUR" in invoice.split(total_row[0], 1)[1]
    assert "ACME Inc. c/o Hub LAX" in invoice and "GERMANY" in invoice


def test_totals_keep_each_currency():
    assert total_text([MUG, MUG, TEE]) == "48.00 USD + 15.50 EUR"


@pytest.mark.parametrize(
    ("decl", "words"),
    [
        (declaration(CustomsLine("Mug", 1, 1, Decimal("1"), "USD", "", "CN", sku="M")), "Line 1 (M) has no HS code"),
        (declaration(lines=()), "needs at least one line"),
        (declaration(*([MUG] * 6)), "a CN 22 holds 5: use a CN 23"),
    ],
)
def test_bad_input_is_refused_with_a_sentence(decl, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        render_cn22(decl)
