"""Back office of the transport core (TMS): carriers, channels, level discounts (logistics),
customers' channels (sales), the quote tool and a channel's sample label. Rate cards, their tables
and remote surcharges are in `rate_cards`."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from apps.accounts.models import Customer, CustomerLevel
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.addresses import postal_lines
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.documents.layouts.shipping_labels import LabelAddress
from apps.shipping.labels import parcel_label_issue
from apps.warehouses.models import Warehouse
from apps.warehouses.selectors import customer_warehouses

from ..models import Carrier, Channel, CustomerChannel, LevelFreightDiscount
from ..quotes import parcel_from_box, quote
from ..selectors import channel_list
from ..services import (
    carrier_save,
    channel_save,
    customer_channels_set,
    level_discount_set,
)
from .common import current_card, save_failed
from .forms import (
    CarrierForm,
    CarrierUpdateForm,
    ChannelForm,
    ChannelUpdateForm,
    CustomerChannelsForm,
    LevelDiscountsForm,
    QuoteForm,
)

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
                save_failed(request, form, exc)
            else:
                if channel is None:
                    messages.success(request, f"Channel {saved.code} created. Give it a rate card next.")
                    return redirect(f"{reverse('backoffice:shipping-ratecard-create')}?channel={saved.code}")
                messages.success(request, f"Channel {saved.code} saved.")
                return redirect("backoffice:shipping-channel-list")
        else:
            save_failed(request, form)
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
                save_failed(request, form, exc)
            else:
                messages.success(request, f"Carrier {saved.name} ({saved.code}) {'saved' if carrier else 'created'}.")
                return redirect("backoffice:shipping-carrier-list")
        else:
            save_failed(request, form)
        return render(request, self.template_name, {"form": form, "carrier": carrier}, status=400)


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
                save_failed(request, form, exc)
            else:
                summary = ", ".join(f"{level.name} {percent.normalize():f} %" for level, percent in form.percents())
                messages.success(request, f"Freight discounts saved: {summary or 'no levels'}.")
                return redirect("backoffice:shipping-level-discounts")
        else:
            save_failed(request, form)
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
                save_failed(request, form, exc)
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
            save_failed(request, form)
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
            lines=tuple(
                postal_lines(
                    country="US",
                    address1="100 Sample Street",
                    city="Springfield",
                    state="IL",
                    postal_code="62701",
                    origin=channel.warehouse.country,
                )
            ),
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
