"""Webhook subscriptions through the GraphQL Admin API (`webhookSubscriptionCreate` /
`webhookSubscriptionDelete`), on a `ShopifyClient`. An app may declare the same subscriptions in
its shopify.app.toml instead; Shopify keeps those up to date by itself."""

from __future__ import annotations

from .client import ShopifyClient, ShopifyError

# The topics the integration processes, as the GraphQL enum WebhookSubscriptionTopic names them.
TOPICS = ("ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "APP_UNINSTALLED")

SUBSCRIPTION_CREATE_MUTATION = """
mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""

SUBSCRIPTION_DELETE_MUTATION = """
mutation WebhookSubscriptionDelete($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
"""


def _user_errors(payload: dict, what: str) -> None:
    errors = payload.get("userErrors") or []
    if errors:
        words = "; ".join(error.get("message") or "unknown error" for error in errors)
        raise ShopifyError(f"Shopify refused {what}: {words}", retryable=False, code="USER_ERRORS")


def subscription_create(client: ShopifyClient, *, topic: str, uri: str) -> str:
    """Subscribe ``uri`` (HTTPS, JSON) to ``topic``; the subscription's id."""
    data = client.execute(
        SUBSCRIPTION_CREATE_MUTATION, {"topic": topic, "webhookSubscription": {"uri": uri, "format": "JSON"}}
    )
    payload = data.get("webhookSubscriptionCreate") or {}
    _user_errors(payload, f"the {topic} subscription")
    return ((payload.get("webhookSubscription") or {}).get("id")) or ""


def subscription_delete(client: ShopifyClient, *, subscription_id: str) -> None:
    payload = client.execute(SUBSCRIPTION_DELETE_MUTATION, {"id": subscription_id}).get("webhookSubscriptionDelete")
    _user_errors(payload or {}, "deleting the subscription")
