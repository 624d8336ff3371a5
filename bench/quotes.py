"""Benchmark: quotes per second for a 3-item order over 10 channels.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fulfillment_bench .venv/bin/python bench/quotes.py

The rate cards are compiled once per warehouse and cached, so a quote runs no query per channel.
Half the channels carry measured transit days to US and DE (20+ deliveries: quoted as measured),
compiled with the rates, so those quotes also run none.
Target: at least 500 quotes per second.
"""

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fulfillment_bench")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.services import customer_create, customer_user_create  # noqa: E402
from apps.catalog.services import product_create  # noqa: E402
from apps.shipping.models import Carrier, Channel  # noqa: E402
from apps.shipping.quotes import parcel_from_lines, quote, rates_changed  # noqa: E402
from apps.shipping.services import (  # noqa: E402
    MeasuredLane,
    RateRow,
    measured_transit_replace,
    rate_card_save,
    rate_table_replace,
)
from apps.warehouses.models import Warehouse  # noqa: E402

N = int(os.environ.get("BENCH_QUOTES", "3000"))


def setup():
    warehouse, created = Warehouse.objects.get_or_create(
        code="QBENCH", defaults={"name": "Quote bench", "address1": "1", "city": "X", "country": "US"}
    )
    carrier, _ = Carrier.objects.get_or_create(code="qbench", defaults={"name": "Bench carrier"})
    for i in range(10 - Channel.objects.filter(warehouse=warehouse).count()):
        channel = Channel.objects.create(
            code=f"qbench-{i}-{warehouse.pk}",
            name=f"Bench {i}",
            carrier=carrier,
            warehouse=warehouse,
            transit_days_min=1 + i % 4,
            transit_days_max=3 + i % 6,
            volumetric_divisor=5000 + 1000 * (i % 2),
            max_weight_g=30000,
            max_length_cm=Decimal("150"),
        )
        card = rate_card_save(
            actor=None,
            rate_card=None,
            data={
                "channel": channel,
                "name": "bench",
                "currency": "USD",
                "fuel_surcharge_pct": Decimal("8"),
                "per_parcel_fee": Decimal("1"),
                "valid_from": "2020-01-01",
            },
        )
        rows = []
        for z, countries in enumerate(["US", "CA", "GB,DE,FR", "AU,NZ"]):
            for b, (low, high) in enumerate([(0, 500), (500, 1000), (1000, 2000)]):
                rows.append(RateRow(len(rows) + 2, f"Z{z}", countries, "", low, high, str(5 + z + b)))
            rows.append(RateRow(len(rows) + 2, f"Z{z}", countries, "", 2000, 30000, str(8 + z), 500, "1.10"))
        rate_table_replace(actor=None, rate_card=card, rows=rows)
    customer = customer_create(
        actor=None, company_name="Quote bench", contact_name="Q", contact_email="q@bench.example"
    )
    user = customer_user_create(
        customer=customer, email=f"q{time.time_ns()}@bench.example", password="bench-password-123"
    )
    with scopes_disabled():
        products = [
            product_create(
                actor=user,
                data={
                    "sku": f"Q{i}",
                    "name": "Item",
                    "declared_value": "5",
                    "weight_g": str(200 + 150 * i),
                    "length_cm": "20",
                    "width_cm": "15",
                    "height_cm": str(5 + i),
                },
            )
            for i in range(3)
        ]
    measured_transit_replace(
        actor=None,
        lanes=[
            MeasuredLane(channel.code, country, 20 + n, 1.5 + n % 3, 3.2 + n % 4)
            for n, channel in enumerate(Channel.objects.filter(warehouse=warehouse).order_by("code")[:5])
            for country in ("US", "DE")
        ],
    )
    rates_changed()
    return warehouse, [(p, 1 + i) for i, p in enumerate(products)]


def main():
    if connection.vendor != "postgresql":
        print("Run this against PostgreSQL (set DATABASE_URL).", file=sys.stderr)
        sys.exit(2)
    call_command("migrate", verbosity=0)
    warehouse, lines = setup()
    quote(warehouse=warehouse, country="DE", postal_code="10115", parcel=parcel_from_lines(lines))  # compile once
    with CaptureQueriesContext(connection) as queries:
        result = quote(warehouse=warehouse, country="DE", postal_code="10115", parcel=parcel_from_lines(lines))
    measured = sum(o.transit_source == "measured" for o in result.options)
    print(
        f"{len(result.options)} options ({measured} with measured transit days), {len(result.ineligible)} "
        f"ineligible; queries per quote: {len(queries.captured_queries)}"
    )
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        for i in range(N):
            country, postal = (("US", "10001"), ("CA", "K1A 0B1"), ("DE", "10115"))[i % 3]
            quote(
                warehouse=warehouse,
                country=country,
                postal_code=postal,
                parcel=parcel_from_lines(lines),
                sort="price" if i % 2 else "speed",
            )
        rate = N / (time.perf_counter() - started)
        best = max(best, rate)
        print(f"  {N} quotes: {rate:,.0f} per second")
    print(
        f"best: {best:,.0f} quotes per second over 10 channels — {'OK' if best >= 500 else 'UNDER TARGET'} "
        "(target ≥ 500/s)"
    )


if __name__ == "__main__":
    main()
