"""Portal and back-office forms: they read the request; the rules run in the order services."""

from __future__ import annotations

import pycountry
from django import forms

from .choices import AbnormalReason, OrderSource, OrderStatus
from .rules import LABELS

COUNTRY_CHOICES = [("", "Choose…")] + sorted(
    ((c.alpha_2, f"{c.name} ({c.alpha_2})") for c in pycountry.countries), key=lambda pair: pair[1]
)


class OrderForm(forms.Form):
    """The order page: recipient, warehouse, reference, note (lines and channel come separately)."""

    name = forms.CharField(label=LABELS["name"], max_length=100)
    company = forms.CharField(label=LABELS["company"], max_length=100, required=False)
    phone = forms.CharField(
        label=LABELS["phone"],
        max_length=40,
        required=False,
        help_text="With the country code when the parcel goes abroad, e.g. +1 415 555 0100.",
    )
    email = forms.CharField(label=LABELS["email"], max_length=254, required=False)
    address1 = forms.CharField(label=LABELS["address1"], max_length=200)
    address2 = forms.CharField(label=LABELS["address2"], max_length=200, required=False)
    city = forms.CharField(label=LABELS["city"], max_length=100)
    state = forms.CharField(
        label=LABELS["state"],
        max_length=100,
        required=False,
        help_text="Required for the US, Canada, Australia and a few other countries.",
    )
    postal_code = forms.CharField(label=LABELS["postal_code"], max_length=20, required=False)
    country = forms.ChoiceField(label=LABELS["country"], choices=COUNTRY_CHOICES)
    warehouse = forms.ChoiceField(label="Warehouse")
    external_ref = forms.CharField(
        label="External reference",
        max_length=100,
        required=False,
        help_text="Your shop's order number, if any (unique among your orders).",
    )
    note = forms.CharField(label="Note", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    channel = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, warehouses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.warehouses = {str(w.pk): w for w in warehouses}
        self.fields["warehouse"].choices = [(str(w.pk), f"{w.code} — {w.name}") for w in warehouses]
        if len(self.warehouses) == 1 and not self.is_bound:
            self.initial.setdefault("warehouse", next(iter(self.warehouses)))

    def recipient(self) -> dict:
        return {key: self.cleaned_data.get(key, "") for key in LABELS}


class FilterForm(forms.Form):
    """The order list's filters (all optional; bad values are ignored with a message)."""

    q = forms.CharField(required=False, label="Search")
    created_from = forms.DateField(required=False, label="Created from", widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label="Created to", widget=forms.DateInput(attrs={"type": "date"}))
    warehouse = forms.CharField(required=False, label="Warehouse")
    channel = forms.CharField(required=False, label="Shipping method")
    source = forms.ChoiceField(required=False, label="Source", choices=[("", "Any source"), *OrderSource.choices])
    country = forms.CharField(required=False, label="Country", max_length=2)
    sku = forms.CharField(required=False, label="SKU")
    status = forms.ChoiceField(required=False, choices=[("", "All"), *OrderStatus.choices])
    reason = forms.ChoiceField(
        required=False, label="Abnormal reason", choices=[("", "Any reason"), *AbnormalReason.choices]
    )
    customer = forms.CharField(required=False, label="Customer code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("source", "reason"):
            self.fields[name].widget.attrs.update({"class": "form-select form-select-sm", "aria-label": name.title()})


class CancelForm(forms.Form):
    reason = forms.CharField(required=False, max_length=200)


class NoteForm(forms.Form):
    message = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


def read_lines(post) -> list[list[str]]:
    """[[sku, quantity]] typed on the order page, blank rows dropped."""
    rows = []
    for sku, quantity in zip(post.getlist("sku"), post.getlist("quantity"), strict=False):
        sku, quantity = sku.strip(), quantity.strip()
        if sku or quantity:
            rows.append([sku, quantity])
    return rows


def order_data(form: OrderForm, rows: list[list[str]], *, customer):
    """(OrderData, problems) from a valid OrderForm and the typed lines: SKUs and the channel code
    resolved to the customer's objects; what cannot be resolved is reported, not guessed."""
    from apps.catalog.selectors import products_by_sku
    from apps.shipping.selectors import customer_channels

    from .services import OrderData

    products = products_by_sku(customer=customer, skus=[sku for sku, _q in rows])
    lines, problems = [], []
    for sku, quantity in rows:
        product = products.get(sku.lower())
        if product is None:
            problems.append(f"“{sku}” is not one of your SKUs." if sku else "A line has a quantity but no SKU.")
        elif not quantity.isdecimal() or int(quantity) <= 0:
            problems.append(f"{product.sku}: enter a whole number of units above 0.")
        else:
            lines.append((product, int(quantity)))
    warehouse = form.warehouses.get(form.cleaned_data["warehouse"])
    channel = None
    code = form.cleaned_data.get("channel", "")
    if code and warehouse is not None:
        channel = customer_channels(customer=customer).filter(code=code, warehouse=warehouse).first()
        if channel is None:
            problems.append(f"The shipping method {code} is not available from {warehouse.code}; choose another.")
    data = OrderData(
        warehouse=warehouse,
        recipient=form.recipient(),
        lines=lines,
        channel=channel,
        external_ref=form.cleaned_data.get("external_ref", ""),
        note=form.cleaned_data.get("note", ""),
    )
    return data, problems


def filters_from(form: FilterForm):
    from .selectors import OrderFilters

    data = form.cleaned_data if form.is_valid() else {}
    return OrderFilters(
        status=data.get("status", ""),
        search=data.get("q", ""),
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        warehouse=data.get("warehouse", ""),
        channel=data.get("channel", ""),
        source=data.get("source", ""),
        country=data.get("country", ""),
        sku=data.get("sku", ""),
        abnormal_code=data.get("reason", ""),
        customer=data.get("customer", ""),
    )
