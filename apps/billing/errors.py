from apps.core.errors import StateConflict, ValidationFailed


class InsufficientBalance(StateConflict):
    default_code = "insufficient_balance"


class InvalidAmount(ValidationFailed):
    default_code = "invalid_amount"
