"""Stock out to WooCommerce: the available quantity of a mapped item becomes its
``stock_quantity`` (with ``manage_stock`` on) — a simple product's own, a variation's on its
parent's variations. Plain Python over the client; the service (stock_out.py) picks the items,
the quantities and what changed.

An item is known by the id an order's line carried (``SkuMapping.variant_id``: the variation, or
the product when it has none). Where it sits is asked once and kept in
``SkuMapping.inventory_item_id``: ``"<product id>"`` or ``"<parent id>/<variation id>"``.
Batches take at most 100 updates (WooCommerce's limit); an item the store refuses is reported
with its words and the others still go."""

from __future__ import annotations

from .client import PER_PAGE, WooClient

BATCH = 100
MAX_VARIABLE_PAGES = 50  # 5,000 variable products looked through for the parents of variations


def items_where(client: WooClient, ids: list[str]) -> dict[str, str]:
    """id → "<product id>" or "<parent id>/<variation id>", for the ids the store has."""
    found: dict[str, str] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), BATCH):
        for product in client.products(include=wanted[start : start + BATCH]):
            found[str(product.get("id"))] = str(product.get("id"))
    rest = {i for i in wanted if i not in found}
    page = 1
    while rest and page <= MAX_VARIABLE_PAGES:  # variations: their parents list them
        products = client.products(type="variable", page=page)
        for product in products:
            for variation in product.get("variations") or []:
                if str(variation) in rest:
                    found[str(variation)] = f"{product.get('id')}/{variation}"
                    rest.discard(str(variation))
        if len(products) < PER_PAGE:
            break
        page += 1
    return found


def stock_set(client: WooClient, quantities: dict[str, int]) -> tuple[set[str], list[str], int]:
    """Set each item's stock quantity; (the items set, the store's refusals as sentences, calls)."""
    simple = {ref: units for ref, units in quantities.items() if "/" not in ref}
    by_parent: dict[str, dict[str, int]] = {}
    for ref, units in quantities.items():
        if "/" in ref:
            parent, variation = ref.split("/", 1)
            by_parent.setdefault(parent, {})[variation] = units
    done, refused, calls = set(), [], 0

    def send(batch: dict[str, int], call, prefix: str) -> None:
        nonlocal calls
        items = sorted(batch.items())
        for start in range(0, len(items), BATCH):
            chunk = items[start : start + BATCH]
            answer = call([{"id": int(i), "manage_stock": True, "stock_quantity": units} for i, units in chunk])
            calls += 1
            errors = {str(a.get("id")): a["error"] for a in answer if isinstance(a.get("error"), dict)}
            for item_id, _units in chunk:
                if item_id in errors:
                    refused.append(f"{item_id}: {errors[item_id].get('message') or 'refused'}")
                else:
                    done.add(prefix + item_id)

    if simple:
        send(simple, client.products_batch, "")
    for parent, variations in sorted(by_parent.items()):
        send(variations, lambda updates, parent=parent: client.variations_batch(parent, updates), f"{parent}/")
    return done, refused, calls
