"""Demo money: payment accounts, level prices, opening balances and a few top-ups (idempotent)."""

from decimal import Decimal

from apps.accounts.models import CustomerLevel

from .models import LevelPrice, PaymentAccount
from .services import credit

ACCOUNTS = [
    (
        "wire",
        "USD",
        "Fulfillment Hub Inc.\nFirst Demo Bank, 1 Wall St, New York\nAccount 000123456789\n"
        "ABA 021000021 · SWIFT FDBKUS33\nReference: your customer code",
    ),
    (
        "wire",
        "EUR",
        "Fulfillment Hub Europe B.V.\nIBAN NL91 ABNA 0417 1643 00 · BIC ABNANL2A\nReference: your customer code",
    ),
    ("paypal", "USD", "payments@hub.example — send as goods and services, note your customer code"),
    ("alipay", "CNY", "Alipay account 13800000000 (Fulfillment Hub) — note your customer code"),
    ("card", "USD", "Pay by card in the payment link your service representative sends; then upload the receipt."),
]
PRICES = {
    "standard": ("2.50", "0.50", "0.6000"),
    "silver": ("2.20", "0.45", "0.5500"),
    "gold": ("1.90", "0.40", "0.5000"),
    "vip": ("1.60", "0.35", "0.4500"),
}
OPENING = {"C10001": "1500.00", "C10002": "40.00"}


def seed_billing(owners) -> None:
    for method, currency, details in ACCOUNTS:
        PaymentAccount.objects.get_or_create(method=method, currency=currency, defaults={"details": details})
    for level in CustomerLevel.objects.all():
        order, unit, storage = PRICES.get(level.code, PRICES["standard"])
        LevelPrice.objects.get_or_create(
            level=level,
            defaults={
                "fulfilment_fee_per_order": Decimal(order),
                "fulfilment_fee_per_extra_unit": Decimal(unit),
                "storage_rate_per_m3_day": Decimal(storage),
            },
        )
    for owner in owners:
        amount = OPENING.get(owner.customer.code)
        if amount:
            credit(
                customer=owner.customer,
                amount=amount,
                kind="topup",
                idempotency_key="demo:opening",
                reference="Opening balance (demo)",
            )
