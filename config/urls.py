from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.views import home
from apps.core import views as core_views

admin.site.site_header = "Fulfillment Hub administration"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.accounts.urls")),
    path("staff/", include("apps.backoffice.urls")),
    path("tracking/", include("apps.tracking.urls")),
    path("integrations/", include("apps.integrations.urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("products/", include("apps.catalog.urls")),
    path("downloads/", include("apps.documents.urls")),
    path("inventory/inbound/", include("apps.inbound.urls")),
    path("shipping/", include("apps.shipping.urls")),
    path("inventory/", include("apps.inventory.urls")),
    path("bills/", include("apps.billing.urls")),
    path("orders/", include("apps.orders.urls")),
    path("", home, name="home"),
    path("", include("apps.portal.urls")),
]

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
