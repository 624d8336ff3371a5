from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.ProductListView.as_view(), name="product-list"),
    path("new/", views.ProductCreateView.as_view(), name="product-create"),
    path("bulk/", views.ProductBulkView.as_view(), name="product-bulk"),
    path("apply-upc/", views.ApplyUpcView.as_view(), name="apply-upc"),
    path("export/", views.ProductExportView.as_view(), name="product-export"),
    path("labels/", views.ProductLabelsView.as_view(), name="product-labels"),
    path("import/", views.ProductImportView.as_view(), name="product-import"),
    path("import/template.xlsx", views.ProductImportTemplateView.as_view(), name="product-import-template"),
    path("import/<int:pk>/", views.ProductImportJobView.as_view(), name="product-import-job"),
    path("import/<int:pk>/valid-only/", views.ProductImportValidOnlyView.as_view(), name="product-import-valid-only"),
    path("<int:pk>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("<int:pk>/edit/", views.ProductUpdateView.as_view(), name="product-update"),
    path("<int:pk>/apply-upc/", views.ProductApplyUpcView.as_view(), name="product-apply-upc"),
]
