from django.urls import path

from . import views

urlpatterns = [
    path("inventory/", views.StaffInventoryView.as_view(), name="inventory"),
    path("inventory/movements/", views.StaffMovementsView.as_view(), name="inventory-movements"),
    path("inventory/adjust/", views.StaffAdjustView.as_view(), name="inventory-adjust"),
]
