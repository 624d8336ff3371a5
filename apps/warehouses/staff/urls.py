from django.urls import path

from . import views

urlpatterns = [
    path("time-zone/", views.StaffTimeZoneView.as_view(), name="time-zone"),
    path("warehouses/", views.WarehouseListView.as_view(), name="warehouse-list"),
    path("warehouses/new/", views.WarehouseFormView.as_view(), name="warehouse-create"),
    path("warehouses/<str:code>/edit/", views.WarehouseFormView.as_view(), name="warehouse-update"),
    path("warehouses/<str:code>/bins/", views.BinListView.as_view(), name="warehouse-bins"),
    path("warehouses/<str:code>/zones/", views.WarehouseZonesView.as_view(), name="warehouse-zones"),
    path("customers/<str:code>/warehouses/", views.CustomerWarehousesView.as_view(), name="customer-warehouses"),
]
