"""One error model for every interface (STYLE rule 4).

Services raise these; the DRF exception handler turns them into JSON with a stable ``code``
and the portal shows ``message`` to people. Never let a domain error become a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with what a person or a system typed: the ``field`` it came from (the
    resolver's name for it; each interface maps it to its JSON key, form field or column), a
    stable ``code`` for machines and one ``message`` sentence for people."""

    field: str
    code: str
    message: str


def problems_error(problems, error_class: type[ApplicationError] | None = None) -> ApplicationError:
    """One error for a list of problems: the first one's code, every sentence, and per field the
    sentences (``extra``) — for interfaces that answer a request with a single error."""
    problems = list(problems)
    extra: dict[str, list[str]] = {}
    for problem in problems:
        extra.setdefault(problem.field, []).append(problem.message)
    cls = error_class or ValidationFailed
    return cls(" ".join(p.message for p in problems[:5]), code=problems[0].code, extra=extra)
