"""What the transport back-office pages share: the save-failed message and the card in force."""

from __future__ import annotations

from django.contrib import messages
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error

from ..models import Channel, RateCard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIX_BELOW = "Nothing was saved: fix the fields marked below."


def save_failed(request, form, exc: ApplicationError | None = None) -> None:
    if exc is not None:
        form_add_application_error(form, exc)
        messages.error(request, f"Nothing was saved: {exc.message}")
    else:
        messages.error(request, FIX_BELOW)


def current_card(channel: Channel, day=None) -> RateCard | None:
    """The card a quote uses today: active, valid on the day, the latest start (as quotes._compile)."""
    day = day or timezone.localdate()
    valid = [
        c
        for c in channel.rate_cards.all()
        if c.is_active and c.valid_from <= day and (c.valid_to is None or c.valid_to >= day)
    ]
    return max(valid, key=lambda c: c.valid_from, default=None)
