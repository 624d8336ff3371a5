"""What the outbound pages share: permissions, the station's warehouse, small parsers, PDF answers."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.views import View

from apps.core.access import StaffPermissionRequiredMixin
from apps.documents.toolkit.pages import PartyAddress
from apps.warehouses.models import Warehouse

from ..choices import ManifestStatus, WaveStatus
from ..selectors import (
    outbound_warehouses,
)

VIEW_WAVE = "fulfillment.view_wave"
VIEW_MANIFEST = "fulfillment.view_manifest"
WORK = "fulfillment.work_outbound"
SESSION_WAREHOUSE = "outbound_warehouse"
WHOLE = re.compile(r"^[0-9]{1,7}$")  # ASCII digits only
MATCH_CAP = 1000  # the wave form counts matching orders up to this
WAVE_BADGES = {WaveStatus.PICKING: "primary", WaveStatus.DONE: "success"}
MANIFEST_BADGES = {ManifestStatus.OPEN: "warning", ManifestStatus.CLOSING: "info", ManifestStatus.CLOSED: "success"}


def plural(n: int, word: str, plural: str = "") -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def whole(value, what: str, *, minimum: int = 0) -> int:
    text = str(value or "").strip()
    if not WHOLE.match(text) or int(text) < minimum:
        shown = f" (not “{text}”)" if text else ""
        raise ValueError(f"{what} must be a whole number, {minimum} or more{shown}.")
    return int(text)


class OutboundView(StaffPermissionRequiredMixin, View):
    """GET and HEAD need the view permission; every other method also needs to work the outbound."""

    view_permission = VIEW_WAVE

    def get_permission_required(self):
        if self.request.method in ("GET", "HEAD"):
            return (self.view_permission,)
        return (self.view_permission, WORK)


def station(request) -> dict:
    """The warehouses and the one this user works in: ?warehouse=CODE (or a posted one) chooses it and
    the session remembers it; otherwise the first active warehouse."""
    warehouses = outbound_warehouses()
    wanted = (request.GET.get("warehouse") or request.POST.get("warehouse") or "").strip().lower()
    remembered = (request.session.get(SESSION_WAREHOUSE) or "").lower()
    chosen = (
        (next((w for w in warehouses if w.code.lower() == wanted), None) if wanted else None)
        or next((w for w in warehouses if w.code.lower() == remembered), None)
        or (warehouses[0] if warehouses else None)
    )
    if chosen is not None and request.session.get(SESSION_WAREHOUSE) != chosen.code:
        request.session[SESSION_WAREHOUSE] = chosen.code
    return {"warehouses": warehouses, "warehouse": chosen}


def party(warehouse: Warehouse) -> PartyAddress:
    return PartyAddress(warehouse.code, warehouse.name, tuple(warehouse.address_lines))


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
