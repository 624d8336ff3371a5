"""Back-office outbound pages (pick, pack, hand over); included into the backoffice namespace at /staff/."""

from django.urls import path

from . import handover, packing, picking, views

urlpatterns = [
    path("outbound/", views.DashboardView.as_view(), name="outbound-dashboard"),
    path("outbound/waves/", picking.WaveListView.as_view(), name="outbound-wave-list"),
    path("outbound/waves/new/", picking.WaveCreateView.as_view(), name="outbound-wave-create"),
    path("outbound/waves/<str:number>/", picking.WaveDetailView.as_view(), name="outbound-wave-detail"),
    path("outbound/waves/<str:number>/pick/", picking.WavePickView.as_view(), name="outbound-wave-pick"),
    path(
        "outbound/waves/<str:number>/lines/<int:line>/short/",
        picking.WaveShortView.as_view(),
        name="outbound-wave-short",
    ),
    path("outbound/waves/<str:number>/pick-list.pdf", picking.WavePickListPdfView.as_view(), name="outbound-wave-pdf"),
    path("outbound/pack/", packing.PackStationView.as_view(), name="outbound-pack"),
    path("outbound/pack/<str:number>/", packing.PackOrderView.as_view(), name="outbound-pack-order"),
    path("outbound/pack/<str:number>/scan/", packing.PackScanView.as_view(), name="outbound-pack-scan"),
    path("outbound/pack/<str:number>/complete/", packing.PackCompleteView.as_view(), name="outbound-pack-complete"),
    path("outbound/pack/<str:number>/customs.pdf", packing.PackCustomsView.as_view(), name="outbound-pack-customs"),
    path("outbound/pack/<str:number>/done/", packing.PackDoneView.as_view(), name="outbound-pack-done"),
    path("outbound/parcels/<str:tracking>/label.pdf", packing.ParcelLabelView.as_view(), name="outbound-parcel-label"),
    path("outbound/handover/", handover.HandoverView.as_view(), name="outbound-handover"),
    path("outbound/handover/open/", handover.ManifestOpenView.as_view(), name="outbound-manifest-open"),
    path("outbound/manifests/<str:number>/", handover.ManifestDetailView.as_view(), name="outbound-manifest"),
    path("outbound/manifests/<str:number>/scan/", handover.ManifestScanView.as_view(), name="outbound-manifest-scan"),
    path(
        "outbound/manifests/<str:number>/remove/",
        handover.ManifestRemoveView.as_view(),
        name="outbound-manifest-remove",
    ),
    path(
        "outbound/manifests/<str:number>/close/", handover.ManifestCloseView.as_view(), name="outbound-manifest-close"
    ),
    path(
        "outbound/manifests/<str:number>/manifest.pdf", handover.ManifestPdfView.as_view(), name="outbound-manifest-pdf"
    ),
]
