"""The wallet ledger. Every change of a wallet is a WalletEntry with the balance after it, written
in the same transaction as a guarded update of the wallet (STYLE rules 6 and 7): the update only
matches while the available balance (balance − held) stays at or above zero, so concurrent
charges can never overdraw, and the same idempotency key twice posts once."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .choices import CHARGE_KINDS, CREDIT_KINDS, EntryKind
from .errors import InsufficientBalance, InvalidAmount
from .models import Wallet, WalletEntry
from .money import positive_amount, round_money

ZERO = Decimal("0")

_PG_UPDATE = """
UPDATE billing_wallet SET balance = balance + %(amount)s, held = held + %(held)s, updated_at = %(now)s
 WHERE id = %(wallet)s AND balance + %(amount)s >= held + %(held)s AND held + %(held)s >= 0
RETURNING balance, held
"""


def wallet_for(customer) -> Wallet:
    wallet = Wallet.objects.filter(customer=customer).first()
    if wallet is None:
        Wallet.objects.bulk_create([Wallet(customer=customer)], ignore_conflicts=True)
        wallet = Wallet.objects.get(customer=customer)
    return wallet


def _apply(wallet: Wallet, amount: Decimal, held: Decimal):
    """The guarded update; returns (balance, held) after it, or None when it would overdraw."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PG_UPDATE, {"amount": amount, "held": held, "now": now, "wallet": wallet.pk})
            row = cursor.fetchone()
        return (Decimal(row[0]), Decimal(row[1])) if row else None
    # Elsewhere (SQLite stores decimals inexactly): lock, compute in Decimal, write exact values.
    current = Wallet.objects.select_for_update().get(pk=wallet.pk)
    balance, new_held = current.balance + amount, current.held + held
    if balance < new_held or new_held < 0:
        return None
    Wallet.objects.filter(pk=wallet.pk).update(balance=balance, held=new_held, updated_at=now)
    return balance, new_held


def _post(*, customer, kind: str, amount: Decimal, held: Decimal = ZERO, idempotency_key: str, actor=None,
          reference_type: str = "", reference_id: str = "", reference: str = "", memo: str = "") -> WalletEntry:
    if not idempotency_key:
        raise ValueError("every wallet posting needs an idempotency key")
    wallet = wallet_for(customer)
    existing = WalletEntry.objects.filter(customer=customer, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            after = _apply(wallet, amount, held)
            if after is None:
                available = Wallet.objects.filter(pk=wallet.pk).values_list("balance", "held").first()
                raise InsufficientBalance(
                    f"The wallet has {round_money(available[0] - available[1], wallet.currency)} {wallet.currency} "
                    f"available; {abs(amount if amount else held)} {wallet.currency} is needed. Top up first.",
                    extra={"available": str(available[0] - available[1])})
            return WalletEntry.objects.create(
                customer=customer, wallet=wallet, kind=kind, amount=amount, held_delta=held, balance_after=after[0],
                held_after=after[1], reference_type=reference_type, reference_id=str(reference_id or ""),
                reference=reference, memo=memo[:300], actor=actor if getattr(actor, "pk", None) else None,
                idempotency_key=idempotency_key)
    except IntegrityError:
        existing = WalletEntry.objects.filter(customer=customer, idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing  # a concurrent caller posted the same key first


def credit(*, customer, amount, kind: str = EntryKind.TOPUP, idempotency_key: str, actor=None, **ref) -> WalletEntry:
    """Money in: a top-up, a refund or an upward adjustment."""
    if kind not in CREDIT_KINDS:
        raise ValueError(f"{kind} is not a credit")
    value = positive_amount(amount, wallet_for(customer).currency)
    return _post(customer=customer, kind=kind, amount=value, idempotency_key=idempotency_key, actor=actor, **ref)


def charge(*, customer, amount, kind: str, idempotency_key: str, actor=None, **ref) -> WalletEntry:
    """Money out for a fee; refused (InsufficientBalance) when the available balance is short."""
    if kind not in CHARGE_KINDS:
        raise ValueError(f"{kind} is not a charge")
    value = positive_amount(amount, wallet_for(customer).currency)
    return _post(customer=customer, kind=kind, amount=-value, idempotency_key=idempotency_key, actor=actor, **ref)


def hold(*, customer, amount, idempotency_key: str, actor=None, **ref) -> WalletEntry:
    """Set money aside (an order's estimated charges); the balance stays, the available shrinks."""
    value = positive_amount(amount, wallet_for(customer).currency)
    return _post(customer=customer, kind=EntryKind.HOLD, amount=ZERO, held=value, idempotency_key=idempotency_key,
                 actor=actor, **ref)


def release(*, customer, amount, idempotency_key: str, actor=None, **ref) -> WalletEntry:
    """Give held money back to the available balance (an order was cancelled)."""
    value = positive_amount(amount, wallet_for(customer).currency)
    return _post(customer=customer, kind=EntryKind.RELEASE, amount=ZERO, held=-value, idempotency_key=idempotency_key,
                 actor=actor, **ref)


@transaction.atomic
def settle_hold(*, customer, held_amount, actual_amount, kind: str, idempotency_key: str, actor=None,
                **ref) -> tuple[WalletEntry, WalletEntry]:
    """Release a hold and charge the actual amount, in one transaction (the order shipped)."""
    released = release(customer=customer, amount=held_amount, idempotency_key=f"{idempotency_key}:release",
                       actor=actor, **ref)
    charged = charge(customer=customer, amount=actual_amount, kind=kind, idempotency_key=f"{idempotency_key}:charge",
                     actor=actor, **ref)
    return released, charged


def adjust(*, customer, amount, reason: str, idempotency_key: str, actor, **ref) -> WalletEntry:
    """Finance corrects a wallet (signed amount) and must say why."""
    if not (reason or "").strip():
        raise InvalidAmount("Give a reason for the adjustment (the customer sees it).", code="reason_required",
                            extra={"reason": ["is required"]})
    text = str(amount).strip()
    negative = text.startswith("-")
    value = positive_amount(text.lstrip("-+"), wallet_for(customer).currency)
    return _post(customer=customer, kind=EntryKind.ADJUSTMENT, amount=-value if negative else value,
                 idempotency_key=idempotency_key, actor=actor, memo=reason.strip(), **ref)


# Work above billing that must run when a customer's balance grows (e.g. the orders app retries the
# customer's orders that were Abnormal for insufficient balance). Registered at start-up; called
# after the transaction commits, with the customer's id (STYLE rule 15: billing imports no orders).
_balance_listeners: list = []


def on_balance_increased(listener) -> None:
    if listener not in _balance_listeners:
        _balance_listeners.append(listener)


def balance_increased(customer_id: int) -> None:
    for listener in _balance_listeners:
        transaction.on_commit(lambda listener=listener: listener(customer_id))
