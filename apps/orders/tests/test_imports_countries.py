"""Batch files by country (issue 18 item 3): "UK" in a row is GB, and a bad postal code is reported on its
row with the country's own sentence."""

import pytest

from .test_imports import batch_orders, row, start, workbook

pytestmark = pytest.mark.django_db
LONDON = {
    "name": "Jane Smith",
    "address1": "10 Downing Street",
    "address2": None,
    "city": "London",
    "state": None,
    "postal_code": "sw1a 2aa",
    "country": "UK",
    "phone": "07700 900123",
}


def test_uk_in_a_batch_row_is_gb(world):
    job = start(world, workbook([row("UK-1", **LONDON)]))

    assert job.result.get("problems") in (None, []), job.result
    (order,) = batch_orders(world)
    assert (order.country, order.postal_code, order.recipient_phone) == ("GB", "SW1A 2AA", "+44 7700 900123")
    assert order.address_lines[-3:] == ["LONDON", "SW1A 2AA", "UNITED KINGDOM"]


def test_a_bad_postal_code_in_a_batch_row_names_the_country(world):
    job = start(world, workbook([row("DE-1", **{**LONDON, "country": "DE", "city": "Berlin", "postal_code": "1011"})]))

    ((line, column, message),) = [p for p in job.result["problems"] if "postal" in p[2].lower()]
    assert line == 2 and column.startswith("Postal code")
    assert message == "Postal code “1011” is not valid in Germany: it should be 5 digits, such as 26133 or 53225."
    assert batch_orders(world) == []
