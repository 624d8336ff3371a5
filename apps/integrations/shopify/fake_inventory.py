"""The fake Shopify's inventory (mixed into `fake_server.FakeShopify`): locations, variants with
their inventory items, and `inventorySetQuantities` as 2026-04 and later answer it —

- the `@idempotent(key:)` directive is required (a GraphQL error without it); the same key with
  the same input answers the first call's result and applies nothing again (counted in
  `inventory_replays`); the same key with other input is refused with
  IDEMPOTENCY_KEY_PARAMETER_MISMATCH, and a key whose first call failed with
  IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED;
- every quantity must carry `changeFromQuantity` (null, or the persisted value: else
  CHANGE_FROM_QUANTITY_STALE);
- more than 250 quantities is a MAX_INPUT_SIZE_EXCEEDED error, as Shopify answers list limits;
- an unknown item or location, or an item not stocked at the location, is a userError naming the
  quantity (`field: ["input", "quantities", "<i>", …]`), and then nothing of the call is applied.

What was set is in `inventory_levels[(item id, location id)]`; `available(sku)` reads it for tests.
"""

from __future__ import annotations

import hashlib
import json
import re

MAX_QUANTITIES = 250
KEY_PATTERN = re.compile(r"@idempotent\s*\(\s*key\s*:\s*(?:\"([^\"]*)\"|\$(\w+))\s*\)")
REASONS = {"correction", "cycle_count_available", "damaged", "movement_created", "movement_updated", "received"}
REASONS |= {"restock", "safety_stock", "shrinkage", "other", "quality_control", "reservation_created"}


class FakeInventory:
    """Locations, variants and inventory levels in memory; FakeShopify owns the lock and the ids."""

    INVENTORY_DOCUMENTS = (
        ("inventorySetQuantities(", "inventory_set_quantities"),
        ("locations(", "locations_list"),
        (re.compile(r"\bnodes\s*\(\s*ids:"), "variant_nodes"),
    )

    def inventory_init(self) -> None:
        self.inventory_locations = [
            {
                "id": "gid://shopify/Location/7001",
                "name": "Shop warehouse",
                "isActive": True,
                "fulfillsOnlineOrders": True,
            }
        ]
        self.variants: dict[str, dict] = {}  # variant gid → {id, sku, inventoryItem {id, tracked}}
        self.inventory_levels: dict[tuple[str, str], int] = {}  # (item gid, location gid) → available
        self.stocked: set[tuple[str, str]] = set()
        self.idempotency: dict[str, tuple[str, dict | None]] = {}  # key → (input digest, the answer or None)
        self.inventory_calls: list[dict] = []  # each applied call's {key, quantities}
        self.inventory_replays = 0

    # Knobs and reads for tests.

    def add_location(self, name: str, *, active: bool = True, online: bool = True) -> dict:
        with self.lock:
            location = {
                "id": f"gid://shopify/Location/{7001 + len(self.inventory_locations)}",
                "name": name,
                "isActive": active,
                "fulfillsOnlineOrders": online,
            }
            self.inventory_locations.append(location)
            for item in {v["inventoryItem"]["id"] for v in self.variants.values()}:
                self.stocked.add((item, location["id"]))
        return location

    def add_variant(self, sku: str, *, variant_id: int | None = None, tracked: bool = True, stocked: bool = True):
        """A variant with its inventory item, stocked at every location; its numeric id (as the
        webhooks carry it)."""
        with self.lock:
            number = variant_id or next(self.ids) * 10
            gid = f"gid://shopify/ProductVariant/{number}"
            item = f"gid://shopify/InventoryItem/{number}"
            self.variants[gid] = {"id": gid, "sku": sku, "inventoryItem": {"id": item, "tracked": tracked}}
            if stocked:
                for location in self.inventory_locations:
                    self.stocked.add((item, location["id"]))
        return number

    def available(self, sku: str, location_id: str | None = None) -> int | None:
        """The available quantity set for the SKU's variant at the location (the first by default)."""
        location_id = location_id or self.inventory_locations[0]["id"]
        with self.lock:
            for variant in self.variants.values():
                if variant["sku"] == sku:
                    return self.inventory_levels.get((variant["inventoryItem"]["id"], location_id))
        return None

    # The documents.

    def locations_list(self, variables: dict) -> dict:
        with self.lock:
            return {"locations": {"nodes": [dict(loc) for loc in self.inventory_locations]}}

    def variant_nodes(self, variables: dict) -> dict:
        with self.lock:
            return {
                "nodes": [self.variants.get(gid) or self._ordered_variant(gid) for gid in variables.get("ids") or []]
            }

    def _ordered_variant(self, gid: str) -> dict | None:
        """A variant the fake's orders sell (add_order makes their ids) becomes a tracked variant
        stocked at every location on first sight, so the demo shop can take stock levels."""
        for order in self.orders.values():
            for line in order.get("lineItems") or []:
                if (line.get("variant") or {}).get("id") == gid:
                    item = gid.replace("ProductVariant", "InventoryItem")
                    self.variants[gid] = {
                        "id": gid,
                        "sku": line.get("sku") or "",
                        "inventoryItem": {"id": item, "tracked": True},
                    }
                    self.stocked.update((item, location["id"]) for location in self.inventory_locations)
                    return self.variants[gid]
        return None

    def inventory_set_quantities(self, variables: dict, query: str = "") -> dict:
        match = KEY_PATTERN.search(query)
        key = (match.group(1) if match.group(1) is not None else variables.get(match.group(2))) if match else None
        if not key:
            raise FakeGraphQLError("The @idempotent directive is required for this mutation.", "BAD_REQUEST")
        payload = variables.get("input") or {}
        quantities = payload.get("quantities") or []
        if len(quantities) > MAX_QUANTITIES:
            raise FakeGraphQLError(
                f"The input array size of {len(quantities)} is greater than the maximum allowed of {MAX_QUANTITIES}.",
                "MAX_INPUT_SIZE_EXCEEDED",
            )
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        with self.lock:
            if key in self.idempotency:
                first_digest, answer = self.idempotency[key]
                if first_digest != digest:
                    return _refusal(
                        "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
                        "The same idempotency key cannot be used with different operation parameters.",
                    )
                if answer is None:
                    return _refusal(
                        "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED",
                        "A previous request with this idempotency key failed. Retry with a new idempotency key.",
                    )
                self.inventory_replays += 1
                return answer
            errors = self._quantity_errors(payload, quantities)
            if errors:
                self.idempotency[key] = (digest, None)
                return {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": errors}}
            changes = []
            for q in quantities:
                where = (q["inventoryItemId"], q["locationId"])
                before = self.inventory_levels.get(where, 0)
                self.inventory_levels[where] = int(q["quantity"])
                if int(q["quantity"]) != before:
                    changes.append({"name": "available", "delta": int(q["quantity"]) - before})
            self.inventory_calls.append({"key": key, "quantities": [dict(q) for q in quantities]})
            group = {"id": f"gid://shopify/InventoryAdjustmentGroup/{next(self.ids)}", "reason": payload["reason"]}
            answer = {
                "inventorySetQuantities": {
                    "inventoryAdjustmentGroup": {**group, "changes": changes} if changes else None,
                    "userErrors": [],
                }
            }
            self.idempotency[key] = (digest, answer)
            return answer

    inventory_set_quantities.takes_query = True  # the key is in the document's directive

    def _quantity_errors(self, payload: dict, quantities: list[dict]) -> list[dict]:
        if payload.get("name") not in ("available", "on_hand"):
            return [
                _error(["input", "name"], "INVALID_NAME", "The quantity name must be either 'available' or 'on_hand'.")
            ]
        if payload.get("reason") not in REASONS:
            return [_error(["input", "reason"], "INVALID_REASON", "The specified reason is invalid.")]
        items = {v["inventoryItem"]["id"] for v in self.variants.values()}
        location_ids = {loc["id"] for loc in self.inventory_locations}
        errors = []
        for i, q in enumerate(quantities):
            field = ["input", "quantities", str(i)]
            item, location = q.get("inventoryItemId"), q.get("locationId")
            if "changeFromQuantity" not in q:
                errors.append(
                    _error(
                        [*field, "changeFromQuantity"],
                        "CHANGE_FROM_QUANTITY_REQUIRED",
                        "The changeFromQuantity argument must be given to each quantity.",
                    )
                )
            elif item not in items:
                errors.append(
                    _error(
                        [*field, "inventoryItemId"],
                        "INVALID_INVENTORY_ITEM",
                        "The specified inventory item could not be found.",
                    )
                )
            elif location not in location_ids:
                errors.append(
                    _error([*field, "locationId"], "INVALID_LOCATION", "The specified location could not be found.")
                )
            elif (item, location) not in self.stocked:
                errors.append(
                    _error(
                        [*field, "locationId"],
                        "ITEM_NOT_STOCKED_AT_LOCATION",
                        "The specified inventory item is not stocked at the location.",
                    )
                )
            elif int(q.get("quantity", -1)) < 0:
                errors.append(
                    _error([*field, "quantity"], "INVALID_QUANTITY_NEGATIVE", "The quantity can't be negative.")
                )
            elif q["changeFromQuantity"] is not None and q["changeFromQuantity"] != self.inventory_levels.get(
                (item, location), 0
            ):
                errors.append(
                    _error(
                        [*field, "changeFromQuantity"],
                        "CHANGE_FROM_QUANTITY_STALE",
                        "The changeFromQuantity value does not match persisted value.",
                    )
                )
        return errors


class FakeGraphQLError(Exception):
    """A top-level GraphQL error (`errors: [{message, extensions: {code}}]`) instead of `data`."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def _error(field: list[str] | None, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": message}


def _refusal(code: str, message: str) -> dict:
    return {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": [_error(None, code, message)]}}
