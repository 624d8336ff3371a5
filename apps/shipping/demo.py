"""Demo carriers, channels and rate cards for the demo warehouses (idempotent)."""

import datetime
from decimal import Decimal

from apps.accounts.models import CustomerLevel

from .models import Carrier, Channel
from .services import (
    RateRow,
    channel_save,
    level_discount_set,
    rate_card_save,
    rate_table_replace,
    remote_surcharges_replace,
)

CARRIERS = [
    ("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}"),
    ("ups", "UPS", "https://www.ups.com/track?tracknum={number}"),
    ("dhl", "DHL eCommerce", "https://www.dhl.com/track?tracking-id={number}"),
    ("yunexpress", "YunExpress", "https://www.yuntrack.com/track/detail?id={number}"),
    ("matson", "Matson (sea freight)", ""),
]
# code, name, carrier, warehouse, service, days, divisor, max kg, max cm, fuel %, fee
CHANNELS = [
    ("usps-ground-adv", "USPS Ground Advantage", "usps", "LAX1", "Ground", (2, 5), 5000, 30, 100, "0", "0.50"),
    ("ups-ground", "UPS Ground", "ups", "LAX1", "Ground", (1, 5), 5000, 68, 270, "14.5", "1.00"),
    ("dhl-ecom-intl", "DHL eCommerce International", "dhl", "LAX1", "Economy", (6, 12), 5000, 20, 120, "8", "1.50"),
    (
        "yun-global-direct",
        "YunExpress Global Direct",
        "yunexpress",
        "LAX1",
        "Economy",
        (8, 15),
        6000,
        30,
        120,
        "0",
        "0.80",
    ),
    ("matson-sea-hi", "Matson sea freight to Hawaii", "matson", "LAX1", "Sea", (10, 18), 6000, 200, 300, "0", "5.00"),
    ("usps-ground-adv-nj", "USPS Ground Advantage", "usps", "NJ1", "Ground", (2, 5), 5000, 30, 100, "0", "0.50"),
    ("ups-ground-nj", "UPS Ground", "ups", "NJ1", "Ground", (1, 5), 5000, 68, 270, "14.5", "1.00"),
]
US_DOMESTIC = [
    ("US", "US", "", 0, 250, "4.80"),
    ("US", "US", "", 250, 500, "5.60"),
    ("US", "US", "", 500, 1000, "7.20"),
    ("US", "US", "", 1000, 30000, "7.20", 500, "1.10"),
]
UPS_DOMESTIC = [("US", "US", "", 0, 1000, "9.50"), ("US", "US", "", 1000, 68000, "9.50", 1000, "1.35")]
INTERNATIONAL = [
    ("Canada", "CA", "", 0, 500, "11.00"),
    ("Canada", "CA", "", 500, 20000, "11.00", 500, "2.40"),
    ("Europe", "GB,DE,FR,NL,IT,ES", "", 0, 500, "13.50"),
    ("Europe", "GB,DE,FR,NL,IT,ES", "", 500, 20000, "13.50", 500, "3.10"),
    ("Oceania", "AU,NZ", "", 0, 500, "15.00"),
    ("Oceania", "AU,NZ", "", 500, 20000, "15.00", 500, "3.60"),
]
SEA = [("Hawaii", "US", "967-968", 0, 200000, "35.00", 10000, "12.00")]
TABLES = {
    "usps-ground-adv": US_DOMESTIC,
    "usps-ground-adv-nj": US_DOMESTIC,
    "ups-ground": UPS_DOMESTIC,
    "ups-ground-nj": UPS_DOMESTIC,
    "dhl-ecom-intl": INTERNATIONAL,
    "yun-global-direct": INTERNATIONAL,
    "matson-sea-hi": SEA,
}
DISCOUNTS = {"standard": "0", "silver": "3", "gold": "6", "vip": "10"}


def seed_shipping(warehouses: dict) -> None:
    carriers = {}
    for code, name, url in CARRIERS:
        carriers[code] = Carrier.objects.get_or_create(code=code, defaults={"name": name, "tracking_url": url})[0]
    today = timezone_today()
    for code, name, carrier, wh, service, days, divisor, max_kg, max_cm, fuel, fee in CHANNELS:
        if Channel.objects.filter(code=code).exists():
            continue
        channel = channel_save(
            actor=None,
            channel=None,
            data={
                "code": code,
                "name": name,
                "carrier": carriers[carrier],
                "warehouse": warehouses[wh],
                "service_level": service,
                "transit_days_min": days[0],
                "transit_days_max": days[1],
                "volumetric_divisor": divisor,
                "max_weight_g": max_kg * 1000,
                "max_length_cm": Decimal(max_cm),
                "tracking_provider": carrier,
            },
        )
        card = rate_card_save(
            actor=None,
            rate_card=None,
            data={
                "channel": channel,
                "name": f"{today.year} public rates",
                "currency": "USD",
                "fuel_surcharge_pct": Decimal(fuel),
                "per_parcel_fee": Decimal(fee),
                "valid_from": datetime.date(today.year, 1, 1),
            },
        )
        rate_table_replace(
            actor=None,
            rate_card=card,
            rows=[RateRow(n, *row[:6], *(row[6:] or (None, None))) for n, row in enumerate(TABLES[code], start=2)],
        )
        if carrier in ("usps", "ups"):
            remote_surcharges_replace(actor=None, rate_card=card, rows=[("US", "995", "6.50"), ("US", "967", "4.00")])
    for level in CustomerLevel.objects.all():
        level_discount_set(actor=None, level=level, percent=DISCOUNTS.get(level.code, "0"))


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()
