"""Back-office pages show times in a warehouse's time zone (labelled in the header): the warehouse
the page is about (``?warehouse=CODE``), else the one the staff user chose last, else the first
active warehouse. Portal and API requests keep the server's zone."""

from django.urls import reverse
from django.utils import timezone

from .selectors import staff_time_zone

SESSION_KEY = "staff_time_zone_warehouse"


class StaffTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        if self._prefix is None:
            self._prefix = reverse("backoffice:dashboard")
        user = getattr(request, "user", None)
        zone = None
        if (
            request.path.startswith(self._prefix)
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and getattr(user, "customer_id", None) is None
        ):
            asked = request.GET.get("warehouse", "").strip()[:12]
            zone = staff_time_zone(preferred=(asked, request.session.get(SESSION_KEY, "")))
            if zone is not None and asked and asked.upper() == zone.code.upper():
                request.session[SESSION_KEY] = zone.code
        request.staff_time_zone = zone
        if zone is None:
            return self.get_response(request)
        timezone.activate(zone.tzinfo)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
