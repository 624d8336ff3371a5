from django import forms

from ..choices import ConnectionStatus, Platform


class ConnectionFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Live (not disconnected)"), *ConnectionStatus.choices], label="Status"
    )
    platform = forms.ChoiceField(required=False, choices=[("", "Any platform"), *Platform.choices], label="Platform")
    q = forms.CharField(
        required=False, max_length=100, strip=True, label="Customer or shop", help_text="Customer code or name, or shop"
    )

    def filters(self) -> dict:
        """The filters that parsed; one that did not is left out instead of failing the page."""
        if not self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return dict(self.cleaned_data)


class PauseForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=300,
        strip=True,
        label="Reason",
        help_text="Shown to the customer on their Shops page, e.g. “Duplicate orders: checking the shop's webhooks”.",
    )
