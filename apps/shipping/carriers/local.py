"""The local carrier adapter: tracking numbers issued by us, in the carriers' own formats.

Until a carrier has a remote adapter, `LocalCarrierAdapter` numbers its parcels: the number is made
from `sequence` (which the caller takes from a database sequence), so it is deterministic and
unique as long as the sequence is, and well-formed, with the carrier's real check digit:

- UPS (`ups`): "1Z" + 6-character shipper + 2-digit service + 7-digit package + check digit.
  UPS's own: letters become digits ((ord − 63) mod 10: A=2 … I=0 …), the 15 characters after
  "1Z" are summed with odd positions × 1 and even × 2, and the check digit tops it up to a
  multiple of 10.
- USPS (`usps`): 22 digits, IMpb-like: "94" + service type "001" + 6-digit mailer id + 10-digit
  serial + the USPS mod 10 digit (weights 3, 1, 3 … from the rightmost digit).
- DHL Express (`dhl`, `dhl-express`): 10 digits, the last the first nine as a number mod 7.
- DHL eCommerce (`dhl-ecommerce`): "GM" + 16 digits (5-digit account, 10-digit serial, a Luhn
  digit: ours, DHL publishes none).
- YunExpress (`yunexpress`): "YT" + 16 digits, built like DHL eCommerce's (the Luhn digit is ours).
- Any other carrier: up to 4 letters of the channel code + 12-digit serial + a Luhn digit.

`validate_tracking_number(carrier_code, number)` checks the same. For UPS, USPS and DHL Express
the check digits are the carriers' own, so their real numbers pass too. One wrong digit: the
USPS and Luhn digits catch every one; UPS's misses a digit off by 5 in an even position (and a
letter for another that maps to the same digit, A↔K↔U), DHL's mod 7 a digit off by 7 (0↔7, 1↔8,
2↔9). Those are the carriers' algorithms, not our choice.

The local adapter makes no calls, so it has no timeout and never raises a retryable error. It
returns no label PDF: the caller renders our own 4 × 6 label.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .base import CarrierAdapter, FinalCarrierError, LabelResult, ParcelRequest, carrier_key

# The fixed parts of the numbers (our accounts with the carriers, as far as the numbers show them).
UPS_SHIPPER = "9FH001"  # 6 letters or digits
UPS_DEFAULT_SERVICE = "03"  # Ground
USPS_SERVICE_TYPE = "001"
USPS_MAILER_ID = "912345"  # 6-digit mailer ids start with 9
DHL_EXPRESS_PREFIX = "3"
DHL_ECOMMERCE_ACCOUNT = "53690"
YUNEXPRESS_ACCOUNT = "26000"
GENERIC_PREFIX = "FH"  # when neither the channel nor the carrier code has a letter

# The two digits after the shipper in a UPS number, by service; the longest name found in the
# service level wins ("Next Day Air Saver" before "Next Day Air").
UPS_SERVICES = {
    "NEXTDAYAIRSAVER": "13",
    "NEXTDAYAIREARLY": "15",
    "NEXTDAYAIR": "01",
    "2NDDAYAIR": "02",
    "SECONDDAYAIR": "02",
    "3DAYSELECT": "12",
    "THREEDAYSELECT": "12",
    "GROUND": "03",
}


# --- Check digits ----------------------------------------------------------------------------------


def _ups_value(ch: str) -> int:
    """A character of a UPS number as a digit: digits as they are, letters (ord − 63) mod 10 (A=2 … I=0 …)."""
    return int(ch) if ch.isdigit() else (ord(ch) - 63) % 10


def ups_check_digit(body: str) -> str:
    """The check digit of a UPS "1Z" number from the 15 characters between "1Z" and it."""
    total = sum(_ups_value(ch) * (2 if n % 2 else 1) for n, ch in enumerate(body))
    return str((10 - total % 10) % 10)


def usps_check_digit(digits: str) -> str:
    """USPS mod 10 (IMpb): from the rightmost digit leftwards, weights 3, 1, 3, 1 …"""
    total = sum(int(d) * (3 if n % 2 == 0 else 1) for n, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def mod7_check_digit(digits: str) -> str:
    """DHL Express: the digits as a number, mod 7."""
    return str(int(digits) % 7)


def luhn_check_digit(digits: str) -> str:
    """Luhn: from the rightmost digit leftwards, every first one doubled (its digits summed), mod 10."""
    total = 0
    for n, d in enumerate(reversed(digits)):
        v = int(d)
        if n % 2 == 0:
            v = v * 2 - 9 if v > 4 else v * 2
        total += v
    return str((10 - total % 10) % 10)


# --- Formats ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingFormat:
    key: str
    name: str  # for people, in error messages
    capacity: int  # the highest sequence it can number
    pattern: re.Pattern[str]  # the whole number; group "body" is what the check digit covers
    check_digit: Callable[[str], str]


UPS = TrackingFormat("ups", "UPS", 9_999_999, re.compile(r"1Z(?P<body>[0-9A-Z]{15})(?P<check>\d)"), ups_check_digit)
USPS = TrackingFormat(
    "usps", "USPS", 9_999_999_999, re.compile(r"(?P<body>9[1-5]\d{19})(?P<check>\d)"), usps_check_digit
)
DHL_EXPRESS = TrackingFormat(
    "dhl-express", "DHL Express", 99_999_999, re.compile(r"(?P<body>\d{9})(?P<check>[0-6])"), mod7_check_digit
)
DHL_ECOMMERCE = TrackingFormat(
    "dhl-ecommerce", "DHL eCommerce", 9_999_999_999, re.compile(r"GM(?P<body>\d{15})(?P<check>\d)"), luhn_check_digit
)
YUNEXPRESS = TrackingFormat(
    "yunexpress", "YunExpress", 9_999_999_999, re.compile(r"YT(?P<body>\d{15})(?P<check>\d)"), luhn_check_digit
)
GENERIC = TrackingFormat(
    "generic", "generic", 999_999_999_999, re.compile(r"[A-Z]{1,4}(?P<body>\d{12})(?P<check>\d)"), luhn_check_digit
)

FORMATS = {f.key: f for f in (UPS, USPS, DHL_EXPRESS, DHL_ECOMMERCE, YUNEXPRESS, GENERIC)}

# Carrier codes (as `base.carrier_key` reduces them) to formats; any other code: GENERIC.
CARRIER_FORMATS = {
    "UPS": UPS,
    "USPS": USPS,
    "DHL": DHL_EXPRESS,
    "DHLEXPRESS": DHL_EXPRESS,
    "DHLECOMMERCE": DHL_ECOMMERCE,
    "DHLECOM": DHL_ECOMMERCE,
    "DHLGM": DHL_ECOMMERCE,
    "YUNEXPRESS": YUNEXPRESS,
    "YUN": YUNEXPRESS,
    "YT": YUNEXPRESS,
}


def format_for(carrier_code: str) -> TrackingFormat:
    """The tracking number format the local adapter uses for this carrier."""
    return CARRIER_FORMATS.get(carrier_key(carrier_code or ""), GENERIC)


def _normalise(number: str) -> str:
    return "".join(str(number).split()).upper()


def validate_tracking_number(carrier_code: str, number: str) -> bool:
    """Whether `number` is well-formed for the carrier's format, check digit included. Spaces and
    letter case are ignored ("1z 999 aa1 …" passes as "1Z999AA1…")."""
    if not isinstance(number, str):
        return False
    fmt = format_for(carrier_code)
    match = fmt.pattern.fullmatch(_normalise(number))
    return bool(match) and fmt.check_digit(match["body"]) == match["check"]


def _letters(code: str) -> str:
    return "".join(ch for ch in carrier_key(code) if ch.isalpha())


def ups_service_code(service_level: str) -> str:
    """The two service digits of a UPS number: a two-digit service level as it is, else the longest
    known service name in it ("Next Day Air" → "01"), else Ground ("03")."""
    key = carrier_key(service_level or "")
    if len(key) == 2 and key.isdigit():
        return key
    for name, code in UPS_SERVICES.items():  # the more specific names come first
        if name in key:
            return code
    return UPS_DEFAULT_SERVICE


def tracking_number(fmt: TrackingFormat, sequence: int, request: ParcelRequest) -> str:
    """The number for `sequence` in this format (1 ≤ sequence ≤ fmt.capacity)."""
    if fmt is UPS:
        body = f"{UPS_SHIPPER}{ups_service_code(request.service_level)}{sequence:07d}"
        return f"1Z{body}{ups_check_digit(body)}"
    if fmt is USPS:
        body = f"94{USPS_SERVICE_TYPE}{USPS_MAILER_ID}{sequence:010d}"
        return body + usps_check_digit(body)
    if fmt is DHL_EXPRESS:
        body = f"{DHL_EXPRESS_PREFIX}{sequence:08d}"
        return body + mod7_check_digit(body)
    if fmt is DHL_ECOMMERCE:
        body = f"{DHL_ECOMMERCE_ACCOUNT}{sequence:010d}"
        return f"GM{body}{luhn_check_digit(body)}"
    if fmt is YUNEXPRESS:
        body = f"{YUNEXPRESS_ACCOUNT}{sequence:010d}"
        return f"YT{body}{luhn_check_digit(body)}"
    prefix = (_letters(request.channel_code) or _letters(request.carrier_code) or GENERIC_PREFIX)[:4]
    body = f"{sequence:012d}"
    return f"{prefix}{body}{luhn_check_digit(body)}"


# --- The adapter -----------------------------------------------------------------------------------


class LocalCarrierAdapter(CarrierAdapter):
    """Numbers parcels itself, in the carrier's format (see the module's table); no network, no label PDF."""

    timeout_seconds = None  # makes no calls

    def __init__(self, carrier_code: str) -> None:
        if not carrier_key(carrier_code or ""):
            raise ValueError(f"Unknown carrier {carrier_code!r}: a carrier code needs at least one letter or digit.")
        self.code = carrier_code.strip()
        self.format = format_for(carrier_code)

    def __repr__(self) -> str:
        return f"LocalCarrierAdapter({self.code!r}, format={self.format.key!r})"

    def request_label(self, request: ParcelRequest, *, sequence: int) -> LabelResult:
        if not isinstance(request, ParcelRequest):
            raise TypeError("request_label takes a ParcelRequest.")
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 1:
            raise ValueError(f"The sequence must be a whole number, 1 or more; got {sequence!r}.")
        if carrier_key(request.carrier_code or "") != carrier_key(self.code):
            raise ValueError(
                f"This request is for carrier {request.carrier_code!r}, but the adapter is {self.code!r}'s."
            )
        fmt = self.format
        if sequence > fmt.capacity:
            raise FinalCarrierError(
                f"The {fmt.name} tracking numbers we issue ourselves are used up (sequence {sequence:,} is over "
                f"{fmt.capacity:,}). Set up a new account prefix for {self.code} before shipping more.",
                carrier_code=self.code,
            )
        if isinstance(request.weight_g, bool) or not isinstance(request.weight_g, int) or request.weight_g <= 0:
            raise FinalCarrierError(
                f"Order {request.order_number}: the parcel has no weight ({request.weight_g!r} g). Weigh it, then "
                "ask for the label again.",
                carrier_code=self.code,
            )
        number = tracking_number(fmt, sequence, request)
        return LabelResult(tracking_number=number, carrier_code=self.code, label_pdf=None)

    def cancel(self, tracking_number: str) -> None:
        """Nothing to tell anyone: the number is simply not used. A number that is not in this
        carrier's format was not issued here: FinalCarrierError."""
        if not validate_tracking_number(self.code, tracking_number):
            raise FinalCarrierError(
                f"{tracking_number!r} is not a {self.format.name} tracking number issued here, so it cannot be "
                "cancelled here.",
                carrier_code=self.code,
            )
