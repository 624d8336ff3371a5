"""Back office: every customer's SKUs; the warehouse enters measured sizes."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from apps.accounts.models import Customer
from apps.catalog.forms import MeasurementForm
from apps.catalog.models import MEASURED_FIELDS, Product
from apps.catalog.selectors import product_list, product_measurement_history
from apps.catalog.services import product_set_measurements
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error


class StaffProductListView(StaffPermissionRequiredMixin, View):
    permission_required = "catalog.view_product"

    def get(self, request):
        customer_code = request.GET.get("customer", "")
        customer = Customer.objects.filter(code=customer_code).first() if customer_code else None
        filters = {"search": request.GET.get("q", "").strip(), "status": request.GET.get("status", "")}
        qs = product_list(customer=None, **filters)
        if customer:
            qs = qs.filter(customer=customer)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        return render(
            request,
            "catalog/staff/product_list.html",
            {
                "page": page,
                "filters": filters,
                "customer_code": customer_code,
                "customers": Customer.objects.order_by("code").only("code", "company_name"),
            },
        )


class StaffProductDetailView(StaffPermissionRequiredMixin, View):
    permission_required = "catalog.view_product"
    template_name = "catalog/staff/product_detail.html"

    def _context(self, product, form=None):
        initial = {f: getattr(product, f) for f in MEASURED_FIELDS}
        return {
            "product": product,
            "form": form or MeasurementForm(initial=initial),
            "history": product_measurement_history(product=product)[:50],
        }

    def get(self, request, pk):
        product = get_object_or_404(Product.objects.select_related("customer"), pk=pk)
        return render(request, self.template_name, self._context(product))


class StaffProductMeasureView(StaffProductDetailView):
    permission_required = "catalog.change_measurements"

    def post(self, request, pk):
        product = get_object_or_404(Product.objects.select_related("customer"), pk=pk)
        form = MeasurementForm(request.POST)
        if form.is_valid():
            try:
                product_set_measurements(actor=request.user, product=product, data=form.cleaned_data)
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                messages.success(request, f"Measurements of {product.sku} saved; quotes and fees now use them.")
                return redirect("backoffice:product-detail", pk=product.pk)
        return render(request, self.template_name, self._context(product, form), status=400)
