"""Hand-over: open a carrier's manifest, scan parcels into it, print it, hand it over."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.documents.layouts.manifests import ManifestParcel, render_manifest
from apps.shipping.models import Carrier

from ..choices import ManifestStatus
from ..handover import (
    manifest_add,
    manifest_hand_over_queue,
    manifest_kept_back,
    manifest_open,
    manifest_remove,
)
from ..models import Parcel
from ..selectors import (
    handover_board,
    history,
    manifest_get,
    manifest_parcels,
)
from .common import (
    MANIFEST_BADGES,
    VIEW_MANIFEST,
    OutboundView,
    party,
    pdf_response,
    plural,
    station,
)

# --- Hand-over ------------------------------------------------------------------------------------


class HandoverView(OutboundView):
    """Per carrier: its open manifest (or a button to open one) and the packed parcels waiting."""

    view_permission = VIEW_MANIFEST

    def get(self, request):
        context = station(request)
        if context["warehouse"] is not None:
            context["desks"], context["closed"] = handover_board(warehouse=context["warehouse"])
        return render(request, "fulfillment/staff/handover.html", context)


class ManifestOpenView(OutboundView):
    view_permission = VIEW_MANIFEST

    def get(self, request):
        return redirect("backoffice:outbound-handover")

    def post(self, request):
        warehouse = station(request)["warehouse"]
        carrier = Carrier.objects.filter(code=request.POST.get("carrier", "").strip()).first()
        if warehouse is None or carrier is None:
            messages.error(request, "Choose a carrier of this warehouse to open its manifest.")
            return redirect("backoffice:outbound-handover")
        started = timezone.now()
        manifest = manifest_open(actor=request.user, warehouse=warehouse, carrier=carrier)
        fresh = manifest.created_at >= started
        messages.success(
            request,
            f"Manifest {manifest.number} for {carrier.name} at {warehouse.code} is "
            f"{'open' if fresh else 'already open'}: scan the parcels into it.",
        )
        return redirect("backoffice:outbound-manifest", number=manifest.number)


def _manifest_or_404(number: str):
    manifest = manifest_get(number=number)
    if manifest is None:
        raise Http404(f"No manifest {number}.")
    return manifest


def _manifest_page(request, manifest, *, refused="", done="", status=200):
    manifest = manifest_get(number=manifest.number)  # fresh counts after a change
    context = {
        "manifest": manifest,
        "parcels": manifest_parcels(manifest=manifest),
        "refused": refused,
        "done": done,
        "statuses": ManifestStatus,
        "badge": MANIFEST_BADGES[manifest.status],
        "is_open": manifest.status == ManifestStatus.OPEN,
        "kept_back": manifest_kept_back(manifest=manifest) if manifest.status == ManifestStatus.CLOSED else [],
    }
    if request.htmx:
        return render(request, "fulfillment/staff/_manifest_work.html", context)
    context["history"] = history(manifest)
    return render(request, "fulfillment/staff/manifest.html", context, status=status)


class ManifestDetailView(OutboundView):
    view_permission = VIEW_MANIFEST

    def get(self, request, number):
        return _manifest_page(request, _manifest_or_404(number))


class ManifestScanView(OutboundView):
    """A parcel scanned (tracking or order number) goes onto the manifest, or is refused."""

    view_permission = VIEW_MANIFEST

    def get(self, request, number):
        return redirect("backoffice:outbound-manifest", number=_manifest_or_404(number).number)

    def post(self, request, number):
        manifest = _manifest_or_404(number)
        code = request.POST.get("code", "").strip()
        if not code:
            return _manifest_page(
                request, manifest, refused="Scan the parcel's tracking number or order number.", status=400
            )
        try:
            parcel = manifest_add(actor=request.user, manifest=manifest, code=code)
        except ApplicationError as exc:
            return _manifest_page(request, manifest, refused=exc.message, status=400)
        count = manifest.parcels.count()
        done = (
            f"Added {parcel.tracking_number} (order {parcel.order.number}, {parcel.weight_g:,} g). "
            f"{plural(count, 'parcel')} on {manifest.number}."
        )
        if request.htmx:
            return _manifest_page(request, manifest, done=done)
        messages.success(request, done)
        return redirect("backoffice:outbound-manifest", number=manifest.number)


class ManifestRemoveView(OutboundView):
    view_permission = VIEW_MANIFEST

    def post(self, request, number):
        manifest = _manifest_or_404(number)
        parcel = (
            Parcel.objects.select_related("order")
            .filter(tracking_number=request.POST.get("parcel", "").strip(), manifest=manifest)
            .first()
        )
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


class ManifestCloseView(OutboundView):
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
        try:
            manifest_hand_over_queue(actor=request.user, manifest=manifest)
        except ApplicationError as exc:
            messages.error(request, f"Not handed over: {exc.message}")
            return redirect("backoffice:outbound-manifest", number=manifest.number)
        manifest = manifest_get(number=manifest.number)
        if manifest.status != ManifestStatus.CLOSED:
            messages.info(
                request,
                f"Handing {plural(manifest.parcel_count, 'parcel')} over to {manifest.carrier.name}: each order "
                "ships in turn, and this page shows how far it is.",
            )
            return redirect("backoffice:outbound-manifest", number=manifest.number)
        messages.success(
            request,
            f"Manifest {manifest.number} handed over to {manifest.carrier.name}: "
            f"{plural(manifest.shipped_count, 'order is', 'orders are')} Shipped now, and their customers see "
            "the tracking numbers.",
        )
        for number, why in manifest_kept_back(manifest=manifest):
            messages.warning(request, f"Order {number} was kept back and is off the manifest: {why}")
        return redirect("backoffice:outbound-manifest", number=manifest.number)


class ManifestPdfView(OutboundView):
    view_permission = VIEW_MANIFEST

    def get(self, request, number):
        manifest = _manifest_or_404(number)
        parcels = [
            ManifestParcel(
                tracking_number=p.tracking_number,
                order_number=p.order.number,
                weight_g=p.weight_g,
                channel=p.channel.name,
                customer_code=p.order.customer.code,
            )
            for p in reversed(manifest_parcels(manifest=manifest))
        ]
        when = manifest.closed_at if manifest.status == ManifestStatus.CLOSED else manifest.created_at
        note = (
            f"{'Handed over' if manifest.status == ManifestStatus.CLOSED else 'Opened'} "
            f"{timezone.localtime(when):%Y-%m-%d %H:%M}"
        )
        try:
            pdf = render_manifest(
                manifest_number=manifest.number,
                carrier_name=manifest.carrier.name,
                warehouse=party(manifest.warehouse),
                parcels=parcels,
                status=manifest.get_status_display(),
                opened=note,
            )
        except ValueError as exc:
            messages.error(request, f"The manifest could not be printed: {exc}")
            return redirect("backoffice:outbound-manifest", number=manifest.number)
        return pdf_response(pdf, f"manifest-{manifest.number}.pdf")
