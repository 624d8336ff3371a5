"""Mapping a shop's item to one of the customer's products, and the orders that waited for it.

An order whose line matched none of the customer's SKUs or UPCs arrived in Abnormal (UNKNOWN_SKU)
with that line kept aside as a WaitingLine (inbox.py). Mapping the item adds the line to every
order waiting for it — through the order service's own edit, which sends a fixed Abnormal order
back to Confirming — and submits it when the connection submits automatically. An order still
waiting for another item stays Abnormal until that one is mapped too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from apps.core.errors import ApplicationError, ValidationFailed
from apps.orders.choices import EDITABLE, AbnormalReason, OrderStatus
from apps.orders.rules import recipient_of
from apps.orders.services import OrderData, order_note_add, order_submit, order_update

from .models import Connection, OrderLink, SkuMapping, WaitingLine


@dataclass
class SkuMappingResult:
    mapping: SkuMapping
    retried: int = 0  # orders that waited for the item and got it
    submitted: int = 0  # of them, the ones submitted at once (the connection submits automatically)
    waiting: int = 0  # orders that still wait for another item
    problems: list[str] = field(default_factory=list)  # orders that could not take the line, and why


def sku_map(*, actor, connection: Connection, mapping: SkuMapping, product) -> SkuMappingResult:
    """Map the item to the product, then give the orders waiting for it their line (see the module)."""
    if mapping.connection_id != connection.pk:
        raise ValidationFailed("That item is not one of this connection's.", code="unknown_mapping")
    if product is None or product.customer_id != connection.customer_id:
        raise ValidationFailed("Choose one of your products.", code="unknown_product")
    if not product.is_active:
        raise ValidationFailed(f"{product.sku} is deactivated; activate it first.", code="inactive_product")
    if mapping.product_id != product.pk:
        mapping.stock_sent = None  # the shop has not had this product's stock for the item yet
    mapping.product = product
    mapping.save(update_fields=["product", "stock_sent", "updated_at"])
    result = SkuMappingResult(mapping=mapping)
    links = (
        OrderLink.objects.filter(waiting_lines__mapping=mapping)
        .select_related("order", "order__warehouse", "order__channel")
        .order_by("id")
        .distinct()
    )
    for link in links:
        _retry(actor, connection, link, result, mapping)
    return result


def mapping_label(mapping: SkuMapping) -> str:
    return mapping.platform_sku or (f"“{mapping.title}”" if mapping.title else f"variant {mapping.variant_id}")


def _retry(actor, connection: Connection, link: OrderLink, result: SkuMappingResult, mapping: SkuMapping) -> None:
    order = link.order
    waiting = list(link.waiting_lines.select_related("mapping__product"))
    if order is None or order.status not in EDITABLE:  # cancelled or shipped meanwhile: nothing to add to
        WaitingLine.objects.filter(link=link).delete()
        return
    if (order.status, order.abnormal_code) != (OrderStatus.ABNORMAL, AbnormalReason.UNKNOWN_SKU):
        # Edited by hand meanwhile (the edit sent it back to Confirming): its SKUs are what the
        # seller chose; adding the line now could ship the item twice. Say so instead.
        with transaction.atomic():
            WaitingLine.objects.filter(link=link).delete()
            order_note_add(
                actor=actor,
                order=order,
                message=(
                    f"{connection.get_platform_display()} item {mapping_label(mapping)} is now mapped, "
                    "but this order was edited meanwhile, so its line was not added: check the order's SKUs."
                )[:500],
            )
        result.problems.append(f"{order.number}: edited meanwhile; the line was not added (see its timeline).")
        return
    if any(w.mapping.product_id is None for w in waiting):
        result.waiting += 1
        return
    lines = [(line.product, line.quantity) for line in order.lines.select_related("product")]
    lines += [(w.mapping.product, w.quantity) for w in waiting]
    data = OrderData(
        warehouse=order.warehouse,
        recipient=recipient_of(order),
        lines=lines,
        channel=order.channel,
        external_ref=order.external_ref,
        note=order.note,
    )
    try:
        with transaction.atomic():
            order = order_update(actor=actor, order=order, data=data)
            WaitingLine.objects.filter(link=link).delete()
    except ApplicationError as exc:
        result.problems.append(f"{order.number}: {exc.message}")
        return
    result.retried += 1
    if connection.submit_automatically:
        try:
            order = order_submit(actor=actor, order=order)
        except ApplicationError as exc:
            result.problems.append(f"{order.number}: {exc.message}")
            return
        result.submitted += order.status != OrderStatus.ABNORMAL
