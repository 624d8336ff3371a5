from apps.core.errors import StateConflict, ValidationFailed


class ScanRefused(ValidationFailed):
    default_code = "scan_refused"


class OutboundConflict(StateConflict):
    default_code = "outbound_conflict"
