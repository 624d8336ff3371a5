"""Portal forms: they only read the request; the rules run in the inbound services."""

from django import forms

from .choices import TransportMode


class ShippingForm(forms.Form):
    carrier = forms.CharField(max_length=80, required=False, label="Carrier")
    tracking_number = forms.CharField(max_length=80, required=False, label="Tracking number")
    transport_mode = forms.ChoiceField(
        choices=[("", "—"), *TransportMode.choices], required=False, label="Transport mode"
    )
    ship_date = forms.DateField(required=False, label="Ship date", widget=forms.DateInput(attrs={"type": "date"}))
    eta = forms.DateField(required=False, label="ETA", widget=forms.DateInput(attrs={"type": "date"}))


class UploadForm(forms.Form):
    file = forms.FileField(label="Spreadsheet (.xlsx)")


def read_rows(data, *names) -> list[list[str]]:
    """Rows of parallel lists from a POST (e.g. sku[] and qty[]), blank rows dropped."""
    columns = [data.getlist(name) for name in names]
    rows = []
    for values in zip(*columns, strict=False):
        values = [v.strip() for v in values]
        if any(values):
            rows.append(values)
    return rows
