from django.urls import path

from .views import InventoryViewSet, MovementViewSet

urlpatterns = [
    path("inventory/", InventoryViewSet.as_view({"get": "list"}), name="inventory-list"),
    path("inventory/movements/", MovementViewSet.as_view({"get": "list"}), name="inventory-movement-list"),
]
