"""Human identifiers (DESIGN §4): shapes and check digits, in one place."""

from __future__ import annotations

import re
from datetime import date

ORDER_NUMBER_RE = re.compile(r"^S\d{14}$")


def luhn_check_digit(digits: str) -> int:
    """The Luhn digit that makes ``digits + digit`` pass the Luhn check."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:  # doubled: these sit right before the check digit once it is added
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def order_number(day: date, sequence: int) -> str:
    """``S`` + yymmdd + 7-digit sequence + Luhn check digit."""
    if not 0 < sequence < 10_000_000:
        raise ValueError("order sequence must be 1..9999999")
    body = f"{day:%y%m%d}{sequence:07d}"
    return f"S{body}{luhn_check_digit(body)}"


def order_number_problem(text: str) -> str | None:
    """Why ``text`` is not a well-formed order number, or None when it is."""
    if not ORDER_NUMBER_RE.match(text):
        return "an order number is S followed by 14 digits"
    body, check = text[1:-1], int(text[-1])
    if luhn_check_digit(body) != check:
        return "the last digit does not match (a typo?)"
    return None
