"""What the back-office inbound pages share: permissions, lookups that answer 404, typed numbers."""

from __future__ import annotations

import re

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode

from apps.catalog.models import Product
from apps.inbound.choices import InboundStatus
from apps.inbound.models import InboundBox, InboundOrder

VIEW = "inbound.view_inboundorder"
ACT = ("inbound.view_inboundorder", "inbound.receive_inbound")

WORK_QUEUE = (InboundStatus.SUBMITTED, InboundStatus.ARRIVED, InboundStatus.RECEIVING, InboundStatus.RECEIVED)
COUNTING = (InboundStatus.ARRIVED, InboundStatus.RECEIVING)
STATUS_FILTERS = [("", "Work queue"), ("all", "All"), *InboundStatus.choices]
PAGE_SIZE = 50
WHOLE = re.compile(r"^[0-9]{1,7}$")  # ASCII digits only: "²".isdecimal() is True but int("²") fails
COUNT_FIELD = re.compile(r"^(good|damaged)-(\d+)$")


def plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def whole_number(value, what: str, *, minimum: int = 0, blank: int | None = None) -> int:
    """A typed count: ASCII digits only, at least ``minimum``. Raises ValueError with the words."""
    text = str(value if value is not None else "").strip()
    if not text and blank is not None:
        return blank
    if not WHOLE.match(text) or int(text) < minimum:
        above = "0 or more" if minimum == 0 else f"{minimum} or more"
        shown = f" (not “{text}”)" if text else ""
        raise ValueError(f"{what} must be a whole number of {above}{shown}.")
    return int(text)


def inbound_or_404(number: str) -> InboundOrder:
    qs = InboundOrder.objects.select_related("customer", "warehouse")
    return get_object_or_404(qs, number=number.strip().upper())


def box_or_404(inbound: InboundOrder, box_no: int) -> InboundBox:
    box = InboundBox.objects.filter(inbound=inbound, box_no=box_no).first()
    if box is None:
        raise Http404(f"Inbound {inbound.number} has no box {box_no}.")
    return box


def product_by_code(customer, code: str) -> Product | None:
    """A customer's product by SKU (any case) or UPC; never by an empty code."""
    code = code.strip()
    if not code:
        return None
    return Product.objects.filter(Q(sku__iexact=code) | Q(upc=code), customer=customer).first()


def box_mark_of(inbound, box) -> str:
    return f"{inbound.number}-{box.box_no:03d}"


def detail_url(inbound, **params) -> str:
    url = reverse("backoffice:inbound-detail", args=[inbound.number])
    return f"{url}?{urlencode(params)}" if params else url


def redirect_detail(inbound, anchor: str = "", **params):
    return redirect(detail_url(inbound, **params) + (f"#{anchor}" if anchor else ""))


# --- Forms --------------------------------------------------------------------------------------
