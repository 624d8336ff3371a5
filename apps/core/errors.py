"""One error model for every interface (STYLE rule 4).

Services raise these; the DRF exception handler turns them into JSON with a stable ``code``
and the portal shows ``message`` to people. Never let a domain error become a 500.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A business rule said no. ``code`` is for machines, ``message`` for people."""

    http_status = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.extra:
            data["errors"] = self.extra
        return data


class ValidationFailed(ApplicationError):
    http_status = 400
    default_code = "validation_error"


class NotFound(ApplicationError):
    http_status = 404
    default_code = "not_found"


class PermissionDenied(ApplicationError):
    http_status = 403
    default_code = "permission_denied"


class StateConflict(ApplicationError):
    """The object is in a state that does not allow this action (e.g. editing a shipped order)."""

    http_status = 409
    default_code = "state_conflict"
