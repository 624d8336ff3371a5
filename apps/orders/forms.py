"""Portal and back-office forms: they read the request; the rules run in the order services."""

from __future__ import annotations

import pycountry
from django import forms

from .choices import AbnormalReason, OrderSource, OrderStatus
from .intake import OrderCodes
from .rules import LABELS

COUNTRY_CHOICES = [("", "Choose…")] + sorted(
    ((c.alpha_2, f"{c.name} ({c.alpha_2})") for c in pycountry.countries), key=lambda pair: pair[1]
)


class OrderForm(forms.Form):
    """The order page: recipient, warehouse, reference, note (lines and channel come separately).
    The fields only read text: the order intake resolves the codes and says what is wrong, in the
    same words as the API and the batch files (so no field here refuses a value by itself)."""

    name = forms.CharField(label=LABELS["name"], max_length=100, required=False)
    company = forms.CharField(label=LABELS["company"], max_length=100, required=False)
    phone = forms.CharField(
        label=LABELS["phone"],
        max_length=40,
        required=False,
        help_text="With the country code when the parcel goes abroad, e.g. +1 415 555 0100.",
    )
    email = forms.CharField(label=LABELS["email"], max_length=254, required=False)
    address1 = forms.CharField(label=LABELS["address1"], max_length=200, required=False)
    address2 = forms.CharField(label=LABELS["address2"], max_length=200, required=False)
    city = forms.CharField(label=LABELS["city"], max_length=100, required=False)
    state = forms.CharField(
        label=LABELS["state"],
        max_length=100,
        required=False,
        help_text="Required for the US, Canada, Australia and a few other countries.",
    )
    postal_code = forms.CharField(label=LABELS["postal_code"], max_length=20, required=False)
    country = forms.CharField(label=LABELS["country"], required=False, widget=forms.Select(choices=COUNTRY_CHOICES))
    warehouse = forms.CharField(label="Warehouse", required=False, widget=forms.Select())
    external_ref = forms.CharField(
        label="External reference",
        required=False,
        help_text="Your shop's order number, if any (unique among your orders).",
    )
    note = forms.CharField(label="Note", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    channel = forms.CharField(required=False, widget=forms.HiddenInput)

    SHOWN_REQUIRED = ("name", "address1", "city", "country")

    def __init__(self, *args, warehouses=(), **kwargs):
        super().__init__(*args, **kwargs)
        codes = [(w.code, f"{w.code} — {w.name}") for w in warehouses]
        if len(codes) != 1:
            codes.insert(0, ("", "Choose for me" if codes else "None in your logistics plan"))
        self.fields["warehouse"].widget.choices = codes
        if len(codes) == 1 and not self.is_bound:
            self.initial.setdefault("warehouse", codes[0][0])
        for name in self.SHOWN_REQUIRED:
            self.fields[name].shown_required = True

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


def order_codes(form: OrderForm, rows: list[list[str]], *, source: str, editing: int | None = None) -> OrderCodes:
    """The order intake's input from a valid OrderForm and the typed lines (form fields → codes)."""
    data = form.cleaned_data
    return OrderCodes(
        recipient=form.recipient(),
        lines=[(sku, quantity) for sku, quantity in rows],
        warehouse=data.get("warehouse", ""),
        channel=data.get("channel", ""),
        external_ref=data.get("external_ref", ""),
        source=source,
        note=data.get("note", ""),
        complete_address=True,
        editing=editing,
    )


def show_problems(form: OrderForm, problems) -> list:
    """Put the intake's problems on the form's fields, and return them once each for the list at
    the top of the form (lines have no field of their own: their sentences name the SKU)."""
    listed, seen = [], set()
    for problem in problems:
        name = problem.field.removeprefix("recipient.")
        if problem.line is None and name in form.fields and name not in form.errors:
            form.add_error(name, problem.message)
        if problem.message not in seen:
            seen.add(problem.message)
            listed.append(problem)
    return listed


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
