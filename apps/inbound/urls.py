from django.urls import path

from . import views

app_name = "inbound"

urlpatterns = [
    path("", views.InboundListView.as_view(), name="list"),
    path("new/", views.InboundLinesView.as_view(), name="create"),
    path("templates/<slug:which>/", views.TemplateDownloadView.as_view(), name="template"),
    path("slips/", views.SlipListView.as_view(), name="slip-list"),
    path("slips/<int:pk>/", views.SlipDetailView.as_view(), name="slip-detail"),
    path("<int:pk>/", views.InboundDetailView.as_view(), name="detail"),
    path("<int:pk>/lines/", views.InboundLinesView.as_view(), name="lines"),
    path("<int:pk>/packing/", views.InboundPackingView.as_view(), name="packing"),
    path("<int:pk>/shipping/", views.InboundShippingView.as_view(), name="shipping"),
    path("<int:pk>/submit/", views.InboundSubmitView.as_view(), name="submit"),
    path("<int:pk>/cancel/", views.InboundCancelView.as_view(), name="cancel"),
    path("<int:pk>/documents/<str:kind>", views.InboundDocumentView.as_view(), name="document"),
]
