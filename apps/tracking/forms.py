from django import forms
from django.utils import timezone

from apps.core.errors import ApplicationError

from .choices import TrackingStatus
from .rules import MAX_NUMBERS, numbers_split

__all__ = ["MAX_NUMBERS", "EventForm", "FindForm", "TrackForm"]


class TrackForm(forms.Form):
    """Up to 40 system order numbers (S…) or tracking numbers, one per line or comma-separated."""

    numbers = forms.CharField(
        label="Order or tracking numbers",
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "S26112500000421\n1Z999AA10123456784"}),
        help_text=f"Up to {MAX_NUMBERS} numbers, one per line or separated by commas.",
    )

    def clean_numbers(self):
        """(good numbers, [(bad number, why)]): a mistyped number is answered on its own line."""
        try:
            return numbers_split(self.cleaned_data["numbers"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.extra.get("numbers") or exc.message) from exc


class FindForm(forms.Form):
    q = forms.CharField(label="Order or tracking number", max_length=60, strip=True)


class EventForm(forms.Form):
    """A tracking event as staff record it (the service checks the times against the order)."""

    occurred_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="When it happened (not when you record it).",
    )
    status = forms.ChoiceField(choices=TrackingStatus.choices)
    location = forms.CharField(max_length=120, required=False, help_text="e.g. Phoenix, AZ hub")
    description = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown on the public tracking page: no names or addresses.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)})
        super().__init__(*args, **kwargs)
        self.fields["occurred_at"].help_text += f" Time zone: {timezone.get_current_timezone_name()}."
