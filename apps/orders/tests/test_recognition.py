"""Auto-recognition of pasted recipient addresses (apps.orders.recognition). Pure functions: no database."""

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.orders import recognition
from apps.orders.recognition import MAX_INPUT, Recognized, recognize_address

from .recognition_addresses import ADDRESSES


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
