"""The wallet ledger. Every change of a wallet is a WalletEntry with the balance after it, written
in the same transaction as a guarded update of the wallet (STYLE rules 6 and 7): the update only
matches while the available balance (balance − held) stays at or above zero, so concurrent
charges can never overdraw, and the same idempotency key twice posts once."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.core.errors import StateConflict
from apps.core.outbox import outbox_emit

from .choices import CHARGE_KINDS, CREDIT_KINDS, EntryKind
from .errors import InsufficientBalance, InvalidAmount
from .models import Wallet, WalletEntry
from .money import positive_amount, round_money

ZERO = Decimal("0")

_PG_POST = """
WITH guarded AS (
    UPDATE billing_wallet SET balance = balance + %(amount)s, held = held + %(held)s, updated_at = %(now)s
     WHERE id = %(wallet)s AND balance + %(amount)s >= held + %(held)s AND held + %(held)s >= 0
 RETURNING id, balance, held
)
INSERT INTO billing_walletentry (customer_id, wallet_id, kind, amount, held_delta, balance_after, held_after,
       reference_type, reference_id, reference, memo, actor_id, idempotency_key, created_at)
SELECT %(customer)s, guarded.id, %(kind)s, %(amount)s, %(held)s, guarded.balance, guarded.held,
       %(reference_type)s, %(reference_id)s, %(reference)s, %(memo)s, %(actor)s, %(key)s, %(now)s
  FROM guarded
RETURNING id, balance_after, held_after
"""


def wallet_for(customer) -> Wallet:
    wallet = Wallet.objects.filter(customer_id=customer.pk).only("id", "currency", "customer_id").first()
    if wallet is None:
        Wallet.objects.bulk_create([Wallet(customer=customer)], ignore_conflicts=True)
        wallet = Wallet.objects.get(customer_id=customer.pk)
    return wallet


def _shortage(wallet: Wallet, amount: Decimal, held: Decimal) -> Exception:
    balance, current_held = Wallet.objects.filter(pk=wallet.pk).values_list("balance", "held").first()
    if held < 0 and -held > current_held:
        return InvalidAmount(
            f"Only {current_held} {wallet.currency} is held; cannot release {-held}.", code="release_exceeds_hold"
        )
    needed = -amount if amount < 0 else held
    return InsufficientBalance(
        f"The wallet has {round_money(balance - current_held, wallet.currency)} {wallet.currency} available; "
        f"{needed} {wallet.currency} is needed. Top up first.",
        extra={"available": str(balance - current_held)},
    )


def _existing(customer, key: str, kind: str, amount: Decimal, held: Decimal) -> WalletEntry | None:
    entry = WalletEntry.objects.filter(customer=customer, idempotency_key=key).first()
    if entry is not None and (entry.kind != kind or entry.amount != amount or entry.held_delta != held):
        raise StateConflict(
            f"The key {key} was already used for another posting ({entry.get_kind_display()} {entry.amount}).",
            code="idempotency_conflict",
        )
    return entry


def _post(
    *,
    customer,
    kind: str,
    amount: Decimal,
    held: Decimal = ZERO,
    idempotency_key: str,
    actor=None,
    wallet: Wallet | None = None,
    reference_type: str = "",
    reference_id: str = "",
    reference: str = "",
    memo: str = "",
) -> WalletEntry:
    if not idempotency_key:
        raise ValueError("every wallet posting needs an idempotency key")
    wallet = wallet or wallet_for(customer)
    fields = {
        "customer": customer,
        "wallet": wallet,
        "kind": kind,
        "amount": amount,
        "held_delta": held,
        "reference_type": reference_type,
        "reference_id": str(reference_id or ""),
        "reference": reference,
        "memo": memo[:300],
        "actor": actor if getattr(actor, "pk", None) else None,
        "idempotency_key": idempotency_key,
    }
    # Money in or a hold released grows the available balance: that is announced through the
    # outbox in the same transaction as the entry (a repeated key posts nothing, announces nothing).
    frees = amount - held > ZERO
    try:
        if connection.vendor == "postgresql":
            if not connection.in_atomic_block and not frees:
                return _post_pg(fields)  # one statement: atomic by itself, no BEGIN/COMMIT round trips
            with transaction.atomic():  # a savepoint, so a repeated key does not break the caller's transaction
                entry = _post_pg(fields)
                if frees:
                    balance_increased(customer.pk)
                return entry
        with transaction.atomic():
            current = Wallet.objects.select_for_update().get(pk=wallet.pk)
            balance, new_held = current.balance + amount, current.held + held
            if balance < new_held or new_held < 0:
                raise _shortage(wallet, amount, held)
            Wallet.objects.filter(pk=wallet.pk).update(balance=balance, held=new_held, updated_at=timezone.now())
            entry = WalletEntry.objects.create(balance_after=balance, held_after=new_held, **fields)
            if frees:
                balance_increased(customer.pk)
            return entry
    except IntegrityError:
        existing = _existing(customer, idempotency_key, kind, amount, held)
        if existing is None:
            raise
        return existing  # posted before (or by a concurrent caller): posting it again changes nothing


def _post_pg(fields: dict) -> WalletEntry:
    """PostgreSQL: the guarded update and the entry in one statement (the row lock is held the
    shortest time); a repeated key fails the insert and so undoes the update with it."""
    now = timezone.now()
    params = {
        "amount": fields["amount"],
        "held": fields["held_delta"],
        "now": now,
        "wallet": fields["wallet"].pk,
        "customer": fields["customer"].pk,
        "kind": fields["kind"],
        "reference_type": fields["reference_type"],
        "reference_id": fields["reference_id"],
        "reference": fields["reference"],
        "memo": fields["memo"],
        "actor": getattr(fields["actor"], "pk", None),
        "key": fields["idempotency_key"],
    }
    with connection.cursor() as cursor:
        cursor.execute(_PG_POST, params)
        row = cursor.fetchone()
    if row is None:
        raise _shortage(fields["wallet"], fields["amount"], fields["held_delta"])
    return WalletEntry(pk=row[0], balance_after=row[1], held_after=row[2], created_at=now, **fields)


def credit(*, customer, amount, kind: str = EntryKind.TOPUP, idempotency_key: str, actor=None, **ref) -> WalletEntry:
    """Money in: a top-up, a refund or an upward adjustment."""
    if kind not in CREDIT_KINDS:
        raise ValueError(f"{kind} is not a credit")
    wallet = wallet_for(customer)
    value = positive_amount(amount, wallet.currency)
    return _post(
        customer=customer, kind=kind, amount=value, idempotency_key=idempotency_key, actor=actor, wallet=wallet, **ref
    )


def charge(*, customer, amount, kind: str, idempotency_key: str, actor=None, **ref) -> WalletEntry:
    """Money out for a fee; refused (InsufficientBalance) when the available balance is short."""
    if kind not in CHARGE_KINDS:
        raise ValueError(f"{kind} is not a charge")
    wallet = wallet_for(customer)
    value = positive_amount(amount, wallet.currency)
    return _post(
        customer=customer, kind=kind, amount=-value, idempotency_key=idempotency_key, actor=actor, wallet=wallet, **ref
    )


def hold(*, customer, amount, idempotency_key: str, actor=None, **ref) -> WalletEntry:
    """Set money aside (an order's estimated charges); the balance stays, the available shrinks."""
    wallet = wallet_for(customer)
    value = positive_amount(amount, wallet.currency)
    return _post(
        customer=customer,
        kind=EntryKind.HOLD,
        amount=ZERO,
        held=value,
        idempotency_key=idempotency_key,
        actor=actor,
        wallet=wallet,
        **ref,
    )


def release(*, customer, amount, idempotency_key: str, actor=None, **ref) -> WalletEntry:
    """Give held money back to the available balance (an order was cancelled)."""
    wallet = wallet_for(customer)
    value = positive_amount(amount, wallet.currency)
    return _post(
        customer=customer,
        kind=EntryKind.RELEASE,
        amount=ZERO,
        held=-value,
        idempotency_key=idempotency_key,
        actor=actor,
        wallet=wallet,
        **ref,
    )


@transaction.atomic
def settle_hold(
    *, customer, held_amount, actual_amount, kind: str, idempotency_key: str, actor=None, **ref
) -> tuple[WalletEntry, WalletEntry]:
    """Release a hold and charge the actual amount, in one transaction (the order shipped)."""
    released = release(
        customer=customer, amount=held_amount, idempotency_key=f"{idempotency_key}:release", actor=actor, **ref
    )
    charged = charge(
        customer=customer,
        amount=actual_amount,
        kind=kind,
        idempotency_key=f"{idempotency_key}:charge",
        actor=actor,
        **ref,
    )
    return released, charged


def adjust(*, customer, amount, reason: str, idempotency_key: str, actor, **ref) -> WalletEntry:
    """Finance corrects a wallet (signed amount) and must say why."""
    if not (reason or "").strip():
        raise InvalidAmount(
            "Give a reason for the adjustment (the customer sees it).",
            code="reason_required",
            extra={"reason": ["is required"]},
        )
    text = str(amount).strip()
    negative = text.startswith("-")
    wallet = wallet_for(customer)
    value = positive_amount(text.lstrip("-+"), wallet.currency)
    return _post(
        customer=customer,
        kind=EntryKind.ADJUSTMENT,
        amount=-value if negative else value,
        idempotency_key=idempotency_key,
        actor=actor,
        memo=reason.strip(),
        wallet=wallet,
        **ref,
    )


# The orders app retries the customer's orders that were Abnormal for insufficient balance when the
# available balance grows. Billing sits below orders, so it names the task, imports nothing of it.
RETRY_AFTER_BALANCE = "orders.retry_after_balance"


def balance_increased(customer_id: int) -> None:
    """Announce, in the caller's transaction, that the customer's available balance grew; many
    postings of one customer in one transaction make one message."""
    outbox_emit(
        kind="balance_increased",
        task=RETRY_AFTER_BALANCE,
        payload={"customer_id": customer_id},
        key=f"balance_increased:{customer_id}",
    )


def fulfilment_fee(*, customer, units: int) -> Decimal:
    """The fulfilment fee of one order from the customer's level price list: a fee per order plus
    one per unit beyond the first (the orders and warehouse apps charge it through `charge`)."""
    from .models import LevelPrice

    price = LevelPrice.objects.filter(level_id=customer.level_id).first() or LevelPrice()
    extra = max(int(units) - 1, 0)
    return round_money(
        price.fulfilment_fee_per_order + extra * price.fulfilment_fee_per_extra_unit, wallet_for(customer).currency
    )
