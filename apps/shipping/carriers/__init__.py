"""Carrier adapters: the seam between shipping and the carriers (STYLE rule 11). See `base`."""

from .base import (
    DEFAULT_TIMEOUT_SECONDS,
    CarrierAdapter,
    CarrierError,
    FinalCarrierError,
    LabelResult,
    ParcelRequest,
    RetryableCarrierError,
    carrier_key,
    error_for_status,
)
from .local import LocalCarrierAdapter, validate_tracking_number
from .registry import get_adapter, register_adapter

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "CarrierAdapter",
    "CarrierError",
    "FinalCarrierError",
    "LabelResult",
    "LocalCarrierAdapter",
    "ParcelRequest",
    "RetryableCarrierError",
    "carrier_key",
    "error_for_status",
    "get_adapter",
    "register_adapter",
    "validate_tracking_number",
]
