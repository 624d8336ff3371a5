from django.shortcuts import render
from django.views import View

from apps.accounts.selectors import api_key_list
from apps.core.access import CustomerRequiredMixin
from apps.inbound.selectors import inbound_updates
from apps.orders.allocation import RULE
from apps.orders.selectors import abnormal_count
from apps.tracking.selectors import exceptions_open_count
from apps.tracking.views import track_context
from apps.warehouses.selectors import customer_warehouse_list

from .modules import MODULES


class DashboardView(CustomerRequiredMixin, View):
    """The user center homepage: account facts and the way into every module."""

    def get(self, request):
        customer = request.user.customer
        return render(
            request,
            "portal/dashboard.html",
            {
                "customer": customer,
                "modules": MODULES,
                "active_api_keys": api_key_list(customer=customer).filter(revoked_at__isnull=True).count(),
                "inbound_updates": inbound_updates(customer=customer),
                "abnormal_orders": abnormal_count(customer=customer),
                "delivery_exceptions": exceptions_open_count(customer=customer),
            },
        )


class TrackingView(CustomerRequiredMixin, View):
    """Tracking → the public tracking page's form and answers inside the portal, so a seller who
    tracks a parcel keeps the portal's navigation (the public page stays for recipients)."""

    def get(self, request):
        return render(request, "tracking/track.html", {**track_context(request), "layout": "portal/base.html"})


class SettingsView(CustomerRequiredMixin, View):
    """Integration → Warehouses & allocation: the customer's warehouses (default marked) and the
    rule that picks one for orders that arrive without it. Read-only: sales keep the plan."""

    def get(self, request):
        customer = request.user.customer
        warehouses = list(customer_warehouse_list(customer=customer).prefetch_related("zones"))
        default = next((w for w in warehouses if w.is_default), None)
        return render(
            request,
            "portal/settings.html",
            {
                "customer": customer,
                "rule": RULE,
                "warehouses": warehouses,
                "default": default,
                "default_marked": bool(default and default.default_marked),
            },
        )
