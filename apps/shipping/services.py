"""Writes of the transport core: carriers, channels, rate cards (also from XLSX), level
discounts, customers' channels, the measured transit days. Every write tells the quote cache that
rates changed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from apps.core.errors import ValidationFailed
from apps.core.tenancy import customer_scope

from .addresses import clean_country
from .models import (
    Carrier,
    Channel,
    CustomerChannel,
    LevelFreightDiscount,
    MeasuredTransit,
    RateCard,
    RateLine,
    RemoteSurcharge,
    Zone,
)
from .quotes import parse_prefix, rates_changed


def _changed() -> None:
    transaction.on_commit(rates_changed)


CHANNEL_FIELDS = (
    "code",
    "name",
    "carrier",
    "warehouse",
    "service_level",
    "transit_days_min",
    "transit_days_max",
    "volumetric_divisor",
    "max_weight_g",
    "max_length_cm",
    "max_girth_cm",
    "tracking_provider",
    "is_active",
)


def _check_channel(values: dict) -> None:
    if (
        values.get("transit_days_max") is not None
        and values.get("transit_days_min") is not None
        and values["transit_days_max"] < values["transit_days_min"]
    ):
        raise ValidationFailed(
            "The longest transit time cannot be shorter than the shortest.",
            extra={"transit_days_max": ["shorter than the minimum"]},
        )
    if values.get("volumetric_divisor") is not None and not 1000 <= values["volumetric_divisor"] <= 10000:
        raise ValidationFailed(
            "The volumetric divisor is usually 5000 or 6000 (cm³ per kg).",
            extra={"volumetric_divisor": ["between 1000 and 10000"]},
        )


@transaction.atomic
def channel_save(*, actor, channel: Channel | None, data: dict) -> Channel:
    values = {k: v for k, v in data.items() if k in CHANNEL_FIELDS}
    current = {k: getattr(channel, k) for k in ("transit_days_min", "transit_days_max")} if channel else {}
    _check_channel({**current, **values})
    code = values.get("code")
    if code and Channel.objects.filter(code=code).exclude(pk=getattr(channel, "pk", None)).exists():
        raise ValidationFailed(f"A channel with code {code} exists.", extra={"code": ["already used"]})
    channel = channel or Channel()
    for name, value in values.items():
        setattr(channel, name, value)
    channel.save()
    _changed()
    return channel


@transaction.atomic
def carrier_save(*, actor, carrier: Carrier | None, data: dict) -> Carrier:
    code = data.get("code")
    if code and Carrier.objects.filter(code=code).exclude(pk=getattr(carrier, "pk", None)).exists():
        raise ValidationFailed(f"A carrier with code {code} exists.", extra={"code": ["already used"]})
    carrier = carrier or Carrier()
    for name in ("code", "name", "tracking_url", "is_active"):
        if name in data:
            setattr(carrier, name, data[name])
    carrier.save()
    _changed()
    return carrier


@transaction.atomic
def rate_card_save(*, actor, rate_card: RateCard | None, data: dict) -> RateCard:
    card = rate_card or RateCard()
    for name in (
        "channel",
        "name",
        "currency",
        "fuel_surcharge_pct",
        "per_parcel_fee",
        "valid_from",
        "valid_to",
        "is_active",
    ):
        if name in data:
            setattr(card, name, data[name])
    if card.valid_to and card.valid_to < card.valid_from:
        raise ValidationFailed("The card cannot end before it starts.", extra={"valid_to": ["before valid from"]})
    if card.fuel_surcharge_pct is not None and not Decimal("0") <= card.fuel_surcharge_pct <= 100:
        raise ValidationFailed("The fuel surcharge is a percentage from 0 to 100.")
    card.save()
    _changed()
    return card


@transaction.atomic
def level_discount_set(*, actor, level, percent) -> LevelFreightDiscount:
    percent = Decimal(str(percent))
    if not Decimal("0") <= percent <= 100:
        raise ValidationFailed("A discount is a percentage from 0 to 100.", extra={"percent": ["0 to 100"]})
    row, _ = LevelFreightDiscount.objects.update_or_create(level=level, defaults={"percent": percent})
    _changed()
    return row


@transaction.atomic
def customer_channels_set(*, actor, customer, channels) -> None:
    """Sales set which channels of the customer's warehouses it may use (none: all of them)."""
    from apps.warehouses.selectors import customer_warehouses

    allowed = set(customer_warehouses(customer=customer).values_list("pk", flat=True))
    outside = [c.code for c in channels if c.warehouse_id not in allowed]
    if outside:
        raise ValidationFailed(
            f"Not from the customer's warehouses: {', '.join(outside)}. Add the warehouse to its logistics plan first.",
            extra={"channels": outside},
        )
    wanted = {c.pk for c in channels}
    with customer_scope(customer):  # the plan's rows are that customer's, whoever sets them
        CustomerChannel.objects.exclude(channel_id__in=wanted).delete()
        have = set(CustomerChannel.objects.values_list("channel_id", flat=True))
        CustomerChannel.objects.bulk_create([CustomerChannel(customer=customer, channel_id=pk) for pk in wanted - have])


# --- Rate tables ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    """One row of a rate table (from the back-office form or an XLSX import)."""

    number: int  # the spreadsheet row, for error messages
    zone: str
    countries: str
    postal_prefixes: str
    weight_from_g: object
    weight_to_g: object
    price: object
    step_g: object = None
    step_price: object = None


@dataclass(frozen=True)
class RateProblem:
    row: int
    field: str | None
    message: str


MAX_RATE_WEIGHT_G = 1_000_000
MAX_RATE_AMOUNT = Decimal("999999.99")
FIELD_LABELS = {
    "zone": "Zone",
    "countries": "Countries",
    "postal_prefixes": "Postal prefixes",
    "weight_from_g": "Weight from (g)",
    "weight_to_g": "Weight to (g)",
    "price": "Price",
    "step_g": "Step (g)",
    "step_price": "Step price",
    "amount": "Amount",
}


def _int(value, name, row, problems, *, minimum=0):
    try:
        number = Decimal(str(value).strip())
        if number != number.to_integral_value() or not minimum <= number <= MAX_RATE_WEIGHT_G:
            raise InvalidOperation
        return int(number)
    except (InvalidOperation, ValueError, TypeError):
        problems.append(RateProblem(row, name, f"must be whole grams from {minimum} to {MAX_RATE_WEIGHT_G:,}"))
        return None


def _money(value, name, row, problems, *, required=True):
    if value in (None, ""):
        if required:
            problems.append(RateProblem(row, name, "is required"))
        return None
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or not 0 <= number <= MAX_RATE_AMOUNT:
            raise InvalidOperation
        return number.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        problems.append(RateProblem(row, name, f"must be an amount from 0 to {MAX_RATE_AMOUNT:,}"))
        return None


def check_rate_rows(rows: list[RateRow]) -> tuple[dict, list[RateProblem]]:
    """Validate a whole rate table: codes, numbers, and no overlapping weight brackets in a zone.
    Returns ({zone name: (countries, prefixes, [lines])}, problems)."""
    problems: list[RateProblem] = []
    zones: dict[str, dict] = {}
    for r in rows:
        name = (r.zone or "").strip()
        if not name:
            problems.append(RateProblem(r.number, "zone", "is required"))
            continue
        countries = []
        for code in [c for c in str(r.countries or "").replace(";", ",").split(",") if c.strip()]:
            try:
                countries.append(clean_country(code))
            except ValidationFailed:
                problems.append(RateProblem(r.number, "countries", f"“{code.strip()}” is not a country code"))
        prefixes = []
        for text in [p for p in str(r.postal_prefixes or "").replace(";", ",").split(",") if p.strip()]:
            try:
                low, high = parse_prefix(text)
                prefixes.append(low if low == high else f"{low}-{high}")
            except ValueError as exc:
                problems.append(RateProblem(r.number, "postal_prefixes", str(exc)))
        low = _int(r.weight_from_g, "weight_from_g", r.number, problems)
        high = _int(r.weight_to_g, "weight_to_g", r.number, problems, minimum=1)
        price = _money(r.price, "price", r.number, problems)
        step_g = None if r.step_g in (None, "") else _int(r.step_g, "step_g", r.number, problems, minimum=1)
        step_price = _money(r.step_price, "step_price", r.number, problems, required=False)
        if (step_g is None) != (step_price is None):
            problems.append(RateProblem(r.number, "step_g", "give both the step (g) and its price, or neither"))
        if low is not None and high is not None and high <= low:
            problems.append(RateProblem(r.number, "weight_to_g", "must be more than the weight from"))
        zone = zones.setdefault(name, {"countries": None, "prefixes": [], "lines": [], "row": r.number})
        if countries:
            if zone["countries"] is not None and set(zone["countries"]) != set(countries):
                problems.append(
                    RateProblem(r.number, "countries", f"zone {name} lists other countries on row {zone['row']}")
                )
            zone["countries"] = countries
        zone["prefixes"] += [p for p in prefixes if p not in zone["prefixes"]]
        if None not in (low, high, price):
            zone["lines"].append((r.number, low, high, price, step_g, step_price))
    whole_country: dict[str, str] = {}
    for name, zone in zones.items():
        if not zone["countries"]:
            problems.append(RateProblem(zone["row"], "countries", f"zone {name} needs at least one country"))
        elif not zone["prefixes"]:
            for country in zone["countries"]:
                if country in whole_country:
                    problems.append(
                        RateProblem(
                            zone["row"],
                            "countries",
                            f"{country} is already in zone "
                            f"{whole_country[country]}: a destination would have two prices",
                        )
                    )
                whole_country[country] = name
        lines = sorted(zone["lines"], key=lambda ln: ln[1])
        for previous, current in zip(lines, lines[1:], strict=False):
            if current[1] < previous[2]:
                problems.append(
                    RateProblem(
                        current[0],
                        "weight_from_g",
                        f"overlaps row {previous[0]} in zone {name} ({previous[1]}–{previous[2]} g): "
                        "a weight would have two prices",
                    )
                )
    return zones, sorted(problems, key=lambda p: p.row)


@transaction.atomic
def rate_table_replace(*, actor, rate_card: RateCard, rows: list[RateRow]) -> int:
    """Replace the card's zones and weight lines with a checked table (all or nothing)."""
    zones, problems = check_rate_rows(rows)
    if problems:
        first = problems[0]
        label = FIELD_LABELS.get(first.field, first.field or "")
        raise ValidationFailed(
            f"Row {first.row}: {label} {first.message}".replace("  ", " "),
            code="rate_table_invalid",
            extra={"rows": [[p.row, p.field, p.message] for p in problems]},
        )
    if not zones:
        raise ValidationFailed("The rate table is empty.", code="rate_table_invalid")
    rate_card.zones.all().delete()
    count = 0
    for name, zone in zones.items():
        z = Zone.objects.create(
            rate_card=rate_card, name=name, countries=zone["countries"], postal_prefixes=zone["prefixes"] or []
        )
        RateLine.objects.bulk_create(
            [
                RateLine(zone=z, weight_from_g=lo, weight_to_g=hi, price=p, step_g=sg, step_price=sp)
                for _n, lo, hi, p, sg, sp in zone["lines"]
            ]
        )
        count += len(zone["lines"])
    _changed()
    return count


@transaction.atomic
def remote_surcharges_replace(*, actor, rate_card: RateCard, rows: list[tuple[str, str, object]]) -> int:
    """[(country, postal prefix, amount)] replace the card's remote-area surcharges."""
    cleaned, problems = [], []
    for n, (country, prefix, amount) in enumerate(rows, start=1):
        try:
            code = clean_country(country)
        except ValidationFailed as exc:
            problems.append(f"line {n}: {exc.message}")
            continue
        money = _money(amount, "amount", n, [])
        prefix = str(prefix or "").strip().upper()
        if not prefix or len(prefix) > 10:
            problems.append(f"line {n}: give a postal prefix of at most 10 characters")
            continue
        if money is None:
            problems.append(f"line {n}: the amount must be from 0 to {MAX_RATE_AMOUNT:,}")
            continue
        if any(c.country == code and c.postal_prefix == prefix for c in cleaned):
            problems.append(f"line {n}: {code} {prefix} is listed twice")
            continue
        cleaned.append(RemoteSurcharge(rate_card=rate_card, country=code, postal_prefix=prefix, amount=money))
    if problems:
        raise ValidationFailed("; ".join(problems[:5]), extra={"surcharges": problems})
    rate_card.remote_surcharges.all().delete()
    RemoteSurcharge.objects.bulk_create(cleaned)
    _changed()
    return len(cleaned)


# --- Measured transit days -----------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuredLane:
    """One lane as the tracking app measured it (its ``TransitLane``, in shipping's words)."""

    channel: str  # channel code
    country: str
    deliveries: int
    p50_days: float
    p90_days: float


def _days(value) -> Decimal:
    return max(Decimal(str(value)).quantize(Decimal("0.1")), Decimal("0"))


@transaction.atomic
def measured_transit_replace(*, actor, lanes: list[MeasuredLane], measured_at=None) -> dict:
    """Make the measured-transit table what tracking just measured: upsert each lane (channel,
    destination country), remove the lanes without a delivery left in the window. Idempotent: the
    same lanes again leave the same rows. Quotes compile again only when what they show changed."""
    measured_at = measured_at or timezone.now()
    channels = dict(Channel.objects.filter(code__in={lane.channel for lane in lanes}).values_list("code", "pk"))
    before = {(row.channel_id, row.country): row for row in MeasuredTransit.objects.all()}
    rows: dict[tuple[int, str], MeasuredTransit] = {}
    for lane in lanes:
        channel_id, country = channels.get(lane.channel), (lane.country or "").strip().upper()
        if channel_id is None or len(country) != 2 or not country.isalpha() or lane.deliveries <= 0:
            continue  # an order without a country, or a channel deleted since: no lane to quote
        rows[(channel_id, country)] = MeasuredTransit(
            channel_id=channel_id,
            country=country,
            deliveries=lane.deliveries,
            p50_days=_days(lane.p50_days),
            p90_days=_days(lane.p90_days),
            measured_at=measured_at,
        )
    MeasuredTransit.objects.bulk_create(
        list(rows.values()),
        update_conflicts=True,
        unique_fields=["channel", "country"],
        update_fields=["deliveries", "p50_days", "p90_days", "measured_at"],
    )
    stale = [row.pk for key, row in before.items() if key not in rows]
    MeasuredTransit.objects.filter(pk__in=stale).delete()

    def shown(table):
        return {key: (row.quoted_days, row.deliveries) for key, row in table.items() if row.measured}

    after = shown(rows)
    if shown(before) != after:
        _changed()
    return {"lanes": len(rows), "measured": len(after), "removed": len(stale)}
