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


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received"  # stored, processing queued
    PROCESSED = "processed", "Processed"  # did what the event asked
    IGNORED = "ignored", "Ignored"  # nothing to do (already imported, not an order we keep...)
    FAILED = "failed", "Failed"  # needs someone: the result says why


# Platforms whose webhooks this slice receives and processes.
BUILT = frozenset({Platform.SHOPIFY})
