"""Back office: the warehouse's outbound pages — the dashboard, pick lists picked by scanning the bin
and the item, the pack station (scan the order, scan every item, weigh, print the label) and the
hand-over to the carriers. Made for a USB scanner (types the code, presses Enter) and a keyboard:
large type, one scan field in focus, every answer on the page at once.

The rules live in apps.fulfillment.picking / packing / handover; these views look things up, call
one service and say what happened. A GET needs the section's view permission; anything that
changes something also needs fulfillment.work_outbound."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django_htmx.http import HttpResponseClientRedirect

from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.documents.inbound_docs import PartyAddress
from apps.documents.manifests import ManifestParcel, render_manifest
from apps.documents.pick_lists import PickListLine, render_pick_list
from apps.shipping.models import Carrier, Channel
from apps.warehouses.models import Warehouse

from ..choices import ItemsKind, ManifestStatus, PickStatus, WaveOrderStatus, WaveStatus
from ..handover import manifest_add, manifest_close, manifest_open, manifest_remove
from ..models import Parcel, PickLine
from ..packing import missing_items, pack_complete, pack_find, pack_scan
from ..picking import MAX_WAVE, pick_confirm, pick_progress, pick_short, wave_candidates, wave_create, wave_lines
from ..selectors import (
    channels_of,
    handover_board,
    manifest_get,
    manifest_parcels,
    outbound_board,
    outbound_warehouses,
    pack_queue,
    parcel_of_order,
    wave_get,
    wave_list,
    wave_slots,
)

VIEW_WAVE = "fulfillment.view_wave"
VIEW_MANIFEST = "fulfillment.view_manifest"
WORK = "fulfillment.work_outbound"
SESSION_WAREHOUSE = "outbound_warehouse"
WHOLE = re.compile(r"^[0-9]{1,7}$")  # ASCII digits only
MATCH_CAP = 1000  # the wave form counts matching orders up to this
WAVE_BADGES = {WaveStatus.PICKING: "primary", WaveStatus.DONE: "success"}
MANIFEST_BADGES = {ManifestStatus.OPEN: "warning", ManifestStatus.CLOSED: "success"}


def _plural(n: int, word: str, plural: str = "") -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def _whole(value, what: str, *, minimum: int = 0) -> int:
    text = str(value or "").strip()
    if not WHOLE.match(text) or int(text) < minimum:
        shown = f" (not “{text}”)" if text else ""
        raise ValueError(f"{what} must be a whole number, {minimum} or more{shown}.")
    return int(text)


class _OutboundView(StaffPermissionRequiredMixin, View):
    """GET and HEAD need the view permission; every other method also needs to work the outbound."""

    view_permission = VIEW_WAVE

    def get_permission_required(self):
        if self.request.method in ("GET", "HEAD"):
            return (self.view_permission,)
        return (self.view_permission, WORK)


def _station(request) -> dict:
    """The warehouses and the one this user works in: ?warehouse=CODE (or a posted one) chooses it and
    the session remembers it; otherwise the first active warehouse."""
    warehouses = outbound_warehouses()
    wanted = (request.GET.get("warehouse") or request.POST.get("warehouse") or "").strip().lower()
    remembered = (request.session.get(SESSION_WAREHOUSE) or "").lower()
    chosen = (next((w for w in warehouses if w.code.lower() == wanted), None) if wanted else None) or next(
        (w for w in warehouses if w.code.lower() == remembered), None) or (warehouses[0] if warehouses else None)
    if chosen is not None and request.session.get(SESSION_WAREHOUSE) != chosen.code:
        request.session[SESSION_WAREHOUSE] = chosen.code
    return {"warehouses": warehouses, "warehouse": chosen}


def _party(warehouse: Warehouse) -> PartyAddress:
    return PartyAddress(warehouse.code, warehouse.name, tuple(warehouse.address_lines))


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- Dashboard ------------------------------------------------------------------------------------


class DashboardView(_OutboundView):
    """Per warehouse: what waits at each step, per channel; the inbound about to arrive."""

    def get(self, request):
        context = _station(request)
        if context["warehouse"] is not None:
            context["board"] = outbound_board(warehouse=context["warehouse"])
        return render(request, "fulfillment/staff/dashboard.html", context)


# --- Pick lists -----------------------------------------------------------------------------------


class WaveForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.filter(is_active=True), to_field_name="code", empty_label=None,
        error_messages={"required": "Choose the warehouse.", "invalid_choice": "Choose one of the listed warehouses."})
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.filter(is_active=True), to_field_name="code", required=False,
        empty_label="All channels", error_messages={"invalid_choice": "Choose one of the listed channels."})
    cutoff = forms.DateTimeField(
        label="Submitted by (cut-off)", required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter the cut-off as a date and time, e.g. 2026-11-25 14:00."})
    items = forms.ChoiceField(label="Orders", choices=ItemsKind.choices, required=False)
    limit = forms.IntegerField(
        label="Max orders", min_value=1, max_value=MAX_WAVE, initial=50,
        error_messages={"required": "Enter how many orders the wave may take.",
                        "invalid": "Enter a whole number of orders.",
                        "min_value": "A wave takes at least 1 order.",
                        "max_value": f"A wave takes at most {MAX_WAVE} orders."})

    def clean(self):
        data = super().clean()
        warehouse, channel = data.get("warehouse"), data.get("channel")
        if warehouse and channel and channel.warehouse_id != warehouse.pk:
            self.add_error("channel", f"{channel.name} ships from another warehouse, not from {warehouse.code}.")
        return data

    def candidates(self):
        data = self.cleaned_data
        return wave_candidates(warehouse=data["warehouse"], channel=data.get("channel"), cutoff=data.get("cutoff"),
                               items=data.get("items") or "")


def _matching(form: WaveForm) -> int | None:
    if not form.is_valid():
        return None
    return form.candidates()[:MATCH_CAP + 1].count()


def _wave_form(request, warehouse) -> WaveForm:
    fields = ("channel", "cutoff", "items", "limit")
    if any(key in request.GET for key in fields):
        return WaveForm({"warehouse": warehouse.code, "limit": 50, **{k: request.GET.get(k, "") for k in fields
                                                                       if k in request.GET}})
    return WaveForm({"warehouse": warehouse.code, "limit": 50, "items": ""})


def _wave_list(request, *, form=None, status=200):
    context = _station(request)
    warehouse = context["warehouse"]
    if warehouse is not None:
        form = form or _wave_form(request, warehouse)
        before = request.GET.get("before", "")
        open_waves, done, more = wave_list(warehouse=warehouse, before=int(before) if WHOLE.match(before) else None)
        for wave in open_waves + done:
            wave.badge = WAVE_BADGES[wave.status]
        context.update(form=form, matching=_matching(form), match_cap=MATCH_CAP, open_waves=open_waves, done=done,
                       more=more, channels=list(channels_of(warehouse)), items_kinds=ItemsKind.choices)
        if request.htmx and request.method == "GET":
            return render(request, "fulfillment/staff/_wave_match.html", context)
    return render(request, "fulfillment/staff/waves.html", context, status=status)


class WaveListView(_OutboundView):
    """The wave form with the number of orders it would take, the open waves, then the finished ones."""

    def get(self, request):
        return _wave_list(request)


class WaveCreateView(_OutboundView):
    def get(self, request):
        return redirect("backoffice:outbound-wave-list")

    def post(self, request):
        form = WaveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "No pick list made: " + " ".join(e for errs in form.errors.values() for e in errs))
            return _wave_list(request, form=form, status=400)
        data = form.cleaned_data
        try:
            wave = wave_create(actor=request.user, warehouse=data["warehouse"], channel=data.get("channel"),
                               cutoff=data.get("cutoff"), items=data.get("items") or "", limit=data["limit"])
        except ApplicationError as exc:
            messages.error(request, f"No pick list made: {exc.message}")
            return _wave_list(request, form=form, status=400)
        progress = pick_progress(wave=wave)
        bins = PickLine.objects.filter(wave_order__wave=wave, bin__isnull=False).values("bin_id").distinct().count()
        messages.success(request, f"Pick list {wave.number} made: {_plural(wave.orders.count(), 'order')}, "
                                  f"{_plural(progress['lines'], 'line')}, {_plural(progress['units'], 'unit')} from "
                                  f"{_plural(bins, 'bin')}. Print it, or scan the bins and items on this page.")
        return redirect("backoffice:outbound-wave-detail", number=wave.number)


def _wave_or_404(number: str):
    wave = wave_get(number=number)
    if wave is None:
        raise Http404(f"No pick list {number}.")
    return wave


def _workable(line: PickLine) -> bool:
    return line.status == PickStatus.OPEN and line.wave_order.status == WaveOrderStatus.PICKING


def _wave_page(request, wave, *, refused="", done="", keep=None, status=200):
    """The wave page, or its working part alone for htmx (the answer to a scan)."""
    lines = list(wave_lines(wave=wave))
    for line in lines:
        line.remaining = line.quantity - line.picked
        line.workable = _workable(line)
        line.skipped = line.status == PickStatus.OPEN and not line.workable
    # The line asked for (or just picked from) while it is still to pick, else the next one in walking
    # order after it, else the first one left.
    wanted = str(request.POST.get("line") or request.GET.get("line") or "")
    at = next((n for n, line in enumerate(lines) if str(line.pk) == wanted), 0)
    current = next((line for line in lines[at:] + lines[:at] if line.workable), None)
    keep = keep or {}
    context = {
        "wave": wave, "lines": lines, "current": current, "progress": pick_progress(wave=wave),
        "refused": refused, "done": done, "keep_bin": keep.get("bin", ""), "keep_quantity": keep.get("quantity", ""),
        "focus": keep.get("focus") or ("code" if current and (current.bin_id is None or keep.get("bin")) else "bin"),
        "slots": wave_slots(wave=wave), "statuses": WaveStatus, "badge": WAVE_BADGES[wave.status],
    }
    if request.htmx:
        return render(request, "fulfillment/staff/_wave_work.html", context)
    return render(request, "fulfillment/staff/wave.html", context, status=status)


class WaveDetailView(_OutboundView):
    def get(self, request, number):
        return _wave_page(request, _wave_or_404(number))


def _line_of(wave, pk) -> PickLine | None:
    text = str(pk or "")
    if not WHOLE.match(text):
        return None
    return PickLine.objects.select_related("product", "bin", "wave_order__order").filter(
        pk=int(text), wave_order__wave=wave).first()


class WavePickView(_OutboundView):
    """Bin scanned, item scanned (and a quantity, if fewer than all): the line is picked, the next one
    comes up. A wrong bin or item is refused and nothing changes."""

    def get(self, request, number):
        return redirect("backoffice:outbound-wave-detail", number=_wave_or_404(number).number)

    def post(self, request, number):
        wave = _wave_or_404(number)
        line = _line_of(wave, request.POST.get("line"))
        bin_code, code = request.POST.get("bin", "").strip(), request.POST.get("code", "").strip()
        typed = request.POST.get("quantity", "").strip()
        keep = {"bin": bin_code, "quantity": typed}
        if line is None:
            return _wave_page(request, wave, refused="That line is not on this pick list; pick the highlighted line.",
                              status=400)
        if not code:
            return _wave_page(request, wave, refused="Scan the item (SKU or UPC) after the bin.",
                              keep={**keep, "focus": "code"}, status=400)
        try:
            quantity = _whole(typed, "The quantity", minimum=1) if typed else None
            line = pick_confirm(actor=request.user, line=line, bin_code=bin_code, product_code=code,
                                quantity=quantity)
        except ValueError as exc:
            return _wave_page(request, wave, refused=str(exc), keep={**keep, "focus": "quantity"}, status=400)
        except ApplicationError as exc:
            wrong_item = "sku" in exc.extra
            return _wave_page(request, wave, refused=exc.message, status=400,
                              keep={**keep, "focus": "code"} if wrong_item else {"quantity": typed})
        where = f"from {line.bin.code}" if line.bin else "(no bin)"
        text = f"Picked {line.picked} of {line.quantity} × {line.product.sku} {where} → slot {line.wave_order.slot} " \
               f"({line.wave_order.order.number})."
        wave.refresh_from_db()
        if line.status == PickStatus.OPEN:
            text += f" {line.quantity - line.picked} more to pick on this line."
        if wave.status == WaveStatus.DONE:
            text += " Every line is picked: take the cart to the pack station."
        if request.htmx:
            return _wave_page(request, wave, done=text)
        messages.success(request, text)
        return redirect("backoffice:outbound-wave-detail", number=wave.number)


class WaveShortView(_OutboundView):
    """The bin holds fewer units than the line needs: the order stops and the bin gets counted."""

    def get(self, request, number, line):
        return redirect("backoffice:outbound-wave-detail", number=_wave_or_404(number).number)

    def post(self, request, number, line):
        wave = _wave_or_404(number)
        pick = _line_of(wave, line)
        if pick is None:
            raise Http404("No such line on this pick list.")
        try:
            found = _whole(request.POST.get("found"), "The units in the bin")
            wave_order = pick_short(actor=request.user, line=pick, found=found)
        except ValueError as exc:
            return self._answer(request, wave, refused=f"Not reported short: {exc}")
        except ApplicationError as exc:
            return self._answer(request, wave, refused=f"Not reported short: {exc.message}")
        where = f"Bin {pick.bin.code} gets a cycle count for review. " if pick.bin else ""
        return self._answer(request, wave, done=(
            f"Short pick reported: {found} of {pick.quantity - pick.picked} × {pick.product.sku}. Order "
            f"{wave_order.order.number} (slot {wave_order.slot}) is Abnormal now and leaves this pick list: put back "
            f"any of its units already picked. {where}The customer is told."))

    def _answer(self, request, wave, *, refused="", done=""):
        if request.htmx or refused:
            return _wave_page(request, wave, refused=refused, done=done, status=400 if refused else 200)
        messages.warning(request, done)
        return redirect("backoffice:outbound-wave-detail", number=wave.number)


class WavePickListPdfView(_OutboundView):
    def get(self, request, number):
        wave = _wave_or_404(number)
        lines = [PickListLine(bin=line.bin.code if line.bin else "", sku=line.product.sku, name=line.product.name,
                              upc=line.product.upc or "", quantity=line.quantity, slot=line.wave_order.slot,
                              order_number=line.wave_order.order.number)
                 for line in wave_lines(wave=wave)]
        created = timezone.localtime(wave.created_at).strftime("%Y-%m-%d %H:%M")
        try:
            pdf = render_pick_list(wave_number=wave.number, warehouse=_party(wave.warehouse), lines=lines,
                                   created=f"Created {created} by {wave.created_by.email}", criteria=wave.criteria)
        except ValueError as exc:
            messages.error(request, f"The pick list could not be printed: {exc}")
            return redirect("backoffice:outbound-wave-detail", number=wave.number)
        return _pdf(pdf, f"pick-list-{wave.number}.pdf")


# --- Pack station ---------------------------------------------------------------------------------


def _scanned(request) -> dict[str, int]:
    """The counts the page carries in its hidden field; anything unreadable counts as nothing."""
    try:
        data = json.loads(request.POST.get("scanned") or "{}")
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(sku): n for sku, n in data.items() if isinstance(n, int) and not isinstance(n, bool) and n >= 0}


def _find(request, number):
    """The station's PackTask for the order, or (None, the refusal)."""
    warehouse = _station(request)["warehouse"]
    if warehouse is None:
        return None, "No active warehouse: add one before packing."
    try:
        return pack_find(warehouse=warehouse, code=number), ""
    except ApplicationError as exc:
        return None, exc.message


def _pack_context(request, task, scanned, *, refused="", done="", values=None) -> dict:
    lines = list(task.order.lines.select_related("product").order_by("product__sku"))
    for line in lines:
        line.scanned = min(scanned.get(line.product.sku, 0), line.quantity)
        line.complete = line.scanned >= line.quantity
    missing = missing_items(task, scanned)
    return {
        **_station(request), "task": task, "order": task.order, "wave_order": task.wave_order, "lines": lines,
        "scanned_json": json.dumps(scanned, sort_keys=True), "all_scanned": not missing,
        "expected_units": sum(task.expected.values()), "scanned_units": sum(line.scanned for line in lines),
        "refused": refused, "done": done, "values": values or {},
    }


def _pack_page(request, task, scanned, *, status=200, **kwargs):
    context = _pack_context(request, task, scanned, **kwargs)
    if request.htmx:
        return render(request, "fulfillment/staff/_pack_work.html", context)
    return render(request, "fulfillment/staff/pack.html", context, status=status)


def _station_page(request, *, refused="", code="", status=200):
    context = _station(request)
    if context["warehouse"] is not None:
        context["queue"] = pack_queue(warehouse=context["warehouse"])
    context.update(refused=refused, code=code)
    return render(request, "fulfillment/staff/pack_station.html", context, status=status)


class PackStationView(_OutboundView):
    """Choose the warehouse, scan an order number or a pick-list slot (PW…-3)."""

    def get(self, request):
        return _station_page(request)

    def post(self, request):
        code = request.POST.get("code", "").strip()
        if not code:
            return _station_page(request, refused="Scan the order number or the pick-list slot (PW…-3).", status=400)
        task, refused = _find(request, code)
        if task is None:
            return _station_page(request, refused=refused, code=code, status=400)
        return redirect("backoffice:outbound-pack-order", number=task.order.number)


class PackOrderView(_OutboundView):
    def get(self, request, number):
        task, refused = _find(request, number)
        if task is None:
            parcel = parcel_of_order(number=number)
            if parcel is not None:
                messages.info(request, f"Order {parcel.order.number} is packed: label {parcel.tracking_number}.")
                return redirect("backoffice:outbound-pack-done", number=parcel.order.number)
            messages.error(request, refused)
            return redirect("backoffice:outbound-pack")
        return _pack_page(request, task, {})


class PackScanView(_OutboundView):
    """One item scanned: the updated panel, with the counts in its hidden field."""

    def get(self, request, number):
        return redirect("backoffice:outbound-pack-order", number=number)

    def post(self, request, number):
        task, refused = _find(request, number)
        if task is None:  # cancelled or packed meanwhile: back to the station, saying why
            if request.htmx:
                messages.error(request, refused)
                return HttpResponseClientRedirect(reverse("backoffice:outbound-pack"))
            return _station_page(request, refused=refused, status=400)
        scanned = _scanned(request)
        code = request.POST.get("code", "").strip()
        if not code:
            return _pack_page(request, task, scanned, refused="Nothing scanned: scan the item's barcode (SKU or UPC).",
                              status=400)
        try:
            sku, scanned = pack_scan(task=task, scanned=scanned, code=code)
        except ApplicationError as exc:
            return _pack_page(request, task, scanned, refused=exc.message, status=400)
        left = sum(missing_items(task, scanned).values())
        done = f"+1 {sku} ({scanned[sku]} of {task.expected[sku]})." + (
            f" {_plural(left, 'item')} to go." if left else " Every item is scanned: weigh the parcel.")
        return _pack_page(request, task, scanned, done=done)


class PackCompleteView(_OutboundView):
    """Weight (and box) entered: quote, label, Packed — or the refusal, and nothing changes."""

    def get(self, request, number):
        return redirect("backoffice:outbound-pack-order", number=number)

    def post(self, request, number):
        task, refused = _find(request, number)
        if task is None:
            return _station_page(request, refused=refused, status=400)
        scanned = _scanned(request)
        values = {key: request.POST.get(key, "").strip() for key in ("weight_g", "length_cm", "width_cm",
                                                                      "height_cm", "box")}
        if not values["weight_g"]:
            return _pack_page(request, task, scanned, refused="Enter the weight in grams from the scale.",
                              values=values, status=400)
        try:
            parcel = pack_complete(actor=request.user, task=task, scanned=scanned, weight_g=values["weight_g"],
                                   length_cm=values["length_cm"] or None, width_cm=values["width_cm"] or None,
                                   height_cm=values["height_cm"] or None, box=values["box"])
        except ApplicationError as exc:
            return _pack_page(request, task, scanned, refused=f"Not packed: {exc.message}", values=values, status=400)
        messages.success(request, f"Order {parcel.order.number} packed: {parcel.weight_g:,} g, label "
                                  f"{parcel.tracking_number}. Print the label and stick it on the parcel.")
        return redirect("backoffice:outbound-pack-done", number=parcel.order.number)


class PackDoneView(_OutboundView):
    """The packed parcel: tracking number, the freight from the packed parcel against the estimate,
    the label; and the scan field for the next order."""

    def get(self, request, number):
        parcel = parcel_of_order(number=number)
        if parcel is None:
            raise Http404(f"Order {number} is not packed.")
        order = parcel.order
        difference = parcel.freight - order.estimated_freight if order.estimated_freight is not None else None
        return render(request, "fulfillment/staff/packed.html", {
            **_station(request), "parcel": parcel, "order": order, "difference": difference,
            "weight_difference": (parcel.weight_g - order.estimated_weight_g) if order.estimated_weight_g else None,
            "zero": Decimal("0"),
        })


class ParcelLabelView(_OutboundView):
    """The 4 × 6 in label the carrier adapter made at packing."""

    def get(self, request, tracking):
        parcel = Parcel.objects.filter(tracking_number=tracking).only("tracking_number", "label_pdf").first()
        if parcel is None or not parcel.label_pdf:
            raise Http404("No label with that tracking number.")
        return _pdf(bytes(parcel.label_pdf), f"label-{parcel.tracking_number}.pdf")


# --- Hand-over ------------------------------------------------------------------------------------


class HandoverView(_OutboundView):
    """Per carrier: its open manifest (or a button to open one) and the packed parcels waiting."""

    view_permission = VIEW_MANIFEST

    def get(self, request):
        context = _station(request)
        if context["warehouse"] is not None:
            context["desks"], context["closed"] = handover_board(warehouse=context["warehouse"])
        return render(request, "fulfillment/staff/handover.html", context)


class ManifestOpenView(_OutboundView):
    view_permission = VIEW_MANIFEST

    def get(self, request):
        return redirect("backoffice:outbound-handover")

    def post(self, request):
        warehouse = _station(request)["warehouse"]
        carrier = Carrier.objects.filter(code=request.POST.get("carrier", "").strip()).first()
        if warehouse is None or carrier is None:
            messages.error(request, "Choose a carrier of this warehouse to open its manifest.")
            return redirect("backoffice:outbound-handover")
        started = timezone.now()
        manifest = manifest_open(actor=request.user, warehouse=warehouse, carrier=carrier)
        fresh = manifest.created_at >= started
        messages.success(request, f"Manifest {manifest.number} for {carrier.name} at {warehouse.code} is "
                                  f"{'open' if fresh else 'already open'}: scan the parcels into it.")
        return redirect("backoffice:outbound-manifest", number=manifest.number)


def _manifest_or_404(number: str):
    manifest = manifest_get(number=number)
    if manifest is None:
        raise Http404(f"No manifest {number}.")
    return manifest


def _manifest_page(request, manifest, *, refused="", done="", status=200):
    manifest = manifest_get(number=manifest.number)  # fresh counts after a change
    context = {"manifest": manifest, "parcels": manifest_parcels(manifest=manifest), "refused": refused,
               "done": done, "statuses": ManifestStatus, "badge": MANIFEST_BADGES[manifest.status],
               "is_open": manifest.status == ManifestStatus.OPEN}
    if request.htmx:
        return render(request, "fulfillment/staff/_manifest_work.html", context)
    return render(request, "fulfillment/staff/manifest.html", context, status=status)


class ManifestDetailView(_OutboundView):
    view_permission = VIEW_MANIFEST

    def get(self, request, number):
        return _manifest_page(request, _manifest_or_404(number))


class ManifestScanView(_OutboundView):
    """A parcel scanned (tracking or order number) goes onto the manifest, or is refused."""

    view_permission = VIEW_MANIFEST

    def get(self, request, number):
        return redirect("backoffice:outbound-manifest", number=_manifest_or_404(number).number)

    def post(self, request, number):
        manifest = _manifest_or_404(number)
        code = request.POST.get("code", "").strip()
        if not code:
            return _manifest_page(request, manifest, refused="Scan the parcel's tracking number or order number.",
                                  status=400)
        try:
            parcel = manifest_add(actor=request.user, manifest=manifest, code=code)
        except ApplicationError as exc:
            return _manifest_page(request, manifest, refused=exc.message, status=400)
        count = manifest.parcels.count()
        done = (f"Added {parcel.tracking_number} (order {parcel.order.number}, {parcel.weight_g:,} g). "
                f"{_plural(count, 'parcel')} on {manifest.number}.")
        if request.htmx:
            return _manifest_page(request, manifest, done=done)
        messages.success(request, done)
        return redirect("backoffice:outbound-manifest", number=manifest.number)


class ManifestRemoveView(_OutboundView):
    view_permission = VIEW_MANIFEST

    def post(self, request, number):
        manifest = _manifest_or_404(number)
        parcel = Parcel.objects.select_related("order").filter(
            tracking_number=request.POST.get("parcel", "").strip(), manifest=manifest).first()
        if parcel is None:
            return _manifest_page(request, manifest, refused="That parcel is not on this manifest.", status=400)
        try:
            manifest_remove(actor=request.user, manifest=manifest, parcel=parcel)
        except ApplicationError as exc:
            return _manifest_page(request, manifest, refused=exc.message, status=400)
        done = f"Took {parcel.tracking_number} (order {parcel.order.number}) off {manifest.number}: set it aside."
        if request.htmx:
            return _manifest_page(request, manifest, done=done)
        messages.success(request, done)
        return redirect("backoffice:outbound-manifest", number=manifest.number)


class ManifestCloseView(_OutboundView):
    """GET asks for the confirmation; POST (confirmed) hands the parcels over: every order Shipped."""

    view_permission = VIEW_MANIFEST

    def get(self, request, number):
        manifest = _manifest_or_404(number)
        if manifest.status != ManifestStatus.OPEN:
            return redirect("backoffice:outbound-manifest", number=manifest.number)
        return render(request, "fulfillment/staff/manifest_close.html", {"manifest": manifest})

    def post(self, request, number):
        manifest = _manifest_or_404(number)
        if request.POST.get("confirm") != "yes":
            return redirect("backoffice:outbound-manifest-close", number=manifest.number)
        count = manifest.parcel_count
        try:
            manifest = manifest_close(actor=request.user, manifest=manifest)
        except ApplicationError as exc:
            messages.error(request, f"Not handed over: {exc.message}")
            return redirect("backoffice:outbound-manifest", number=manifest.number)
        messages.success(request, f"Manifest {manifest.number} handed over to {manifest.carrier.name}: "
                                  f"{_plural(count, 'order is', 'orders are')} Shipped now, and their customers see "
                                  "the tracking numbers.")
        return redirect("backoffice:outbound-manifest", number=manifest.number)


class ManifestPdfView(_OutboundView):
    view_permission = VIEW_MANIFEST

    def get(self, request, number):
        manifest = _manifest_or_404(number)
        parcels = [ManifestParcel(tracking_number=p.tracking_number, order_number=p.order.number,
                                  weight_g=p.weight_g, channel=p.channel.name, customer_code=p.order.customer.code)
                   for p in reversed(manifest_parcels(manifest=manifest))]
        when = manifest.closed_at if manifest.status == ManifestStatus.CLOSED else manifest.created_at
        note = f"{'Handed over' if manifest.status == ManifestStatus.CLOSED else 'Opened'} " \
               f"{timezone.localtime(when):%Y-%m-%d %H:%M}"
        try:
            pdf = render_manifest(manifest_number=manifest.number, carrier_name=manifest.carrier.name,
                                  warehouse=_party(manifest.warehouse), parcels=parcels,
                                  status=manifest.get_status_display(), opened=note)
        except ValueError as exc:
            messages.error(request, f"The manifest could not be printed: {exc}")
            return redirect("backoffice:outbound-manifest", number=manifest.number)
        return _pdf(pdf, f"manifest-{manifest.number}.pdf")

