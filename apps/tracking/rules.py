"""What a tracking query may ask for, written once for the public page and the public API."""

from __future__ import annotations

import re

from apps.core.identifiers import order_number_problem

from .errors import TrackingInvalid

MAX_NUMBERS = 40
SEPARATORS = re.compile(r"[\s,;]+")
ORDER_LIKE = re.compile(r"S\d+")
TRACKING_LIKE = re.compile(r"[A-Z0-9-]{6,40}")


def is_order_number(number: str) -> bool:
    """An S-number with a good check digit (what numbers_parse lets through as an order number)."""
    return bool(ORDER_LIKE.fullmatch(number)) and order_number_problem(number) is None


def numbers_split(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Up to 40 numbers split on commas, semicolons or white space, upper-cased, duplicates
    dropped in order: (the good ones, [(bad number, why)]). Raises TrackingInvalid only for no
    numbers at all or more than 40 — a bad number is its own answer, not the whole query's."""
    seen, numbers = set(), []
    for raw in SEPARATORS.split((text or "").strip()):
        number = raw.strip().upper()
        if number and number not in seen:
            seen.add(number)
            numbers.append(number)
    if not numbers:
        raise TrackingInvalid("Enter at least one number.", code="no_numbers")
    if len(numbers) > MAX_NUMBERS:
        raise TrackingInvalid(
            f"You entered {len(numbers)} numbers; track at most {MAX_NUMBERS} at a time.", code="too_many_numbers"
        )
    good, bad = [], []
    for number in numbers:
        if ORDER_LIKE.fullmatch(number):
            problem = order_number_problem(number)
            if problem:
                bad.append((number, problem))
                continue
        elif not TRACKING_LIKE.fullmatch(number):
            bad.append((number, "use letters, digits and dashes only (6–40 characters)"))
            continue
        good.append(number)
    return good, bad


def numbers_parse(text: str) -> list[str]:
    """Up to 40 order numbers (S…, check digit verified) or tracking numbers (numbers_split).
    Raises TrackingInvalid with one sentence per bad number (the API's 400)."""
    numbers, bad = numbers_split(text)
    if bad:
        problems = [f"{number}: {why}" for number, why in bad]
        raise TrackingInvalid(" ".join(problems), code="bad_numbers", extra={"numbers": problems})
    return numbers
