"""Tracking providers behind one small interface (STYLE rule 11): plain Python over httpx, results
as the dataclasses below, explicit timeouts, and errors that say whether a retry may help.

17TRACK (``seventeentrack.py``) is the first; ``provider_for`` builds the configured one, or
None when it has no API key (nothing is registered then, and the hand-over does not wait on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

MAX_BATCH = 40  # numbers per request (17TRACK answers -18010014 beyond it)


class Refusal(StrEnum):
    """Why the provider refused one number, in our terms."""

    ALREADY_REGISTERED = "already_registered"  # counts as success
    NOT_REGISTERED = "not_registered"
    CARRIER_NOT_DETECTED = "carrier_not_detected"
    NEEDS_POSTAL_CODE = "needs_postal_code"
    NEEDS_PHONE = "needs_phone"
    OTHER = "other"


class ProviderError(Exception):
    """The provider did not do what was asked. ``retryable``: the same request may succeed later
    (timeouts, 5xx, throttling); ``retry_after``: seconds it asked us to wait."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        code: int | str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.message, self.retryable, self.code = message, retryable, code
        self.status, self.retry_after = status, retry_after


@dataclass(frozen=True)
class Registration:
    number: str
    carrier: int | None = None
    param: str = ""  # the extra datum some carriers need (postal code, phone digits)
    tag: str = ""  # ours, sent back in pushes: the order number


@dataclass(frozen=True)
class Rejection:
    number: str
    reason: Refusal
    code: int | None
    message: str


@dataclass(frozen=True)
class RegisterResult:
    accepted: tuple[str, ...] = ()
    rejected: tuple[Rejection, ...] = ()


@dataclass(frozen=True)
class ProviderEvent:
    at: datetime
    status: str  # the provider's main status (e.g. InTransit)
    sub_status: str  # e.g. InTransit_PickedUp
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class TrackInfo:
    number: str
    carrier: int | None = None
    status: str = ""
    sub_status: str = ""
    events: tuple[ProviderEvent, ...] = ()
    tag: str = ""


@dataclass(frozen=True)
class TrackInfoResult:
    found: tuple[TrackInfo, ...] = ()
    rejected: tuple[Rejection, ...] = ()


@dataclass(frozen=True)
class Quota:
    total: int
    used: int
    remaining: int


@dataclass(frozen=True)
class Push:
    """One verified push, parsed: the event name and the number's tracking (None for a stop)."""

    event: str
    number: str
    carrier: int | None = None
    info: TrackInfo | None = None


class TrackingProvider(Protocol):
    name: str

    def register(self, items: list[Registration]) -> RegisterResult: ...

    def track_info(self, items: list[Registration]) -> TrackInfoResult: ...

    def stop(self, items: list[Registration]) -> RegisterResult: ...

    def quota(self) -> Quota: ...

    def close(self) -> None: ...


def provider_for(name: str = "17track", **overrides) -> TrackingProvider | None:
    """The configured client of ``name``; None when it has no API key (tracking is off)."""
    from django.conf import settings

    from .seventeentrack import SeventeenTrackClient

    if name != "17track":
        raise LookupError(f"No tracking provider is called {name!r}.")
    key = overrides.pop("api_key", None) or settings.SEVENTEENTRACK_API_KEY
    if not key:
        return None
    return SeventeenTrackClient(
        api_key=key,
        api_base=overrides.pop("api_base", None) or settings.SEVENTEENTRACK_API_BASE,
        version=overrides.pop("version", None) or settings.SEVENTEENTRACK_API_VERSION,
        max_rps=overrides.pop("max_rps", None) or settings.SEVENTEENTRACK_MAX_RPS,
        **overrides,
    )
