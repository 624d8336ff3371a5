from apps.core.errors import StateConflict, ValidationFailed


class TrackingInvalid(ValidationFailed):
    default_code = "tracking_invalid"


class TrackingRefused(StateConflict):
    """The order is not in a state this tracking event can apply to."""

    default_code = "tracking_refused"
