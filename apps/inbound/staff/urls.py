"""Back-office inbound pages; included into the backoffice namespace at /staff/."""

from django.urls import path

from . import boxes, views

urlpatterns = [
    path("inbound/", views.InboundListView.as_view(), name="inbound-list"),
    path("inbound/scan/", views.InboundScanView.as_view(), name="inbound-scan"),  # before <number>/
    path("inbound/<str:number>/", views.InboundDetailView.as_view(), name="inbound-detail"),
    path("inbound/<str:number>/arrive/", views.InboundArriveView.as_view(), name="inbound-arrive"),
    path("inbound/<str:number>/boxes/<int:box_no>/", boxes.InboundBoxView.as_view(), name="inbound-box"),
    path("inbound/<str:number>/boxes/<int:box_no>/scan/", boxes.InboundBoxScanView.as_view(), name="inbound-box-scan"),
    path("inbound/<str:number>/finish/", views.InboundFinishView.as_view(), name="inbound-finish"),
    path("inbound/<str:number>/shelve/", views.InboundShelveView.as_view(), name="inbound-shelve"),
    path("inbound/<str:number>/difference/", views.InboundDifferenceView.as_view(), name="inbound-difference"),
]
