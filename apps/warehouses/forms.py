from django import forms

from .models import Warehouse


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = [
            "code",
            "name",
            "address1",
            "address2",
            "city",
            "state",
            "postal_code",
            "country",
            "timezone",
            "phone",
            "is_active",
        ]


class WarehouseUpdateForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = [f for f in WarehouseForm.Meta.fields if f != "code"]


class BinsForm(forms.Form):
    codes = forms.CharField(
        label="Bin codes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line — or fill in a range below.",
    )
    range_from = forms.CharField(
        label="Range from", required=False, max_length=30, widget=forms.TextInput(attrs={"placeholder": "A-01-01"})
    )
    range_to = forms.CharField(
        label="Range to", required=False, max_length=30, widget=forms.TextInput(attrs={"placeholder": "A-01-20"})
    )
    zone = forms.CharField(required=False, max_length=30)


class CustomerWarehousesForm(forms.Form):
    warehouses = forms.ModelMultipleChoiceField(
        queryset=Warehouse.objects.filter(is_active=True), required=False, widget=forms.CheckboxSelectMultiple
    )
    default = forms.ModelChoiceField(
        label="Default warehouse",
        queryset=Warehouse.objects.filter(is_active=True),
        required=False,
        blank=True,  # offer the "none marked" choice as a radio too
        widget=forms.RadioSelect,
        empty_label="None marked (the first allowed warehouse by code counts)",
        help_text="Orders that arrive without a warehouse ship from here when it has every line in stock.",
    )


class WarehouseZonesForm(forms.Form):
    zones = forms.CharField(
        label="Zone table",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "placeholder": "US 1\nCA 2\nMX 2"}),
        help_text="One destination country per line with its rank: 1 is nearest. Countries left out rank last.",
    )
