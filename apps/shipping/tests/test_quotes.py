from decimal import Decimal

import pytest

from apps.accounts.models import CustomerLevel
from apps.core.errors import ValidationFailed
from apps.shipping.quotes import parcel_from_box, quote
from apps.shipping.services import level_discount_set

pytestmark = pytest.mark.django_db


def ground(result):
    return next(o for o in result.options if o.channel_code == "ups-ground")


CASES = [
    # (description, destination, parcel kwargs, chargeable g, base, fuel, remote, total)
    ("light parcel, first bracket", ("US", "10001"), {"weight_g": 400}, 400, "5.00", "0.50", "0.00", "6.50"),
    ("exactly on the bracket limit", ("US", "10001"), {"weight_g": 500}, 500, "5.00", "0.50", "0.00", "6.50"),
    ("one gram over the limit", ("US", "10001"), {"weight_g": 501}, 501, "6.00", "0.60", "0.00", "7.60"),
    ("additional-weight steps", ("US", "10001"), {"weight_g": 2100}, 2100, "9.00", "0.90", "0.00", "10.90"),
    ("step edge: exactly one step", ("US", "10001"), {"weight_g": 1500}, 1500, "7.00", "0.70", "0.00", "8.70"),
    (
        "volumetric beats actual",
        ("US", "10001"),
        {"weight_g": 300, "length_cm": 40, "width_cm": 30, "height_cm": 20},
        4800,
        "14.00",
        "1.40",
        "0.00",
        "16.40",
    ),
    ("remote-area surcharge", ("US", "99501"), {"weight_g": 400}, 400, "5.00", "0.50", "3.00", "9.50"),
    ("postal-range zone wins", ("US", "90210"), {"weight_g": 400}, 400, "4.00", "0.40", "0.00", "5.40"),
]


@pytest.mark.parametrize(
    ("description", "destination", "parcel", "chargeable", "base", "fuel", "remote", "total"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_ground_price_breakdown(
    channels, warehouse, description, destination, parcel, chargeable, base, fuel, remote, total
):
    result = quote(
        warehouse=warehouse, country=destination[0], postal_code=destination[1], parcel=parcel_from_box(**parcel)
    )
    option = ground(result)
    assert option.chargeable_weight_g == chargeable
    assert (option.base, option.fuel, option.remote) == (Decimal(base), Decimal(fuel), Decimal(remote))
    assert option.parcel_fee == Decimal("1.00") and option.total == Decimal(total)


def test_level_discount(channels, warehouse):
    gold = CustomerLevel.objects.get(code="gold")
    level_discount_set(actor=None, level=gold, percent="10")
    from apps.shipping.quotes import rates_changed

    rates_changed()  # on_commit does not fire inside the test transaction
    option = ground(
        quote(
            warehouse=warehouse,
            country="US",
            postal_code="10001",
            parcel=parcel_from_box(weight_g=400),
            level_id=gold.pk,
        )
    )
    assert option.discount == Decimal("0.65") and option.total == Decimal("5.85")


@pytest.mark.parametrize(
    ("destination", "parcel", "code", "words"),
    [
        (("US", "10001"), {"weight_g": 12000}, "too_heavy", "Too heavy: 12 kg, the limit is 10 kg."),
        (("US", "10001"), {"weight_g": 400, "length_cm": 110, "width_cm": 10, "height_cm": 10}, "oversize", "110 cm"),
        (("DE", "10115"), {"weight_g": 400}, "no_zone", "Does not deliver to DE 10115."),
    ],
)
def test_ineligible_express_with_reasons(channels, warehouse, destination, parcel, code, words):
    result = quote(
        warehouse=warehouse, country=destination[0], postal_code=destination[1], parcel=parcel_from_box(**parcel)
    )
    refused = next(i for i in result.ineligible if i.channel_code == "dhl-express")
    assert refused.code == code and words in refused.reason


def test_channel_without_card_and_sorting(channels, warehouse):
    result = quote(warehouse=warehouse, country="US", postal_code="10001", parcel=parcel_from_box(weight_g=400))
    assert {i.channel_code: i.code for i in result.ineligible} == {"no-card": "no_rate_card"}
    assert [o.channel_code for o in result.options] == ["ups-ground", "dhl-express"]
    fast = quote(
        warehouse=warehouse, country="US", postal_code="10001", parcel=parcel_from_box(weight_g=400), sort="speed"
    )
    assert [o.channel_code for o in fast.options] == ["dhl-express", "ups-ground"]


def test_girth_limit(channels, warehouse):
    result = quote(
        warehouse=warehouse,
        country="US",
        postal_code="10001",
        parcel=parcel_from_box(weight_g=400, length_cm=100, width_cm=60, height_cm=50),
    )
    refused = next(i for i in result.ineligible if i.channel_code == "ups-ground")
    assert refused.code == "oversize" and "length + girth is 320 cm" in refused.reason


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"country": "US", "postal_code": "10001", "weight_g": 0}, "invalid_weight"),
        ({"country": "US", "postal_code": "10001", "weight_g": -5}, "invalid_weight"),
        ({"country": "XX", "postal_code": "10001", "weight_g": 100}, "unknown_country"),
        ({"country": "US", "postal_code": "ABCDE", "weight_g": 100}, "invalid_postal_code"),
        ({"country": "CA", "postal_code": "12345", "weight_g": 100}, "invalid_postal_code"),
    ],
)
def test_bad_input_is_explained(channels, warehouse, kwargs, code):
    with pytest.raises(ValidationFailed) as exc:
        quote(
            warehouse=warehouse,
            country=kwargs["country"],
            postal_code=kwargs["postal_code"],
            parcel=parcel_from_box(weight_g=kwargs["weight_g"]),
        )
    assert exc.value.code == code


def test_quote_from_order_lines_uses_measured_sizes_and_packaging(channels, warehouse, user_a, settings):
    from apps.catalog.services import product_create
    from apps.core.tenancy import customer_scope
    from apps.shipping.quotes import parcel_from_lines

    settings.SHIPPING_PACKAGING_WEIGHT_PCT = 10
    with customer_scope(user_a.customer):
        mug = product_create(
            actor=user_a,
            data={
                "sku": "MUG",
                "name": "Mug",
                "declared_value": "4",
                "weight_g": "300",
                "length_cm": "10",
                "width_cm": "10",
                "height_cm": "10",
            },
        )
    mug.measured_weight_g = 350
    parcel = parcel_from_lines([(mug, 3)])
    assert parcel.weight_g == 1155  # 3 × 350 g measured + 10 % packaging
    assert parcel.volume_cm3 == Decimal("3600")  # 3 × 1000 cm³ + 20 %


def test_quotes_run_no_query_per_channel(channels, warehouse, django_assert_max_num_queries):
    quote(warehouse=warehouse, country="US", postal_code="10001", parcel=parcel_from_box(weight_g=400))
    with django_assert_max_num_queries(0):
        for _ in range(20):
            quote(warehouse=warehouse, country="US", postal_code="10001", parcel=parcel_from_box(weight_g=400))
