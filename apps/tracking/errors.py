from apps.core.errors import ApplicationError, StateConflict, ValidationFailed


class TrackingInvalid(ValidationFailed):
    default_code = "tracking_invalid"


class TrackingRefused(StateConflict):
    """The order is not in a state this tracking event can apply to."""

    default_code = "tracking_refused"


class PushForbidden(ApplicationError):
    """A tracking push whose signature does not match (the webhook answers 401)."""

    default_code = "push_forbidden"
    http_status = 401
