from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

from .choices import EntryKind, MiscFeeStatus, PaymentMethod, TopUpStatus

ZERO = Decimal("0")


class Wallet(models.Model):
    """The customer's prepaid account. ``balance`` and ``held`` change only with a WalletEntry in the
    same transaction; the database refuses an available balance below zero."""

    customer = models.OneToOneField("accounts.Customer", on_delete=models.PROTECT, related_name="wallet")
    currency = models.CharField(max_length=3, default="USD")
    balance = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    held = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerScopedManager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(held__gte=0), name="billing_wallet_held_gte_0"),
            models.CheckConstraint(condition=Q(balance__gte=F("held")), name="billing_wallet_available_gte_0"),
        ]
        permissions = [("adjust_wallet", "Can adjust a customer's wallet with a reason")]

    def __str__(self):
        return f"{self.customer_id}: {self.balance} {self.currency} ({self.held} held)"

    @property
    def available(self) -> Decimal:
        return self.balance - self.held


class WalletEntry(models.Model):
    """The append-only money ledger: every change of a wallet, with the balance after it."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="Change of the balance (+ credit, − charge)."
    )
    held_delta = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO)
    balance_after = models.DecimalField(max_digits=14, decimal_places=2)
    held_after = models.DecimalField(max_digits=14, decimal_places=2)
    reference_type = models.CharField(max_length=30, blank=True)
    reference_id = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=120, blank=True)
    memo = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "idempotency_key"], name="billing_entry_idempotency_key"),
        ]
        indexes = [
            models.Index(fields=["customer", "-id"], name="billing_entry_recent_idx"),
            models.Index(fields=["customer", "reference_id"], name="billing_entry_reference_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class PaymentAccount(models.Model):
    """Where customers pay a top-up, per method and currency (kept by finance)."""

    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    currency = models.CharField(max_length=3)
    details = models.TextField(help_text="Account name, number, bank, SWIFT, PayPal address… shown to customers.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["method", "currency"]
        constraints = [models.UniqueConstraint(fields=["method", "currency"], name="billing_payment_account_unique")]

    def __str__(self):
        return f"{self.get_method_display()} {self.currency}"


def voucher_path(instance, filename):
    return f"vouchers/{instance.customer_id}/{timezone.now():%Y%m}/{filename}"


class TopUp(models.Model):
    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="top_ups")
    number = models.CharField(max_length=16, unique=True, editable=False)
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="What the customer says they paid.")
    payer = models.CharField(max_length=120)
    paid_on = models.DateField()
    transaction_ref = models.CharField("transaction reference", max_length=120)
    voucher = models.FileField(upload_to=voucher_path, max_length=300)
    voucher_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=TopUpStatus.choices, default=TopUpStatus.SUBMITTED)
    received_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    exchange_rate = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    credited_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    reject_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_topup", "Can approve or reject top-ups")]

    def __str__(self):
        return self.number


class LevelPrice(models.Model):
    """Prices by customer level: fulfilment fee per order and storage rate."""

    level = models.OneToOneField("accounts.CustomerLevel", on_delete=models.CASCADE, related_name="price")
    fulfilment_fee_per_order = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("2.50"))
    fulfilment_fee_per_extra_unit = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.50"))
    storage_rate_per_m3_day = models.DecimalField(max_digits=8, decimal_places=4, default=Decimal("0.6000"))

    class Meta:
        ordering = ["level"]

    def __str__(self):
        return f"{self.level} prices"


class StorageFee(models.Model):
    """One day's storage of a SKU in a warehouse: volume × the level's daily rate."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    units = models.IntegerField()
    volume_m3 = models.DecimalField(max_digits=14, decimal_places=6)
    rate = models.DecimalField(max_digits=8, decimal_places=4)
    amount = models.DecimalField(max_digits=14, decimal_places=4)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-day", "warehouse", "product"]
        constraints = [models.UniqueConstraint(fields=["day", "product", "warehouse"], name="billing_storage_fee_day")]
        indexes = [models.Index(fields=["customer", "-day"], name="billing_storage_customer_idx")]

    def __str__(self):
        return f"{self.day} {self.product_id}@{self.warehouse_id}: {self.amount}"


class StorageRun(models.Model):
    day = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    charged_customers = models.PositiveIntegerField(default=0)
    waiting_customers = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day"]

    def __str__(self):
        return f"Storage run {self.day}"


class MiscFeeNotice(models.Model):
    """Finance's notice of a miscellaneous fee; deducted at once or as soon as the balance allows."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="misc_fees")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=MiscFeeStatus.choices, default=MiscFeeStatus.WAITING)
    cause = models.CharField(max_length=200, blank=True, help_text="Why it is still waiting.")
    noticed_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deducted_at = models.DateTimeField(null=True, blank=True)
    entry = models.ForeignKey(WalletEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-noticed_at", "-id"]

    def __str__(self):
        return f"Misc fee {self.amount} for {self.customer_id}"
