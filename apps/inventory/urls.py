from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("", views.InventoryListView.as_view(), name="list"),
    path("export/", views.InventoryExportView.as_view(), name="export"),
    path("sku/<int:pk>/", views.SkuMovementsView.as_view(), name="sku-movements"),
    path("sku/<int:pk>/threshold/", views.LowStockThresholdView.as_view(), name="low-stock-threshold"),
]
