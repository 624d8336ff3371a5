"""Back office: the warehouse's outbound pages — the dashboard, pick lists picked by scanning the bin
and the item, the pack station (scan the order, scan every item, weigh, print the label) and the
hand-over to the carriers. Made for a USB scanner (types the code, presses Enter) and a keyboard:
large type, one scan field in focus, every answer on the page at once.

The rules live in apps.fulfillment.picking / packing / handover; these views look things up, call
one service and say what happened. A GET needs the section's view permission; anything that
changes something also needs fulfillment.work_outbound. The dashboard is here; the steps are in
picking.py, packing.py and handover.py beside it, and what they share in common.py."""

from __future__ import annotations

from django.shortcuts import render

from ..selectors import (
    outbound_board,
)
from .common import (
    OutboundView,
    station,
)

# --- Dashboard ------------------------------------------------------------------------------------


class DashboardView(OutboundView):
    """Per warehouse: what waits at each step, per channel; the inbound about to arrive."""

    def get(self, request):
        context = station(request)
        if context["warehouse"] is not None:
            context["board"] = outbound_board(warehouse=context["warehouse"])
        return render(request, "fulfillment/staff/dashboard.html", context)
