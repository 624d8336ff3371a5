"""Portal forms for Bills: the forms only shape input; the services in topups.py hold the rules."""

from django import forms
from django.utils import timezone

from .choices import SUPPORTED_CURRENCIES, EntryKind, PaymentMethod

CURRENCY_CHOICES = [(c, c) for c in SUPPORTED_CURRENCIES]


class PaymentChoiceForm(forms.Form):
    """Top-up step 1 (GET): how and in which currency the customer pays."""

    method = forms.ChoiceField(label="Payment method", choices=PaymentMethod.choices)
    currency = forms.ChoiceField(label="Currency", choices=CURRENCY_CHOICES)


class TopUpForm(forms.Form):
    """Top-up step 2: the payment the customer made, with its voucher."""

    method = forms.ChoiceField(choices=PaymentMethod.choices, widget=forms.HiddenInput)
    currency = forms.CharField(max_length=3, widget=forms.HiddenInput)
    payer = forms.CharField(
        label="Payer",
        max_length=120,
        help_text="The name on the paying account.",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    amount = forms.CharField(
        label="Amount paid",
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    paid_on = forms.DateField(
        label="Paid date", widget=forms.DateInput(attrs={"class": "form-control", "type": "date"})
    )
    transaction_ref = forms.CharField(
        label="Transaction reference",
        max_length=120,
        help_text="The reference or transaction number from your bank or payment app.",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    voucher = forms.FileField(
        label="Payment voucher",
        help_text="A photo, screenshot (JPEG, PNG, GIF, WebP) or PDF of the payment; at most 10 MB.",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*,application/pdf"}),
    )

    def clean_paid_on(self):
        day = self.cleaned_data["paid_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The paid date cannot be in the future.")
        return day


class TransactionFilterForm(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "All types"), *EntryKind.choices])
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)


class StorageFeeFilterForm(forms.Form):
    q = forms.CharField(required=False)
    warehouse = forms.CharField(required=False)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
