from datetime import date

import pytest

from apps.core.identifiers import luhn_check_digit, order_number, order_number_problem


def test_luhn_matches_known_values():
    assert luhn_check_digit("7992739871") == 3  # the textbook example
    assert luhn_check_digit("0") == 0


def test_order_number_shape_and_round_trip():
    number = order_number(date(2026, 11, 25), 42)
    assert number.startswith("S2611250000042") and len(number) == 15
    assert order_number_problem(number) is None


@pytest.mark.parametrize("position", range(1, 15))
def test_any_single_digit_typo_is_caught(position):
    number = order_number(date(2026, 11, 25), 1234567)
    digit = (int(number[position]) + 1) % 10
    typo = number[:position] + str(digit) + number[position + 1 :]
    assert order_number_problem(typo) is not None


def test_malformed_numbers_explain_themselves():
    assert "S followed by 14 digits" in order_number_problem("S123")
    assert "S followed by 14 digits" in order_number_problem("X26112500000421")
