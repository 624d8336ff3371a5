from django import forms


class AdjustmentForm(forms.Form):
    customer = forms.CharField(label="Customer code", max_length=12)
    sku = forms.CharField(label="SKU", max_length=40)
    warehouse = forms.CharField(label="Warehouse code", max_length=12)
    bin = forms.CharField(label="Bin (optional)", max_length=30, required=False)
    quantity = forms.IntegerField(label="Change (+ adds, − removes)", min_value=-1_000_000, max_value=1_000_000)
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the audit trail; say what was found and by whom.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Give a reason: every adjustment is audited."
