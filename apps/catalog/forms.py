"""Portal forms only shape the page; the product rules live in rules.py and run in services."""

import pycountry
from django import forms

from .models import MEASURED_FIELDS

COUNTRY_CHOICES = [("", "—")] + sorted(
    ((c.alpha_2, f"{c.name} ({c.alpha_2})") for c in pycountry.countries), key=lambda c: c[1]
)
COMMON_CURRENCIES = ["USD", "EUR", "GBP", "CNY", "CAD", "AUD", "JPY", "HKD"]
CURRENCY_CHOICES = [(c, c) for c in COMMON_CURRENCIES] + sorted(
    (c.alpha_3, c.alpha_3) for c in pycountry.currencies if c.alpha_3 not in COMMON_CURRENCIES
)


def _number(step, **attrs):
    return forms.TextInput(attrs={"inputmode": "decimal", "data-step": step, **attrs})


class ProductForm(forms.Form):
    sku = forms.CharField(label="SKU", required=False, help_text="Leave empty to use the UPC as the SKU code.")
    upc = forms.CharField(
        label="UPC", required=False, help_text="The same as the SKU, a UPC-A/EAN-13 you have, or click Apply ST-UPC."
    )
    name = forms.CharField(label="Product name")
    customs_name = forms.CharField(
        label="Declared customs name",
        required=False,
        help_text="What the parcel contains, in English, for customs. Required to ship abroad.",
    )
    category = forms.CharField(required=False)
    declared_value = forms.CharField(label="Declared value", widget=_number("0.01"))
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial="USD")
    hs_code = forms.CharField(label="HS code", required=False, help_text="6 to 10 digits. Required to ship abroad.")
    origin_country = forms.ChoiceField(
        label="Country of origin", choices=COUNTRY_CHOICES, required=False, help_text="Required to ship abroad."
    )
    length_cm = forms.CharField(label="Length (cm)", required=False, widget=_number("0.1"))
    width_cm = forms.CharField(label="Width (cm)", required=False, widget=_number("0.1"))
    height_cm = forms.CharField(label="Height (cm)", required=False, widget=_number("0.1"))
    weight_g = forms.CharField(
        label="Weight (g)",
        required=False,
        widget=_number("1"),
        help_text="The warehouse measures on receipt; its figures then apply.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter the product name."
        self.fields["declared_value"].error_messages["required"] = "Enter the declared value (for customs)."


class MeasurementForm(forms.Form):
    measured_length_cm = forms.CharField(label="Length (cm)", required=False, widget=_number("0.1"))
    measured_width_cm = forms.CharField(label="Width (cm)", required=False, widget=_number("0.1"))
    measured_height_cm = forms.CharField(label="Height (cm)", required=False, widget=_number("0.1"))
    measured_weight_g = forms.CharField(label="Weight (g)", required=False, widget=_number("1"))

    field_order = list(MEASURED_FIELDS)


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("deactivate", "Deactivate"), ("activate", "Activate")])
    ids = forms.CharField(required=False)

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.id_list = [int(v) for v in (data.getlist("ids") if data is not None else []) if str(v).isdecimal()]

    def clean(self):
        data = super().clean()
        if not self.id_list:
            raise forms.ValidationError("Tick at least one product first.")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="Product file (.xlsx)", help_text="Use the template; at most 10 MB and 50,000 rows.")
