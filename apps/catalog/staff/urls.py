from django.urls import path

from . import views

urlpatterns = [
    path("products/", views.StaffProductListView.as_view(), name="product-list"),
    path("products/<int:pk>/", views.StaffProductDetailView.as_view(), name="product-detail"),
    path("products/<int:pk>/measure/", views.StaffProductMeasureView.as_view(), name="product-measure"),
]
