"""Back-office order pages (OMS); included into the backoffice namespace at /staff/."""

from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/abnormal/", views.AbnormalQueueView.as_view(), name="order-abnormal"),
    path("orders/place/", views.OrderPlaceView.as_view(), name="order-place"),
    path("orders/bulk/", views.OrderBulkView.as_view(), name="order-bulk"),
    path("orders/export/", views.OrderExportView.as_view(), name="order-export"),
    path("orders/export/<int:pk>/", views.OrderExportJobView.as_view(), name="order-export-job"),
    path("orders/export/<int:pk>/file/", views.OrderExportFileView.as_view(), name="order-export-file"),
    path("orders/recognize/", views.RecognizeView.as_view(), name="order-recognize"),
    path("orders/customers/<str:code>/sku-search/", views.SkuSearchView.as_view(), name="order-sku-search"),
    path("orders/customers/<str:code>/quote/", views.QuoteView.as_view(), name="order-quote"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<str:number>/customs.pdf", views.OrderCustomsView.as_view(), name="order-customs"),
    path("orders/<str:number>/edit/", views.OrderEditView.as_view(), name="order-edit"),
    path("orders/<str:number>/<slug:action>/", views.OrderActionView.as_view(), name="order-action"),
]
