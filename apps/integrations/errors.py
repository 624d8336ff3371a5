from apps.core.errors import ApplicationError, NotFound


class WebhookRefused(ApplicationError):
    """The delivery's signature is missing or wrong: answered 401, nothing stored."""

    http_status = 401
    default_code = "invalid_signature"


class ConnectionUnknown(NotFound):
    default_code = "unknown_connection"


class SecretsUnavailable(Exception):
    """No key can decrypt a stored secret (INTEGRATION_KEYS lost or changed without the old key)."""
