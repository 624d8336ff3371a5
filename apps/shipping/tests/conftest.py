import datetime
from decimal import Decimal

import pytest

from apps.shipping.models import Carrier, Channel
from apps.shipping.services import RateRow, rate_card_save, rate_table_replace, remote_surcharges_replace
from apps.warehouses.models import Warehouse


def rows(*specs):
    """(zone, countries, prefixes, from, to, price, step_g, step_price)."""
    return [RateRow(n, *spec) for n, spec in enumerate(specs, start=2)]


@pytest.fixture
def warehouse(db):
    return Warehouse.objects.create(
        code="LAX1", name="LA", address1="1 Dock", city="Carson", state="CA", postal_code="90810", country="US"
    )


@pytest.fixture
def channels(warehouse):
    ups = Carrier.objects.create(code="ups", name="UPS")
    dhl = Carrier.objects.create(code="dhl", name="DHL")
    ground = Channel.objects.create(
        code="ups-ground",
        name="UPS Ground",
        carrier=ups,
        warehouse=warehouse,
        service_level="Ground",
        transit_days_min=3,
        transit_days_max=5,
        volumetric_divisor=5000,
        max_weight_g=30000,
        max_length_cm=Decimal("120"),
        max_girth_cm=Decimal("300"),
    )
    express = Channel.objects.create(
        code="dhl-express",
        name="DHL Express",
        carrier=dhl,
        warehouse=warehouse,
        service_level="Express",
        transit_days_min=1,
        transit_days_max=2,
        volumetric_divisor=6000,
        max_weight_g=10000,
        max_length_cm=Decimal("100"),
    )
    bare = Channel.objects.create(
        code="no-card",
        name="No card yet",
        carrier=ups,
        warehouse=warehouse,
        transit_days_min=5,
        transit_days_max=9,
        max_weight_g=30000,
        max_length_cm=Decimal("100"),
    )
    today = datetime.date.today()
    card = rate_card_save(
        actor=None,
        rate_card=None,
        data={
            "channel": ground,
            "name": "2026",
            "currency": "USD",
            "fuel_surcharge_pct": Decimal("10"),
            "per_parcel_fee": Decimal("1.00"),
            "valid_from": today - datetime.timedelta(days=30),
        },
    )
    rate_table_replace(
        actor=None,
        rate_card=card,
        rows=rows(
            ("US", "US", "", 0, 500, "5.00", None, None),
            ("US", "US", "", 500, 1000, "6.00", None, None),
            ("US", "US", "", 1000, 30000, "6.00", 500, "1.00"),
            ("US West", "US", "900-961", 0, 30000, "4.00", None, None),
        ),
    )
    remote_surcharges_replace(actor=None, rate_card=card, rows=[("US", "995", "3.00")])
    old = rate_card_save(
        actor=None,
        rate_card=None,
        data={
            "channel": ground,
            "name": "expired",
            "currency": "USD",
            "valid_from": today - datetime.timedelta(days=400),
            "valid_to": today - datetime.timedelta(days=31),
        },
    )
    rate_table_replace(actor=None, rate_card=old, rows=rows(("US", "US", "", 0, 30000, "99.00", None, None)))
    card2 = rate_card_save(
        actor=None, rate_card=None, data={"channel": express, "name": "2026", "currency": "USD", "valid_from": today}
    )
    rate_table_replace(actor=None, rate_card=card2, rows=rows(("World", "US,CA", "", 0, 10000, "20.00", None, None)))
    return ground, express, bare


__all__ = ["rows", "rate_table_replace"]
