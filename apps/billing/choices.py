from django.db import models


class EntryKind(models.TextChoices):
    TOPUP = "topup", "Top-up"
    FREIGHT = "freight", "Freight"
    FULFILMENT_FEE = "fulfilment_fee", "Fulfilment fee"
    STORAGE_FEE = "storage_fee", "Storage fee"
    MISC_FEE = "misc_fee", "Misc fee"
    ADJUSTMENT = "adjustment", "Adjustment"
    REFUND = "refund", "Refund"
    HOLD = "hold", "Hold"
    RELEASE = "release", "Release"


CREDIT_KINDS = (EntryKind.TOPUP, EntryKind.REFUND, EntryKind.ADJUSTMENT)
CHARGE_KINDS = (
    EntryKind.FREIGHT,
    EntryKind.FULFILMENT_FEE,
    EntryKind.STORAGE_FEE,
    EntryKind.MISC_FEE,
    EntryKind.ADJUSTMENT,
)


class PaymentMethod(models.TextChoices):
    CARD = "card", "Credit card"
    WIRE = "wire", "Wire transfer"
    PAYPAL = "paypal", "PayPal"
    ALIPAY = "alipay", "Alipay"


class TopUpStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    RECEIVED = "received", "Received"
    REJECTED = "rejected", "Rejected"


TOPUP_TRANSITIONS = {
    TopUpStatus.SUBMITTED: {TopUpStatus.RECEIVED, TopUpStatus.REJECTED},
    TopUpStatus.RECEIVED: set(),
    TopUpStatus.REJECTED: set(),
}
TOPUP_BADGES = {TopUpStatus.SUBMITTED: "info", TopUpStatus.RECEIVED: "success", TopUpStatus.REJECTED: "danger"}


class MiscFeeStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for balance"
    DEDUCTED = "deducted", "Deducted"
    CANCELLED = "cancelled", "Cancelled"


SUPPORTED_CURRENCIES = ("USD", "EUR", "GBP", "CNY", "CAD", "AUD", "HKD", "JPY")
ZERO_DECIMAL_CURRENCIES = ("JPY", "KRW")
