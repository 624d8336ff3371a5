from django.shortcuts import render

from .forms import TrackForm


def track(request):
    """Public parcel tracking by system order number or tracking number (no sign-in)."""
    form = TrackForm(request.GET or None)
    results = None
    if form.is_valid():
        # Shipments and their events arrive with the tracking module; until a parcel exists
        # for a number, the honest answer for it is "not found".
        results = [{"number": number, "found": False} for number in form.cleaned_data["numbers"]]
    return render(request, "tracking/track.html", {"form": form, "results": results})
