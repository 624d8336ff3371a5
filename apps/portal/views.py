from django.http import Http404
from django.shortcuts import render
from django.views import View

from apps.accounts.selectors import api_key_list
from apps.core.access import CustomerRequiredMixin
from apps.inbound.selectors import inbound_updates
from apps.orders.selectors import abnormal_count

from .modules import MODULES, module


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
            },
        )


class ModuleView(CustomerRequiredMixin, View):
    """A module's landing page until its screens are switched on."""

    def get(self, request, key):
        mod = module(key)
        if mod is None or mod.url_name != "portal:module":
            raise Http404("No such module.")
        return render(request, "portal/module.html", {"module": mod})
