"""Destination checks shared by quotes and orders: country codes, and postal codes and required fields
per country from Google's address data (apps.core.addresses), not from patterns kept by hand."""

from __future__ import annotations

import re

import pycountry

from apps.core.addresses import country_code, country_rules, country_title, format_postal, postal_shape
from apps.core.errors import ValidationFailed


def clean_country(value: str) -> str:
    """The ISO alpha-2 code of a country written as a code or a name; "UK" is GB."""
    text = (value or "").strip()
    code = country_code(text) if len(text) == 2 else ""
    country = pycountry.countries.get(alpha_2=code) if code else None
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


def postal_hint(country: str) -> str:
    """How the country's postal codes look, for messages: "5 digits, such as 26133 or 53225"."""
    rules = country_rules(country)
    such_as = " or ".join(rules.postal_examples[:2])
    shapes = list(dict.fromkeys(postal_shape(x) for x in rules.postal_examples))
    if such_as and len(shapes) <= 2 and all(shapes):
        return f"{' or '.join(shapes)}, such as {such_as}"
    return f"written like {such_as}" if such_as else "written the way its post writes them"


def postal_required(country: str) -> bool:
    return "postal_code" in country_rules(country).required


def clean_postal_code(country: str, value: str) -> str:
    """Upper-cased and trimmed; checked against the country's pattern where the address data has one,
    and required where its post requires one."""
    text = re.sub(r"\s+", " ", (value or "").strip().upper())
    rules = country_rules(country)
    where = country_title(country)
    if text and rules.postal_pattern and not rules.postal_pattern.fullmatch(text):
        hint = postal_hint(country)
        raise ValidationFailed(
            f"“{value}” is not a postal code of {where} ({rules.code}): it should be {hint}.",
            code="invalid_postal_code",
            extra={"postal_code": [f"“{value}” is not valid in {where}: it should be {hint}"]},
        )
    if not text and (rules.postal_pattern and "postal_code" in rules.required):
        raise ValidationFailed(
            f"A postal code is required for {where}.",
            code="invalid_postal_code",
            extra={"postal_code": ["is required"]},
        )
    return format_postal(rules.code, text)


def required_fields(country: str) -> frozenset[str]:
    """Of "city", "state", "postal_code": what the country's post requires besides the street."""
    return country_rules(country).required - {"street"}
