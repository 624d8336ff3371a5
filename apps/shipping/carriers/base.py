"""The carrier seam: what the rest of shipping asks of a carrier, and what it gets back.

An adapter turns a `ParcelRequest` into a `LabelResult` (a tracking number, and the carrier's own
label PDF when it makes one) and cancels labels. Adapters are plain Python: no models, no ORM;
they take and return the dataclasses below (STYLE rule 11). The caller keeps the database side:
it takes `sequence` from a database sequence, stores the result, and renders our own 4 × 6 label
(`apps.documents.layouts.shipping_labels`) when `label_pdf` is None.

Errors are `CarrierError`s of two kinds: `RetryableCarrierError` (a timeout, a 5xx, rate limiting:
try the same request again later) and `FinalCarrierError` (an address refused, a service the
parcel does not qualify for: a person must change something first). `error_for_status` sorts an
HTTP status into one of them. Remote adapters set `timeout_seconds` and pass it to every call.

`get_adapter(carrier_code)` finds the adapter for a carrier: one registered with
`register_adapter`, else the local adapter (`local.LocalCarrierAdapter`), which issues
well-formed numbers in the carrier's own format, or a generic one for carriers it does not know.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

DEFAULT_TIMEOUT_SECONDS = 20.0  # for remote adapters: no call to a carrier waits longer than this


@dataclass(frozen=True)
class ParcelRequest:
    channel_code: str  # e.g. "ups-ground"
    carrier_code: str  # e.g. "ups"
    service_level: str  # e.g. "Ground"
    order_number: str
    weight_g: int
    length_cm: float | None
    width_cm: float | None
    height_cm: float | None
    sender_country: str  # two letters, e.g. "US"
    recipient_country: str
    recipient_postal_code: str
    reference: str = ""


@dataclass(frozen=True)
class LabelResult:
    tracking_number: str
    carrier_code: str
    label_pdf: bytes | None = None  # None: the caller renders our own 4 × 6 label


class CarrierError(Exception):
    """A carrier could not do what was asked. Raise one of the two subclasses; `retryable` says
    which: True, the same request may succeed later; False, a person must act first."""

    retryable: bool = False

    def __init__(self, message: str, *, carrier_code: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.message = message  # a sentence for people
        self.carrier_code = carrier_code
        self.detail = detail  # the carrier's own code or words, for the log

    def __str__(self) -> str:
        return self.message


class RetryableCarrierError(CarrierError):
    """Timeouts, connection failures, 5xx, rate limiting: try again later."""

    retryable = True


class FinalCarrierError(CarrierError):
    """Refused address, invalid service, a parcel over the limits: a person must act."""

    retryable = False


def error_for_status(status: int, message: str, *, carrier_code: str = "", detail: str = "") -> CarrierError:
    """The error for a carrier's HTTP answer: 408, 425, 429 and 5xx are retryable, anything else final."""
    retryable = status in (408, 425, 429) or status >= 500
    cls = RetryableCarrierError if retryable else FinalCarrierError
    return cls(message, carrier_code=carrier_code, detail=detail or f"HTTP {status}")


class CarrierAdapter(ABC):
    """One carrier. `code` is the carrier's code as the caller gave it."""

    code: str
    timeout_seconds: float | None = None  # remote adapters: the limit of every call, never None

    @abstractmethod
    def request_label(self, request: ParcelRequest, *, sequence: int) -> LabelResult:
        """A label for one parcel. `sequence` is a number the caller takes from a database sequence
        (unique per call, never reused); adapters that number parcels themselves derive the
        tracking number from it, so the same sequence gives the same number."""

    @abstractmethod
    def cancel(self, tracking_number: str) -> None:
        """Void a label that was not used. Raises CarrierError when the carrier refuses."""


def carrier_key(code: str) -> str:
    """A carrier code reduced to its ASCII letters and digits, upper case: "dhl-ecommerce" → "DHLECOMMERCE"."""
    return "".join(ch for ch in str(code).upper() if ch.isascii() and ch.isalnum())
