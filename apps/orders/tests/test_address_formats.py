"""Addresses by country (issue 18 item 3): recipient blocks in each post's order, on the screen and on
the 4×6 label (read back with pdftotext), and postal codes and required fields checked per country
from Google's address data, each refusal naming the country and how its codes look."""

import shutil
import subprocess
from types import SimpleNamespace

import pytest

from apps.core.addresses import country_name, postal_lines
from apps.core.errors import ValidationFailed
from apps.orders.rules import clean_recipient
from apps.shipping.addresses import clean_country, clean_postal_code
from apps.shipping.labels import order_recipient, parcel_label_issue
from apps.shipping.tests.conftest import channels, warehouse  # noqa: F401 - the fixtures, shared

# (country, address fields, the block printed from a US warehouse)
BLOCKS = [
    pytest.param(
        "DE",
        {"address1": "Hauptstraße 5", "city": "Berlin", "postal_code": "10115"},
        ["Hauptstraße 5", "10115 Berlin", "GERMANY"],
        id="DE",
    ),
    pytest.param(
        "FR",
        {"address1": "12 rue de la Paix", "city": "Paris", "postal_code": "75002"},
        ["12 rue de la Paix", "75002 PARIS", "FRANCE"],
        id="FR",
    ),
    pytest.param(
        "NL",
        {"address1": "Damrak 1", "address2": "3e verdieping", "city": "Amsterdam", "postal_code": "1012 LG"},
        ["Damrak 1", "3e verdieping", "1012 LG Amsterdam", "NETHERLANDS"],
        id="NL",
    ),
    pytest.param(
        "PL",
        {"address1": "ul. Marszałkowska 10", "city": "Warszawa", "postal_code": "00-950"},
        ["ul. Marszałkowska 10", "00-950 Warszawa", "POLAND"],
        id="PL",
    ),
    pytest.param(
        "JP",
        {"address1": "千代田1-1", "city": "千代田区", "state": "東京都", "postal_code": "100-0001"},
        ["〒100-0001", "東京都千代田区", "千代田1-1", "JAPAN"],
        id="JP-japanese-script",
    ),
    pytest.param(
        "JP",
        {"address1": "1-1 Chiyoda", "city": "Chiyoda-ku", "state": "Tokyo", "postal_code": "100-0001"},
        ["1-1 Chiyoda", "Chiyoda-ku, TOKYO", "100-0001", "JAPAN"],
        id="JP-latin",
    ),
    pytest.param(
        "GB",
        {"address1": "10 Downing Street", "city": "London", "postal_code": "SW1A 2AA"},
        ["10 Downing Street", "LONDON", "SW1A 2AA", "UNITED KINGDOM"],
        id="GB",
    ),
    pytest.param(
        "US",
        {"address1": "1 Main St", "address2": "Apt 4", "city": "Springfield", "state": "IL", "postal_code": "62701"},
        ["1 Main St", "Apt 4", "SPRINGFIELD, IL 62701"],  # domestic: no country line
        id="US-domestic",
    ),
]


@pytest.mark.parametrize(("country", "fields", "block"), BLOCKS)
def test_recipient_blocks_follow_each_countrys_post(country, fields, block):
    assert postal_lines(country=country, origin="US", **fields) == block


def test_the_country_name_ends_every_block_that_leaves_the_country_and_screens():
    fields = {"address1": "1 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701"}

    assert postal_lines(country="US", origin="DE", **fields)[-1] == "UNITED STATES"
    assert postal_lines(country="US", **fields)[-1] == "UNITED STATES"  # screens: always named
    assert postal_lines(country="DE", origin="DE", address1="Hauptstraße 5", city="Berlin", postal_code="10115") == [
        "Hauptstraße 5",
        "10115 Berlin",
    ]
    assert country_name("UK") == "UNITED KINGDOM"


def test_order_pages_show_the_block_in_the_countrys_order():
    from apps.orders.models import Order

    order = Order(
        recipient_company="Beispiel GmbH", address1="Hauptstraße 5", city="Berlin", postal_code="10115", country="DE"
    )

    assert order.address_lines == ["Beispiel GmbH", "Hauptstraße 5", "10115 Berlin", "GERMANY"]


def _pdf_text(pdf: bytes) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return [line.strip() for line in done.stdout.decode().splitlines() if line.strip()]


@pytest.mark.django_db
@pytest.mark.parametrize(("country", "fields", "block"), BLOCKS)
def test_the_4x6_label_prints_the_block_in_that_order(
    channels,  # noqa: F811
    country,
    fields,
    block,
):
    ground = channels[0]
    assert ground.warehouse.country == "US"
    order = SimpleNamespace(
        recipient_name="Zoë Recipient",
        recipient_company="",
        recipient_phone="",
        country=country,
        warehouse=ground.warehouse,
        **{"address2": "", "state": "", **fields},
    )

    issued = parcel_label_issue(
        channel=ground,
        order_number="S26112500000421",
        recipient=order_recipient(order),
        recipient_country=country,
        recipient_postal_code=fields["postal_code"],
        weight_g=900,
    )

    lines = _pdf_text(issued.pdf)
    start = lines.index("Zoë Recipient")
    assert lines[start + 1 : start + 1 + len(block)] == block
    if country != "US":  # the sender names its country too when the parcel leaves it
        assert "UNITED STATES" in lines[:start]


# --- validation -----------------------------------------------------------------------------------

BAD_POSTAL = [
    ("DE", "1011", "“1011” is not a postal code of Germany (DE): it should be 5 digits, such as 26133 or 53225."),
    ("FR", "7500", "“7500” is not a postal code of France (FR): it should be 5 digits, such as 33380 or 34092."),
    (
        "NL",
        "1012",
        "“1012” is not a postal code of Netherlands (NL): it should be 4 digits, a space and 2 letters, "
        "such as 1234 AB or 2490 AA.",
    ),
    (
        "PL",
        "00950",
        "“00950” is not a postal code of Poland (PL): it should be 2 digits, a hyphen and 3 digits, "
        "such as 00-950 or 05-470.",
    ),
    (
        "JP",
        "10-0001",
        "“10-0001” is not a postal code of Japan (JP): it should be 3 digits, a hyphen and 4 digits, "
        "such as 154-0023 or 350-1106.",
    ),
    (
        "US",
        "ABCDE",
        "“ABCDE” is not a postal code of United States (US): it should be 5 digits or 5 digits, a hyphen and "
        "4 digits, such as 95014 or 22162-1010.",
    ),
    (
        "GB",
        "12345",
        "“12345” is not a postal code of United Kingdom (GB): it should be written like EC1Y 8SY or GIR 0AA.",
    ),
]


@pytest.mark.parametrize(("country", "value", "message"), BAD_POSTAL)
def test_a_bad_postal_code_is_refused_with_the_countrys_own_sentence(country, value, message):
    with pytest.raises(ValidationFailed) as exc:
        clean_postal_code(country, value)

    assert exc.value.message == message and exc.value.code == "invalid_postal_code"


@pytest.mark.parametrize(
    ("country", "value", "written"),
    [
        ("GB", "sw1a2aa", "SW1A 2AA"),
        ("NL", "1012lg", "1012 LG"),
        ("JP", "1000001", "100-0001"),
        ("FR", "75002", "75002"),
    ],
)
def test_good_postal_codes_are_written_the_usual_way(country, value, written):
    assert clean_postal_code(country, value) == written


def test_the_order_rules_say_what_each_country_requires():
    base = {"name": "Taro Yamada", "address1": "1-1 Chiyoda", "city": "Chiyoda-ku"}

    _, problems = clean_recipient({**base, "country": "JP", "postal_code": "100-0001"}, complete=True)
    assert problems == {"state": "is required for Japan"}  # the prefecture
    _, problems = clean_recipient({**base, "country": "DE"}, complete=True)
    assert problems == {"postal_code": "is required"}
    _, problems = clean_recipient({**base, "country": "DE", "postal_code": "1011"}, complete=True)
    assert problems == {"postal_code": "“1011” is not valid in Germany: it should be 5 digits, such as 26133 or 53225"}
    _, problems = clean_recipient(
        {"name": "Tan Ah Kow", "address1": "1 Orchard Road", "country": "SG", "postal_code": "238801"}, complete=True
    )
    assert problems == {}  # Singapore addresses have no city line
    _, problems = clean_recipient({**base, "country": "HK", "state": "Kowloon"}, complete=True)
    assert problems == {}  # no postal codes in Hong Kong


def test_uk_is_read_as_gb():
    assert clean_country("UK") == clean_country("uk") == clean_country("United Kingdom") == "GB"
    with pytest.raises(ValidationFailed):
        clean_country("XX")
