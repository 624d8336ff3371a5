from django.shortcuts import render

from .forms import TrackForm
from .selectors import public_tracking


def track(request):
    """Public parcel tracking by system order number or tracking number (no sign-in)."""
    form = TrackForm(request.GET or None)
    results = None
    if form.is_valid():
        results = public_tracking(numbers=form.cleaned_data["numbers"])
    return render(request, "tracking/track.html", {"form": form, "results": results})
