from apps.core.errors import ApplicationError, NotFound, StateConflict, ValidationFailed


class EmailTaken(ValidationFailed):
    default_code = "email_taken"


class WeakPassword(ValidationFailed):
    default_code = "weak_password"


class CustomerSuspended(StateConflict):
    default_code = "customer_suspended"


class ApiKeyNotFound(NotFound):
    default_code = "api_key_not_found"


class ApiKeyRevoked(StateConflict):
    default_code = "api_key_revoked"


__all__ = [
    "ApiKeyNotFound",
    "ApiKeyRevoked",
    "ApplicationError",
    "CustomerSuspended",
    "EmailTaken",
    "WeakPassword",
]
