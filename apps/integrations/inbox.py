"""Processing one stored platform event (the ``integrations.process_event`` task).

Idempotent: a processed or ignored event is left alone when its message comes again; a failed one
is tried again (a replay after its SKU was mapped). Orders converge on the OrderLink of
(connection, platform order id): the link row is written first, in the same transaction as the
order, so two deliveries of one Shopify order — the same webhook twice, create and updated, two
workers at once — make one order; the second finds the link, or waits on its unique key and then
finds it.

An order that cannot go on as it came still arrives, in Abnormal: a line whose SKU matches none of
the customer's products (UNKNOWN_SKU; the line waits as a WaitingLine until its item is mapped) or
an address that does not validate (INVALID_ADDRESS). This slice keeps one thing simple (README
"Integrations"): an orders/updated for an order already imported changes nothing here.
"""

from __future__ import annotations

import contextlib
import json
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.catalog.selectors import products_by_code
from apps.core.actors import integration_actor
from apps.core.errors import ApplicationError
from apps.orders.choices import AbnormalReason, OrderSource, OrderStatus
from apps.orders.imports import Draft, orders_bulk_create
from apps.orders.intake import OrderCodes, intake_resolve
from apps.orders.rules import clean_quantity
from apps.orders.services import order_cancel, order_create, order_create_held
from apps.warehouses.selectors import customer_default_warehouse

from .choices import EventStatus
from .models import Connection, OrderLink, PlatformEvent, SkuMapping, WaitingLine
from .rules import CANCEL_TOPIC, ORDER_TOPICS, NotAnOrder, PlatformOrder, line_label, shopify_order

logger = logging.getLogger(__name__)

DONE = (EventStatus.PROCESSED, EventStatus.IGNORED)
MAX_RESULT = 1000


def event_process(*, event_id: int) -> PlatformEvent | None:
    """Process the event once (see the module); returns it with its status and result, or None
    when there is no such event. An unexpected error is recorded on the event, never raised."""
    try:
        with transaction.atomic():
            event = (
                PlatformEvent.objects.select_for_update(of=("self",))
                .select_related("connection", "connection__customer")
                .filter(pk=event_id)
                .first()
            )
            if event is None or event.status in DONE:
                return event
            status, result = _dispatch(event)
            event.status, event.result, event.error = status, result[:MAX_RESULT], ""
            event.attempts += 1
            event.processed_at = timezone.now()
            event.save(update_fields=["status", "result", "error", "attempts", "processed_at"])
    except Exception as exc:  # noqa: BLE001 - recorded on the event for support and the replay
        logger.exception("platform event %s failed", event_id)
        PlatformEvent.objects.filter(pk=event_id).update(
            status=EventStatus.FAILED,
            attempts=F("attempts") + 1,
            result="Processing failed unexpectedly; support can see the error and replay the event.",
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        event = PlatformEvent.objects.select_related("connection").filter(pk=event_id).first()
        if event is not None:
            _health(event.connection, EventStatus.FAILED, event.result)
        return event
    _health(event.connection, event.status, event.result)
    return event


def _health(connection: Connection, status: str, result: str) -> None:
    now = timezone.now()
    if status == EventStatus.FAILED:
        Connection.objects.filter(pk=connection.pk).update(last_error_at=now, last_error=result[:500])
    else:
        Connection.objects.filter(pk=connection.pk).update(last_success_at=now)


def _dispatch(event: PlatformEvent) -> tuple[str, str]:
    if event.topic not in ORDER_TOPICS and event.topic != CANCEL_TOPIC:
        return EventStatus.IGNORED, f"The topic {event.topic} is not handled yet."
    try:
        order = shopify_order(json.loads(bytes(event.body)))
    except (ValueError, UnicodeDecodeError) as exc:  # NotAnOrder is a ValueError, so is bad JSON
        text = str(exc) if isinstance(exc, NotAnOrder) else "The body is not JSON."
        return EventStatus.FAILED, text
    connection = event.connection
    actor = integration_actor(
        platform=connection.get_platform_display(), name=connection.display_name, customer=connection.customer
    )
    if event.topic == CANCEL_TOPIC:
        return _cancel(connection, order, actor)
    return order_in(connection, order, actor)


def order_in(connection: Connection, order: PlatformOrder, actor) -> tuple[str, str]:
    """Import one platform order (a webhook's or a poll's): (event status, result sentence)."""
    link = OrderLink.objects.select_related("order").filter(connection=connection, platform_order_id=order.order_id)
    link = link.first()
    if link is not None:
        return EventStatus.IGNORED, f"{order.name} is already order {link.order.number}; nothing changed here."
    refused = _refusal(connection, order)
    if refused:
        return EventStatus.IGNORED, refused

    try:
        lines, unmapped = _map_lines(connection, order)  # the mapping rows stay, whatever happens below
    except _NotImported as exc:
        return EventStatus.FAILED, f"{order.name} not imported: {exc}"
    codes = _codes(connection, order, lines)
    try:
        with transaction.atomic():
            # Claim the platform order first: a delivery of the same order in another transaction
            # waits here until that one commits (then fails on the unique key) or rolls back.
            link = OrderLink.objects.create(
                connection=connection, platform_order_id=order.order_id, platform_order_name=order.name
            )
            intake = intake_resolve(customer=connection.customer, orders=[codes])[0]
            if intake.ok and not unmapped:
                created = order_create(
                    actor=actor, data=intake.data, source=OrderSource.SHOPIFY, submit=connection.submit_automatically
                )
            else:
                created = _hold(connection, order, intake, unmapped, actor)
            link.order = created
            link.save(update_fields=["order"])
            WaitingLine.objects.bulk_create(
                [WaitingLine(link=link, mapping=mapping, quantity=units) for mapping, units in unmapped]
            )
    except IntegrityError:  # another delivery of this order claimed the link first and committed
        link = OrderLink.objects.select_related("order").get(connection=connection, platform_order_id=order.order_id)
        return EventStatus.IGNORED, f"{order.name} is already order {link.order.number}; nothing changed here."
    except (_NotImported, ApplicationError) as exc:
        return EventStatus.FAILED, f"{order.name} not imported: {getattr(exc, 'message', exc)}"
    return EventStatus.PROCESSED, _created(order, created)


def _refusal(connection: Connection, order: PlatformOrder) -> str:
    """Why a shop order not imported yet is not imported at all (cancelled, fulfilled, too old), or ""."""
    if order.cancelled:
        return f"{order.name} was cancelled on Shopify before it was imported; not imported."
    if order.fulfillment_status == "fulfilled":
        return f"{order.name} is already fulfilled on Shopify; not imported."
    since = connection.import_since
    if since and order.created_at and order.created_at.date() < since:
        return f"{order.name} was created before {since:%Y-%m-%d}, the import start; not imported."
    return ""


def _codes(connection: Connection, order: PlatformOrder, lines) -> OrderCodes:
    return OrderCodes(
        recipient=order.recipient,
        lines=[(product.sku, quantity) for product, quantity in lines],
        warehouse=connection.default_warehouse.code if connection.default_warehouse_id else "",
        external_ref=order.name,
        source=OrderSource.SHOPIFY,
    )


def _created(order: PlatformOrder, created) -> str:
    said = f"{order.name} created order {created.number} ({created.get_status_display()})"
    if created.status == OrderStatus.ABNORMAL:
        said += f": {created.abnormal_message}"
    return said + "."


# Problems an order may wait in Abnormal with (a person can fix them on the order or by mapping an
# item); any other (a bad quantity, a reference already used, a channel) leaves the event failed.
HOLDABLE_FIELDS = ("recipient.", "lines", "warehouse")


def _hold(connection: Connection, order: PlatformOrder, intake, unmapped, actor):
    """The order created in Abnormal: UNKNOWN_SKU when lines map to nothing, else INVALID_ADDRESS."""
    problems = [p for p in intake.problems if not (unmapped and p.field == "lines")]
    if any(not p.field.startswith(HOLDABLE_FIELDS) for p in problems):
        raise _NotImported(" ".join(p.message for p in problems[:5]))
    warehouse = _warehouse(connection, intake)
    if warehouse is None:
        raise _NotImported(" ".join(p.message for p in intake.problems[:5]))
    address = [p.message for p in problems if p.field.startswith("recipient.")]
    if not unmapped and not address:
        raise _NotImported(" ".join(p.message for p in problems[:5]))
    if unmapped:
        code = AbnormalReason.UNKNOWN_SKU
        message = " ".join([unmapped_message(mapping) for mapping, _u in unmapped] + address)
    else:
        code, message = AbnormalReason.INVALID_ADDRESS, " ".join(address)
    return order_create_held(
        actor=actor,
        recipient=order.recipient,
        lines=intake.lines,
        warehouse=warehouse,
        external_ref=order.name,
        source=OrderSource.SHOPIFY,
        code=code,
        message=message,
    )


def _warehouse(connection: Connection, intake):
    if intake.allocation is not None and intake.allocation.warehouse is not None:
        return intake.allocation.warehouse
    if intake.data is not None:
        return intake.data.warehouse
    if connection.default_warehouse_id:
        return connection.default_warehouse
    return customer_default_warehouse(customer=connection.customer)


class _NotImported(Exception):
    """The intake found problems: undo the link's claim and say why."""


def _map_lines(connection: Connection, order: PlatformOrder, known=None) -> tuple[list[tuple], list[tuple]]:
    """[(our product, quantity)] for the order's lines that map, and [(mapping, units)] for the
    items that map to nothing (the order waits for them: WaitingLine).

    A line is matched through its SkuMapping row when one is mapped, else to the customer's
    product by exact SKU, then by UPC (the catalog's code lookup); every line seen gets a row,
    an unmatched one with no product, for someone to map. ``known`` is ``_lookups`` of a set of
    orders this one is in (a poll's page), else it is looked up for this order alone."""
    mappings, found = known if known is not None else _lookups(connection, [order])
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
            raise _NotImported(f"{line_label(line)} has no valid quantity ({line.quantity!r}).")
        waiting[mapping.pk] = (mapping, waiting.get(mapping.pk, (mapping, 0))[1] + units)
    return lines, list(waiting.values())


def _lookups(connection: Connection, orders) -> tuple[dict, dict]:
    """For ``_map_lines``: the mapping rows of every item of ``orders`` by (SKU, variant id), the
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


def unmapped_message(mapping: SkuMapping) -> str:
    """Why an order waits for this item, and what to do."""
    label = f"“{mapping.title}”" if mapping.title else f"variant {mapping.variant_id or '?'}"
    if not mapping.platform_sku:
        return f"{label[:1].upper()}{label[1:]} has no SKU on Shopify: map it to one of your products."
    return f"Shopify SKU {mapping.platform_sku} ({label}) matches none of your SKUs or UPCs: map it to a product."


def _cancel(connection: Connection, order: PlatformOrder, actor) -> tuple[str, str]:
    link = OrderLink.objects.select_related("order").filter(connection=connection, platform_order_id=order.order_id)
    link = link.first()
    if link is None or link.order is None:
        return EventStatus.IGNORED, f"{order.name} was never imported here; nothing to cancel."
    ours = link.order
    if ours.status == OrderStatus.CANCELLED:
        return EventStatus.IGNORED, f"Order {ours.number} is already cancelled."
    try:
        order_cancel(actor=actor, order=ours, reason=f"cancelled on Shopify ({order.name})")
    except ApplicationError as exc:
        return (
            EventStatus.FAILED,
            f"{order.name} was cancelled on Shopify, but order {ours.number} was not: {exc.message}",
        )
    return EventStatus.PROCESSED, f"{order.name} cancelled on Shopify: order {ours.number} cancelled."


def orders_in(connection: Connection, orders: list[PlatformOrder], actor) -> list[tuple[str, str]]:
    """``order_in`` for a poll's page of orders, in the same order and with the same results, its
    lookups and writes done set-based: one statement each for the links, the item mappings, the
    intake, the orders with their lines and events. The orders the set-based path does not take
    (already linked, refused, waiting for an item, with problems, to be submitted at once, or when a
    webhook claims one of them meanwhile) go through ``order_in`` one by one."""
    results: dict[int, tuple[str, str]] = {}
    ids = {order.order_id for order in orders}
    linked = set(
        OrderLink.objects.filter(connection=connection, platform_order_id__in=ids).values_list(
            "platform_order_id", flat=True
        )
    )
    ready, seen = [], set()
    if not connection.submit_automatically:  # order_create submits each order; the bulk path does not
        fresh = [o for o in orders if o.order_id not in linked and not _refusal(connection, o)]
        known = _lookups(connection, fresh)
        for n, order in enumerate(orders):
            if order.order_id in linked or order.order_id in seen or _refusal(connection, order):
                continue
            seen.add(order.order_id)
            try:
                lines, unmapped = _map_lines(connection, order, known)
            except _NotImported as exc:
                results[n] = (EventStatus.FAILED, f"{order.name} not imported: {exc}")
                continue
            if not unmapped:
                ready.append((n, order, _codes(connection, order, lines)))
    intakes = intake_resolve(customer=connection.customer, orders=[codes for _n, _o, codes in ready]) if ready else []
    taken = [(n, order, intake) for (n, order, _c), intake in zip(ready, intakes, strict=True) if intake.ok]
    # A webhook claimed one meanwhile, took a reference, or another rule said no: those go one by one, below.
    with contextlib.suppress(IntegrityError, ApplicationError):
        results.update(_create_page(connection, taken, actor))
    return [results[n] if n in results else order_in(connection, order, actor) for n, order in enumerate(orders)]


def _create_page(connection: Connection, taken: list[tuple], actor) -> dict[int, tuple[str, str]]:
    """The orders that passed the intake, created in Confirming as order_create does, with their
    links, in one transaction."""
    if not taken:
        return {}
    with transaction.atomic():
        links = OrderLink.objects.bulk_create(
            [
                OrderLink(connection=connection, platform_order_id=order.order_id, platform_order_name=order.name)
                for _n, order, _i in taken
            ]
        )
        drafts = [
            Draft(
                ref=intake.data.external_ref,
                rows=[n],
                recipient=intake.recipient_fields,
                warehouse=intake.data.warehouse,
                channel=intake.data.channel,
                note=intake.data.note,
                lines=intake.data.lines,
                allocated=intake.data.allocated,
            )
            for n, _order, intake in taken
        ]
        created = orders_bulk_create(
            actor=actor, customer=connection.customer, drafts=drafts, source=OrderSource.SHOPIFY
        )
        for link, order in zip(links, created, strict=True):
            link.order = order
        OrderLink.objects.bulk_update(links, ["order"])
    done = zip(taken, created, strict=True)
    return {n: (EventStatus.PROCESSED, _created(order, made)) for (n, order, _i), made in done}
