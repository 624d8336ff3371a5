from django.urls import path

from . import batch_views, views

app_name = "orders"

urlpatterns = [
    path("", views.OrderListView.as_view(), name="list"),
    path("create/", views.OrderCreateView.as_view(), name="create"),
    path("bulk/", views.OrderBulkView.as_view(), name="bulk"),
    path("export/", views.OrderExportView.as_view(), name="export"),
    path("recognize/", views.RecognizeView.as_view(), name="recognize"),
    path("quote/", views.QuoteView.as_view(), name="quote"),
    path("sku-search/", views.SkuSearchView.as_view(), name="sku-search"),
    path("batch/", batch_views.BatchView.as_view(), name="batch"),
    path("batch/template/<slug:kind>.xlsx", batch_views.BatchTemplateView.as_view(), name="batch-template"),
    path("batch/<int:pk>/", batch_views.BatchJobView.as_view(), name="batch-job"),
    path("batch/<int:pk>/valid-only/", batch_views.BatchValidOnlyView.as_view(), name="batch-valid-only"),
    path("<str:number>/", views.OrderDetailView.as_view(), name="detail"),
    path("<str:number>/customs.pdf", views.OrderCustomsView.as_view(), name="customs"),
    path("<str:number>/edit/", views.OrderEditView.as_view(), name="edit"),
    path("<str:number>/submit/", views.OrderSubmitView.as_view(), name="submit"),
    path("<str:number>/cancel/", views.OrderCancelView.as_view(), name="cancel"),
    path("<str:number>/copy/", views.OrderCopyView.as_view(), name="copy"),
]
