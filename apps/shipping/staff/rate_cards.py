"""Back office of the transport core (TMS): a channel's rate cards, their rate tables (typed, or
imported from the XLSX template with the bad cells marked in the user's own file), and the remote
area surcharges."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.documents.toolkit.xlsx import CellError, SpreadsheetError, mark_errors

from ..models import Channel, RateCard, Zone
from ..services import (
    check_rate_rows,
    rate_card_save,
    rate_table_replace,
    remote_surcharges_replace,
)
from .common import XLSX, current_card, save_failed
from .forms import (
    RATE_HEADERS,
    RateCardForm,
    RateCardUpdateForm,
    RateTableImportForm,
    RemoteSurchargesForm,
    rate_rows,
    rate_template,
)

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
                save_failed(request, form, exc)
            else:
                if card is None:
                    messages.success(
                        request, f"Rate card {saved.name} created for {saved.channel.code}. Import its rate table next."
                    )
                    return redirect("backoffice:shipping-ratecard-import", pk=saved.pk)
                messages.success(request, f"Rate card {saved.name} saved.")
                return redirect("backoffice:shipping-ratecard-detail", pk=saved.pk)
        else:
            save_failed(request, form)
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
            save_failed(request, form)
        return render(request, self.template_name, {"card": card, "form": form}, status=400)
