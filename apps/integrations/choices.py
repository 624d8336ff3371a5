from django.db import models


class Platform(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    EBAY = "ebay", "eBay"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    DISCONNECTED = "disconnected", "Disconnected"


class AuthMethod(models.TextChoices):
    """How a connection gets its access token."""

    TOKEN = "token", "Access token"  # pasted; does not expire
    CLIENT_CREDENTIALS = "client_credentials", "Client-credentials grant"  # ~24 h, asked again
    OAUTH = "oauth", "OAuth install"  # expiring offline token + refresh token


class ConnectionMode(models.TextChoices):
    """How a shop's orders reach us."""

    ORDERS = "orders", "Order sync (webhooks and the poll)"
    # Shopify's way for a 3PL: our warehouses are fulfillment-service locations; the merchant
    # requests fulfillment and we accept or reject each request (fulfillment_service.py).
    FULFILLMENT_SERVICE = "fulfillment_service", "Fulfillment service (Shopify requests, we accept)"


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received"  # stored, processing queued
    PROCESSED = "processed", "Processed"  # did what the event asked
    IGNORED = "ignored", "Ignored"  # nothing to do (already imported, not an order we keep...)
    FAILED = "failed", "Failed"  # needs someone: the result says why


class ImportAction(models.TextChoices):
    """What an order's import did, beyond the event's status: counted by the sync runs."""

    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    FLAGGED = "flagged", "Flagged for customer service"
    CANCELLED = "cancelled", "Cancelled"


# Platforms whose webhooks this slice receives and processes.
BUILT = frozenset({Platform.SHOPIFY, Platform.WOOCOMMERCE, Platform.EBAY})
