from django.urls import path

from .views import MeWithWarehouseView, WarehouseViewSet

urlpatterns = [
    path("me/", MeWithWarehouseView.as_view(), name="me"),
    path("warehouses/", WarehouseViewSet.as_view({"get": "list"}), name="warehouse-list"),
]
