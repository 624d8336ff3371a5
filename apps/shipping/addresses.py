"""Destination checks shared by quotes and orders: country codes and postal-code formats."""

from __future__ import annotations

import re

import pycountry

from apps.core.errors import ValidationFailed

# Postal-code formats where the format is well known (others are accepted as typed).
POSTAL_FORMATS: dict[str, tuple[str, str]] = {
    "US": (r"^\d{5}(-\d{4})?$", "5 digits, or 5+4 such as 90001-1234"),
    "CA": (r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$", "letter-digit-letter digit-letter-digit, e.g. K1A 0B1"),
    "GB": (r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", "such as SW1A 1AA"),
    "AU": (r"^\d{4}$", "4 digits"),
    "DE": (r"^\d{5}$", "5 digits"),
    "FR": (r"^\d{5}$", "5 digits"),
    "IT": (r"^\d{5}$", "5 digits"),
    "ES": (r"^\d{5}$", "5 digits"),
    "NL": (r"^\d{4} ?[A-Z]{2}$", "4 digits and 2 letters, e.g. 1012 AB"),
    "BE": (r"^\d{4}$", "4 digits"),
    "AT": (r"^\d{4}$", "4 digits"),
    "CH": (r"^\d{4}$", "4 digits"),
    "SE": (r"^\d{3} ?\d{2}$", "5 digits, e.g. 114 55"),
    "PL": (r"^\d{2}-\d{3}$", "such as 00-950"),
    "JP": (r"^\d{3}-?\d{4}$", "such as 100-0001"),
    "CN": (r"^\d{6}$", "6 digits"),
    "MX": (r"^\d{5}$", "5 digits"),
    "BR": (r"^\d{5}-?\d{3}$", "such as 01310-100"),
    "IN": (r"^\d{6}$", "6 digits"),
}


def clean_country(value: str) -> str:
    text = (value or "").strip()
    country = pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2 else None
    if country is None:
        try:
            country = pycountry.countries.lookup(text) if text else None
        except LookupError:
            country = None
    if country is None:
        raise ValidationFailed(
            f"“{value}” is not a country; use a two-letter code such as US or DE.",
            code="unknown_country",
            extra={"country": ["unknown country"]},
        )
    return country.alpha_2


def clean_postal_code(country: str, value: str) -> str:
    """Upper-cased and trimmed; checked against the country's format where it is known."""
    text = re.sub(r"\s+", " ", (value or "").strip().upper())
    known = POSTAL_FORMATS.get(country)
    if known and text and not re.match(known[0], text):
        raise ValidationFailed(
            f"“{value}” is not a postal code of {country}: it should be {known[1]}.",
            code="invalid_postal_code",
            extra={"postal_code": [f"should be {known[1]}"]},
        )
    if known and not text:
        raise ValidationFailed(
            f"A postal code is required for {country}.",
            code="invalid_postal_code",
            extra={"postal_code": ["is required"]},
        )
    return text
