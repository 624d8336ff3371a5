"""Warehouses, bins and each customer's allowed warehouses."""

from __future__ import annotations

import re
import zoneinfo

import pycountry
from django.db import IntegrityError, transaction

from apps.core.errors import ValidationFailed
from apps.core.tenancy import customer_scope

from .models import BinLocation, CustomerWarehouse, Warehouse, WarehouseZone

WAREHOUSE_FIELDS = (
    "code",
    "name",
    "address1",
    "address2",
    "city",
    "state",
    "postal_code",
    "country",
    "timezone",
    "phone",
    "is_active",
)
BIN_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,29}$")
ZONE_LINE_RE = re.compile(r"^([A-Za-z]{2})[\s,;:=]+(\d{1,3})$")
MAX_ZONE_RANK = 999
KEEP = object()  # customer_warehouses_set: leave the default as it is (while it stays allowed)


def _country_code(value: str) -> str | None:
    value = (value or "").strip().upper()
    found = pycountry.countries.get(alpha_2=value) if len(value) == 2 else None
    return found.alpha_2 if found else None


def _clean_warehouse(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in WAREHOUSE_FIELDS}
    if "code" in values:
        values["code"] = values["code"].upper()
    country = values.get("country", "")
    if "country" in values:
        found = pycountry.countries.get(alpha_2=country.upper()) if len(country) == 2 else None
        if not found:
            errors["country"] = ["use a two-letter country code such as US or CN"]
        else:
            values["country"] = found.alpha_2
    if "timezone" in values:
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = ["use a time zone name such as America/Los_Angeles"]
    if errors:
        field, messages = next(iter(errors.items()))
        raise ValidationFailed(f"{field}: {messages[0]}", extra=errors)
    return values


@transaction.atomic
def warehouse_create(*, actor, data: dict) -> Warehouse:
    values = _clean_warehouse(data)
    if Warehouse.objects.filter(code=values["code"]).exists():
        raise ValidationFailed(f"A warehouse with code {values['code']} exists.", extra={"code": ["already used"]})
    return Warehouse.objects.create(**values)


@transaction.atomic
def warehouse_update(*, actor, warehouse: Warehouse, data: dict) -> Warehouse:
    values = _clean_warehouse(data)
    values.pop("code", None)  # the code is printed on labels; it never changes
    for name, value in values.items():
        setattr(warehouse, name, value)
    warehouse.save()
    return warehouse


@transaction.atomic
def bins_create(*, actor, warehouse: Warehouse, codes: list[str], zone: str = "") -> list[BinLocation]:
    """Create bins from a list of codes (all or none): each code checked, duplicates refused."""
    cleaned, problems, seen = [], [], set()
    existing = set(BinLocation.objects.filter(warehouse=warehouse).values_list("code", flat=True))
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        if not BIN_CODE_RE.match(code):
            problems.append(f"{code}: use letters, digits, '-', '.', '_' or '/' (at most 30)")
        elif code in existing or code in seen:
            problems.append(f"{code}: already exists in {warehouse.code}")
        seen.add(code)
        cleaned.append(code)
    if not cleaned:
        raise ValidationFailed("Enter at least one bin code.", extra={"codes": ["Enter at least one bin code."]})
    if problems:
        raise ValidationFailed("; ".join(problems[:10]), extra={"codes": problems})
    try:
        return BinLocation.objects.bulk_create(
            [BinLocation(warehouse=warehouse, code=c, zone=zone.strip()) for c in cleaned]
        )
    except IntegrityError:
        raise ValidationFailed("Some of these bins were just created by someone else; try again.") from None


def bin_codes_in_range(*, start: str, end: str) -> list[str]:
    """Expand 'A-01-01'..'A-01-12' into every code between (the last number varies)."""
    m1, m2 = re.match(r"^(.*?)(\d+)$", start.strip()), re.match(r"^(.*?)(\d+)$", end.strip())
    if not m1 or not m2 or m1.group(1) != m2.group(1):
        raise ValidationFailed(
            "A range needs two codes that differ only in their last number, e.g. A-01-01 and A-01-12."
        )
    first, last = int(m1.group(2)), int(m2.group(2))
    if last < first or last - first > 999:
        raise ValidationFailed("A range runs upwards and covers at most 1,000 bins.")
    width = len(m1.group(2))
    return [f"{m1.group(1)}{n:0{width}d}" for n in range(first, last + 1)]


@transaction.atomic
def customer_warehouses_set(*, actor, customer, warehouses, default=KEEP) -> None:
    """Sales set the warehouses a customer may use (its logistics plan) and which one is its
    default. ``default`` must be one of ``warehouses`` or None (none marked: the first by code
    counts); left out, the current default stays while it stays in the plan."""
    wanted = {w.pk for w in warehouses}
    with customer_scope(customer):  # the plan's rows are that customer's, whoever sets them
        if default is not KEEP and default is not None and default.pk not in wanted:
            raise ValidationFailed(
                f"The default warehouse {default.code} must be one of the warehouses the customer may use.",
                extra={"default": ["not one of the chosen warehouses"]},
            )
        links = CustomerWarehouse.objects.filter(customer=customer)
        list(links.select_for_update().order_by("pk"))  # one plan edit at a time per customer
        links.exclude(warehouse_id__in=wanted).delete()
        have = set(links.values_list("warehouse_id", flat=True))
        CustomerWarehouse.objects.bulk_create(
            [CustomerWarehouse(customer=customer, warehouse_id=pk) for pk in wanted - have]
        )
        if default is not KEEP:
            links.exclude(warehouse_id=getattr(default, "pk", None)).filter(is_default=True).update(is_default=False)
            if default is not None:
                links.filter(warehouse_id=default.pk).update(is_default=True)


def parse_zone_lines(text: str) -> list[tuple[str, str]]:
    """'US 1' per line (or 'US,1', 'US=1') into (country, rank) pairs; blank lines skipped."""
    pairs, problems = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = ZONE_LINE_RE.match(line)
        if not match:
            problems.append(f"line {number} “{line[:40]}”: write a country code and a rank, e.g. US 1")
            continue
        pairs.append((match.group(1), match.group(2)))
    if problems:
        raise ValidationFailed("; ".join(problems[:10]), extra={"zones": problems})
    return pairs


@transaction.atomic
def warehouse_zones_set(*, actor, warehouse: Warehouse, zones) -> list[WarehouseZone]:
    """Logistics replace a warehouse's zone table: (country, rank) pairs, rank 1 nearest. All
    pairs are checked first; a bad one changes nothing."""
    cleaned: dict[str, int] = {}
    problems = []
    for raw_country, raw_rank in zones:
        country = _country_code(raw_country)
        try:
            rank = int(raw_rank)
        except (TypeError, ValueError):
            rank = 0
        if country is None:
            problems.append(f"{raw_country}: use a two-letter country code such as US or DE")
        elif not 1 <= rank <= MAX_ZONE_RANK:
            problems.append(f"{country}: the rank is a whole number from 1 (nearest) to {MAX_ZONE_RANK}")
        elif country in cleaned:
            problems.append(f"{country}: listed twice")
        else:
            cleaned[country] = rank
    if problems:
        raise ValidationFailed("; ".join(problems[:10]), extra={"zones": problems})
    Warehouse.objects.select_for_update().filter(pk=warehouse.pk).first()  # one edit at a time
    WarehouseZone.objects.filter(warehouse=warehouse).delete()
    return WarehouseZone.objects.bulk_create(
        [WarehouseZone(warehouse=warehouse, country=c, rank=r) for c, r in sorted(cleaned.items())]
    )
