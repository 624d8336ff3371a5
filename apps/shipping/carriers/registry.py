"""Which adapter serves a carrier: a registered one (a remote adapter, typically), else the local one.

Kept apart from `base` because it builds on `local`, which builds on `base`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .base import CarrierAdapter, carrier_key
from .local import LocalCarrierAdapter

AdapterFactory = Callable[[str], CarrierAdapter]  # called with the carrier code

_registry: dict[str, AdapterFactory] = {}
_registry_lock = threading.Lock()


def register_adapter(carrier_code: str, factory: AdapterFactory) -> None:
    """Use `factory(carrier_code)` for this carrier from now on (a remote adapter, typically)."""
    key = carrier_key(carrier_code)
    if not key:
        raise ValueError("A carrier code needs at least one letter or digit.")
    with _registry_lock:
        _registry[key] = factory


def get_adapter(carrier_code: str) -> CarrierAdapter:
    """The adapter for a carrier: the registered one, else the local adapter, which numbers parcels
    in the carrier's own format (UPS, USPS, DHL Express, DHL eCommerce, YunExpress) or a generic one."""
    key = carrier_key(carrier_code or "")
    if not key:
        raise ValueError(f"Unknown carrier {carrier_code!r}: a carrier code needs at least one letter or digit.")
    factory = _registry.get(key)
    if factory is not None:
        return factory(carrier_code)
    return LocalCarrierAdapter(carrier_code)
