"""The rules for a product row, written once: the portal form, the API, the importer and the
back office all clean their input here before a service writes it (STYLE rule 3)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pycountry

from apps.core.numbers import HOW_TO_WRITE, read_decimal

# Everything a Code 128 label can print (ASCII 32–126), without leading/trailing spaces.
CODE_RE = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$")
HS_CODE_RE = re.compile(r"^\d{6,10}$")

MAX_DIMENSION_CM = Decimal("300")
MAX_WEIGHT_G = 70_000
MAX_DECLARED_VALUE = Decimal("100000")

TEXT_LIMITS = {"sku": 40, "upc": 40, "name": 200, "customs_name": 200, "category": 60}
DIMENSIONS = ("length_cm", "width_cm", "height_cm")
# Fields a customer may set (the measured ones belong to the warehouse).
CUSTOMER_FIELDS = (
    "sku",
    "upc",
    "name",
    "customs_name",
    "category",
    "declared_value",
    "currency",
    "hs_code",
    "origin_country",
    *DIMENSIONS,
    "weight_g",
)
REQUIRED = ("sku", "name", "declared_value")


def gs1_check_digit(body: str) -> int:
    """GS1 check digit (UPC-A, EAN-13, EAN-8): weights 3,1,3,1… from the right."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def upc_problem(upc: str) -> str | None:
    """Why a numeric code is not a valid UPC-A / EAN-13, or None."""
    if len(upc) not in (12, 13):
        return "a numeric UPC must have 12 digits (UPC-A) or 13 digits (EAN-13)"
    if gs1_check_digit(upc[:-1]) != int(upc[-1]):
        return f"the check digit is wrong: for {upc[:-1]} it must be {gs1_check_digit(upc[:-1])}"
    return None


@dataclass
class Cleaned:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number in a spreadsheet
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    text = _text(value)
    if text == "":
        return None
    try:
        number = read_decimal(text) if isinstance(value, str) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"must be a number: {HOW_TO_WRITE}") from None
    if not number.is_finite():
        raise ValueError("must be a number")
    return number


def _country(value: str) -> str:
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        raise ValueError(f"“{value}” is not a country; use a two-letter code such as CN or US") from None


def clean_product(raw: dict[str, Any], *, partial: bool = False) -> Cleaned:
    """Check and normalise a product's customer fields. ``partial`` cleans only what is given
    (an edit); otherwise required fields must be present. Never raises: returns the errors."""
    out = Cleaned()
    fields = [f for f in CUSTOMER_FIELDS if f in raw] if partial else list(CUSTOMER_FIELDS)

    for name in fields:
        value = raw.get(name)
        try:
            if name in TEXT_LIMITS or name in ("currency", "hs_code", "origin_country"):
                text = _text(value)
                if name in TEXT_LIMITS and len(text) > TEXT_LIMITS[name]:
                    raise ValueError(f"at most {TEXT_LIMITS[name]} characters (this has {len(text)})")
                out.values[name] = text
            elif name == "declared_value":
                number = _decimal(value)
                if number is not None and not (0 <= number <= MAX_DECLARED_VALUE):
                    raise ValueError(f"must be between 0 and {MAX_DECLARED_VALUE:,}")
                out.values[name] = number.quantize(Decimal("0.01")) if number is not None else None
            elif name in DIMENSIONS:
                number = _decimal(value)
                if number is not None and not (Decimal("0") < number <= MAX_DIMENSION_CM):
                    raise ValueError(f"must be more than 0 and at most {MAX_DIMENSION_CM} cm")
                out.values[name] = number.quantize(Decimal("0.1")) if number is not None else None
            elif name == "weight_g":
                number = _decimal(value)
                if number is not None and (number != number.to_integral_value() or not 0 < number <= MAX_WEIGHT_G):
                    raise ValueError(f"must be whole grams, more than 0 and at most {MAX_WEIGHT_G:,} g")
                out.values[name] = int(number) if number is not None else None
        except ValueError as exc:
            out.add(name, str(exc))

    v = out.values
    for name in REQUIRED:
        if name in fields and name not in out.errors and v.get(name) in (None, ""):
            out.add(name, "is required")
    for name in ("sku", "upc"):
        if v.get(name) and name not in out.errors and not CODE_RE.match(v[name]):
            out.add(name, "use letters, digits, spaces and the usual punctuation only (a barcode must print it)")
    if v.get("upc") and "upc" not in out.errors and v["upc"].isdecimal():
        problem = upc_problem(v["upc"])
        if problem:
            out.add("upc", problem)
    if "currency" in v:
        v["currency"] = (v["currency"] or "USD").upper()
        if pycountry.currencies.get(alpha_3=v["currency"]) is None:
            out.add("currency", f"“{v['currency']}” is not a currency code; use one such as USD, EUR or CNY")
    if v.get("hs_code"):
        v["hs_code"] = v["hs_code"].replace(".", "").replace(" ", "")
        if not HS_CODE_RE.match(v["hs_code"]):
            out.add("hs_code", "an HS code has 6 to 10 digits")
    if v.get("origin_country"):
        try:
            v["origin_country"] = _country(v["origin_country"])
        except ValueError as exc:
            out.add("origin_country", str(exc))
    return out


def clean_measurements(raw: dict[str, Any]) -> Cleaned:
    """The warehouse's measured sizes: same ranges as declared ones; empty clears a value."""
    mapped = {k.replace("measured_", ""): raw.get(k) for k in raw}
    declared = clean_product(mapped, partial=True)
    out = Cleaned()
    for key, value in declared.values.items():
        out.values[f"measured_{key}"] = value
    for key, messages in declared.errors.items():
        out.errors[f"measured_{key}"] = messages
    return out
