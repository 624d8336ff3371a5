"""Back office of the transport core (TMS): carriers, channels, rate cards and their tables,
remote surcharges, level discounts (logistics), customers' channels (sales), the quote tool."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from apps.accounts.models import Customer, CustomerLevel
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.documents.layouts.shipping_labels import LabelAddress
from apps.documents.toolkit.xlsx import CellError, SpreadsheetError, mark_errors
from apps.shipping.labels import parcel_label_issue
from apps.warehouses.models import Warehouse
from apps.warehouses.selectors import customer_warehouses

from ..models import Carrier, Channel, CustomerChannel, LevelFreightDiscount, RateCard, Zone
from ..quotes import parcel_from_box, quote
from ..selectors import channel_list
from ..services import (
    carrier_save,
    channel_save,
    check_rate_rows,
    customer_channels_set,
    level_discount_set,
    rate_card_save,
    rate_table_replace,
    remote_surcharges_replace,
)
from .forms import (
    RATE_HEADERS,
    CarrierForm,
    CarrierUpdateForm,
    ChannelForm,
    ChannelUpdateForm,
    CustomerChannelsForm,
    LevelDiscountsForm,
    QuoteForm,
    RateCardForm,
    RateCardUpdateForm,
    RateTableImportForm,
    RemoteSurchargesForm,
    rate_rows,
    rate_template,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIX_BELOW = "Nothing was saved: fix the fields marked below."


def _save_failed(request, form, exc: ApplicationError | None = None) -> None:
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


# --- Channels --------------------------------------------------------------------------------------


class ChannelListView(StaffPermissionRequiredMixin, View):
    permission_required = "shipping.view_channel"

    def get(self, request):
        if code := request.GET.get("customer", "").strip():
            return redirect("backoffice:shipping-customer-channels", code=code.upper())
        warehouses = Warehouse.objects.order_by("code")
        selected = request.GET.get("warehouse", "")
        warehouse = next((w for w in warehouses if w.code == selected), None)
        day = timezone.localdate()
        channels = list(channel_list(warehouse=warehouse).order_by("warehouse__code", "code"))
        for ch in channels:
            ch.current_card = current_card(ch, day)
            ch.other_cards = [c for c in ch.rate_cards.all() if c != ch.current_card]
        return render(
            request,
            "shipping/staff/channel_list.html",
            {
                "channels": channels,
                "warehouses": warehouses,
                "selected": selected,
            },
        )


class ChannelFormView(StaffPermissionRequiredMixin, View):
    template_name = "shipping/staff/channel_form.html"

    def get_permission_required(self):
        return ("shipping.change_channel",) if "code" in self.kwargs else ("shipping.add_channel",)

    def _channel(self, code):
        if code is None:
            return None
        return get_object_or_404(
            Channel.objects.select_related("carrier", "warehouse").prefetch_related("rate_cards"), code=code
        )

    def _render(self, request, form, channel, status=200):
        cards = list(channel.rate_cards.all()) if channel else []
        current = current_card(channel) if channel else None
        return render(
            request,
            self.template_name,
            {"form": form, "channel": channel, "cards": cards, "current": current},
            status=status,
        )

    def get(self, request, code=None):
        channel = self._channel(code)
        if channel:
            form = ChannelUpdateForm(instance=channel)
        else:
            warehouse = Warehouse.objects.filter(code=request.GET.get("warehouse", "")).first()
            form = ChannelForm(initial={"warehouse": warehouse, "volumetric_divisor": 5000, "is_active": True})
        return self._render(request, form, channel)

    def post(self, request, code=None):
        channel = self._channel(code)
        # No instance: the form only checks the input; the service changes the row.
        form = (ChannelUpdateForm if channel else ChannelForm)(request.POST)
        if form.is_valid():
            try:
                saved = channel_save(actor=request.user, channel=channel, data=form.cleaned_data)
            except ApplicationError as exc:
                _save_failed(request, form, exc)
            else:
                if channel is None:
                    messages.success(request, f"Channel {saved.code} created. Give it a rate card next.")
                    return redirect(f"{reverse('backoffice:shipping-ratecard-create')}?channel={saved.code}")
                messages.success(request, f"Channel {saved.code} saved.")
                return redirect("backoffice:shipping-channel-list")
        else:
            _save_failed(request, form)
        return self._render(request, form, channel, status=400)


# --- Carriers --------------------------------------------------------------------------------------


class CarrierListView(StaffPermissionRequiredMixin, View):
    permission_required = "shipping.view_carrier"

    def get(self, request):
        carriers = Carrier.objects.prefetch_related(Prefetch("channels", Channel.objects.order_by("code")))
        return render(request, "shipping/staff/carrier_list.html", {"carriers": carriers})


class CarrierFormView(StaffPermissionRequiredMixin, View):
    template_name = "shipping/staff/carrier_form.html"

    def get_permission_required(self):
        return ("shipping.change_carrier",) if "code" in self.kwargs else ("shipping.add_carrier",)

    def get(self, request, code=None):
        carrier = get_object_or_404(Carrier, code=code) if code else None
        form = CarrierUpdateForm(instance=carrier) if carrier else CarrierForm(initial={"is_active": True})
        return render(request, self.template_name, {"form": form, "carrier": carrier})

    def post(self, request, code=None):
        carrier = get_object_or_404(Carrier, code=code) if code else None
        form = (CarrierUpdateForm if carrier else CarrierForm)(request.POST)
        if form.is_valid():
            try:
                saved = carrier_save(actor=request.user, carrier=carrier, data=form.cleaned_data)
            except ApplicationError as exc:
                _save_failed(request, form, exc)
            else:
                messages.success(request, f"Carrier {saved.name} ({saved.code}) {'saved' if carrier else 'created'}.")
                return redirect("backoffice:shipping-carrier-list")
        else:
            _save_failed(request, form)
        return render(request, self.template_name, {"form": form, "carrier": carrier}, status=400)


# --- Rate cards ------------------------------------------------------------------------------------


def _card(pk) -> RateCard:
    return get_object_or_404(RateCard.objects.select_related("channel__carrier", "channel__warehouse"), pk=pk)


def _step_text(line) -> str:
    if line.step_g and line.step_price is not None:
        return f"+ {line.step_price} per started {line.step_g:,} g above {line.weight_from_g:,} g"
    return ""


class RateCardDetailView(StaffPermissionRequiredMixin, View):
    permission_required = "shipping.view_ratecard"

    def get(self, request, pk):
        card = _card(pk)
        zones = list(Zone.objects.filter(rate_card=card).prefetch_related("lines").order_by("name"))
        for zone in zones:
            zone.rows = [(line, _step_text(line)) for line in zone.lines.all()]
        return render(
            request,
            "shipping/staff/ratecard_detail.html",
            {
                "card": card,
                "zones": zones,
                "surcharges": card.remote_surcharges.all(),
                "is_current": current_card(card.channel) == card,
                "line_count": sum(len(z.rows) for z in zones),
            },
        )


class RateCardFormView(StaffPermissionRequiredMixin, View):
    template_name = "shipping/staff/ratecard_form.html"

    def get_permission_required(self):
        return ("shipping.change_ratecard",) if "pk" in self.kwargs else ("shipping.add_ratecard",)

    def get(self, request, pk=None):
        card = _card(pk) if pk else None
        if card:
            form = RateCardUpdateForm(instance=card)
        else:
            channel = Channel.objects.filter(code=request.GET.get("channel", "")).first()
            form = RateCardForm(
                initial={
                    "channel": channel,
                    "currency": "USD",
                    "fuel_surcharge_pct": 0,
                    "per_parcel_fee": 0,
                    "valid_from": timezone.localdate(),
                    "is_active": True,
                }
            )
        return render(request, self.template_name, {"form": form, "card": card})

    def post(self, request, pk=None):
        card = _card(pk) if pk else None
        form = (RateCardUpdateForm if card else RateCardForm)(request.POST)
        if form.is_valid():
            try:
                saved = rate_card_save(actor=request.user, rate_card=card, data=form.cleaned_data)
            except ApplicationError as exc:
                _save_failed(request, form, exc)
            else:
                if card is None:
                    messages.success(
                        request, f"Rate card {saved.name} created for {saved.channel.code}. Import its rate table next."
                    )
                    return redirect("backoffice:shipping-ratecard-import", pk=saved.pk)
                messages.success(request, f"Rate card {saved.name} saved.")
                return redirect("backoffice:shipping-ratecard-detail", pk=saved.pk)
        else:
            _save_failed(request, form)
        return render(request, self.template_name, {"form": form, "card": card}, status=400)


class RateTemplateView(StaffPermissionRequiredMixin, View):
    permission_required = "shipping.view_ratecard"

    def get(self, request):
        response = HttpResponse(rate_template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="rate-table-template.xlsx"'
        return response


# Files with their problems marked wait here for the download; they are staff-only (served by a
# view that checks the permission) and swept after a day.
MARKED_DIR = "rate-imports"
MARKED_KEEP_SECONDS = 24 * 3600


def _marked_storage() -> FileSystemStorage:
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / MARKED_DIR)


def _marked_save(data: bytes) -> str:
    storage = _marked_storage()
    cutoff = time.time() - MARKED_KEEP_SECONDS
    try:
        for name in storage.listdir("")[1]:
            if Path(storage.path(name)).stat().st_mtime < cutoff:
                storage.delete(name)
    except OSError:
        pass  # sweeping is best effort; the new file is what matters
    token = uuid.uuid4().hex
    storage.save(f"{token}.xlsx", ContentFile(data))
    return token


class RateTableImportView(StaffPermissionRequiredMixin, View):
    """Download the template, upload a table: every problem is shown with its row, or the card's
    zones and lines are replaced by the file's."""

    permission_required = "shipping.change_ratecard"
    template_name = "shipping/staff/ratecard_import.html"

    def _render(self, request, card, form, status=200, **extra):
        return render(request, self.template_name, {"card": card, "form": form, **extra}, status=status)

    def get(self, request, pk):
        return self._render(request, _card(pk), RateTableImportForm())

    def post(self, request, pk):
        card = _card(pk)
        form = RateTableImportForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "Nothing was imported: the file could not be used (see below).")
            return self._render(request, card, form, status=400)
        rows = rate_rows(form.table)
        _zones, problems = check_rate_rows(rows)
        if problems:
            return self._problems(request, card, form, problems)
        try:
            count = rate_table_replace(actor=request.user, rate_card=card, rows=rows)
        except ApplicationError as exc:
            messages.error(request, f"Nothing was imported: {exc.message}")
            return self._render(request, card, form, status=400)
        zones = card.zones.count()
        messages.success(
            request,
            f"Imported {count} weight line{'s' if count != 1 else ''} in {zones} "
            f"zone{'s' if zones != 1 else ''} into rate card {card.name}; "
            "they replace the previous table.",
        )
        return redirect("backoffice:shipping-ratecard-detail", pk=card.pk)

    def _problems(self, request, card, form, problems):
        bad_rows = len({p.row for p in problems})
        token = None
        try:
            marked = mark_errors(
                form.data_bytes, [CellError(p.row, p.field, p.message) for p in problems], table=form.table
            )
            token = _marked_save(marked)
        except SpreadsheetError as exc:
            messages.warning(request, f"The file with the problems marked could not be made: {exc.message}")
        messages.error(
            request,
            f"Nothing was imported: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
            f"in {bad_rows} row{'s' if bad_rows != 1 else ''}. Fix them and upload the file again.",
        )
        listed = [(p.row, RATE_HEADERS.get(p.field, p.field or ""), p.message) for p in problems]
        return self._render(request, card, RateTableImportForm(), status=400, problems=listed, token=token)


class RateTableMarkedView(StaffPermissionRequiredMixin, View):
    """The uploaded table with its problems marked (kept for a day after the upload)."""

    permission_required = "shipping.change_ratecard"

    def get(self, request, pk, token):
        card = _card(pk)
        try:
            token = uuid.UUID(hex=token).hex  # only our own names reach the storage
        except ValueError:
            raise Http404("No such file.") from None
        storage = _marked_storage()
        name = f"{token}.xlsx"
        if not storage.exists(name):
            messages.warning(request, "That file with the problems marked has expired; upload the table again.")
            return redirect("backoffice:shipping-ratecard-import", pk=card.pk)
        with storage.open(name, "rb") as handle:
            data = handle.read()
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="rate-card-{card.pk}-errors.xlsx"'
        return response


class RemoteSurchargesView(StaffPermissionRequiredMixin, View):
    permission_required = "shipping.change_ratecard"
    template_name = "shipping/staff/ratecard_surcharges.html"

    def get(self, request, pk):
        card = _card(pk)
        form = RemoteSurchargesForm(initial={"lines": RemoteSurchargesForm.initial_for(card)})
        return render(request, self.template_name, {"card": card, "form": form})

    def post(self, request, pk):
        card = _card(pk)
        form = RemoteSurchargesForm(request.POST)
        if form.is_valid():
            try:
                count = remote_surcharges_replace(actor=request.user, rate_card=card, rows=form.cleaned_data["lines"])
            except ApplicationError as exc:
                form.add_error("lines", exc.message)
                messages.error(request, f"Nothing was saved: {exc.message}")
            else:
                messages.success(
                    request,
                    f"{count} remote-area surcharge{'s' if count != 1 else ''} saved on {card.name}."
                    if count
                    else f"Removed all remote-area surcharges from {card.name}.",
                )
                return redirect("backoffice:shipping-ratecard-detail", pk=card.pk)
        else:
            _save_failed(request, form)
        return render(request, self.template_name, {"card": card, "form": form}, status=400)


# --- Level discounts, customers' channels ----------------------------------------------------------


class LevelDiscountsView(StaffPermissionRequiredMixin, View):
    permission_required = "shipping.change_levelfreightdiscount"
    template_name = "shipping/staff/level_discounts.html"

    def _form(self, data=None):
        current = dict(LevelFreightDiscount.objects.values_list("level_id", "percent"))
        return LevelDiscountsForm(data, levels=CustomerLevel.objects.all(), current=current)

    def get(self, request):
        return render(request, self.template_name, {"form": self._form()})

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():  # all levels or none
                    for level, percent in form.percents():
                        level_discount_set(actor=request.user, level=level, percent=percent)
            except ApplicationError as exc:
                _save_failed(request, form, exc)
            else:
                summary = ", ".join(f"{level.name} {percent.normalize():f} %" for level, percent in form.percents())
                messages.success(request, f"Freight discounts saved: {summary or 'no levels'}.")
                return redirect("backoffice:shipping-level-discounts")
        else:
            _save_failed(request, form)
        return render(request, self.template_name, {"form": form}, status=400)


class CustomerChannelsView(StaffPermissionRequiredMixin, View):
    """Sales: the channels a customer may ship with (its logistics plan)."""

    permission_required = "shipping.change_customerchannel"
    template_name = "shipping/staff/customer_channels.html"

    def _context(self, customer, form):
        return {
            "customer": customer,
            "form": form,
            "warehouses": customer_warehouses(customer=customer),
            "restricted": CustomerChannel.objects.filter(customer=customer).exists(),
        }

    @staticmethod
    def _choices(customer):
        return (
            Channel.objects.filter(
                is_active=True, carrier__is_active=True, warehouse__in=customer_warehouses(customer=customer)
            )
            .select_related("carrier", "warehouse")
            .order_by("warehouse__code", "transit_days_max", "code")
        )

    def get(self, request, code):
        customer = get_object_or_404(Customer, code=code)
        choices = self._choices(customer)
        chosen = CustomerChannel.objects.filter(customer=customer).values_list("channel_id", flat=True)
        form = CustomerChannelsForm(choices=choices, initial={"channels": list(chosen)})
        return render(request, self.template_name, self._context(customer, form))

    def post(self, request, code):
        customer = get_object_or_404(Customer, code=code)
        form = CustomerChannelsForm(request.POST, choices=self._choices(customer))
        if form.is_valid():
            chosen = list(form.cleaned_data["channels"])
            try:
                customer_channels_set(actor=request.user, customer=customer, channels=chosen)
            except ApplicationError as exc:
                _save_failed(request, form, exc)
            else:
                if chosen:
                    messages.success(
                        request, f"{customer.code} may now ship with: {', '.join(c.code for c in chosen)}."
                    )
                else:
                    messages.success(
                        request, f"{customer.code} may now ship with every active channel of its warehouses."
                    )
                return redirect("backoffice:shipping-customer-channels", code=customer.code)
        else:
            _save_failed(request, form)
        return render(request, self.template_name, self._context(customer, form), status=400)


# --- Quote tool ------------------------------------------------------------------------------------


class QuoteView(StaffPermissionRequiredMixin, View):
    """What each channel of a warehouse would charge for a parcel, and why the others cannot take it."""

    permission_required = "shipping.view_channel"
    template_name = "shipping/staff/quote.html"

    def get(self, request):
        if "weight_g" not in request.GET:
            first = Warehouse.objects.filter(is_active=True).order_by("code").first()
            form = QuoteForm(initial={"warehouse": first, "country": "US", "sort": "price"})
            return render(request, self.template_name, {"form": form})
        form = QuoteForm(request.GET)
        result = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                parcel = parcel_from_box(
                    weight_g=data["weight_g"],
                    length_cm=data["length_cm"],
                    width_cm=data["width_cm"],
                    height_cm=data["height_cm"],
                )
                result = quote(
                    warehouse=data["warehouse"],
                    country=data["country"],
                    postal_code=data["postal_code"],
                    parcel=parcel,
                    level_id=data["level"].pk if data["level"] else None,
                    sort=data["sort"] or "price",
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
                messages.error(request, f"No quote: {exc.message}")
        else:
            messages.error(request, "No quote: fix the fields marked below.")
        return render(
            request, self.template_name, {"form": form, "result": result}, status=200 if result is not None else 400
        )


class SampleLabelView(StaffPermissionRequiredMixin, View):
    """Print a sample 4×6 label through the channel's carrier adapter (to check printer and scanner)."""

    permission_required = "shipping.view_channel"

    def post(self, request, code):
        channel = get_object_or_404(Channel.objects.select_related("carrier", "warehouse"), code=code)
        recipient = LabelAddress(
            name="Sample Recipient",
            company="Fulfillment Hub test",
            lines=("100 Sample Street", "Springfield IL 62701", "US"),
            phone="+1 217 555 0100",
        )
        try:
            issued = parcel_label_issue(
                channel=channel,
                order_number="S00000000000000",
                recipient=recipient,
                recipient_country="US",
                recipient_postal_code="62701",
                weight_g=1250,
                reference="SAMPLE",
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("backoffice:shipping-channel-list")
        response = HttpResponse(issued.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="sample-label-{channel.code}.pdf"'
        return response
