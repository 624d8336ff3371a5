"""The quote service: one function the order form, the API, order submission and the warehouse
all use. Rate cards are compiled once per warehouse into plain Python and cached (invalidated by
a version number every rate change bumps), so a quote runs no query per channel. The measured
transit days per destination country (written daily from the tracking app) are compiled with them:
a lane with MEASURED_AFTER deliveries is quoted by its p50–p90, the others by the channel's days."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.utils import timezone

from apps.core.errors import ValidationFailed

from .addresses import clean_country, clean_postal_code
from .models import MEASURED_AFTER, Channel, LevelFreightDiscount, MeasuredTransit, RateCard, Zone

CENT = Decimal("0.01")
VERSION_KEY = "shipping:rates-version"
MAX_WEIGHT_G = 1_000_000


# --- Parcels ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parcel:
    weight_g: int
    volume_cm3: Decimal = Decimal("0")
    longest_cm: Decimal = Decimal("0")
    girth_cm: Decimal = Decimal("0")  # length + 2 × (width + height)


def parcel_from_box(*, weight_g, length_cm=None, width_cm=None, height_cm=None) -> Parcel:
    """A parcel from its weight and (optional) outside dimensions."""
    try:
        weight = Decimal(str(weight_g))
    except Exception:  # noqa: BLE001 - any unparsable value is the same mistake for people
        weight = Decimal("0")
    if not weight.is_finite() or weight <= 0 or weight > MAX_WEIGHT_G:
        raise ValidationFailed(
            "The weight must be more than 0 g (and at most 1,000 kg).",
            code="invalid_weight",
            extra={"weight_g": ["must be more than 0"]},
        )
    dims = []
    for name, value in (("length_cm", length_cm), ("width_cm", width_cm), ("height_cm", height_cm)):
        if value in (None, ""):
            continue
        try:
            number = Decimal(str(value))
        except Exception:  # noqa: BLE001
            number = Decimal("-1")
        if not number.is_finite() or number <= 0 or number > 1000:
            raise ValidationFailed(
                f"The {name.replace('_cm', '')} must be more than 0 cm.",
                code="invalid_dimensions",
                extra={name: ["must be more than 0"]},
            )
        dims.append(number)
    if dims and len(dims) != 3:
        raise ValidationFailed("Give all three dimensions, or none.", code="invalid_dimensions")
    if not dims:
        return Parcel(weight_g=math.ceil(weight))
    longest, *others = sorted(dims, reverse=True)
    return Parcel(
        weight_g=math.ceil(weight),
        volume_cm3=dims[0] * dims[1] * dims[2],
        longest_cm=longest,
        girth_cm=longest + 2 * sum(others),
    )


def parcel_from_lines(lines) -> Parcel:
    """A parcel for order lines [(product, quantity)]: the SKUs' effective (measured, else declared)
    weights and volumes summed, plus the configured packaging allowance."""
    weight, volume, longest = Decimal("0"), Decimal("0"), Decimal("0")
    for product, quantity in lines:
        if not product.weight_g_effective:
            raise ValidationFailed(
                f"{product.sku} has no weight yet; enter it on the product to get a quote.",
                code="missing_weight",
                extra={"sku": [product.sku]},
            )
        weight += Decimal(product.weight_g_effective) * quantity
        sides = (product.length_cm_effective, product.width_cm_effective, product.height_cm_effective)
        if all(sides):
            length, width, height = (Decimal(v) for v in sides)
            volume += length * width * height * quantity
            longest = max(longest, length, width, height)
    weight *= 1 + Decimal(settings.SHIPPING_PACKAGING_WEIGHT_PCT) / 100
    volume *= 1 + Decimal(settings.SHIPPING_PACKAGING_VOLUME_PCT) / 100
    side = Decimal(str(round(float(volume) ** (1 / 3), 1))) if volume else Decimal("0")
    longest = max(longest, side)
    return Parcel(
        weight_g=math.ceil(weight),
        volume_cm3=volume,
        longest_cm=longest,
        girth_cm=longest + 4 * side if side else Decimal("0"),
    )


# --- Compiled rates ------------------------------------------------------------------------------


@dataclass
class CompiledZone:
    countries: frozenset
    prefixes: tuple  # of (low, high) strings; empty = whole countries
    lines: tuple  # of (from_g, to_g, price, step_g, step_price), sorted

    def matches(self, country: str, postal: str) -> bool:
        if country not in self.countries:
            return False
        if not self.prefixes:
            return True
        compact = postal.replace(" ", "")
        return any(low <= compact[: len(low)] <= high for low, high in self.prefixes)


@dataclass
class CompiledChannel:
    id: int
    code: str
    name: str
    carrier: str
    service_level: str
    transit_min: int
    transit_max: int
    divisor: int
    max_weight_g: int
    max_length_cm: Decimal
    max_girth_cm: Decimal | None
    currency: str = "USD"
    fuel_pct: Decimal = Decimal("0")
    per_parcel_fee: Decimal = Decimal("0")
    zones: list = field(default_factory=list)  # specific (postal) zones first
    remote: dict = field(default_factory=dict)  # country → [(prefix, amount)], longest prefix first
    has_card: bool = False
    measured: dict = field(default_factory=dict)  # country → (days min, days max, deliveries)

    def transit(self, country: str) -> tuple[int, int, str, int | None]:
        """The transit days a quote to ``country`` shows, where they come from and on how many deliveries."""
        found = self.measured.get(country)
        if found is None:
            return self.transit_min, self.transit_max, "channel", None
        return found[0], found[1], "measured", found[2]


def parse_prefix(text: str) -> tuple[str, str]:
    """'90' → ('90', '90'); '900-961' → ('900', '961')."""
    text = text.strip().upper().replace(" ", "")
    low, _, high = text.partition("-")
    high = high or low
    if not low or len(low) != len(high) or low > high:
        raise ValueError(f"“{text}” is not a postal prefix or range (e.g. 90 or 900-961)")
    return low, high


def rates_changed() -> None:
    """Call after any change to channels, rate cards or level discounts: a new version token makes
    every process compile the rates again. (A token, not a counter: a cache that loses the key
    must never bring back a number an old compiled table was stored under.)"""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def rates_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, None):
            version = cache.get(VERSION_KEY, version)
    return version


_compiled: dict = {}


def _compile(warehouse_id: int, day) -> list[CompiledChannel]:
    cards = (
        RateCard.objects.filter(is_active=True, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .prefetch_related(Prefetch("zones", Zone.objects.prefetch_related("lines")), "remote_surcharges")
    )
    channels = (
        Channel.objects.filter(warehouse_id=warehouse_id, is_active=True, carrier__is_active=True)
        .select_related("carrier")
        .prefetch_related(
            Prefetch("rate_cards", cards),
            Prefetch("measured_transit", MeasuredTransit.objects.filter(deliveries__gte=MEASURED_AFTER)),
        )
    )
    compiled = []
    for ch in channels:
        item = CompiledChannel(
            id=ch.pk,
            code=ch.code,
            name=ch.name,
            carrier=ch.carrier.name,
            service_level=ch.service_level,
            transit_min=ch.transit_days_min,
            transit_max=ch.transit_days_max,
            divisor=ch.volumetric_divisor,
            max_weight_g=ch.max_weight_g,
            max_length_cm=ch.max_length_cm,
            max_girth_cm=ch.max_girth_cm,
            measured={lane.country: (*lane.quoted_days, lane.deliveries) for lane in ch.measured_transit.all()},
        )
        card = next(iter(ch.rate_cards.all()), None)
        if card is not None:
            item.has_card = True
            item.currency, item.fuel_pct = card.currency, card.fuel_surcharge_pct
            item.per_parcel_fee = card.per_parcel_fee
            zones = []
            for zone in card.zones.all():
                zones.append(
                    CompiledZone(
                        countries=frozenset(zone.countries),
                        prefixes=tuple(parse_prefix(p) for p in zone.postal_prefixes),
                        lines=tuple(
                            sorted(
                                (ln.weight_from_g, ln.weight_to_g, ln.price, ln.step_g, ln.step_price)
                                for ln in zone.lines.all()
                            )
                        ),
                    )
                )
            item.zones = sorted(zones, key=lambda z: not z.prefixes)
            for s in card.remote_surcharges.all():
                item.remote.setdefault(s.country, []).append((s.postal_prefix.replace(" ", "").upper(), s.amount))
            for prefixes in item.remote.values():
                prefixes.sort(key=lambda p: -len(p[0]))
        compiled.append(item)
    return compiled


def compiled_channels(warehouse_id: int) -> list[CompiledChannel]:
    day = timezone.localdate()
    key = (warehouse_id, rates_version(), day)
    found = _compiled.get(key)
    if found is None:
        if len(_compiled) > 256:
            _compiled.clear()
        found = _compiled[key] = _compile(warehouse_id, day)
    return found


def level_discount_pct(level_id: int | None) -> Decimal:
    if not level_id:
        return Decimal("0")
    key = ("level", rates_version())
    table = _compiled.get(key)
    if table is None:
        table = _compiled[key] = dict(LevelFreightDiscount.objects.values_list("level_id", "percent"))
    return table.get(level_id, Decimal("0"))


# --- Quoting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteOption:
    channel_id: int
    channel_code: str
    channel_name: str
    carrier: str
    service_level: str
    transit_days_min: int  # what is shown: the measured p50–p90 of the lane, else the channel's
    transit_days_max: int
    chargeable_weight_g: int
    actual_weight_g: int
    volumetric_weight_g: int
    currency: str
    base: Decimal
    fuel: Decimal
    remote: Decimal
    parcel_fee: Decimal
    discount: Decimal
    total: Decimal
    transit_source: str = "channel"  # "measured" (the lane's delivered parcels) or "channel" (configured)
    transit_deliveries: int | None = None  # the deliveries behind a measured figure

    @property
    def transit_measured(self) -> bool:
        return self.transit_source == "measured"


@dataclass(frozen=True)
class Ineligible:
    channel_id: int
    channel_code: str
    channel_name: str
    code: str  # too_heavy, oversize, no_zone, no_rate, no_rate_card
    reason: str


@dataclass(frozen=True)
class QuoteResult:
    country: str
    postal_code: str
    parcel: Parcel
    options: list[QuoteOption]
    ineligible: list[Ineligible]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _kg(grams: int) -> str:
    return f"{grams / 1000:g} kg"


def _price(lines, weight_g: int):
    for low, high, price, step_g, step_price in lines:
        if low < weight_g <= high:
            if step_g and step_price is not None:
                return price + math.ceil((weight_g - low) / step_g) * step_price
            return price
    return None


def quote_channel(ch: CompiledChannel, *, country: str, postal: str, parcel: Parcel, discount_pct: Decimal):
    """A QuoteOption for one channel, or an Ineligible with the reason."""

    def refuse(code, reason):
        return Ineligible(ch.id, ch.code, ch.name, code, reason)

    volumetric = math.ceil(parcel.volume_cm3 * 1000 / ch.divisor) if parcel.volume_cm3 else 0
    chargeable = max(parcel.weight_g, volumetric)
    if not ch.has_card:
        return refuse("no_rate_card", "No valid rate card.")
    if parcel.weight_g > ch.max_weight_g:
        return refuse("too_heavy", f"Too heavy: {_kg(parcel.weight_g)}, the limit is {_kg(ch.max_weight_g)}.")
    if parcel.longest_cm and parcel.longest_cm > ch.max_length_cm:
        return refuse(
            "oversize", f"Oversize: the longest side is {parcel.longest_cm:g} cm, the limit {ch.max_length_cm:g} cm."
        )
    if ch.max_girth_cm and parcel.girth_cm and parcel.girth_cm > ch.max_girth_cm:
        return refuse(
            "oversize", f"Oversize: length + girth is {parcel.girth_cm:g} cm, the limit {ch.max_girth_cm:g} cm."
        )
    zone = next((z for z in ch.zones if z.matches(country, postal)), None)
    if zone is None:
        return refuse("no_zone", f"Does not deliver to {country}{' ' + postal if postal else ''}.")
    base = _price(zone.lines, chargeable)
    if base is None:
        return refuse("no_rate", f"No price for {_kg(chargeable)} to this destination.")
    base = _money(base)
    fuel = _money(base * ch.fuel_pct / 100)
    compact = postal.replace(" ", "")
    remote = next((amount for prefix, amount in ch.remote.get(country, []) if compact.startswith(prefix)), Decimal("0"))
    subtotal = base + fuel + remote + ch.per_parcel_fee
    discount = _money(subtotal * discount_pct / 100)
    days_min, days_max, source, deliveries = ch.transit(country)
    return QuoteOption(
        channel_id=ch.id,
        channel_code=ch.code,
        channel_name=ch.name,
        carrier=ch.carrier,
        service_level=ch.service_level,
        transit_days_min=days_min,
        transit_days_max=days_max,
        chargeable_weight_g=chargeable,
        actual_weight_g=parcel.weight_g,
        volumetric_weight_g=volumetric,
        currency=ch.currency,
        base=base,
        fuel=fuel,
        remote=_money(remote),
        parcel_fee=_money(ch.per_parcel_fee),
        discount=discount,
        total=_money(subtotal - discount),
        transit_source=source,
        transit_deliveries=deliveries,
    )


def quote(
    *,
    warehouse,
    country: str,
    postal_code: str,
    parcel: Parcel,
    level_id: int | None = None,
    channel_ids=None,
    sort: str = "price",
) -> QuoteResult:
    """Every eligible channel of the warehouse with its price breakdown and transit time (sorted by
    price or by speed: by the days shown, measured or the channel's), and every other channel with
    the reason it cannot take the parcel."""
    country = clean_country(country)
    postal = clean_postal_code(country, postal_code)
    if parcel.weight_g <= 0:
        raise ValidationFailed("The weight must be more than 0 g.", code="invalid_weight")
    discount_pct = level_discount_pct(level_id)
    options, ineligible = [], []
    for ch in compiled_channels(warehouse.pk):
        if channel_ids is not None and ch.id not in channel_ids:
            continue
        result = quote_channel(ch, country=country, postal=postal, parcel=parcel, discount_pct=discount_pct)
        (options if isinstance(result, QuoteOption) else ineligible).append(result)
    if sort == "speed":
        options.sort(key=lambda o: (o.transit_days_max, o.transit_days_min, o.total))
    else:
        options.sort(key=lambda o: (o.total, o.transit_days_max))
    return QuoteResult(country=country, postal_code=postal, parcel=parcel, options=options, ineligible=ineligible)
