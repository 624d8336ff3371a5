from apps.core.errors import StateConflict, ValidationFailed


class InsufficientStock(StateConflict):
    default_code = "insufficient_stock"


class InvalidMove(ValidationFailed):
    default_code = "invalid_stock_move"


class ReasonRequired(ValidationFailed):
    default_code = "reason_required"
