"""Auto-recognition of pasted recipient addresses (apps.orders.recognition). Pure functions: no database."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.orders import recognition
from apps.orders.recognition import MAX_INPUT, Recognized, recognize_address

# (pasted text, fields that must be recognised). All data is fictional; phone numbers are well-formed.
ADDRESSES = [
    # --- United States ---
    pytest.param(
        "John Smith\n123 Main St Apt 4B\nSpringfield, IL 62701\nUSA\n+1 415-555-0142\njohn.smith@example.com",
        {
            "name": "John Smith",
            "address1": "123 Main St",
            "address2": "Apt 4B",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62701",
            "country": "US",
            "phone": "+1 415-555-0142",
            "email": "john.smith@example.com",
        },
        id="us-multiline-name-phone-email",
    ),
    pytest.param(
        "Acme Widgets LLC, 500 Market Street, Suite 300, San Francisco, CA 94105",
        {
            "company": "Acme Widgets LLC",
            "address1": "500 Market Street",
            "address2": "Suite 300",
            "city": "San Francisco",
            "state": "CA",
            "postal_code": "94105",
            "country": "US",
        },
        id="us-one-line-company-inferred",
    ),
    pytest.param(
        "Jane Doe, 1 Infinite Loop, Cupertino, California 95014, United States",
        {
            "name": "Jane Doe",
            "address1": "1 Infinite Loop",
            "city": "Cupertino",
            "state": "CA",
            "postal_code": "95014",
            "country": "US",
        },
        id="us-state-name-to-code",
    ),
    pytest.param(
        "John Smith 123 Main St Springfield IL 62701",
        {
            "name": "John Smith",
            "address1": "123 Main St",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62701",
            "country": "US",
        },
        id="us-one-line-no-commas",
    ),
    pytest.param(
        "Jane Doe <jane.doe@example.com>\n4600 Silver Hill Rd NW\nWashington, DC 20233",
        {
            "name": "Jane Doe",
            "email": "jane.doe@example.com",
            "address1": "4600 Silver Hill Rd NW",
            "city": "Washington",
            "state": "DC",
            "postal_code": "20233",
            "country": "US",
        },
        id="us-dc-email-in-brackets",
    ),
    pytest.param(
        "Robert Brown\nPO Box 4410\nAnchorage AK 99501-4410\nTel: (907) 555-0134",
        {
            "name": "Robert Brown",
            "address1": "PO Box 4410",
            "city": "Anchorage",
            "state": "AK",
            "postal_code": "99501-4410",
            "country": "US",
            "phone": "+1 907-555-0134",
        },
        id="us-po-box-zip4-national-phone",
    ),
    pytest.param(
        "Attn: Mary Major\nGlobex Corporation\n233 S. Wacker Dr., Floor 44\nChicago, IL 60606\nU.S.A.",
        {
            "name": "Mary Major",
            "company": "Globex Corporation",
            "address1": "233 S. Wacker Dr.",
            "address2": "Floor 44",
            "city": "Chicago",
            "state": "IL",
            "postal_code": "60606",
            "country": "US",
        },
        id="us-attn-company-dotted-country",
    ),
    pytest.param(
        "350 Fifth Avenue, New York, NY 10118 USA",
        {"address1": "350 Fifth Avenue", "city": "New York", "state": "NY", "postal_code": "10118", "country": "US"},
        id="us-trailing-country",
    ),
    pytest.param(
        "Carlos Diaz\n742 Evergreen Terrace\nSpringfield, OR 97477\n(541) 555-0199",
        {
            "name": "Carlos Diaz",
            "address1": "742 Evergreen Terrace",
            "city": "Springfield",
            "state": "OR",
            "postal_code": "97477",
            "country": "US",
            "phone": "+1 541-555-0199",
        },
        id="us-no-country-word",
    ),
    # --- United Kingdom ---
    pytest.param(
        "Sarah Connor\n10 Downing Street\nLondon\nSW1A 2AA\nUnited Kingdom\n020 7946 0958",
        {
            "name": "Sarah Connor",
            "address1": "10 Downing Street",
            "city": "London",
            "postal_code": "SW1A 2AA",
            "country": "GB",
            "phone": "+44 20 7946 0958",
        },
        id="uk-multiline-national-phone",
    ),
    pytest.param(
        "Flat 3, 221B Baker Street, London NW1 6XE, UK",
        {
            "address1": "221B Baker Street",
            "address2": "Flat 3",
            "city": "London",
            "postal_code": "NW1 6XE",
            "country": "GB",
        },
        id="uk-flat-before-street",
    ),
    pytest.param(
        "10 Downing Street London SW1A 2AA",
        {"address1": "10 Downing Street", "city": "London", "postal_code": "SW1A 2AA", "country": "GB"},
        id="uk-one-line-no-commas-inferred",
    ),
    pytest.param(
        "Emma Watson\n12 Oxford Road\nManchester\nGreater Manchester\nM1 5QA",
        {
            "name": "Emma Watson",
            "address1": "12 Oxford Road",
            "city": "Manchester",
            "state": "Greater Manchester",
            "postal_code": "M1 5QA",
            "country": "GB",
        },
        id="uk-county-line",
    ),
    pytest.param(
        "Oliver Twist, 48 Doughty Street, London, wc1n 2lx, Great Britain, +44 20 7946 0123",
        {
            "name": "Oliver Twist",
            "address1": "48 Doughty Street",
            "city": "London",
            "postal_code": "WC1N 2LX",
            "country": "GB",
            "phone": "+44 20 7946 0123",
        },
        id="uk-lowercase-postcode",
    ),
    # --- Canada ---
    pytest.param(
        "Marc Tremblay\n100 Queen St W\nToronto ON M5H 2N2\nCanada",
        {
            "name": "Marc Tremblay",
            "address1": "100 Queen St W",
            "city": "Toronto",
            "state": "ON",
            "postal_code": "M5H 2N2",
            "country": "CA",
        },
        id="ca-multiline",
    ),
    pytest.param(
        "Chloe Martin, 1055 W Georgia St, Vancouver, British Columbia, V6E 3P3, +1 604 555 0123",
        {
            "name": "Chloe Martin",
            "address1": "1055 W Georgia St",
            "city": "Vancouver",
            "state": "BC",
            "postal_code": "V6E 3P3",
            "country": "CA",
            "phone": "+1 604-555-0123",
        },
        id="ca-province-name-inferred",
    ),
    pytest.param(
        "1234 Rue Sainte-Catherine O, Montréal, Québec H3G 1P1, Canada",
        {
            "address1": "1234 Rue Sainte-Catherine O",
            "city": "Montréal",
            "state": "QC",
            "postal_code": "H3G 1P1",
            "country": "CA",
        },
        id="ca-quebec-accents",
    ),
    pytest.param(
        "Jean Tremblay\n350 rue Sherbrooke\nMontreal QC h2x1e3",
        {
            "name": "Jean Tremblay",
            "address1": "350 rue Sherbrooke",
            "city": "Montreal",
            "state": "QC",
            "postal_code": "H2X 1E3",
            "country": "CA",
        },
        id="ca-postcode-without-space",
    ),
    # --- Australia ---
    pytest.param(
        "Olivia Brown\n1 Macquarie St\nSydney NSW 2000\nAustralia\n+61 412 345 678",
        {
            "name": "Olivia Brown",
            "address1": "1 Macquarie St",
            "city": "Sydney",
            "state": "NSW",
            "postal_code": "2000",
            "country": "AU",
            "phone": "+61 412 345 678",
        },
        id="au-multiline-mobile",
    ),
    pytest.param(
        "Unit 5, 12 George Street, Brisbane QLD 4000",
        {
            "address1": "12 George Street",
            "address2": "Unit 5",
            "city": "Brisbane",
            "state": "QLD",
            "postal_code": "4000",
            "country": "AU",
        },
        id="au-unit-inferred",
    ),
    pytest.param(
        "Sarah Jones, 42 Wallaby Way, Sydney, New South Wales, 2000, Australia",
        {
            "name": "Sarah Jones",
            "address1": "42 Wallaby Way",
            "city": "Sydney",
            "state": "NSW",
            "postal_code": "2000",
            "country": "AU",
        },
        id="au-state-name",
    ),
    pytest.param(
        "Level 5, 100 Collins St, Melbourne Vic 3000",
        {
            "address1": "100 Collins St",
            "address2": "Level 5",
            "city": "Melbourne",
            "state": "VIC",
            "postal_code": "3000",
            "country": "AU",
        },
        id="au-level",
    ),
    # --- Europe: the postal code comes before the city ---
    pytest.param(
        "Max Mustermann\nMusterstraße 12\n10115 Berlin\nDeutschland\n+49 30 901820",
        {
            "name": "Max Mustermann",
            "address1": "Musterstraße 12",
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
            "phone": "+49 30 901820",
        },
        id="de-multiline",
    ),
    pytest.param(
        "Hauptstraße 5, D-10115 Berlin, Germany",
        {"address1": "Hauptstraße 5", "city": "Berlin", "postal_code": "10115", "country": "DE"},
        id="de-one-line-prefixed-postcode",
    ),
    pytest.param(
        "Marie Dupont, 10 Rue de Rivoli, 75001 Paris, France, marie.dupont@example.fr",
        {
            "name": "Marie Dupont",
            "address1": "10 Rue de Rivoli",
            "city": "Paris",
            "postal_code": "75001",
            "country": "FR",
            "email": "marie.dupont@example.fr",
        },
        id="fr-one-line",
    ),
    pytest.param(
        "Appartement 4\n5 Avenue Anatole France\n75007 Paris\nFrance\n+33 1 42 68 53 00",
        {
            "address1": "5 Avenue Anatole France",
            "address2": "Appartement 4",
            "city": "Paris",
            "postal_code": "75007",
            "country": "FR",
            "phone": "+33 1 42 68 53 00",
        },
        id="fr-country-word-inside-street",
    ),
    pytest.param(
        "Jan de Vries\nKeizersgracht 123\n1015 CJ Amsterdam\nNederland",
        {
            "name": "Jan de Vries",
            "address1": "Keizersgracht 123",
            "city": "Amsterdam",
            "postal_code": "1015 CJ",
            "country": "NL",
        },
        id="nl-multiline",
    ),
    pytest.param(
        "Keizersgracht 123, 1015CJ Amsterdam, Netherlands, +31 20 123 4567",
        {
            "address1": "Keizersgracht 123",
            "city": "Amsterdam",
            "postal_code": "1015 CJ",
            "country": "NL",
            "phone": "+31 20 123 4567",
        },
        id="nl-one-line-compact-postcode",
    ),
    pytest.param(
        "Ana García, Calle Mayor 12, 3º B, 28013 Madrid, Madrid, Spain",
        {
            "name": "Ana García",
            "address1": "Calle Mayor 12 3º B",
            "city": "Madrid",
            "state": "Madrid",
            "postal_code": "28013",
            "country": "ES",
        },
        id="es-floor-and-province",
    ),
    pytest.param(
        "Calle de Alcalá, 50\n28014 Madrid\nEspaña",
        {"address1": "Calle de Alcalá 50", "city": "Madrid", "postal_code": "28014", "country": "ES"},
        id="es-number-after-comma",
    ),
    pytest.param(
        "Mario Rossi\nVia del Corso 12\n00186 Roma RM\nItalia\n+39 06 1234 5678",
        {
            "name": "Mario Rossi",
            "address1": "Via del Corso 12",
            "city": "Roma",
            "state": "RM",
            "postal_code": "00186",
            "country": "IT",
            "phone": "+39 06 1234 5678",
        },
        id="it-province-code",
    ),
    pytest.param(
        "Via Roma 10, 20121 Milano MI, Italy",
        {"address1": "Via Roma 10", "city": "Milano", "state": "MI", "postal_code": "20121", "country": "IT"},
        id="it-one-line",
    ),
    # --- China: Chinese script and romanised ---
    pytest.param(
        "张三\n中国 广东省深圳市南山区科技园南路18号 518057\n13800138000",
        {
            "name": "张三",
            "state": "广东省",
            "city": "深圳市",
            "address1": "南山区科技园南路18号",
            "postal_code": "518057",
            "country": "CN",
            "phone": "+86 138 0013 8000",
        },
        id="cn-script-multiline",
    ),
    pytest.param(
        "收件人：李四\n电话：13912345678\n地址：上海市浦东新区世纪大道100号\n邮编：200120",
        {
            "name": "李四",
            "state": "上海市",
            "city": "上海市",
            "address1": "浦东新区世纪大道100号",
            "postal_code": "200120",
            "country": "CN",
            "phone": "+86 139 1234 5678",
        },
        id="cn-script-labelled-fullwidth-colons",
    ),
    pytest.param(
        "深圳市前海科技有限公司，张三，13800138000，浙江省杭州市西湖区文三路90号 310012",
        {
            "company": "深圳市前海科技有限公司",
            "name": "张三",
            "state": "浙江省",
            "city": "杭州市",
            "address1": "西湖区文三路90号",
            "postal_code": "310012",
            "country": "CN",
            "phone": "+86 138 0013 8000",
        },
        id="cn-script-one-line-company",
    ),
    pytest.param(
        "No. 18 Keyuan Road, Nanshan District, Shenzhen, Guangdong 518057, China",
        {
            "address1": "No. 18 Keyuan Road, Nanshan District",
            "city": "Shenzhen",
            "state": "Guangdong",
            "postal_code": "518057",
            "country": "CN",
        },
        id="cn-romanised",
    ),
    pytest.param(
        "Wang Wei, Room 1201, No. 88 Jianguo Road, Chaoyang District, Beijing 100022, PRC",
        {
            "name": "Wang Wei",
            "city": "Beijing",
            "state": "Beijing",
            "postal_code": "100022",
            "country": "CN",
            "address1": "No. 88 Jianguo Road, Room 1201, Chaoyang District",
        },
        id="cn-romanised-municipality",
    ),
    pytest.param(
        "Li Na\nAcme Trading Co., Ltd.\n88 Huaihai Road, Huangpu District\nShanghai 200021\nChina\n+86 21 6888 8888",
        {
            "name": "Li Na",
            "company": "Acme Trading Co., Ltd.",
            "address1": "88 Huaihai Road, Huangpu District",
            "city": "Shanghai",
            "postal_code": "200021",
            "country": "CN",
            "phone": "+86 21 6888 8888",
        },
        id="cn-romanised-company-phone",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ADDRESSES)
def test_recognizes_realistic_addresses(text, expected):
    result = recognize_address(text)

    assert isinstance(result, Recognized)
    assert {key: result.fields.get(key) for key in expected} == expected
    assert result.leftover == []


@pytest.mark.parametrize(("text", "expected"), ADDRESSES)
def test_fixture_phone_numbers_are_valid(text, expected):
    if "phone" in expected:
        assert phonenumbers.is_valid_number(phonenumbers.parse(expected["phone"]))


@pytest.mark.parametrize("text", ["", "   ", "\n\n \t\n", ",,, ;;"])
def test_empty_input_gives_nothing(text):
    assert recognize_address(text) == Recognized(fields={}, leftover=[])


def test_garbage_goes_to_leftover():
    result = recognize_address("!!!! ???? asdf;;; lorem ipsum 12")

    assert result.fields == {}
    assert result.leftover == ["!!!! ???? asdf", "lorem ipsum 12"]


def test_lone_number_without_country_is_not_guessed():
    assert recognize_address("12345") == Recognized(fields={}, leftover=["12345"])


def test_very_long_input_is_capped():
    result = recognize_address("lorem ipsum dolor sit amet " * 1000)

    assert result.fields == {}
    assert sum(len(piece) for piece in result.leftover) <= MAX_INPUT


@settings(max_examples=150, deadline=None, database=None)
@given(st.text(max_size=300))
def test_never_raises_on_arbitrary_text(text):
    result = recognize_address(text)

    assert isinstance(result.fields, dict)
    assert all(isinstance(piece, str) and piece for piece in result.leftover)


def test_internal_failure_returns_the_text_as_leftover(monkeypatch):
    def boom(*args):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(recognition, "_recognize", boom)

    assert recognize_address("  1 Main St  ") == Recognized(fields={}, leftover=["1 Main St"])


def test_labelled_key_value_input():
    text = (
        "Name: John Smith\nPhone: +1 415-555-0142\nE-mail: john@example.com\n"
        "Address: 350 Fifth Avenue, Suite 3400, New York, NY 10118\nCountry: USA"
    )

    result = recognize_address(text)

    assert result.fields == {
        "name": "John Smith",
        "phone": "+1 415-555-0142",
        "email": "john@example.com",
        "address1": "350 Fifth Avenue",
        "address2": "Suite 3400",
        "city": "New York",
        "state": "NY",
        "postal_code": "10118",
        "country": "US",
    }
    assert result.leftover == []


def test_labelled_fields_each_on_their_own_line():
    text = "Name: Jane Doe\nStreet: 12 Oak Lane\nCity: Leeds\nPostcode: ls1 4ap\nCountry: United Kingdom"

    result = recognize_address(text)

    assert result.fields == {
        "name": "Jane Doe",
        "address1": "12 Oak Lane",
        "city": "Leeds",
        "postal_code": "LS1 4AP",
        "country": "GB",
    }


def test_labelled_values_that_are_not_valid_stay_visible():
    result = recognize_address("Phone: 12\nCountry: Atlantis\n123 Main St, Springfield, IL 62701")

    assert "phone" not in result.fields
    assert result.fields["country"] == "US"  # inferred from "IL 62701"
    assert set(result.leftover) == {"12", "Atlantis"}


def test_default_country_is_used_when_nothing_says_otherwise():
    result = recognize_address("Musterstraße 12, 80331 München\nTel. 030 901820", default_country="de")

    assert result.fields == {
        "address1": "Musterstraße 12",
        "city": "München",
        "postal_code": "80331",
        "country": "DE",
        "phone": "+49 30 901820",
    }


def test_without_default_country_the_country_stays_empty():
    result = recognize_address("Musterstraße 12, 80331 München")

    assert "country" not in result.fields
    assert result.fields["postal_code"] == "80331"


def test_written_or_inferred_country_wins_over_the_default():
    assert recognize_address("123 Main St, Springfield, IL 62701", default_country="DE").fields["country"] == "US"
    assert recognize_address("Calle Mayor 12, 28013 Madrid, Spain", default_country="FR").fields["country"] == "ES"


def test_invalid_default_country_is_ignored():
    assert "country" not in recognize_address("Musterstraße 12, 80331 München", default_country="XX").fields


def test_extra_phone_and_email_are_kept_visible():
    text = "Jane Doe\n1 Main St\nBoston, MA 02108\n+1 617-555-0100, +1 617-555-0101\njane@example.com bob@example.com"

    result = recognize_address(text)

    assert result.fields["phone"] == "+1 617-555-0100"
    assert result.fields["email"] == "jane@example.com"
    assert set(result.leftover) == {"+1 617-555-0101", "bob@example.com"}


def test_city_state_zip_without_street_is_not_a_name():
    result = recognize_address("Mountain View, CA, 94043")

    assert result.fields == {"city": "Mountain View", "state": "CA", "postal_code": "94043", "country": "US"}


def test_lower_case_line_before_the_street_is_left_for_the_user():
    result = recognize_address("sarah jones, 10 downing street, london, sw1a 2aa, uk")

    assert result.fields["address1"] == "10 downing street"
    assert result.fields["postal_code"] == "SW1A 2AA"
    assert result.fields["country"] == "GB"
    assert result.leftover == ["sarah jones"]


def test_empty_labels_are_dropped():
    result = recognize_address("Name:\nPhone:\nAddress:\n12 Oak Lane, Leeds LS1 4AP\nCountry:")

    assert result.fields == {"address1": "12 Oak Lane", "city": "Leeds", "postal_code": "LS1 4AP", "country": "GB"}
    assert result.leftover == []
