"""Shopify's inventory, as stock out needs it: the shop's locations, the inventory item behind each
variant, and `inventorySetQuantities` — all through `ShopifyClient.execute`, so the timeouts and
the throttling rules of client.py hold here too. Plain Python, results as dataclasses.

`inventorySetQuantities` as of 2026-04 (shopify.dev changelog "Making idempotency mandatory for
inventory adjustments and refund mutations"; InventorySetQuantitiesPayload 2026-10):
- the `@idempotent(key:)` directive is required: the same key with the same input is answered
  with the first call's result and applied once; the same key with other input is refused
  (IDEMPOTENCY_KEY_PARAMETER_MISMATCH);
- each quantity carries `changeFromQuantity` (the compare-and-swap value; `compareQuantity` and
  `ignoreCompareQuantity` are gone). We are the source of truth for our location and the shop
  lowers `available` itself when it sells, so we pass null: set, do not compare;
- at most `MAX_QUANTITIES` quantities a call.
"""

from __future__ import annotations

from dataclasses import dataclass

from .client import ShopifyClient, ShopifyError

MAX_QUANTITIES = 250  # per inventorySetQuantities call
MAX_NODES = 250  # ids per nodes() lookup
REASON = "correction"
REFERENCE = "gid://fulfillment-hub/StockPush/{key}"

LOCATIONS_QUERY = """
query StockLocations {
  locations(first: 50) { nodes { id name isActive fulfillsOnlineOrders } }
}
"""

VARIANT_ITEMS_QUERY = """
query VariantInventoryItems($ids: [ID!]!) {
  nodes(ids: $ids) { ... on ProductVariant { id sku inventoryItem { id tracked } } }
}
"""

SET_QUANTITIES_MUTATION = """
mutation StockSet($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id reason changes { name delta } }
    userErrors { field message code }
  }
}
"""


@dataclass(frozen=True)
class ShopLocation:
    id: str
    name: str
    active: bool
    fulfills_online_orders: bool


@dataclass(frozen=True)
class VariantItem:
    variant_id: str  # gid://shopify/ProductVariant/…
    sku: str
    inventory_item_id: str
    tracked: bool


@dataclass(frozen=True)
class Quantity:
    inventory_item_id: str
    quantity: int


@dataclass(frozen=True)
class QuantityError:
    index: int | None  # the quantity's position in the call, when Shopify names one
    code: str
    message: str


@dataclass(frozen=True)
class SetResult:
    group_id: str  # the adjustment group; "" when nothing changed on the shop
    errors: tuple[QuantityError, ...]  # userErrors: then nothing of the call was applied


def variant_gid(variant_id: str) -> str:
    """The webhooks' numeric variant id (44001) as a GraphQL id; a GraphQL id as it is."""
    text = str(variant_id)
    return text if text.startswith("gid://") else f"gid://shopify/ProductVariant/{text}"


def locations(client: ShopifyClient) -> tuple[ShopLocation, ...]:
    nodes = ((client.execute(LOCATIONS_QUERY).get("locations") or {}).get("nodes")) or []
    return tuple(
        ShopLocation(
            id=node.get("id") or "",
            name=node.get("name") or "",
            active=bool(node.get("isActive")),
            fulfills_online_orders=bool(node.get("fulfillsOnlineOrders")),
        )
        for node in nodes
    )


def variant_items(client: ShopifyClient, variant_ids: list[str]) -> dict[str, VariantItem]:
    """{variant gid: its inventory item} of the variants the shop still has (deleted ones are absent)."""
    found: dict[str, VariantItem] = {}
    ids = [variant_gid(v) for v in variant_ids]
    for start in range(0, len(ids), MAX_NODES):
        data = client.execute(VARIANT_ITEMS_QUERY, {"ids": ids[start : start + MAX_NODES]})
        for node in data.get("nodes") or []:
            item = (node or {}).get("inventoryItem") or {}
            if node and node.get("id") and item.get("id"):
                found[node["id"]] = VariantItem(
                    variant_id=node["id"],
                    sku=node.get("sku") or "",
                    inventory_item_id=item["id"],
                    tracked=bool(item.get("tracked")),
                )
    return found


def set_available(client: ShopifyClient, *, location_id: str, quantities: list[Quantity], key: str) -> SetResult:
    """Set `available` of these items at the location, once per `key` (see the module)."""
    if not 1 <= len(quantities) <= MAX_QUANTITIES:
        raise ValueError(f"between 1 and {MAX_QUANTITIES} quantities a call")
    payload = {
        "name": "available",
        "reason": REASON,
        "referenceDocumentUri": REFERENCE.format(key=key),
        "quantities": [
            {
                "inventoryItemId": q.inventory_item_id,
                "locationId": location_id,
                "quantity": q.quantity,
                "changeFromQuantity": None,
            }
            for q in quantities
        ],
    }
    data = client.execute(SET_QUANTITIES_MUTATION, {"input": payload, "idempotencyKey": key})
    result = data.get("inventorySetQuantities")
    if result is None:
        raise ShopifyError("Shopify answered inventorySetQuantities with nothing.", retryable=True, code="EMPTY")
    errors = tuple(
        QuantityError(
            index=_index(error.get("field")), code=error.get("code") or "", message=error.get("message") or ""
        )
        for error in result.get("userErrors") or []
    )
    group = result.get("inventoryAdjustmentGroup") or {}
    return SetResult(group_id=group.get("id") or "", errors=errors)


def _index(field) -> int | None:
    """["input", "quantities", "3", "quantity"] → 3."""
    parts = list(field or [])
    if "quantities" in parts:
        position = parts.index("quantities") + 1
        if position < len(parts) and str(parts[position]).isdigit():
            return int(parts[position])
    return None
