from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

from . import crypto
from .choices import AuthMethod, ConnectionMode, ConnectionStatus, EventStatus, Platform


class Connection(models.Model):
    """A customer's shop on a platform. Its credentials and webhook secret are stored encrypted
    (crypto.py) and only read through ``credentials()`` / ``webhook_secret()``: no form, admin page,
    serializer or log line gets more than the ciphertext."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="connections")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    shop_domain = models.CharField(max_length=255, help_text="e.g. demo-store.myshopify.com")
    display_name = models.CharField(max_length=100)
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    api_base = models.URLField(blank=True, help_text="Another server for the adapter (e.g. a local fake shop).")
    credentials_encrypted = models.TextField(blank=True, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    auth_method = models.CharField(max_length=20, choices=AuthMethod.choices, default=AuthMethod.TOKEN)
    mode = models.CharField(max_length=20, choices=ConnectionMode.choices, default=ConnectionMode.ORDERS)
    token_expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the token does not expire.")
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    webhook_subscriptions = models.JSONField(
        default=list, blank=True, help_text="[{topic, id}] made through the API on connect (deleted on disconnect)."
    )
    setup_warning = models.CharField(
        max_length=500, blank=True, help_text="What connecting could not do (e.g. webhook subscriptions)."
    )
    default_warehouse = models.ForeignKey(
        "warehouses.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The import rule: orders created before this date are not imported; submit or leave Confirming.
    import_since = models.DateField(null=True, blank=True)
    submit_automatically = models.BooleanField(default=False)
    sync_cursor = models.CharField(max_length=255, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # Stock out (stock_out.py): available quantities set on one location of the shop.
    stock_sync = models.BooleanField(default=False, help_text="Send stock levels to the shop.")
    stock_location_id = models.CharField(max_length=100, blank=True, help_text="gid://shopify/Location/…")
    stock_location_name = models.CharField(max_length=255, blank=True)
    stock_cursor = models.BigIntegerField(default=0, help_text="The newest stock move the last push covered.")
    stock_pushed_at = models.DateTimeField(null=True, blank=True)
    stock_error = models.CharField(max_length=500, blank=True)
    # The platform's own settings (e.g. WooCommerce's order statuses to import), read by its adapter.
    options = models.JSONField(default=dict, blank=True)
    # What the poll's checks found or fixed last (e.g. webhooks the shop had disabled, re-enabled).
    health_note = models.CharField(max_length=500, blank=True)
    health_note_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["customer_id", "platform", "shop_domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "shop_domain"],
                condition=~Q(status=ConnectionStatus.DISCONNECTED),
                name="integrations_connection_unique_live_shop",
            ),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} · {self.display_name}"

    def __repr__(self):  # the default repr is fine too, but say it: no secrets in here
        return f"<Connection {self.pk} {self.platform} {self.shop_domain}>"

    # --- Secrets -------------------------------------------------------------------------------

    def set_credentials(self, credentials: dict) -> None:
        self.credentials_encrypted = crypto.encrypt(dict(credentials))

    def credentials(self) -> dict:
        return crypto.decrypt(self.credentials_encrypted) or {}

    def set_webhook_secret(self, secret: str) -> None:
        self.webhook_secret_encrypted = crypto.encrypt(secret)

    def webhook_secret(self) -> str:
        return crypto.decrypt(self.webhook_secret_encrypted) or ""

    @property
    def is_live(self) -> bool:
        return self.status != ConnectionStatus.DISCONNECTED


class PlatformEvent(models.Model):
    """The inbox: one row per webhook delivery that passed its signature check, stored before
    anything is done with it. ``(connection, topic, event_id)`` is unique, so a delivery Shopify
    sends again is acknowledged and not stored twice."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=255, help_text="X-Shopify-Event-Id (else the webhook id, else a hash).")
    webhook_id = models.CharField(max_length=255, blank=True, help_text="X-Shopify-Webhook-Id (same on retries).")
    topic = models.CharField(max_length=100)
    body = models.BinaryField(help_text="The raw body as received (the signature covers these bytes).")
    headers = models.JSONField(default=dict, help_text="Request headers, secrets redacted.")
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=12, choices=EventStatus.choices, default=EventStatus.RECEIVED)
    result = models.CharField(max_length=1000, blank=True, help_text="What processing did, or why it did not.")
    error = models.TextField(blank=True, help_text="An unexpected error's type and text, for support.")

    objects = CustomerScopedManager(customer="connection__customer")

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "topic", "event_id"], name="integrations_event_unique_delivery"
            ),
        ]
        indexes = [models.Index(fields=["connection", "-received_at"], name="integrations_event_recent_idx")]

    def __str__(self):
        return f"{self.topic} {self.event_id}"


class OrderLink(models.Model):
    """(connection, platform order id) → our order: the key every door of a platform (webhooks,
    the poll, re-imports) converges on, so one platform order is never two orders here. The row
    is written first (the unique key claims the platform order), then the order."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="order_links")
    platform_order_id = models.CharField(max_length=64)
    platform_order_name = models.CharField(max_length=64, blank=True, help_text="e.g. #1001")
    order = models.OneToOneField(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="platform_link"
    )
    created_at = models.DateTimeField(default=timezone.now)
    tracking_sent_at = models.DateTimeField(null=True, blank=True, help_text="When the shop took our tracking.")
    tracking_error = models.CharField(max_length=500, blank=True)
    delivered_sent_at = models.DateTimeField(null=True, blank=True, help_text="When the shop took the delivery.")
    # The version of the shop's order last applied here (updates.py): its updated_at, and a hash
    # of what we take from it (recipient, items), so an update that changes nothing of ours or
    # comes late is recognised.
    platform_updated_at = models.DateTimeField(null=True, blank=True)
    platform_fingerprint = models.CharField(max_length=64, blank=True)
    # Set when the shop changed the order after it left Confirming: customer service checks it.
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=500, blank=True)
    review_since = models.DateTimeField(null=True, blank=True)
    fulfillment_order_id = models.CharField(
        max_length=255, blank=True, help_text="Fulfillment-service mode: the fulfillment order we accepted."
    )
    # The platform's id of the buyer (eBay: username), so an account deletion finds their orders.
    buyer_ref = models.CharField(max_length=100, blank=True)

    objects = CustomerScopedManager(customer="connection__customer")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "platform_order_id"], name="integrations_link_unique_platform_order"
            ),
        ]
        indexes = [
            models.Index(fields=["review_since"], condition=Q(needs_review=True), name="integrations_link_review_idx"),
            models.Index(fields=["buyer_ref"], condition=~Q(buyer_ref=""), name="integrations_link_buyer_idx"),
        ]

    def __str__(self):
        return f"{self.platform_order_name or self.platform_order_id} → {self.order_id}"


class SkuMapping(models.Model):
    """A platform item (SKU and variant id) → the customer's product; ``product`` stays empty
    while nothing matches, and the row is what a person maps."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sku_mappings")
    platform_sku = models.CharField(max_length=100, blank=True)
    variant_id = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=255, blank=True)
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="platform_mappings"
    )
    inventory_item_id = models.CharField(max_length=100, blank=True, help_text="The variant's inventory item.")
    stock_sent = models.IntegerField(null=True, blank=True, help_text="The available quantity the shop last took.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerScopedManager(customer="connection__customer")

    class Meta:
        ordering = ["platform_sku", "variant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "platform_sku", "variant_id"], name="integrations_sku_unique_item"
            ),
        ]

    def __str__(self):
        return f"{self.platform_sku or '(no SKU)'} → {self.product_id or 'unmapped'}"


class SyncRun(models.Model):
    """One reconciliation poll of a connection: what it fetched and did, for the customer to see."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="sync_runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateTimeField(null=True, blank=True, help_text="Orders updated after this were asked for.")
    fetched = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0, help_text="Orders here changed (or flagged) by the shop's edit.")
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    notes = models.JSONField(default=list, blank=True, help_text="The first orders that failed, and why.")

    objects = CustomerScopedManager(customer="connection__customer")

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Sync of {self.connection_id} at {self.started_at:%Y-%m-%d %H:%M}"


class WaitingLine(models.Model):
    """A line of a shop order that matched none of the customer's products. The order waits in
    Abnormal (UNKNOWN_SKU) without it; once its item is mapped (``sku_map``) the line is added and
    the order goes back to Confirming (submitted at once when the connection says so)."""

    link = models.ForeignKey(OrderLink, on_delete=models.CASCADE, related_name="waiting_lines")
    mapping = models.ForeignKey(SkuMapping, on_delete=models.CASCADE, related_name="waiting_lines")
    quantity = models.PositiveIntegerField()

    objects = CustomerScopedManager(customer="link__connection__customer")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["link", "mapping"], name="integrations_waiting_unique_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="integrations_waiting_quantity_gt_0"),
        ]

    def __str__(self):
        return f"{self.link_id}: {self.mapping_id} × {self.quantity}"


class FulfillmentService(models.Model):
    """One of our warehouses registered on the shop as a Shopify fulfillment service (its own
    location there): fulfillment orders assigned to ``location_id`` are ours to accept or reject."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="fulfillment_services")
    warehouse = models.ForeignKey("warehouses.Warehouse", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255, help_text="The service's (and its location's) name on the shop.")
    service_id = models.CharField(max_length=255, help_text="gid://shopify/FulfillmentService/…")
    location_id = models.CharField(max_length=255, help_text="gid://shopify/Location/…")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerScopedManager(customer="connection__customer")

    class Meta:
        ordering = ["connection_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "warehouse"], name="integrations_fs_unique_warehouse"),
        ]

    def __str__(self):
        return f"{self.name} ({self.location_id})"
