from django import forms

from apps.catalog.forms import COUNTRY_CHOICES


class QuoteForm(forms.Form):
    warehouse = forms.ChoiceField(label="From warehouse")
    country = forms.ChoiceField(label="Country", choices=COUNTRY_CHOICES)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    weight_g = forms.CharField(
        label="Weight (g)", max_length=12, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    length_cm = forms.CharField(label="Length (cm)", max_length=8, required=False)
    width_cm = forms.CharField(label="Width (cm)", max_length=8, required=False)
    height_cm = forms.CharField(label="Height (cm)", max_length=8, required=False)
    sort = forms.ChoiceField(choices=[("price", "Cheapest first"), ("speed", "Fastest first")], initial="price")

    def __init__(self, *args, warehouses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = [(w.code, f"{w.code} {w.name}") for w in warehouses]
        self.fields["weight_g"].error_messages["required"] = "Enter the parcel's weight in grams."
