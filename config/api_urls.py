"""Every /api/v1/ route, one include per app."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.catalog.api.urls")),
    path("", include("apps.warehouses.api.urls")),
    path("", include("apps.documents.api.urls")),
    path("", include("apps.inventory.api.urls")),
    path("", include("apps.inbound.api.urls")),
    path("", include("apps.shipping.api.urls")),
    path("", include("apps.billing.api.urls")),
    path("", include("apps.orders.api.urls")),
    path("", include("apps.tracking.api.urls")),
]
