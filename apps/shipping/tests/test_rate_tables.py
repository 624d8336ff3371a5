import pytest

from apps.core.errors import ValidationFailed
from apps.shipping.models import RateLine
from apps.shipping.services import RateRow, check_rate_rows, rate_table_replace

pytestmark = pytest.mark.django_db


def test_overlapping_brackets_and_bad_codes_are_reported_per_row():
    rows = [
        RateRow(2, "US", "US", "", 0, 500, "5"),
        RateRow(3, "US", "US", "", 400, 1000, "6"),  # overlaps row 2
        RateRow(4, "EU", "DE,XX", "", 0, 500, "9"),  # bad country
        RateRow(5, "EU", "DE", "", 500, 400, "9"),  # to below from
        RateRow(6, "EU", "DE", "9x0-1", 500, 900, "9"),  # bad prefix range
        RateRow(7, "EU", "DE", "", 900, 2000, "9", 500, None),  # step without its price
    ]
    _zones, problems = check_rate_rows(rows)
    found = {(p.row, p.field) for p in problems}
    assert (3, "weight_from_g") in found and (4, "countries") in found and (5, "weight_to_g") in found
    assert (6, "postal_prefixes") in found and (7, "step_g") in found
    assert "overlaps row 2 in zone US" in next(p.message for p in problems if p.row == 3)


def test_a_bad_table_changes_nothing(channels):
    card = channels[0].rate_cards.filter(is_active=True).order_by("-valid_from").first()
    before = RateLine.objects.filter(zone__rate_card=card).count()
    with pytest.raises(ValidationFailed) as exc:
        rate_table_replace(
            actor=None,
            rate_card=card,
            rows=[RateRow(2, "US", "US", "", 0, 500, "5"), RateRow(3, "US", "US", "", 100, 600, "6")],
        )
    assert exc.value.code == "rate_table_invalid" and exc.value.extra["rows"][0][0] == 3
    assert RateLine.objects.filter(zone__rate_card=card).count() == before


def test_prefixes_of_a_zone_add_up_over_its_rows_and_whole_countries_are_not_in_two_zones():
    zones, problems = check_rate_rows(
        [
            RateRow(2, "West", "US", "900", 0, 500, "4"),
            RateRow(3, "West", "US", "901", 500, 1000, "5"),
            RateRow(4, "West", "", "902", 1000, 2000, "6"),
            RateRow(5, "US", "US", "", 0, 500, "5"),
            RateRow(6, "USA", "US", "", 0, 500, "5"),
        ]
    )
    assert zones["West"]["prefixes"] == ["900", "901", "902"]
    assert [(p.row, p.field) for p in problems] == [(6, "countries")]
    assert "already in zone US" in problems[0].message


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (RateRow(2, "US", "US", "", 0, 3_000_000_000, "5"), "weight_to_g"),
        (RateRow(2, "US", "US", "", 0, 500, "100000000000"), "price"),
    ],
)
def test_numbers_beyond_what_the_database_holds_are_refused(row, field):
    _zones, problems = check_rate_rows([row])
    assert [p.field for p in problems] == [field]
