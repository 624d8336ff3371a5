"""Back office: stock across customers, adjustments with a reason, the ledger as audit trail."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from apps.accounts.models import Customer
from apps.catalog.models import Product
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.inventory.choices import MoveKind
from apps.inventory.forms import AdjustmentForm
from apps.inventory.selectors import VIEWS, inventory_list, move_list
from apps.inventory.services import stock_adjust
from apps.warehouses.models import BinLocation, Warehouse


class StaffInventoryView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.view_stockbalance"

    def get(self, request):
        code = request.GET.get("customer", "")
        customer = Customer.objects.filter(code=code).first() if code else None
        view = request.GET.get("view", "all")
        filters = {
            "search": request.GET.get("q", "").strip(),
            "warehouse": request.GET.get("warehouse", ""),
            "view": view if view in VIEWS else "all",
        }
        page = inventory_list(customer=customer, after=request.GET.get("after"), **filters)
        params = request.GET.copy()
        params.pop("after", None)
        return render(
            request,
            "inventory/staff/inventory.html",
            {
                "page": page,
                "filters": filters,
                "views": VIEWS.items(),
                "customer_code": code,
                "customers": Customer.objects.order_by("code").only("code", "company_name"),
                "warehouses": Warehouse.objects.order_by("code"),
                "base_query": params.urlencode(),
            },
        )


class StaffMovementsView(StaffPermissionRequiredMixin, View):
    """The ledger across customers; with kind=adjust it is the adjustments' audit trail."""

    permission_required = "inventory.view_stockmove"

    def get(self, request):
        code = request.GET.get("customer", "")
        customer = Customer.objects.filter(code=code).first() if code else None
        kind = request.GET.get("kind", "")
        before = request.GET.get("before", "")
        qs = move_list(
            sku=request.GET.get("sku", "").strip(),
            warehouse=request.GET.get("warehouse", ""),
            kind=kind if kind in MoveKind.values else "",
            before_id=int(before) if before.isdecimal() else None,
        )
        if customer:
            qs = qs.filter(customer=customer)
        moves = list(qs[:101])
        params = request.GET.copy()
        params.pop("before", None)
        return render(
            request,
            "inventory/staff/movements.html",
            {
                "moves": moves[:100],
                "next_before": moves[99].pk if len(moves) > 100 else None,
                "kinds": MoveKind.choices,
                "kind": kind,
                "customer_code": code,
                "sku": request.GET.get("sku", ""),
                "base_query": params.urlencode(),
            },
        )


class StaffAdjustView(StaffPermissionRequiredMixin, View):
    permission_required = "inventory.adjust_stock"
    template_name = "inventory/staff/adjust.html"

    def get(self, request):
        return render(request, self.template_name, {"form": AdjustmentForm(initial=request.GET.dict())})

    def post(self, request):
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            product = Product.objects.filter(
                customer__code=data["customer"].strip().upper(), sku__iexact=data["sku"].strip()
            ).first()
            warehouse = Warehouse.objects.filter(code__iexact=data["warehouse"].strip()).first()
            bin_ = None
            if product is None:
                form.add_error("sku", f"Customer {data['customer']} has no SKU {data['sku']}.")
            if warehouse is None:
                form.add_error("warehouse", f"There is no warehouse {data['warehouse']}.")
            elif data["bin"]:
                bin_ = BinLocation.objects.filter(warehouse=warehouse, code__iexact=data["bin"].strip()).first()
                if bin_ is None:
                    form.add_error("bin", f"Warehouse {warehouse.code} has no bin {data['bin']}.")
            if not form.errors:
                try:
                    move = stock_adjust(
                        actor=request.user,
                        product=product,
                        warehouse=warehouse,
                        quantity=data["quantity"],
                        bin=bin_,
                        reason=data["reason"],
                        reference_type="adjustment",
                        reference="Stock adjustment",
                    )
                except ApplicationError as exc:
                    form_add_application_error(form, exc)
                else:
                    messages.success(request, f"Adjusted {product.sku} in {warehouse.code} by {move.quantity:+d}.")
                    return redirect("backoffice:inventory-movements")
        return render(request, self.template_name, {"form": form}, status=400)
