"""The wallet ledger. Every change of a wallet is a WalletEntry with the balance after it, written
in the same transaction as a guarded update of the wallet (STYLE rules 6 and 7): the update only
matches while the available balance (balance − held) stays at or above zero, so concurrent
charges can never overdraw, and the same idempotency key twice posts once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.core.errors import StateConflict
from apps.core.outbox import outbox_emit

from .choices import CHARGE_KINDS, CREDIT_KINDS, EntryKind
from .errors import InsufficientBalance, InvalidAmount
from .models import LevelPrice, Wallet, WalletEntry
from .money import positive_amount, round_money

ZERO = Decimal("0")

# Post entries on one wallet in one statement: the wallet's guarded UPDATE by their sum, then an
# entry per row with its running balance. Every row moves the available balance the same way
# (all money in, or all money out), so the guard on the total guards every step. The one
# PostgreSQL write path of the wallet (one posting is a list of one).
_ENTRIES_SQL = """
WITH e (ord, kind, amount, held, reference_type, reference_id, reference, memo, actor_id, idem) AS (VALUES {rows}),
total AS (SELECT SUM(amount::numeric) AS a, SUM(held::numeric) AS h FROM e),
guarded AS (
    UPDATE billing_wallet w SET balance = w.balance + total.a, held = w.held + total.h, updated_at = %(now)s
      FROM total
     WHERE w.id = %(wallet)s AND w.balance + total.a >= w.held + total.h AND w.held + total.h >= 0
 RETURNING w.id, w.balance - total.a AS balance0, w.held - total.h AS held0
)
INSERT INTO billing_walletentry (customer_id, wallet_id, kind, amount, held_delta, balance_after, held_after,
       reference_type, reference_id, reference, memo, actor_id, idempotency_key, created_at)
SELECT %(customer)s, g.id, e.kind, e.amount::numeric, e.held::numeric,
       g.balance0 + SUM(e.amount::numeric) OVER (ORDER BY e.ord),
       g.held0 + SUM(e.held::numeric) OVER (ORDER BY e.ord),
       e.reference_type, e.reference_id, e.reference, e.memo, e.actor_id::bigint, e.idem, %(now)s
  FROM e, guarded g
 ORDER BY e.ord
RETURNING id, balance_after, held_after
"""


def entries_statement(*, wallet_id: int, customer_id: int, rows: list[dict]) -> tuple[str, dict]:
    """The SQL text and parameters that post ``rows`` on one wallet (see ``post_entries``)."""
    params: dict = {"now": timezone.now(), "wallet": wallet_id, "customer": customer_id}
    positions = []
    for i, row in enumerate(rows):
        positions.append(
            f"(%(o{i})s, %(k{i})s, %(a{i})s, %(h{i})s, %(t{i})s, %(r{i})s, %(f{i})s, %(m{i})s, %(u{i})s, %(i{i})s)"
        )
        params.update(
            {
                f"o{i}": i,
                f"k{i}": row["kind"],
                f"a{i}": row["amount"],
                f"h{i}": row["held_delta"],
                f"t{i}": row["reference_type"],
                f"r{i}": row["reference_id"],
                f"f{i}": row["reference"],
                f"m{i}": row["memo"],
                f"u{i}": row["actor_id"],
                f"i{i}": row["idempotency_key"],
            }
        )
    return _ENTRIES_SQL.format(rows=", ".join(positions)), params


def post_entries(*, wallet_id: int, customer_id: int, rows: list[dict]) -> list[tuple] | None:
    """PostgreSQL: post ``rows`` on one wallet in one statement; (time, id, balance after, held
    after) per row in order, or None when the guard refused (nothing written). A repeated
    idempotency key fails the insert and so undoes the update with it."""
    sql, params = entries_statement(wallet_id=wallet_id, customer_id=customer_id, rows=rows)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchall()
    return [(params["now"], *row) for row in written] or None


def wallet_for(customer) -> Wallet:
    if type(customer).wallet.related.is_cached(customer):  # read with the customer (select_related)
        cached = type(customer).wallet.related.get_cached_value(customer)
        if cached is not None and cached.pk is not None:
            return cached
    wallet = Wallet.objects.filter(customer_id=customer.pk).only("id", "currency", "customer_id").first()
    if wallet is None:
        Wallet.objects.bulk_create([Wallet(customer_id=customer.pk)], ignore_conflicts=True)
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
        shortage_message(balance - current_held, needed, wallet.currency),
        extra={"available": str(balance - current_held)},
    )


def shortage_message(available: Decimal, needed: Decimal, currency: str) -> str:
    """The sentence for money the wallet does not have (the one wording, whoever checks)."""
    return (
        f"The wallet has {round_money(available, currency)} {currency} available; "
        f"{needed} {currency} is needed. Top up first."
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
    announce: bool = True,
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
    frees = announce and amount - held > ZERO
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
    shortest time)."""
    row = {**fields, "actor_id": getattr(fields["actor"], "pk", None)}
    written = post_entries(wallet_id=fields["wallet"].pk, customer_id=fields["customer"].pk, rows=[row])
    if written is None:
        raise _shortage(fields["wallet"], fields["amount"], fields["held_delta"])
    ((now, pk, balance_after, held_after),) = written
    return WalletEntry(pk=pk, balance_after=balance_after, held_after=held_after, created_at=now, **fields)


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


@dataclass(frozen=True)
class Posting:
    """One entry of a set posted together: signed changes of the balance and of the held amount."""

    kind: str
    amount: Decimal
    held: Decimal
    idempotency_key: str
    memo: str = ""
    reference_type: str = ""
    reference_id: str = ""
    reference: str = ""


def post_many(*, customer, postings: list[Posting], actor=None) -> bool:
    """Post several entries on the customer's wallet together, all or nothing — an order's
    settlement: its hold released, its freight and fee charged, in one statement on PostgreSQL.
    The entries that grow the available balance go first, so the guard on the total guards every
    step. False when the wallet cannot take them all (nothing written); a set that frees money
    on the whole announces it like a single posting does."""
    wallet = wallet_for(customer)
    postings = sorted(postings, key=lambda p: p.amount - p.held <= 0)  # stable: money in first
    total, total_held = sum(p.amount for p in postings), sum(p.held for p in postings)
    fields = [
        {
            "kind": p.kind,
            "amount": p.amount,
            "held_delta": p.held,
            "reference_type": p.reference_type,
            "reference_id": str(p.reference_id or ""),
            "reference": p.reference,
            "memo": p.memo[:300],
            "actor_id": getattr(actor, "pk", None),
            "idempotency_key": p.idempotency_key,
        }
        for p in postings
    ]
    if connection.vendor == "postgresql":
        if post_entries(wallet_id=wallet.pk, customer_id=customer.pk, rows=fields) is None:
            return False
    else:
        with transaction.atomic():
            current = Wallet.objects.select_for_update().get(pk=wallet.pk)
            if current.balance + total < current.held + total_held or current.held + total_held < 0:
                return False
            for p in postings:  # each through the single posting's guard: every step fits
                _post(
                    customer=customer,
                    kind=p.kind,
                    amount=p.amount,
                    held=p.held,
                    idempotency_key=p.idempotency_key,
                    actor=actor,
                    wallet=wallet,
                    reference_type=p.reference_type,
                    reference_id=p.reference_id,
                    reference=p.reference,
                    memo=p.memo,
                    announce=False,
                )
    if total - total_held > ZERO:
        balance_increased(customer.pk)
    return True


@dataclass(frozen=True)
class Hold:
    """One amount to set aside in a batch (an order's estimated charges), with its key and cause."""

    amount: Decimal
    idempotency_key: str
    reference_type: str = ""
    reference_id: str = ""
    reference: str = ""


def hold_many(*, customer, wallet: Wallet, holds: list[Hold], actor=None) -> None:
    """Set money aside for many causes at once (a batch of orders): one statement on PostgreSQL,
    all or nothing — ``InsufficientBalance`` when the available balance cannot take them all,
    and nothing is written."""
    holds = [h for h in holds if h.amount > ZERO]
    if not holds:
        return
    postings = [
        Posting(
            EntryKind.HOLD,
            ZERO,
            positive_amount(h.amount, wallet.currency),
            h.idempotency_key,
            reference_type=h.reference_type,
            reference_id=h.reference_id,
            reference=h.reference,
        )
        for h in holds
    ]
    if not post_many(customer=customer, postings=postings, actor=actor):
        raise _shortage(wallet, ZERO, sum(p.held for p in postings))


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
    return fee_of(level_price(customer.level_id), units=units, currency=wallet_for(customer).currency)


def level_price(level_id: int | None):
    """The level's price list (an unsaved default one when the level has none)."""
    return LevelPrice.objects.filter(level_id=level_id).first() or LevelPrice()


def fee_of(price, *, units: int, currency: str) -> Decimal:
    """The fulfilment fee of one order of ``units`` units under a price list."""
    extra = max(int(units) - 1, 0)
    return round_money(price.fulfilment_fee_per_order + extra * price.fulfilment_fee_per_extra_unit, currency)
