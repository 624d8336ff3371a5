"""Back-office outbound pages (pick, pack, hand over); included into the backoffice namespace at /staff/."""

from django.urls import path

from . import views

urlpatterns = [
    path("outbound/", views.DashboardView.as_view(), name="outbound-dashboard"),
    path("outbound/waves/", views.WaveListView.as_view(), name="outbound-wave-list"),
    path("outbound/waves/new/", views.WaveCreateView.as_view(), name="outbound-wave-create"),
    path("outbound/waves/<str:number>/", views.WaveDetailView.as_view(), name="outbound-wave-detail"),
    path("outbound/waves/<str:number>/pick/", views.WavePickView.as_view(), name="outbound-wave-pick"),
    path("outbound/waves/<str:number>/lines/<int:line>/short/", views.WaveShortView.as_view(),
         name="outbound-wave-short"),
    path("outbound/waves/<str:number>/pick-list.pdf", views.WavePickListPdfView.as_view(), name="outbound-wave-pdf"),
    path("outbound/pack/", views.PackStationView.as_view(), name="outbound-pack"),
    path("outbound/pack/<str:number>/", views.PackOrderView.as_view(), name="outbound-pack-order"),
    path("outbound/pack/<str:number>/scan/", views.PackScanView.as_view(), name="outbound-pack-scan"),
    path("outbound/pack/<str:number>/complete/", views.PackCompleteView.as_view(), name="outbound-pack-complete"),
    path("outbound/pack/<str:number>/done/", views.PackDoneView.as_view(), name="outbound-pack-done"),
    path("outbound/parcels/<str:tracking>/label.pdf", views.ParcelLabelView.as_view(), name="outbound-parcel-label"),
    path("outbound/handover/", views.HandoverView.as_view(), name="outbound-handover"),
    path("outbound/handover/open/", views.ManifestOpenView.as_view(), name="outbound-manifest-open"),
    path("outbound/manifests/<str:number>/", views.ManifestDetailView.as_view(), name="outbound-manifest"),
    path("outbound/manifests/<str:number>/scan/", views.ManifestScanView.as_view(), name="outbound-manifest-scan"),
    path("outbound/manifests/<str:number>/remove/", views.ManifestRemoveView.as_view(),
         name="outbound-manifest-remove"),
    path("outbound/manifests/<str:number>/close/", views.ManifestCloseView.as_view(), name="outbound-manifest-close"),
    path("outbound/manifests/<str:number>/manifest.pdf", views.ManifestPdfView.as_view(),
         name="outbound-manifest-pdf"),
]
