"""Numbers as people type them (issue 18 item 9): a decimal comma is a decimal comma."""

from decimal import Decimal

import pytest

from apps.core.numbers import HOW_TO_WRITE, read_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.08", "1.08"),
        ("1,08", "1.08"),
        (" 1,5 ", "1.5"),
        ("1,250.50", "1250.50"),
        ("1.250,50", "1250.50"),
        ("1 250,50", "1250.50"),
        ("12 500", "12500"),
        ("1,085", "1085"),  # an amount: thousands grouped
        ("-4", "-4"),
        (".5", "0.5"),
        (7, "7"),
    ],
)
def test_reads_what_people_write(text, expected):
    assert read_decimal(text) == Decimal(expected)


def test_a_rate_is_never_in_thousands():
    assert read_decimal("1,085", grouping=False) == Decimal("1.085")
    assert read_decimal("0,92", grouping=False) == Decimal("0.92")


@pytest.mark.parametrize("text", ["abc", "1,0,8", "1.2.3", "1,08.5", "", "1e5", "NaN", "12,34,567"])
def test_anything_else_says_how_to_write_it(text):
    with pytest.raises(ValueError, match="for example 1.08 or 1,08") as caught:
        read_decimal(text)
    assert str(caught.value) == HOW_TO_WRITE
