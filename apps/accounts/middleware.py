"""Who is asking, and in which customer's scope the request runs."""

from django.utils.functional import SimpleLazyObject

from apps.core.tenancy import customer_scope

from .services import api_key_authenticate

TOKEN_KEYWORD = "Token"


def api_key_from_header(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    parts = header.split()
    if len(parts) == 2 and parts[0] == TOKEN_KEYWORD:
        return parts[1]
    return None


class ApiKeyMiddleware:
    """For /api/ requests with ``Authorization: Token <key>``: resolve the key once, here, so the
    tenant scope below can wrap the whole request. DRF's ApiKeyAuthentication reads the result."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_key_check = None
        raw = api_key_from_header(request) if request.path.startswith("/api/") else None
        if raw is not None:
            check = api_key_authenticate(raw_key=raw)
            request.api_key_check = check
            if check.api_key is not None:
                user = check.api_key.user
                request.user = SimpleLazyObject(lambda: user)
                request._dont_enforce_csrf_checks = True
        return self.get_response(request)


class TenantScopeMiddleware:
    """Portal and API requests of a customer user run inside that customer's scope (STYLE 10).

    Requests by anyone else run with no scope at all, so a scoped query there fails loudly
    unless a staff view has left the scope explicitly after its permission check.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        customer_id = getattr(user, "customer_id", None) if user.is_authenticated else None
        if customer_id is None:
            return self.get_response(request)
        with customer_scope(user.customer):
            return self.get_response(request)
