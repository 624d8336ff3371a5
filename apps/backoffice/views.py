from django.http import Http404
from django.shortcuts import render
from django.views import View

from apps.accounts.selectors import customer_list, staff_roles
from apps.core.access import StaffPermissionRequiredMixin

from .sections import DESK_KEYS, section, sections_for


class DashboardView(StaffPermissionRequiredMixin, View):
    """The back-office home: one card per section the user's roles open."""

    def get_permission_required(self):
        return ()  # any staff user; each section behind it checks its own permission

    def get(self, request):
        return render(
            request,
            "backoffice/dashboard.html",
            {
                "sections": sections_for(request.user),
                "roles": staff_roles(request.user),
            },
        )


class DeskView(StaffPermissionRequiredMixin, View):
    """A role's desk: its duties and the work waiting for it."""

    def get_permission_required(self):
        key = self.kwargs["desk"]
        if key not in DESK_KEYS:
            raise Http404("No such desk.")
        return (section(key).permission,)

    def get(self, request, desk):
        context = {"section": section(desk)}
        if desk == "sales":
            context["customers"] = customer_list().order_by("-created_at")[:10]
            context["customers_title"] = "Newest customers"
        elif desk == "service":
            context["customers"] = customer_list().filter(service_rep=request.user)[:50]
            context["customers_title"] = "Customers you look after"
        return render(request, "backoffice/desk.html", context)
