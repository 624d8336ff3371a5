"""What every shop platform's adapter gives the integration (Shopify, WooCommerce, eBay): the
terms the poll, the webhook inbox and tracking out speak, so none of them knows a platform.

Plain Python, no database. Each platform package (``shopify/``, ``woocommerce/``, ``ebay/``) has a
client over httpx raising ``PlatformError``s, and an adapter with the ``Adapter`` methods; the
registry (``adapters.py``) picks the connection's. An adapter:

- ``orders_page(since, after)``: one page of the shop's orders changed after ``since``, in our
  terms (``rules.PlatformOrder``), with the cursor of the next page (None on the last);
- ``poll_checks()``: called at the start of every poll — what the platform needs checked each time
  (WooCommerce re-enables the webhooks it disabled); a sentence for the connection's health card
  when it found or fixed something, "" when all is well;
- ``tracking_send(link, tracking)``: tell the shop the order shipped, once — it checks what the
  shop holds first, so a retry after a lost answer sends nothing twice; returns the sentence for
  the order's timeline;
- ``delivered_send(link, tracking, delivered_at)``: tell the shop the parcel was delivered, once
  (it looks first too); the timeline's sentence, or None for a platform that takes no delivery
  news from us (eBay learns it from the carrier);
- ``close()``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from .rules import PlatformOrder


class PlatformError(Exception):
    """The shop did not do what was asked. ``retryable``: the same request may succeed later
    (timeouts, 5xx, throttling); otherwise a person must act first (a refused token, a missing
    scope, a refusal of the request itself)."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message  # a sentence for people; never carries a secret
        self.retryable = retryable
        self.status = status  # the HTTP status, when there was an answer
        self.code = code  # the platform's error code, or ours: TIMEOUT, NETWORK …
        self.retry_after: float | None = None  # retryable: the wait the shop asked for, or our backoff

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class OrdersPage:
    orders: list[PlatformOrder]
    next_after: str | None  # pass to the next orders_page call; None: this was the last page
    # Orders fetched that cannot be imported as they came: (order name, why), counted as failed.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    # The newest change among the page's orders (the poll's next cursor), when the adapter knows it
    # better than the orders' updated_at (e.g. skipped orders count too).
    newest: datetime.datetime | None = None


@dataclass(frozen=True)
class Tracking:
    carrier_code: str  # ours (Carrier.code), e.g. "ups"; "" when the channel has no carrier
    carrier_name: str  # ours, e.g. "UPS"
    number: str
    url: str  # the carrier's page for this number, or ""


class EventKind:
    ORDER = "order"  # import the order, or apply its change
    CANCEL = "cancel"  # the shop cancelled (or deleted) the order
    IGNORE = "ignore"  # nothing for us in it; ``why`` says so


@dataclass(frozen=True)
class EventRead:
    """A stored webhook delivery read by its platform: what it asks of us. A body that is not what
    the topic promises raises ``rules.NotAnOrder`` instead (the event fails with its message)."""

    kind: str
    order: PlatformOrder | None = None
    why: str = ""


class Adapter(Protocol):
    def orders_page(self, since: datetime.datetime, after: str | None) -> OrdersPage: ...

    def poll_checks(self) -> str: ...

    def tracking_send(self, link, tracking: Tracking) -> str: ...

    def delivered_send(self, link, tracking: Tracking, delivered_at: datetime.datetime) -> str | None: ...

    def close(self) -> None: ...
