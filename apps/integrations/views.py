"""Inbound webhooks (DESIGN §10): no session, no CSRF token; the signature is the authentication."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.tenancy import customer_scope

from .choices import Platform
from .errors import SecretsUnavailable, WebhookRefused
from .selectors import connection_for_webhook
from .services import webhook_receive

logger = logging.getLogger(__name__)

UNKNOWN = {"code": "not_found", "message": "No such connection."}
# Our keys cannot open the connection's secret (INTEGRATION_KEYS changed without the old key):
# nothing can be verified, so nothing is stored, and a 503 makes the platform deliver it again later.
NO_KEYS = {"code": "secrets_unavailable", "message": "The webhook cannot be verified right now; try again later."}


@csrf_exempt
@require_POST
def shopify_webhook(request, connection_id):
    """200 when the delivery is stored or was stored before; 401 on a wrong signature (nothing
    stored); 404 for an unknown or disconnected connection; 503 when our keys cannot open the
    connection's secret. Processing happens in the background."""
    connection = connection_for_webhook(platform=Platform.SHOPIFY, pk=connection_id)
    if connection is None:
        return JsonResponse(UNKNOWN, status=404)
    with customer_scope(connection.customer):
        try:
            event, created = webhook_receive(connection=connection, headers=request.headers, body=request.body)
        except WebhookRefused as exc:
            return JsonResponse(exc.as_dict(), status=exc.http_status)
        except SecretsUnavailable:
            logger.error("connection %s: no key in INTEGRATION_KEYS decrypts its webhook secret", connection.pk)
            return JsonResponse(NO_KEYS, status=503)
    return JsonResponse({"status": "stored" if created else "duplicate", "event": event.pk})
