from apps.core.errors import StateConflict, ValidationFailed


class OrderInvalid(ValidationFailed):
    default_code = "order_invalid"


class OrderLocked(StateConflict):
    default_code = "order_locked"
