from django.urls import path

from . import views

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer-create"),
    path("customers/<str:code>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<str:code>/edit/", views.CustomerUpdateView.as_view(), name="customer-update"),
    path("customers/<str:code>/status/", views.CustomerStatusView.as_view(), name="customer-status"),
]
