import logging

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.tenancy import staff_scope

from .errors import PushForbidden, TrackingInvalid
from .forms import TrackForm
from .pushes import push_receive
from .rules import SEPARATORS
from .selectors import PublicTracking, public_tracking

logger = logging.getLogger(__name__)


def track(request):
    """Public parcel tracking by system order number or tracking number (no sign-in)."""
    return render(request, "tracking/track.html", track_context(request))


def track_context(request) -> dict:
    """The form and the answers, in the order asked (the public page and the portal's Tracking)."""
    form = TrackForm(request.GET or None)
    results = None
    if form.is_valid():
        good, bad = form.cleaned_data["numbers"]
        found = iter(public_tracking(numbers=good))
        problems = dict(bad)
        asked = [n for n in _asked(request.GET.get("numbers", "")) if n in problems or n in good]
        results = [PublicTracking(number=n, problem=problems[n]) if n in problems else next(found) for n in asked]
    return {"form": form, "results": results}


def _asked(text: str) -> list[str]:
    """The numbers in the order asked, once each (the answer keeps that order)."""
    seen, order = set(), []
    for raw in SEPARATORS.split(text.strip()):
        number = raw.strip().upper()
        if number and number not in seen:
            seen.add(number)
            order.append(number)
    return order


@csrf_exempt
@require_POST
def provider_webhook(request, provider):
    """A tracking provider's push (DESIGN §10): 401 on a wrong signature (nothing stored), 400 on
    a signed body that is not a push, else 200 at once — stored, processed in the background; a
    duplicate is 200 and changes nothing."""
    try:
        with staff_scope():  # pushes belong to no customer; the signature is the authentication
            push, created = push_receive(
                provider=provider, body=request.body, signature=request.headers.get("sign", "")
            )
    except PushForbidden as exc:
        logger.warning("tracking push refused: %s", exc.message)
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    except TrackingInvalid as exc:
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    return JsonResponse({"code": 0, "status": "stored" if created else "duplicate", "push": push.pk})
