"""Back-office forms for finance. Amounts stay text here: the money rules live in money.py."""

import uuid

from django import forms

from apps.billing.choices import SUPPORTED_CURRENCIES
from apps.billing.models import LevelPrice, PaymentAccount

_TEXT = {"class": "form-control"}


class ApproveForm(forms.Form):
    received_amount = forms.CharField(
        label="Received amount", max_length=20, widget=forms.TextInput(attrs={**_TEXT, "inputmode": "decimal"})
    )
    exchange_rate = forms.CharField(
        label="Exchange rate",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**_TEXT, "inputmode": "decimal"}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(label="Reason (the customer sees it)", max_length=300, widget=forms.TextInput(attrs=_TEXT))


class AdjustmentForm(forms.Form):
    """A signed amount with its reason; the hidden key makes a double submit post once."""

    amount = forms.CharField(
        label="Amount (+ credit, − debit)",
        max_length=20,
        widget=forms.TextInput(attrs={**_TEXT, "inputmode": "decimal"}),
    )
    reason = forms.CharField(label="Reason (the customer sees it)", max_length=300, widget=forms.TextInput(attrs=_TEXT))
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class MiscFeeForm(forms.Form):
    customer = forms.CharField(label="Customer code", max_length=12, widget=forms.TextInput(attrs=_TEXT))
    amount = forms.CharField(
        label="Amount", max_length=20, widget=forms.TextInput(attrs={**_TEXT, "inputmode": "decimal"})
    )
    reason = forms.CharField(label="Reason (the customer sees it)", max_length=300, widget=forms.TextInput(attrs=_TEXT))


class PaymentAccountForm(forms.ModelForm):
    currency = forms.ChoiceField(
        choices=[(c, c) for c in SUPPORTED_CURRENCIES], widget=forms.Select(attrs={"class": "form-select"})
    )

    class Meta:
        model = PaymentAccount
        fields = ["method", "currency", "details", "is_active"]
        widgets = {
            "method": forms.Select(attrs={"class": "form-select"}),
            "details": forms.Textarea(attrs={**_TEXT, "rows": 5}),
        }


class LevelPriceForm(forms.ModelForm):
    class Meta:
        model = LevelPrice
        fields = ["fulfilment_fee_per_order", "fulfilment_fee_per_extra_unit", "storage_rate_per_m3_day"]
        labels = {
            "fulfilment_fee_per_order": "Fee per order",
            "fulfilment_fee_per_extra_unit": "Fee per extra unit",
            "storage_rate_per_m3_day": "Storage per m³ per day",
        }
        widgets = {f: forms.NumberInput(attrs={**_TEXT, "step": "any", "min": "0"}) for f in fields}

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if value is not None and value < 0:
                self.add_error(name, "Prices cannot be negative.")
        return data
