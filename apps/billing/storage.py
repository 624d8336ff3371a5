"""The daily storage-fee run: one StorageFee row per (day, product, warehouse) with stock on hand,
computed by ONE set-based INSERT … SELECT, then one wallet charge per customer for the day's total.

Volume uses the effective size of each dimension (measured where the warehouse measured it, else
declared); a product missing any dimension counts as 0 m³ (its rows are written with volume 0, so
they can be found: ``StorageFee.objects.filter(day=…, volume_m3=0)``). Damaged units are not
charged (``units`` is ``on_hand``). The rate is the customer level's ``storage_rate_per_m3_day``,
or the LevelPrice default when the level has no price row.

Idempotent per day: the StorageRun row is unique per day and a finished run is returned as it is;
an interrupted run can be run again (the INSERT skips rows already there, the charge has the
idempotency key ``storage:{day}``, and a waiting notice is found by customer + reason).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import Customer, User
from apps.core.tenancy import customer_scope

from .choices import EntryKind
from .errors import InsufficientBalance
from .models import LevelPrice, MiscFeeNotice, StorageRun, Wallet, WalletEntry
from .money import round_money
from .services import charge, wallet_for

SYSTEM_EMAIL = "system@fulfillment-hub.invalid"

DEFAULT_RATE: Decimal = LevelPrice._meta.get_field("storage_rate_per_m3_day").default

# Works on PostgreSQL and SQLite (≥ 3.24 for the upsert clause; the WHERE keeps SQLite's parser from
# reading ON CONFLICT as a join constraint). 1000000.0 keeps SQLite from integer division.
_INSERT = """
INSERT INTO billing_storagefee (customer_id, day, warehouse_id, product_id, units, volume_m3, rate, amount)
SELECT b.customer_id, %(day)s, b.warehouse_id, b.product_id, b.on_hand,
       ROUND(b.on_hand * COALESCE(COALESCE(p.measured_length_cm, p.length_cm)
                                  * COALESCE(p.measured_width_cm, p.width_cm)
                                  * COALESCE(p.measured_height_cm, p.height_cm), 0) / 1000000.0, 6),
       COALESCE(lp.storage_rate_per_m3_day, CAST(%(default_rate)s AS NUMERIC)),
       ROUND(ROUND(b.on_hand * COALESCE(COALESCE(p.measured_length_cm, p.length_cm)
                                        * COALESCE(p.measured_width_cm, p.width_cm)
                                        * COALESCE(p.measured_height_cm, p.height_cm), 0) / 1000000.0, 6)
             * COALESCE(lp.storage_rate_per_m3_day, CAST(%(default_rate)s AS NUMERIC)), 4)
  FROM inventory_stockbalance b
  JOIN catalog_product p ON p.id = b.product_id
  JOIN accounts_customer c ON c.id = b.customer_id
  LEFT JOIN billing_levelprice lp ON lp.level_id = c.level_id
 WHERE b.on_hand > 0
ON CONFLICT (day, product_id, warehouse_id) DO NOTHING
"""

_TOTALS = """
SELECT customer_id, SUM(amount), COUNT(*) FROM billing_storagefee WHERE day = %(day)s GROUP BY customer_id
ORDER BY customer_id
"""


def system_user() -> User:
    """The author of notices the system raises itself (MiscFeeNotice.created_by is required): an
    inactive user without a usable password, created on first use."""
    user = User.objects.filter(email=SYSTEM_EMAIL).first()
    if user is None:
        user = User(email=SYSTEM_EMAIL, full_name="System", is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def _reason(day: date) -> str:
    return f"Storage fees {day.isoformat()}"


def _to_decimal(value) -> Decimal:
    # SQLite returns floats for SUM of decimals; PostgreSQL a Decimal.
    return value if isinstance(value, Decimal) else Decimal(str(value or 0))


def _bill_customer(*, customer: Customer, total: Decimal, day: date, actor) -> str:
    """Charge the day's total, or leave a waiting notice. Returns "charged", "waiting" or "zero"."""
    key, reason = f"storage:{day.isoformat()}", _reason(day)
    with customer_scope(customer), transaction.atomic():
        wallet = wallet_for(customer)
        amount = round_money(total, wallet.currency)
        if amount <= 0:
            return "zero"
        # Serialise runs of the same day for this customer (the notice check below is not atomic otherwise).
        Wallet.objects.select_for_update().filter(pk=wallet.pk).first()
        if WalletEntry.objects.filter(customer=customer, idempotency_key=key).exists():
            return "charged"
        if MiscFeeNotice.objects.filter(customer=customer, reason=reason).exists():
            return "waiting"
        try:
            charge(
                customer=customer,
                amount=amount,
                kind=EntryKind.STORAGE_FEE,
                idempotency_key=key,
                reference_type="storage",
                reference_id=day.isoformat(),
                reference=reason,
                memo=f"{reason}: {total} before rounding",
            )
            return "charged"
        except InsufficientBalance:
            MiscFeeNotice.objects.create(
                customer=customer, amount=amount, reason=reason, created_by=actor, cause="no balance"
            )
            return "waiting"


def storage_fee_run(*, day: date, actor=None) -> StorageRun:
    """Compute and bill the storage fees of ``day`` (see the module doc). ``actor`` authors waiting
    notices; the system user by default."""
    with transaction.atomic():
        run, _ = StorageRun.objects.get_or_create(day=day)
        run = StorageRun.objects.select_for_update().get(pk=run.pk)  # a concurrent run of the day waits here
        if run.finished_at is not None:
            return run
        params = {
            "day": connection.ops.adapt_datefield_value(day),
            "default_rate": connection.ops.adapt_decimalfield_value(DEFAULT_RATE, 8, 4),
        }
        with connection.cursor() as cursor:
            cursor.execute(_INSERT, params)
            cursor.execute(_TOTALS, {"day": params["day"]})
            totals = [(customer_id, _to_decimal(total), rows) for customer_id, total, rows in cursor.fetchall()]
        run.rows = sum(rows for _, _, rows in totals)
        run.save(update_fields=["rows"])

    actor = actor or system_user()
    customers = Customer.objects.in_bulk([customer_id for customer_id, _, _ in totals])
    outcome = {"charged": 0, "waiting": 0, "zero": 0}
    for customer_id, total, _ in totals:
        outcome[_bill_customer(customer=customers[customer_id], total=total, day=day, actor=actor)] += 1

    with transaction.atomic():
        run = StorageRun.objects.select_for_update().get(pk=run.pk)
        run.charged_customers, run.waiting_customers = outcome["charged"], outcome["waiting"]
        run.finished_at = timezone.now()
        run.save(update_fields=["charged_customers", "waiting_customers", "finished_at"])
    return run
