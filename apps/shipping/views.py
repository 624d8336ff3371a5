from django.shortcuts import render
from django.views import View

from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.warehouses.selectors import customer_warehouses

from .customer_quotes import customer_quote
from .forms import QuoteForm
from .selectors import customer_channels


class QuoteView(CustomerRequiredMixin, View):
    """Shipping calculator: choose a method by delivery time and price. The price is an estimate:
    the packed weight decides the actual freight."""

    def get(self, request):
        warehouses = list(customer_warehouses(customer=request.user.customer))
        form = QuoteForm(
            request.GET or None,
            warehouses=warehouses,
            initial={"country": "US", "warehouse": warehouses[0].code if warehouses else ""},
        )
        result = None
        if form.is_bound and form.is_valid():
            d = form.cleaned_data
            try:
                result = customer_quote(
                    customer=request.user.customer,
                    warehouse_code=d["warehouse"],
                    country=d["country"],
                    postal_code=d["postal_code"],
                    sort=d["sort"],
                    parcel={
                        "weight_g": d["weight_g"],
                        "length_cm": d["length_cm"] or None,
                        "width_cm": d["width_cm"] or None,
                        "height_cm": d["height_cm"] or None,
                    },
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
        channels = customer_channels(customer=request.user.customer)
        return render(
            request,
            "shipping/quote.html",
            {"form": form, "result": result, "warehouses": warehouses, "channels": channels},
        )
