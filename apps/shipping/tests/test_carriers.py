"""The carrier seam: the local adapter's tracking numbers are unique, well-formed (the carriers' own
check digits) and deterministic; the validator catches typos; the registry finds the adapter; errors
say whether to retry. Plain Python: no database."""

import re

import pytest

from apps.shipping.carriers import (
    DEFAULT_TIMEOUT_SECONDS,
    CarrierAdapter,
    CarrierError,
    FinalCarrierError,
    LabelResult,
    LocalCarrierAdapter,
    ParcelRequest,
    RetryableCarrierError,
    carrier_key,
    error_for_status,
    get_adapter,
    register_adapter,
    registry,
    validate_tracking_number,
)
from apps.shipping.carriers.local import (
    DHL_ECOMMERCE,
    DHL_EXPRESS,
    GENERIC,
    UPS,
    USPS,
    YUNEXPRESS,
    format_for,
    luhn_check_digit,
    mod7_check_digit,
    ups_check_digit,
    ups_service_code,
    usps_check_digit,
)

DIGITS = "0123456789"
# (carrier code, its format, what every number looks like)
CARRIERS = [
    ("ups", UPS, r"1Z9FH00103\d{7}\d"),
    ("usps", USPS, r"94001912345\d{10}\d"),
    ("dhl", DHL_EXPRESS, r"3\d{8}[0-6]"),
    ("dhl-ecommerce", DHL_ECOMMERCE, r"GM53690\d{10}\d"),
    ("yunexpress", YUNEXPRESS, r"YT26000\d{10}\d"),
    ("acme-post", GENERIC, r"FHGR\d{12}\d"),  # an unknown carrier: the channel code's letters
]


def request(carrier_code="ups", **kw) -> ParcelRequest:
    fields = {
        "channel_code": "fh-ground",
        "carrier_code": carrier_code,
        "service_level": "Ground",
        "order_number": "S26112500000421",
        "weight_g": 1250,
        "length_cm": 30.0,
        "width_cm": 20.0,
        "height_cm": 10.0,
        "sender_country": "US",
        "recipient_country": "US",
        "recipient_postal_code": "90001",
    } | kw
    return ParcelRequest(**fields)


def issue(carrier_code: str, sequence: int, **kw) -> str:
    return get_adapter(carrier_code).request_label(request(carrier_code, **kw), sequence=sequence).tracking_number


# --- Check digits: the published algorithms, on published examples ----------------------------------


def test_check_digits_match_known_examples():
    assert ups_check_digit("999AA1012345678") == "4"  # 1Z999AA10123456784, UPS's own sample number
    assert mod7_check_digit("331881002") == "5"  # 3318810025
    assert luhn_check_digit("7992739871") == "3"  # the textbook Luhn example
    # USPS: weights 3, 1 from the right: 9 × 3 (position 21) + 4 × 1 (20) + 1 × 3 (17) = 34 → 6.
    assert usps_check_digit("940010000000000000000") == "6"
    # Letters count as (ord − 63) mod 10: A = 2, so "A" in a weight-1 position adds 2.
    assert ups_check_digit("A" + "0" * 14) == "8"
    for number in ("1Z999AA10123456784", "1z 999 aa1 0123 4567 84"):
        assert validate_tracking_number("UPS", number)
    assert validate_tracking_number("usps", "9400100000000000000006")
    assert validate_tracking_number("dhl", "3318810025")


# --- The local adapter's numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(("carrier_code", "fmt", "shape"), CARRIERS)
def test_numbers_for_sequence_1_to_1000_are_unique_well_formed_and_deterministic(carrier_code, fmt, shape):
    numbers = [issue(carrier_code, n) for n in range(1, 1001)]

    assert get_adapter(carrier_code).format is fmt
    assert len(set(numbers)) == 1000
    for number in numbers:
        assert validate_tracking_number(carrier_code, number), number
        assert fmt.pattern.fullmatch(number), number
        assert re.fullmatch(shape, number), (number, shape)
    # The same sequence gives the same number, from a new adapter too.
    assert [issue(carrier_code, n) for n in (1, 500, 1000)] == [numbers[0], numbers[499], numbers[999]]


def _blind_spot(fmt, number: str, position: int, old: str, new: str) -> bool:
    """Whether the format's check digit cannot see this one-digit change (by the algorithm's maths)."""
    delta = abs(int(new) - int(old))
    if fmt is UPS and 2 <= position < len(number) - 1:
        return (position - 2) % 2 == 1 and delta == 5  # weight 2: 2 × 5 ≡ 0 (mod 10)
    if fmt is DHL_EXPRESS and position < len(number) - 1:
        return delta == 7  # 7 × 10^k ≡ 0 (mod 7)
    return False


@pytest.mark.parametrize(("carrier_code", "fmt", "shape"), CARRIERS)
def test_the_validator_rejects_a_single_digit_typo(carrier_code, fmt, shape):
    for sequence in (1, 421, 999):
        number = issue(carrier_code, sequence)
        for position, old in enumerate(number):
            if old not in DIGITS:
                continue
            for new in DIGITS.replace(old, ""):
                typo = number[:position] + new + number[position + 1 :]
                expected = _blind_spot(fmt, number, position, old, new)
                assert validate_tracking_number(carrier_code, typo) is expected, (number, typo)
    # The usual typo, one digit off by one, is always caught.
    number = issue(carrier_code, 421)
    typo = number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    assert not validate_tracking_number(carrier_code, typo)


@pytest.mark.parametrize(("carrier_code", "fmt", "shape"), CARRIERS)
def test_the_validator_rejects_other_shapes(carrier_code, fmt, shape):
    number = issue(carrier_code, 421)
    assert not validate_tracking_number(carrier_code, number[:-1])  # a digit short
    assert not validate_tracking_number(carrier_code, number + "0")  # one too many
    assert not validate_tracking_number(carrier_code, "")
    assert not validate_tracking_number(carrier_code, None)
    others = {code: n for code, n in ((c, issue(c, 421)) for c, f, _ in CARRIERS) if format_for(code) is not fmt}
    for other in others.values():
        assert not validate_tracking_number(carrier_code, other), other


def test_ups_numbers_carry_the_service():
    assert issue("ups", 7, service_level="Next Day Air")[8:10] == "01"
    assert issue("ups", 7, service_level="UPS Next Day Air Saver")[8:10] == "13"
    assert issue("ups", 7, service_level="2nd Day Air")[8:10] == "02"
    assert issue("ups", 7, service_level="Ground, 3–5 days")[8:10] == "03"
    assert issue("ups", 7, service_level="")[8:10] == "03"  # unknown: Ground
    assert ups_service_code("12") == "12"  # already a service code


def test_the_generic_prefix_comes_from_the_channel_then_the_carrier():
    assert issue("acme-post", 5, channel_code="express").startswith("EXPR")
    assert issue("acme-post", 5, channel_code="x1").startswith("X0000")
    assert issue("acme-post", 5, channel_code="123").startswith("ACME")
    assert issue("42", 5, channel_code="7").startswith("FH")


def test_request_label_returns_a_label_result_without_a_pdf():
    result = get_adapter("ups").request_label(request(), sequence=421)
    assert result == LabelResult("1Z9FH0010300004211", "ups", None)


@pytest.mark.parametrize("sequence", [0, -1, True, 1.0, "1", None])
def test_a_bad_sequence_is_a_programming_error(sequence):
    with pytest.raises(ValueError, match=r"The sequence must be a whole number, 1 or more"):
        get_adapter("ups").request_label(request(), sequence=sequence)


def test_an_adapter_refuses_another_carriers_request():
    with pytest.raises(ValueError, match=r"This request is for carrier 'dhl', but the adapter is 'ups''s"):
        get_adapter("ups").request_label(request("dhl"), sequence=1)
    with pytest.raises(TypeError):
        get_adapter("ups").request_label({"carrier_code": "ups"}, sequence=1)


@pytest.mark.parametrize("weight", [0, -5, None, 1.5])
def test_a_parcel_without_weight_is_refused_for_good(weight):
    with pytest.raises(FinalCarrierError, match=r"the parcel has no weight") as caught:
        get_adapter("usps").request_label(request("usps", weight_g=weight), sequence=1)
    assert caught.value.retryable is False and caught.value.carrier_code == "usps"


@pytest.mark.parametrize(("carrier_code", "fmt", "shape"), CARRIERS)
def test_the_last_number_of_a_range_then_a_final_error(carrier_code, fmt, shape):
    assert validate_tracking_number(carrier_code, issue(carrier_code, fmt.capacity))
    with pytest.raises(FinalCarrierError, match=r"tracking numbers we issue ourselves are used up"):
        issue(carrier_code, fmt.capacity + 1)


def test_cancel_accepts_its_own_numbers_and_refuses_others():
    adapter = get_adapter("dhl")
    assert adapter.cancel(issue("dhl", 3)) is None
    with pytest.raises(FinalCarrierError, match=r"'1Z999AA10123456784' is not a DHL Express tracking number") as e:
        adapter.cancel("1Z999AA10123456784")
    assert not e.value.retryable


# --- The registry ------------------------------------------------------------------------------------


class FakeRemoteAdapter(CarrierAdapter):
    timeout_seconds = DEFAULT_TIMEOUT_SECONDS

    def __init__(self, code):
        self.code = code

    def request_label(self, request, *, sequence):
        return LabelResult("REMOTE1", self.code, b"%PDF-")

    def cancel(self, tracking_number):
        raise RetryableCarrierError("The carrier did not answer in time.", carrier_code=self.code)


@pytest.mark.parametrize(
    ("code", "fmt"),
    [
        ("ups", UPS),
        ("UPS", UPS),
        (" Ups ", UPS),
        ("usps", USPS),
        ("dhl", DHL_EXPRESS),
        ("dhl-express", DHL_EXPRESS),
        ("DHL eCommerce", DHL_ECOMMERCE),
        ("dhl_ecom", DHL_ECOMMERCE),
        ("yunexpress", YUNEXPRESS),
        ("YT", YUNEXPRESS),
        ("acme-post", GENERIC),
        ("fedex", GENERIC),
    ],
)
def test_without_a_registered_adapter_the_local_one_answers_in_the_carriers_format(code, fmt):
    adapter = get_adapter(code)
    assert type(adapter) is LocalCarrierAdapter
    assert adapter.format is fmt and adapter.code == code.strip()
    assert adapter.timeout_seconds is None  # makes no calls


def test_a_registered_adapter_wins(monkeypatch):
    monkeypatch.setattr(registry, "_registry", {})
    register_adapter("ups", FakeRemoteAdapter)

    adapter = get_adapter("UPS")
    assert isinstance(adapter, FakeRemoteAdapter) and adapter.code == "UPS"
    assert adapter.request_label(request("UPS"), sequence=1) == LabelResult("REMOTE1", "UPS", b"%PDF-")
    assert isinstance(get_adapter("usps"), LocalCarrierAdapter)  # others unchanged
    with pytest.raises(CarrierError) as caught:
        adapter.cancel("REMOTE1")
    assert caught.value.retryable


@pytest.mark.parametrize("code", ["", "  ", "--", None])
def test_a_carrier_code_needs_a_letter_or_digit(code, monkeypatch):
    with pytest.raises(ValueError, match=r"a carrier code needs at least one letter or digit"):
        get_adapter(code)
    monkeypatch.setattr(registry, "_registry", {})
    with pytest.raises(ValueError, match=r"A carrier code needs at least one letter or digit"):
        register_adapter(code or "", FakeRemoteAdapter)


def test_carrier_key():
    assert carrier_key("dhl-ecommerce") == carrier_key("DHL eCommerce") == "DHLECOMMERCE"
    assert carrier_key("Yun Express ") == "YUNEXPRESS"


# --- Errors ------------------------------------------------------------------------------------------


def test_errors_carry_retryable_and_a_sentence():
    retry = RetryableCarrierError("UPS did not answer within 20 seconds.", carrier_code="ups", detail="timeout")
    final = FinalCarrierError("UPS does not deliver to this address.", carrier_code="ups", detail="120802")

    assert isinstance(retry, CarrierError) and isinstance(final, CarrierError)
    assert retry.retryable is True and final.retryable is False
    assert str(retry) == retry.message == "UPS did not answer within 20 seconds."
    assert (final.carrier_code, final.detail) == ("ups", "120802")
    assert CarrierError("x").retryable is False  # when in doubt, a person looks


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        (408, True),
        (425, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (409, False),
        (422, False),
    ],
)
def test_error_for_status(status, retryable):
    error = error_for_status(status, "The carrier said no.", carrier_code="dhl")
    assert error.retryable is retryable
    assert isinstance(error, RetryableCarrierError if retryable else FinalCarrierError)
    assert error.detail == f"HTTP {status}" and error.carrier_code == "dhl" and str(error) == "The carrier said no."
