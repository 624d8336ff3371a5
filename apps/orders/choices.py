from django.db import models


class OrderStatus(models.TextChoices):
    CONFIRMING = "confirming", "Confirming"
    ABNORMAL = "abnormal", "Abnormal"
    PENDING_SHIPMENT = "pending_shipment", "Pending Shipment"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    RETURNED = "returned", "Returned"


# DESIGN §5: the only moves an order's status can make. Every path (portal, API, importer, staff,
# warehouse, retries) goes through orders.services.order_transition, which checks this table.
TRANSITIONS = {
    OrderStatus.CONFIRMING: {OrderStatus.PENDING_SHIPMENT, OrderStatus.ABNORMAL, OrderStatus.CANCELLED},
    OrderStatus.ABNORMAL: {OrderStatus.PENDING_SHIPMENT, OrderStatus.CONFIRMING, OrderStatus.CANCELLED},
    OrderStatus.PENDING_SHIPMENT: {OrderStatus.SHIPPED, OrderStatus.ABNORMAL, OrderStatus.CANCELLED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED, OrderStatus.RETURNED},
    OrderStatus.DELIVERED: {OrderStatus.RETURNED},
    OrderStatus.CANCELLED: set(),
    OrderStatus.RETURNED: set(),
}
EDITABLE = (OrderStatus.CONFIRMING, OrderStatus.ABNORMAL)
SUBMITTABLE = (OrderStatus.CONFIRMING, OrderStatus.ABNORMAL)
CANCELLABLE = (OrderStatus.CONFIRMING, OrderStatus.ABNORMAL, OrderStatus.PENDING_SHIPMENT)
WAYBILL_STATUSES = (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED)
STATUS_BADGES = {
    OrderStatus.CONFIRMING: "info",
    OrderStatus.ABNORMAL: "danger",
    OrderStatus.PENDING_SHIPMENT: "warning",
    OrderStatus.SHIPPED: "primary",
    OrderStatus.DELIVERED: "success",
    OrderStatus.CANCELLED: "dark",
    OrderStatus.RETURNED: "secondary",
}
# The tabs of the order list, in the seed guide's order.
TABS = (
    OrderStatus.CONFIRMING,
    OrderStatus.ABNORMAL,
    OrderStatus.PENDING_SHIPMENT,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CANCELLED,
)


class OrderSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    BATCH = "batch", "Batch upload"
    API = "api", "API"
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    EBAY = "ebay", "eBay"
    STAFF = "staff", "Placed by staff"


class AbnormalReason(models.TextChoices):
    """Machine codes (DESIGN §5) for why an order could not go on; the message says it for people."""

    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK", "Insufficient stock"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE", "Insufficient balance"
    UNKNOWN_SKU = "UNKNOWN_SKU", "Unknown or inactive SKU"
    INVALID_ADDRESS = "INVALID_ADDRESS", "Invalid address"
    NO_CHANNEL = "NO_CHANNEL", "No shipping channel"
    MISSING_WEIGHT = "MISSING_WEIGHT", "SKU weight missing"
    NO_WAREHOUSE = "NO_WAREHOUSE", "Warehouse not available"
    STOCK_DISCREPANCY = "STOCK_DISCREPANCY", "Stock discrepancy in the warehouse"
    # A parcel leaving its warehouse's country whose SKUs lack customs name, HS code, origin or value.
    MISSING_CUSTOMS_INFO = "MISSING_CUSTOMS_INFO", "Customs information missing"
    # The shop holds the order: the buyer asked the marketplace (eBay) to cancel it, and the seller
    # has not answered yet. Released by the shop's answer (rejected: back to Confirming;
    # accepted: cancelled), never by a submit.
    BUYER_CANCEL_REQUESTED = "BUYER_CANCEL_REQUESTED", "Buyer asked to cancel"


# Abnormal reasons a shop sets and lifts (a marketplace's hold): never submitted until the shop lifts them.
SHOP_HOLDS = (AbnormalReason.BUYER_CANCEL_REQUESTED,)
# Abnormal orders retried by themselves when their cause goes away (DESIGN §5).
RETRY_ON_STOCK = (AbnormalReason.INSUFFICIENT_STOCK,)
RETRY_ON_BALANCE = (AbnormalReason.INSUFFICIENT_BALANCE,)


class EventKind(models.TextChoices):
    STATUS = "status", "Status"
    EDIT = "edit", "Edited"
    ACTION = "action", "Action"
    NOTE = "note", "Note"
