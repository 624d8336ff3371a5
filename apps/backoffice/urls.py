from django.urls import include, path

from . import views

app_name = "backoffice"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("desk/<slug:desk>/", views.DeskView.as_view(), name="desk"),
    path("", include("apps.accounts.staff.urls")),
    path("", include("apps.catalog.staff.urls")),
    path("", include("apps.warehouses.staff.urls")),
    path("", include("apps.inventory.staff.urls")),
    path("", include("apps.inventory.staff.cycle_count_urls")),
    path("", include("apps.inbound.staff.urls")),
    path("", include("apps.fulfillment.staff.urls")),
    path("", include("apps.shipping.staff.urls")),
    path("", include("apps.billing.staff.urls")),
    path("", include("apps.orders.staff.urls")),
    path("", include("apps.tracking.staff.urls")),
    path("", include("apps.integrations.staff.urls")),
]
