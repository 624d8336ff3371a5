"""The forms of the back-office inbound detail page: shelving units into a bin, reporting a difference."""

from __future__ import annotations

from django import forms

from apps.inbound.choices import DifferenceKind
from apps.inbound.models import InboundOrder
from apps.warehouses.models import BinLocation

from .common import (
    product_by_code,
    whole_number,
)


class ShelveForm(forms.Form):
    """Bin and SKU are scanned (the scanner types the code and presses Enter)."""

    bin = forms.CharField(label="Bin", max_length=30, error_messages={"required": "Scan or type the bin code."})
    code = forms.CharField(
        label="SKU or UPC", max_length=40, error_messages={"required": "Scan or type the SKU or UPC of the item."}
    )
    quantity = forms.CharField(
        label="Quantity",
        max_length=12,
        required=False,
        help_text="Empty: 1 unit (one scan).",
    )

    def __init__(self, *args, inbound: InboundOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.inbound = inbound

    def clean_bin(self):
        code = self.cleaned_data["bin"].strip()
        found = BinLocation.objects.filter(warehouse=self.inbound.warehouse, code__iexact=code).first()
        if found is None:
            raise forms.ValidationError(
                f"There is no bin “{code}” in {self.inbound.warehouse.code}; check the code on the shelf label."
            )
        return found

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        product = product_by_code(self.inbound.customer, code)
        if product is None:
            raise forms.ValidationError(f"“{code}” is not a SKU or UPC of customer {self.inbound.customer.code}.")
        return product

    def clean_quantity(self):
        try:  # a scan without a typed quantity is one unit
            return whole_number(self.cleaned_data["quantity"], "The quantity", minimum=1, blank=1)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def forget_quantity(self) -> None:
        """After a refusal the typed quantity is cleared, so the next scan is one unit again and
        never reuses a number that was meant for another item."""
        self.data = self.data.copy()
        self.data["quantity"] = ""


class DifferenceForm(forms.Form):
    code = forms.CharField(label="SKU or UPC", max_length=40, error_messages={"required": "Scan or type the SKU."})
    kind = forms.ChoiceField(
        label="Difference",
        choices=DifferenceKind.choices,
        error_messages={
            "required": "Choose short, over or damaged.",
            "invalid_choice": "Choose short, over or damaged.",
        },
    )
    quantity = forms.CharField(
        label="Quantity", max_length=12, error_messages={"required": "Enter how many units differ."}
    )
    note = forms.CharField(label="Note", max_length=300, required=False)

    def __init__(self, *args, inbound: InboundOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.inbound = inbound

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        product = product_by_code(self.inbound.customer, code)
        if product is None:
            raise forms.ValidationError(f"“{code}” is not a SKU or UPC of customer {self.inbound.customer.code}.")
        return product

    def clean_quantity(self):
        try:
            return whole_number(self.cleaned_data["quantity"], "The quantity", minimum=1)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- List and scan ------------------------------------------------------------------------------
