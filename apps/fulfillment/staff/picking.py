"""Pick lists: make a wave, pick it by scanning the bin and the item, report a short pick, print it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.documents.layouts.pick_lists import PickListLine, render_pick_list
from apps.shipping.models import Channel
from apps.warehouses.models import Warehouse

from ..choices import ItemsKind, PickStatus, WaveOrderStatus, WaveStatus
from ..models import PickLine
from ..picking import MAX_WAVE, pick_confirm, pick_progress, pick_short, wave_candidates, wave_create, wave_lines
from ..selectors import (
    channels_of,
    history,
    wave_get,
    wave_list,
    wave_slots,
)
from .common import (
    MATCH_CAP,
    WAVE_BADGES,
    WHOLE,
    OutboundView,
    party,
    pdf_response,
    plural,
    station,
    whole,
)

# --- Pick lists -----------------------------------------------------------------------------------


class WaveForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.filter(is_active=True),
        to_field_name="code",
        empty_label=None,
        error_messages={"required": "Choose the warehouse.", "invalid_choice": "Choose one of the listed warehouses."},
    )
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        empty_label="All channels",
        error_messages={"invalid_choice": "Choose one of the listed channels."},
    )
    cutoff = forms.DateTimeField(
        label="Submitted by (cut-off)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": "Enter the cut-off as a date and time, e.g. 2026-11-25 14:00."},
    )
    items = forms.ChoiceField(label="Orders", choices=ItemsKind.choices, required=False)
    limit = forms.IntegerField(
        label="Max orders",
        min_value=1,
        max_value=MAX_WAVE,
        initial=50,
        error_messages={
            "required": "Enter how many orders the wave may take.",
            "invalid": "Enter a whole number of orders.",
            "min_value": "A wave takes at least 1 order.",
            "max_value": f"A wave takes at most {MAX_WAVE} orders.",
        },
    )

    def clean(self):
        data = super().clean()
        warehouse, channel = data.get("warehouse"), data.get("channel")
        if warehouse and channel and channel.warehouse_id != warehouse.pk:
            self.add_error("channel", f"{channel.name} ships from another warehouse, not from {warehouse.code}.")
        return data

    def candidates(self):
        data = self.cleaned_data
        return wave_candidates(
            warehouse=data["warehouse"],
            channel=data.get("channel"),
            cutoff=data.get("cutoff"),
            items=data.get("items") or "",
        )


def _matching(form: WaveForm) -> int | None:
    if not form.is_valid():
        return None
    return form.candidates()[: MATCH_CAP + 1].count()


def _wave_form(request, warehouse) -> WaveForm:
    fields = ("channel", "cutoff", "items", "limit")
    if any(key in request.GET for key in fields):
        return WaveForm(
            {
                "warehouse": warehouse.code,
                "limit": 50,
                **{k: request.GET.get(k, "") for k in fields if k in request.GET},
            }
        )
    return WaveForm({"warehouse": warehouse.code, "limit": 50, "items": ""})


def _wave_list(request, *, form=None, status=200):
    context = station(request)
    warehouse = context["warehouse"]
    if warehouse is not None:
        form = form or _wave_form(request, warehouse)
        before = request.GET.get("before", "")
        open_waves, done, more = wave_list(warehouse=warehouse, before=int(before) if WHOLE.match(before) else None)
        for wave in open_waves + done:
            wave.badge = WAVE_BADGES[wave.status]
        context.update(
            form=form,
            matching=_matching(form),
            match_cap=MATCH_CAP,
            open_waves=open_waves,
            done=done,
            more=more,
            channels=list(channels_of(warehouse)),
            items_kinds=ItemsKind.choices,
        )
        if request.htmx and request.method == "GET":
            return render(request, "fulfillment/staff/_wave_match.html", context)
    return render(request, "fulfillment/staff/waves.html", context, status=status)


class WaveListView(OutboundView):
    """The wave form with the number of orders it would take, the open waves, then the finished ones."""

    def get(self, request):
        return _wave_list(request)


class WaveCreateView(OutboundView):
    def get(self, request):
        return redirect("backoffice:outbound-wave-list")

    def post(self, request):
        form = WaveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "No pick list made: " + " ".join(e for errs in form.errors.values() for e in errs))
            return _wave_list(request, form=form, status=400)
        data = form.cleaned_data
        try:
            wave = wave_create(
                actor=request.user,
                warehouse=data["warehouse"],
                channel=data.get("channel"),
                cutoff=data.get("cutoff"),
                items=data.get("items") or "",
                limit=data["limit"],
            )
        except ApplicationError as exc:
            messages.error(request, f"No pick list made: {exc.message}")
            return _wave_list(request, form=form, status=400)
        progress = pick_progress(wave=wave)
        bins = PickLine.objects.filter(wave_order__wave=wave, bin__isnull=False).values("bin_id").distinct().count()
        messages.success(
            request,
            f"Pick list {wave.number} made: {plural(wave.orders.count(), 'order')}, "
            f"{plural(progress['lines'], 'line')}, {plural(progress['units'], 'unit')} from "
            f"{plural(bins, 'bin')}. Print it, or scan the bins and items on this page.",
        )
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
        "wave": wave,
        "lines": lines,
        "current": current,
        "progress": pick_progress(wave=wave),
        "refused": refused,
        "done": done,
        "keep_bin": keep.get("bin", ""),
        "keep_quantity": keep.get("quantity", ""),
        "focus": keep.get("focus") or ("code" if current and (current.bin_id is None or keep.get("bin")) else "bin"),
        "slots": wave_slots(wave=wave),
        "statuses": WaveStatus,
        "badge": WAVE_BADGES[wave.status],
    }
    if request.htmx:
        return render(request, "fulfillment/staff/_wave_work.html", context)
    context["history"] = history(wave)
    return render(request, "fulfillment/staff/wave.html", context, status=status)


class WaveDetailView(OutboundView):
    def get(self, request, number):
        return _wave_page(request, _wave_or_404(number))


def _line_of(wave, pk) -> PickLine | None:
    text = str(pk or "")
    if not WHOLE.match(text):
        return None
    return (
        PickLine.objects.select_related("product", "bin", "wave_order__order")
        .filter(pk=int(text), wave_order__wave=wave)
        .first()
    )


class WavePickView(OutboundView):
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
            return _wave_page(
                request, wave, refused="That line is not on this pick list; pick the highlighted line.", status=400
            )
        if not code:
            return _wave_page(
                request,
                wave,
                refused="Scan the item (SKU or UPC) after the bin.",
                keep={**keep, "focus": "code"},
                status=400,
            )
        try:
            quantity = whole(typed, "The quantity", minimum=1) if typed else None
            line = pick_confirm(actor=request.user, line=line, bin_code=bin_code, product_code=code, quantity=quantity)
        except ValueError as exc:
            return _wave_page(request, wave, refused=str(exc), keep={**keep, "focus": "quantity"}, status=400)
        except ApplicationError as exc:
            wrong_item = "sku" in exc.extra
            return _wave_page(
                request,
                wave,
                refused=exc.message,
                status=400,
                keep={**keep, "focus": "code"} if wrong_item else {"quantity": typed},
            )
        where = f"from {line.bin.code}" if line.bin else "(no bin)"
        text = (
            f"Picked {line.picked} of {line.quantity} × {line.product.sku} {where} → slot {line.wave_order.slot} "
            f"({line.wave_order.order.number})."
        )
        wave.refresh_from_db()
        if line.status == PickStatus.OPEN:
            text += f" {line.quantity - line.picked} more to pick on this line."
        if wave.status == WaveStatus.DONE:
            text += " Every line is picked: take the cart to the pack station."
        if request.htmx:
            return _wave_page(request, wave, done=text)
        messages.success(request, text)
        return redirect("backoffice:outbound-wave-detail", number=wave.number)


class WaveShortView(OutboundView):
    """The bin holds fewer units than the line needs: the order stops and the bin gets counted."""

    def get(self, request, number, line):
        return redirect("backoffice:outbound-wave-detail", number=_wave_or_404(number).number)

    def post(self, request, number, line):
        wave = _wave_or_404(number)
        pick = _line_of(wave, line)
        if pick is None:
            raise Http404("No such line on this pick list.")
        try:
            found = whole(request.POST.get("found"), "The units in the bin")
            wave_order = pick_short(actor=request.user, line=pick, found=found)
        except ValueError as exc:
            return self._answer(request, wave, refused=f"Not reported short: {exc}")
        except ApplicationError as exc:
            return self._answer(request, wave, refused=f"Not reported short: {exc.message}")
        where = f"Bin {pick.bin.code} gets a cycle count for review. " if pick.bin else ""
        return self._answer(
            request,
            wave,
            done=(
                f"Short pick reported: {found} of {pick.quantity - pick.picked} × {pick.product.sku}. Order "
                f"{wave_order.order.number} (slot {wave_order.slot}) is Abnormal now and leaves this pick list: "
                f"put back "
                f"any of its units already picked. {where}The customer is told."
            ),
        )

    def _answer(self, request, wave, *, refused="", done=""):
        if request.htmx or refused:
            return _wave_page(request, wave, refused=refused, done=done, status=400 if refused else 200)
        messages.warning(request, done)
        return redirect("backoffice:outbound-wave-detail", number=wave.number)


class WavePickListPdfView(OutboundView):
    def get(self, request, number):
        wave = _wave_or_404(number)
        lines = [
            PickListLine(
                bin=line.bin.code if line.bin else "",
                sku=line.product.sku,
                name=line.product.name,
                upc=line.product.upc or "",
                quantity=line.quantity,
                slot=line.wave_order.slot,
                order_number=line.wave_order.order.number,
            )
            for line in wave_lines(wave=wave)
        ]
        created = timezone.localtime(wave.created_at).strftime("%Y-%m-%d %H:%M")
        try:
            pdf = render_pick_list(
                wave_number=wave.number,
                warehouse=party(wave.warehouse),
                lines=lines,
                created=f"Created {created} by {wave.created_by.email}",
                criteria=wave.criteria,
            )
        except ValueError as exc:
            messages.error(request, f"The pick list could not be printed: {exc}")
            return redirect("backoffice:outbound-wave-detail", number=wave.number)
        return pdf_response(pdf, f"pick-list-{wave.number}.pdf")
