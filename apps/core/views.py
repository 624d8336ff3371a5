import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        logger.warning("healthz: database check failed: %s", exc)
        return "error"
    return "ok"


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "eager"  # no broker configured: tasks run in-process
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: broker check failed: %s", exc)
        return "error"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers: 200 when the database and the broker answer, else 503."""
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value in ("ok", "eager") for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _error_page(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        code = {400: "bad_request", 403: "permission_denied", 404: "not_found"}.get(status, "server_error")
        return JsonResponse({"code": code, "message": message}, status=status)
    return render(request, "errors/error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error_page(
        request, 400, "Bad request", "The request could not be understood. Check the form or link and try again."
    )


def permission_denied(request, exception=None):
    message = (
        str(exception)
        if exception and str(exception)
        else (
            "Your account does not have access to this page. If you need it, ask an administrator for the right role."
        )
    )
    return _error_page(request, 403, "No access", message)


def page_not_found(request, exception=None):
    return _error_page(
        request,
        404,
        "Not found",
        "We could not find that page or record. It may have been removed, or the link may be wrong.",
    )


def server_error(request):
    return _error_page(request, 500, "Something went wrong", "The error has been logged. Please try again in a moment.")
