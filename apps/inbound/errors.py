from apps.core.errors import StateConflict, ValidationFailed


class InboundInvalid(ValidationFailed):
    default_code = "inbound_invalid"


class InboundLocked(StateConflict):
    default_code = "inbound_locked"


class PackingMismatch(ValidationFailed):
    default_code = "packing_mismatch"
