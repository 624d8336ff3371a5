from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from apps.core.addresses import postal_lines
from apps.core.tenancy import CustomerScopedManager

from .choices import CANCELLABLE, STATUS_BADGES, AbnormalReason, EventKind, OrderSource, OrderStatus
from .errors import OrderLocked

# Packed: the warehouse packed, weighed and labelled the order (``packed_at`` is set only by
# orders.outbound.order_mark_packed). Rows test ``Order.is_packed``, querysets this.
PACKED = Q(packed_at__isnull=False)

RECIPIENT_FIELDS = (
    "recipient_name",
    "recipient_company",
    "recipient_phone",
    "recipient_email",
    "address1",
    "address2",
    "city",
    "state",
    "postal_code",
    "country",
)


class Order(models.Model):
    """A customer's outbound order: who gets what, from which warehouse, by which channel, and what
    it costs. ``status`` changes only through orders.services.order_transition."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.PROTECT, related_name="orders")
    number = models.CharField(max_length=15, unique=True, editable=False)
    source = models.CharField(max_length=12, choices=OrderSource.choices, default=OrderSource.MANUAL)
    external_ref = models.CharField(
        "external reference",
        max_length=100,
        blank=True,
        help_text="The platform's order name or id (unique per customer).",
    )
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.CONFIRMING)
    abnormal_code = models.CharField(max_length=24, choices=AbnormalReason.choices, blank=True)
    abnormal_message = models.CharField(max_length=500, blank=True)

    recipient_name = models.CharField(max_length=100, blank=True)
    recipient_company = models.CharField(max_length=100, blank=True)
    recipient_phone = models.CharField(max_length=40, blank=True)
    recipient_email = models.CharField(max_length=254, blank=True)
    address1 = models.CharField("address line 1", max_length=200, blank=True)
    address2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField("state / province", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)

    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(
        "shipping.Channel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="shipping channel",
    )
    currency = models.CharField(max_length=3, default="USD")
    estimated_freight = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    estimated_fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    estimated_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    held_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Money held on the wallet for this order right now.",
    )
    actual_freight = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    actual_fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    actual_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    estimated_weight_g = models.PositiveIntegerField(null=True, blank=True)
    packed_weight_g = models.PositiveIntegerField(null=True, blank=True)
    stock_allocated = models.BooleanField(default=False)
    submit_count = models.PositiveIntegerField(default=0, help_text="Successful submissions (keys the holds).")
    tracking_number = models.CharField(max_length=60, blank=True)
    note = models.CharField(max_length=500, blank=True)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    packed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "external_ref"],
                condition=~Q(external_ref=""),
                name="orders_order_unique_external_ref",
            ),
            models.CheckConstraint(condition=Q(held_amount__gte=0), name="orders_order_held_gte_0"),
        ]
        indexes = [
            # Keyset pages: newest first per customer, per status, and across customers for staff.
            models.Index(fields=["customer", "-id"], name="orders_customer_recent_idx"),
            models.Index(fields=["customer", "status", "-id"], name="orders_customer_status_idx"),
            models.Index(fields=["status", "-id"], name="orders_status_recent_idx"),
            models.Index(
                fields=["status", "abnormal_code"], name="orders_abnormal_idx", condition=Q(status="abnormal")
            ),
            models.Index(fields=["tracking_number"], name="orders_tracking_idx", condition=~Q(tracking_number="")),
            # Filters and searches of the lists (measured in bench/orders_list.py). The recipient-name
            # search also has a trigram index on PostgreSQL (migration 0003).
            # A date range pages by (created_at, id) (selectors.order_page_key): per customer, and
            # across customers for staff.
            models.Index(fields=["customer", "created_at", "id"], name="orders_customer_created_id_idx"),
            models.Index(fields=["created_at", "id"], name="orders_created_id_idx"),
            models.Index(fields=["customer", "updated_at", "id"], name="orders_customer_updated_idx"),
            models.Index(fields=["external_ref"], name="orders_external_ref_idx", condition=~Q(external_ref="")),
            models.Index(Upper("recipient_email"), name="orders_recipient_email_idx"),
        ]
        permissions = [
            ("manage_orders", "Can edit, submit, cancel and place orders for customers"),
        ]

    def __str__(self):
        return self.number

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "secondary")

    @property
    def is_packed(self) -> bool:
        return self.packed_at is not None

    def cancel_refusal(self) -> OrderLocked | None:
        """Why the order can no longer be cancelled, or None while it can (DESIGN §5, checked
        here only): while Confirming or Abnormal, and while Pending Shipment until it is packed."""
        if self.status not in CANCELLABLE:
            return OrderLocked(f"Order {self.number} is {self.get_status_display()}; it can no longer be cancelled.")
        if self.is_packed:
            return OrderLocked(
                f"Order {self.number} is already packed; it can no longer be cancelled. Open a ticket "
                "to ask for the parcel to be intercepted.",
                code="order_packed",
            )
        return None

    @property
    def can_cancel(self) -> bool:
        return self.cancel_refusal() is None

    @property
    def cost_difference(self):
        if self.actual_cost is None or self.estimated_cost is None:
            return None
        return self.actual_cost - self.estimated_cost

    @property
    def address_lines(self) -> list[str]:
        """The company, then the address in the order the destination's post writes it, with the
        country's name in capitals (core.addresses); the name is shown on its own above it."""
        lines = (
            postal_lines(
                country=self.country,
                address1=self.address1,
                address2=self.address2,
                city=self.city,
                state=self.state,
                postal_code=self.postal_code,
            )
            if self.country
            else [x for x in (self.address1, self.address2, self.city, self.state, self.postal_code) if x]
        )
        return [self.recipient_company, *lines] if self.recipient_company else lines


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    objects = CustomerScopedManager(customer="order__customer")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "product"], name="orders_line_unique_product"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orders_line_quantity_gt_0"),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.product_id} × {self.quantity}"


class OrderEvent(models.Model):
    """The timeline: every status change, edit and action (who, when, what). Who is a user, or a
    system actor (core.actors) named by ``actor_label``, e.g. "Shopify · demo-store" or "System"."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=EventKind.choices, default=EventKind.STATUS)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(
        max_length=100, blank=True, help_text="The system actor when no user did it (an integration, a task)."
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager(customer="order__customer")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.order_id}: {self.kind} {self.from_status} → {self.to_status}"

    @property
    def to_label(self) -> str:
        return OrderStatus(self.to_status).label if self.to_status else ""

    @property
    def by(self) -> str:
        if self.actor_id is None:
            return self.actor_label or "System"
        return "Fulfillment Hub staff" if self.actor.customer_id is None else self.actor.email
