from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from .tenancy import staff_scope


class HubAdminSite(admin.AdminSite):
    """Django admin is for superusers only; staff work in the back office at /staff/."""

    site_header = "Fulfillment Hub administration"
    site_title = "Fulfillment Hub admin"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def unscoped(request, *args, **kwargs):
            with staff_scope():
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
                return response

        return unscoped


class HubAdminConfig(AdminConfig):
    default_site = "apps.core.admin_site.HubAdminSite"
