"""The rules of an order's recipient and lines, written once: the portal form, the API, the batch
importer, staff and order submission all call these."""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.core.addresses import country_title
from apps.core.errors import ApplicationError
from apps.shipping.addresses import clean_country, clean_postal_code, required_fields

MAX_LINES = 200
MAX_UNITS_PER_LINE = 100_000

# API / form name → (model field, max length, required to ship)
RECIPIENT = {
    "name": ("recipient_name", 100, True),
    "company": ("recipient_company", 100, False),
    "phone": ("recipient_phone", 40, False),
    "email": ("recipient_email", 254, False),
    "address1": ("address1", 200, True),
    "address2": ("address2", 200, False),
    "city": ("city", 100, True),
    "state": ("state", 100, False),
    "postal_code": ("postal_code", 20, False),
    "country": ("country", 2, True),
}
LABELS = {
    "name": "Recipient name",
    "company": "Company",
    "phone": "Phone",
    "email": "E-mail",
    "address1": "Address line 1",
    "address2": "Address line 2",
    "city": "City",
    "state": "State / province",
    "postal_code": "Postal code",
    "country": "Country",
}
# What each country's post requires comes from the address data (shipping.addresses.required_fields);
# these are the countries named in the upload templates' notes as needing a state or province.
STATE_REQUIRED = {
    c for c in ("US", "CA", "AU", "BR", "MX", "CN", "IN", "JP", "IT", "ES") if "state" in required_fields(c)
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value) -> str:
    return re.sub(r"\s+", " ", _CONTROL.sub("", str(value or ""))).strip()


def phone_acceptable(number: phonenumbers.PhoneNumber) -> bool:
    """Valid by the numbering plan, or shaped as a mobile number of its country: phonenumbers holds back
    ranges such as the UK's 07700 900xxx (set aside for examples), which people still give us."""
    if phonenumbers.is_valid_number(number):
        return True
    region = phonenumbers.region_code_for_country_code(number.country_code)
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = str(number.national_number)
    return bool(
        example
        and len(national) >= 9
        and phonenumbers.is_possible_number_for_type(number, phonenumbers.PhoneNumberType.MOBILE)
        and national[:1] == str(example.national_number)[:1]
    )


def clean_phone(value: str, country: str) -> str:
    """The phone number in international format, or ValueError with the reason."""
    text = _text(value)
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, country or None)
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number (add the country code, e.g. +1 415 555 0100)") from None
    if not phone_acceptable(number):
        raise ValueError("is not a valid phone number for its country (check the digits and the country code)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_recipient(data: dict, *, complete: bool) -> tuple[dict, dict[str, str]]:
    """(model fields, {api field: problem}) for a recipient given by API/form names. With
    ``complete`` the address must be shippable (required fields, postal code, state)."""
    values = {key: _text(data.get(key, "")) for key in RECIPIENT}
    problems: dict[str, str] = {}
    try:
        country_needs = required_fields(clean_country(values["country"])) if values["country"] else None
    except ApplicationError:
        country_needs = None
    for key, (_field, length, required) in RECIPIENT.items():
        if key == "city" and country_needs is not None:
            required = "city" in country_needs  # Singapore and Hong Kong addresses have no city line
        if len(values[key]) > length and key != "country":
            problems[key] = f"is longer than {length} characters"
        elif required and not values[key] and (complete or key == "country"):
            problems[key] = "is required"  # no channel, no price, no parcel without a country
    if values["country"]:
        try:
            values["country"] = clean_country(values["country"])
        except ApplicationError:
            problems["country"] = f"“{values['country']}” is not a country; use a two-letter code such as US or DE"
    country = values["country"] if "country" not in problems else ""
    if country and (values["postal_code"] or complete):
        try:
            values["postal_code"] = clean_postal_code(country, values["postal_code"])
        except ApplicationError as exc:
            problems["postal_code"] = (exc.extra.get("postal_code") or [exc.message])[0]
    if complete and country and "state" in required_fields(country) and not values["state"]:
        problems["state"] = f"is required for {country_title(country)}"
    if values["phone"]:
        try:
            values["phone"] = clean_phone(values["phone"], country)
        except ValueError as exc:
            problems["phone"] = str(exc)
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            problems["email"] = "is not an e-mail address"
    fields = {RECIPIENT[key][0]: values[key] for key in RECIPIENT}
    return fields, problems


def describe_problems(problems: dict[str, str]) -> str:
    return "; ".join(f"{LABELS.get(key, key)} {text}" for key, text in problems.items()) + "."


def recipient_of(order) -> dict:
    """The API/form view of an order's recipient."""
    return {key: getattr(order, field) for key, (field, _l, _r) in RECIPIENT.items()}


def clean_quantity(value) -> int | None:
    """A whole number of units from 1 to the limit, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 < value <= MAX_UNITS_PER_LINE:
        return value
    return None


def lines_merge(lines) -> tuple[list[tuple], list[tuple]]:
    """An order's (index, product, quantity) lines merged per product and checked — an active SKU,
    whole units, at most MAX_LINES SKUs: ``([(product, units)], [(index or None, field, sentence)])``.
    The intake and the order services both check lines here."""
    merged: dict[int, list] = {}
    problems = []
    for index, product, quantity in lines:
        if not product.is_active:
            problems.append((index, "sku", inactive_message(product.sku)))
            continue
        units = clean_quantity(quantity)
        if units is None:
            problems.append((index, "quantity", quantity_message(product.sku)))
            continue
        if product.pk in merged:
            merged[product.pk][1] += units
        else:
            merged[product.pk] = [product, units]
    if len(merged) > MAX_LINES:
        problems.append((None, "lines", TOO_MANY_LINES))
    return [(p, q) for p, q in merged.values()], problems


# --- The sentences of the order rules, written once (services, intake and importers say them alike) ---

MAX_REF = 100
NO_LINES = "Add at least one SKU with a quantity."
TOO_MANY_LINES = f"An order can have at most {MAX_LINES} SKUs."
REF_TOO_LONG = f"The external reference is longer than {MAX_REF} characters."


def quantity_message(sku: str) -> str:
    return f"{sku}: the quantity must be a whole number from 1 to {MAX_UNITS_PER_LINE:,}."


def inactive_message(sku: str) -> str:
    return f"{sku} is deactivated; activate it or remove it from the order."


def duplicate_ref_message(ref: str) -> str:
    return f"You already have an order with the external reference “{ref}”."


def recipient_message(key: str, text: str) -> str:
    """One recipient problem as a sentence, e.g. "Country is required."."""
    return f"{LABELS.get(key, key)} {text}."
