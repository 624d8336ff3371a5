"""Back office: warehouses and bins (warehouse role), customers' allowed warehouses (sales)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from apps.accounts.models import Customer
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.warehouses.forms import (
    BinsForm,
    CustomerWarehousesForm,
    WarehouseForm,
    WarehouseUpdateForm,
    WarehouseZonesForm,
)
from apps.warehouses.middleware import SESSION_KEY as TIME_ZONE_SESSION_KEY
from apps.warehouses.models import Warehouse
from apps.warehouses.selectors import (
    bin_list,
    customer_default_warehouse,
    customer_warehouses,
    staff_time_zone,
    warehouse_list,
    warehouse_zones,
)
from apps.warehouses.services import (
    bin_codes_in_range,
    bins_create,
    customer_warehouses_set,
    parse_zone_lines,
    warehouse_create,
    warehouse_update,
    warehouse_zones_set,
)


class WarehouseListView(StaffPermissionRequiredMixin, View):
    permission_required = "warehouses.view_warehouse"

    def get(self, request):
        return render(request, "warehouses/staff/warehouse_list.html", {"warehouses": warehouse_list()})


class WarehouseFormView(StaffPermissionRequiredMixin, View):
    template_name = "warehouses/staff/warehouse_form.html"

    def get_permission_required(self):
        return ("warehouses.change_warehouse",) if "code" in self.kwargs else ("warehouses.add_warehouse",)

    def get(self, request, code=None):
        warehouse = get_object_or_404(Warehouse, code=code) if code else None
        form = WarehouseUpdateForm(instance=warehouse) if warehouse else WarehouseForm(initial={"timezone": "UTC"})
        return render(request, self.template_name, {"form": form, "warehouse": warehouse})

    def post(self, request, code=None):
        warehouse = get_object_or_404(Warehouse, code=code) if code else None
        form = (WarehouseUpdateForm if warehouse else WarehouseForm)(request.POST)
        if form.is_valid():
            try:
                if warehouse is None:
                    warehouse = warehouse_create(actor=request.user, data=form.cleaned_data)
                    messages.success(request, f"Warehouse {warehouse.code} created. Add its bins next.")
                    return redirect("backoffice:warehouse-bins", code=warehouse.code)
                warehouse_update(actor=request.user, warehouse=warehouse, data=form.cleaned_data)
                messages.success(request, f"Warehouse {warehouse.code} saved.")
                return redirect("backoffice:warehouse-list")
            except ApplicationError as exc:
                form_add_application_error(form, exc)
        return render(request, self.template_name, {"form": form, "warehouse": warehouse}, status=400)


class BinListView(StaffPermissionRequiredMixin, View):
    permission_required = "warehouses.view_binlocation"
    template_name = "warehouses/staff/bin_list.html"

    def get(self, request, code, form=None, status=200):
        warehouse = get_object_or_404(Warehouse, code=code)
        return render(
            request,
            self.template_name,
            {
                "warehouse": warehouse,
                "bins": bin_list(warehouse=warehouse, search=request.GET.get("q", "")),
                "form": form or BinsForm(),
                "q": request.GET.get("q", ""),
            },
            status=status,
        )

    def post(self, request, code):
        if not request.user.has_perm("warehouses.add_binlocation"):
            messages.error(request, "Your role cannot add bins.")
            return redirect("backoffice:warehouse-bins", code=code)
        warehouse = get_object_or_404(Warehouse, code=code)
        form = BinsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                codes = data["codes"].splitlines()
                if data["range_from"] or data["range_to"]:
                    codes += bin_codes_in_range(start=data["range_from"], end=data["range_to"])
                created = bins_create(actor=request.user, warehouse=warehouse, codes=codes, zone=data["zone"])
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"{len(created)} bin{'s' if len(created) != 1 else ''} added to {warehouse.code}."
                )
                return redirect("backoffice:warehouse-bins", code=warehouse.code)
        return self.get(request, code, form=form, status=400)


class CustomerWarehousesView(StaffPermissionRequiredMixin, View):
    """A customer's logistics plan: which warehouses it may use, and its default."""

    permission_required = "warehouses.change_customerwarehouse"
    template_name = "warehouses/staff/customer_warehouses.html"

    def get(self, request, code):
        customer = get_object_or_404(Customer, code=code)
        form = CustomerWarehousesForm(
            initial={
                "warehouses": customer_warehouses(customer=customer),
                "default": customer_default_warehouse(customer=customer),
            }
        )
        return render(request, self.template_name, {"customer": customer, "form": form})

    def post(self, request, code):
        customer = get_object_or_404(Customer, code=code)
        form = CustomerWarehousesForm(request.POST)
        if form.is_valid():
            chosen, default = form.cleaned_data["warehouses"], form.cleaned_data["default"]
            try:
                customer_warehouses_set(actor=request.user, customer=customer, warehouses=chosen, default=default)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                names = ", ".join(w.code for w in chosen) or "none"
                said = f" Default: {default.code}." if default else ""
                messages.success(request, f"{customer.code} may now use: {names}.{said}")
                return redirect("backoffice:customer-detail", code=customer.code)
        return render(request, self.template_name, {"customer": customer, "form": form}, status=400)


class WarehouseZonesView(StaffPermissionRequiredMixin, View):
    """A warehouse's zone table (destination country -> rank), kept by logistics: it decides the
    nearest warehouse for orders that arrive without one."""

    template_name = "warehouses/staff/warehouse_zones.html"

    def get_permission_required(self):
        if self.request.method == "POST":
            return ("warehouses.change_warehousezone",)
        return ("warehouses.view_warehousezone",)

    def _render(self, request, warehouse, form, status=200):
        zones = warehouse_zones(warehouse=warehouse)
        return render(
            request, self.template_name, {"warehouse": warehouse, "zones": zones, "form": form}, status=status
        )

    def get(self, request, code):
        warehouse = get_object_or_404(Warehouse, code=code)
        text = "\n".join(f"{z.country} {z.rank}" for z in warehouse_zones(warehouse=warehouse))
        return self._render(request, warehouse, WarehouseZonesForm(initial={"zones": text}))

    def post(self, request, code):
        warehouse = get_object_or_404(Warehouse, code=code)
        form = WarehouseZonesForm(request.POST)
        if form.is_valid():
            try:
                zones = warehouse_zones_set(
                    actor=request.user, warehouse=warehouse, zones=parse_zone_lines(form.cleaned_data["zones"])
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Zone table of {warehouse.code} saved: {len(zones)} countr{'ies' if len(zones) != 1 else 'y'}.",
                )
                return redirect("backoffice:warehouse-zones", code=warehouse.code)
        return self._render(request, warehouse, form, status=400)


class StaffTimeZoneView(StaffPermissionRequiredMixin, View):
    """The header's switch: show the back office's times in another warehouse's time zone."""

    def get_permission_required(self):
        return ()  # any staff user: it changes only how their own pages show times

    def post(self, request):
        zone = staff_time_zone(preferred=(request.POST.get("warehouse", "").strip()[:12],))
        if zone is not None:
            request.session[TIME_ZONE_SESSION_KEY] = zone.code
            messages.info(request, f"Times are now shown in {zone.code}'s time zone, {zone.zone_name}.")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
            back = reverse("backoffice:dashboard")
        return redirect(back)
