"""A shop order's items in our terms: each line matched to one of the customer's products
(through its SkuMapping, else by exact SKU, then by UPC), or kept aside for someone to map."""

from __future__ import annotations

from apps.catalog.selectors import products_by_code
from apps.orders.rules import clean_quantity

from .models import Connection, SkuMapping
from .rules import PlatformOrder, line_label


class NotImported(Exception):
    """The order cannot be imported as it came (the intake found problems): say why."""


def map_lines(connection: Connection, order: PlatformOrder, known=None) -> tuple[list[tuple], list[tuple]]:
    """[(our product, quantity)] for the order's lines that map, and [(mapping, units)] for the
    items that map to nothing (the order waits for them: WaitingLine).

    A line is matched through its SkuMapping row when one is mapped, else to the customer's
    product by exact SKU, then by UPC (the catalog's code lookup); every line seen gets a row,
    an unmatched one with no product, for someone to map. ``known`` is ``item_lookups`` of a set
    of orders this one is in (a poll's page), else it is looked up for this order alone."""
    mappings, found = known if known is not None else item_lookups(connection, [order])
    lines, waiting = [], {}
    for line in order.lines:
        mapping = mappings.get((line.sku, line.variant_id))
        product = mapping.product if mapping is not None and mapping.product_id else None
        if product is None and line.sku:
            product = found.get(line.sku.lower())
        if mapping is None:
            mapping, _ = SkuMapping.objects.get_or_create(
                connection=connection,
                platform_sku=line.sku,
                variant_id=line.variant_id,
                defaults={"product": product, "title": line.title},
            )
            mappings[(line.sku, line.variant_id)] = mapping
        elif mapping.product_id is None and product is not None:
            mapping.product = product
            mapping.save(update_fields=["product", "updated_at"])
        if product is not None:
            lines.append((product, line.quantity))
            continue
        units = clean_quantity(line.quantity)
        if units is None:
            raise NotImported(f"{line_label(line)} has no valid quantity ({line.quantity!r}).")
        waiting[mapping.pk] = (mapping, waiting.get(mapping.pk, (mapping, 0))[1] + units)
    return lines, list(waiting.values())


def item_lookups(connection: Connection, orders) -> tuple[dict, dict]:
    """For ``map_lines``: the mapping rows of every item of ``orders`` by (SKU, variant id), the
    missing ones written here in one statement (a row for every item seen, its product found by
    exact SKU, then UPC), and the customer's products by code — a fixed number of queries."""
    skus = {line.sku for order in orders for line in order.lines}
    rows = SkuMapping.objects.select_related("product").filter(connection=connection, platform_sku__in=skus)
    mappings = {(m.platform_sku, m.variant_id): m for m in rows}
    looking = {sku for sku in skus if sku}
    found = products_by_code(customer=connection.customer, codes=looking) if looking else {}
    missing = {}
    for order in orders:
        for line in order.lines:
            if (line.sku, line.variant_id) not in mappings:
                product = found.get(line.sku.lower()) if line.sku else None
                missing.setdefault(
                    (line.sku, line.variant_id),
                    SkuMapping(
                        connection=connection,
                        platform_sku=line.sku,
                        variant_id=line.variant_id,
                        product=product,
                        title=line.title,
                    ),
                )
    if missing:
        SkuMapping.objects.bulk_create(missing.values(), ignore_conflicts=True)  # another delivery's rows stay
        rows = SkuMapping.objects.select_related("product").filter(connection=connection, platform_sku__in=skus)
        mappings = {(m.platform_sku, m.variant_id): m for m in rows}
    return mappings, found


def unmapped_message(mapping: SkuMapping, shop: str = "Shopify") -> str:
    """Why an order waits for this item, and what to do; ``shop`` is the platform's name."""
    label = f"“{mapping.title}”" if mapping.title else f"variant {mapping.variant_id or '?'}"
    if not mapping.platform_sku:
        return f"{label[:1].upper()}{label[1:]} has no SKU on {shop}: map it to one of your products."
    return f"{shop} SKU {mapping.platform_sku} ({label}) matches none of your SKUs or UPCs: map it to a product."
