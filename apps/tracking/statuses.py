"""The provider's statuses and sub-statuses in our terms, written once: the tracking status an
event gets, and the exception (if any) it opens on the order. The README's mapping table is this
module. 17TRACK's 9 statuses and their sub-statuses (v2.2/v2.4 "Tracking status" list)."""

from __future__ import annotations

from .choices import ExceptionKind, TrackingStatus

S = TrackingStatus
K = ExceptionKind

# sub-status → (our tracking status, the exception it opens or None)
SUB_STATUSES: dict[str, tuple[str, str | None]] = {
    "NotFound_Other": (S.INFO_RECEIVED, None),
    "NotFound_InvalidCode": (S.EXCEPTION, K.NOT_TRACKED),
    "InfoReceived": (S.INFO_RECEIVED, None),
    "InTransit_PickedUp": (S.IN_TRANSIT, None),
    "InTransit_Other": (S.IN_TRANSIT, None),
    "InTransit_Departure": (S.IN_TRANSIT, None),
    "InTransit_Arrival": (S.IN_TRANSIT, None),
    "InTransit_CustomsProcessing": (S.IN_TRANSIT, None),
    "InTransit_CustomsReleased": (S.IN_TRANSIT, None),
    "InTransit_CustomsRequiringInformation": (S.EXCEPTION, K.CARRIER_EXCEPTION),
    "Expired_Other": (S.EXCEPTION, K.EXPIRED),
    "AvailableForPickup_Other": (S.AVAILABLE_FOR_PICKUP, None),  # an exception only once it waits long
    "OutForDelivery_Other": (S.OUT_FOR_DELIVERY, None),
    "DeliveryFailure_Other": (S.EXCEPTION, K.DELIVERY_FAILURE),
    "DeliveryFailure_NoBody": (S.EXCEPTION, K.DELIVERY_FAILURE),
    "DeliveryFailure_Security": (S.EXCEPTION, K.DELIVERY_FAILURE),
    "DeliveryFailure_Rejected": (S.EXCEPTION, K.DELIVERY_FAILURE),
    "DeliveryFailure_InvalidAddress": (S.EXCEPTION, K.DELIVERY_FAILURE),
    "Delivered_Other": (S.DELIVERED, None),
    "Exception_Other": (S.EXCEPTION, K.CARRIER_EXCEPTION),
    "Exception_Returning": (S.EXCEPTION, K.RETURNING),
    "Exception_Returned": (S.RETURNED, None),
    "Exception_NoBody": (S.EXCEPTION, K.CARRIER_EXCEPTION),
    "Exception_Security": (S.EXCEPTION, K.CARRIER_EXCEPTION),
    "Exception_Damage": (S.EXCEPTION, K.CARRIER_EXCEPTION),
    "Exception_Rejected": (S.EXCEPTION, K.CARRIER_EXCEPTION),
    "Exception_Delayed": (S.EXCEPTION, K.CARRIER_EXCEPTION),
    "Exception_Lost": (S.EXCEPTION, K.LOST),
    "Exception_Destroyed": (S.EXCEPTION, K.LOST),
    "Exception_Cancel": (S.EXCEPTION, K.CARRIER_EXCEPTION),
}

# A main status alone (a sub-status this table does not know yet).
STATUSES: dict[str, tuple[str, str | None]] = {
    "NotFound": (S.INFO_RECEIVED, None),
    "InfoReceived": (S.INFO_RECEIVED, None),
    "InTransit": (S.IN_TRANSIT, None),
    "Expired": (S.EXCEPTION, K.EXPIRED),
    "AvailableForPickup": (S.AVAILABLE_FOR_PICKUP, None),
    "OutForDelivery": (S.OUT_FOR_DELIVERY, None),
    "DeliveryFailure": (S.EXCEPTION, K.DELIVERY_FAILURE),
    "Delivered": (S.DELIVERED, None),
    "Exception": (S.EXCEPTION, K.CARRIER_EXCEPTION),
}

# Exceptions a delivery settles by itself (a lost parcel found and delivered is news too).
SETTLED_BY_DELIVERY = (
    K.DELIVERY_FAILURE,
    K.CARRIER_EXCEPTION,
    K.EXPIRED,
    K.PICKUP_WAITING,
    K.NO_NEWS,
    K.LOST,
    K.RETURNING,
)

# Our carriers (shipping.Carrier.code) → 17TRACK's numeric carrier codes
# (https://res.17track.net/asset/carrier/info/apicarrier.all.json); SEVENTEENTRACK_CARRIER_CODES adds more.
CARRIER_CODES = {
    "dhl": 100001,
    "dhl-express": 100001,
    "ups": 100002,
    "fedex": 100003,
    "usps": 21051,
    "china-post": 3011,
    "dhl-paket": 7041,
    "yunexpress": 190107,
}
# Carriers that track only with the recipient's postal code sent as ``param``.
NEEDS_POSTAL_CODE = {7041}


def mapped(status: str, sub_status: str) -> tuple[str, str | None]:
    """(our tracking status, exception kind or None) of a provider status and sub-status."""
    if sub_status in SUB_STATUSES:
        return SUB_STATUSES[sub_status]
    return STATUSES.get(status or (sub_status or "").split("_", 1)[0], (S.IN_TRANSIT, None))


def carrier_code(carrier: str, extra: dict | None = None) -> int | None:
    """17TRACK's code of our carrier, None to let 17TRACK detect it."""
    key = (carrier or "").lower()
    return (extra or {}).get(key) or CARRIER_CODES.get(key)


def mapping_table() -> list[tuple[str, str, str]]:
    """(sub-status, our status label, exception label or "") for the README and the staff page."""
    return [
        (sub, TrackingStatus(status).label, ExceptionKind(kind).label if kind else "")
        for sub, (status, kind) in SUB_STATUSES.items()
    ]
