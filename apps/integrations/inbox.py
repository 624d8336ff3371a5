"""Processing one stored platform event (the ``integrations.process_event`` task).

Idempotent: a processed or ignored event is left alone when its message comes again; a failed one
is tried again (a replay after its SKU was mapped). Orders converge on the OrderLink of
(connection, platform order id): the link row is written first, in the same transaction as the
order, so two deliveries of one Shopify order — the same webhook twice, create and updated, two
workers at once — make one order; the second finds the link, or waits on its unique key and then
finds it.

An order that cannot go on as it came still arrives, in Abnormal: a line whose SKU matches none of
the customer's products (UNKNOWN_SKU; the line waits as a WaitingLine until its item is mapped) or
an address that does not validate (INVALID_ADDRESS). A shop order already imported is updated,
flagged or left as it is by updates.py.
"""

from __future__ import annotations

import contextlib
import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.core.actors import integration_actor
from apps.core.errors import ApplicationError
from apps.orders.choices import AbnormalReason, OrderSource, OrderStatus
from apps.orders.imports import Draft, orders_bulk_create
from apps.orders.intake import OrderCodes, intake_resolve
from apps.orders.services import order_create, order_create_held
from apps.warehouses.selectors import customer_default_warehouse

from .adapters import event_read
from .choices import ConnectionMode, EventStatus, ImportAction, Platform
from .ebay.notifications import DELETION_TOPIC
from .items import NotImported, item_lookups, map_lines, unmapped_message
from .models import Connection, OrderLink, PlatformEvent, WaitingLine
from .platforms import EventKind
from .privacy import account_deleted, app_uninstalled, customers_data_request, customers_redact, shop_redact
from .rules import UNINSTALLED_TOPIC, NotAnOrder, Outcome, PlatformOrder, order_fingerprint
from .updates import order_cancelled, order_changed

logger = logging.getLogger(__name__)

DONE = (EventStatus.PROCESSED, EventStatus.IGNORED)
# The shop's own topics (privacy.py); customers/redact also takes the actor.
SHOP_TOPICS = {
    UNINSTALLED_TOPIC: app_uninstalled,
    "customers/data_request": customers_data_request,
    "customers/redact": customers_redact,
    "shop/redact": shop_redact,
}
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
            status, result, _action = _dispatch(event)
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
            connection_health(event.connection, EventStatus.FAILED, event.result)
        return event
    connection_health(event.connection, event.status, event.result)
    return event


def connection_health(connection: Connection, status: str, result: str) -> None:
    """The connection's last success, or last error, after an event."""
    now = timezone.now()
    if status == EventStatus.FAILED:
        Connection.objects.filter(pk=connection.pk).update(last_error_at=now, last_error=result[:500])
    else:
        Connection.objects.filter(pk=connection.pk).update(last_success_at=now)


def _dispatch(event: PlatformEvent) -> Outcome:
    connection = event.connection
    if connection.platform == Platform.SHOPIFY and event.topic in SHOP_TOPICS:
        if event.topic == "customers/redact":
            return customers_redact(connection, event, integration_actor_of(connection))
        return SHOP_TOPICS[event.topic](connection, event)
    if connection.platform == Platform.EBAY and event.topic == DELETION_TOPIC:
        return account_deleted(connection, event, integration_actor_of(connection))
    try:
        read = event_read(connection, event.topic, event.body)
    except NotAnOrder as exc:
        return Outcome(EventStatus.FAILED, str(exc))
    if read.kind == EventKind.IGNORE or read.order is None:
        return Outcome(EventStatus.IGNORED, read.why or f"The topic {event.topic} is not handled.")
    if connection.mode == ConnectionMode.FULFILLMENT_SERVICE:
        return Outcome(
            EventStatus.IGNORED,
            "This shop works in fulfillment-service mode: orders come as fulfillment requests, not order webhooks.",
        )
    actor = integration_actor_of(connection)
    if read.kind == EventKind.CANCEL:
        return order_cancelled(connection, read.order, _link(connection, read.order), actor)
    return order_in(connection, read.order, actor)


def integration_actor_of(connection: Connection):
    """The actor a connection's imports run as: "Shopify · <shop>"."""
    return integration_actor(
        platform=connection.get_platform_display(), name=connection.display_name, customer=connection.customer
    )


def _link(connection: Connection, order: PlatformOrder) -> OrderLink | None:
    links = OrderLink.objects.select_related("order", "order__warehouse", "order__channel")
    return links.filter(connection=connection, platform_order_id=order.order_id).first()


def order_in(connection: Connection, order: PlatformOrder, actor) -> Outcome:
    """Import one platform order (a webhook's or a poll's), or apply the shop's change to the
    order it already is (updates.py)."""
    link = _link(connection, order)
    if link is not None:
        return order_changed(connection, order, link, actor)
    refused = _refusal(connection, order)
    if refused:
        return Outcome(EventStatus.IGNORED, refused)

    try:
        lines, unmapped = map_lines(connection, order)  # the mapping rows stay, whatever happens below
    except NotImported as exc:
        return Outcome(EventStatus.FAILED, f"{order.name} not imported: {exc}")
    codes = _codes(connection, order, lines)
    try:
        with transaction.atomic():
            # Claim the platform order first: a delivery of the same order in another transaction
            # waits here until that one commits (then fails on the unique key) or rolls back.
            link = _link_row(connection, order)
            link.save(force_insert=True)
            intake = intake_resolve(customer=connection.customer, orders=[codes])[0]
            if intake.ok and not unmapped and not order.hold_reason:
                created = order_create(
                    actor=actor,
                    data=intake.data,
                    source=OrderSource(connection.platform),
                    submit=connection.submit_automatically,
                )
            else:
                created = _hold(connection, order, intake, unmapped, actor)
            link.order = created
            link.save(update_fields=["order"])
            WaitingLine.objects.bulk_create(
                [WaitingLine(link=link, mapping=mapping, quantity=units) for mapping, units in unmapped]
            )
    except IntegrityError:  # another delivery of this order claimed the link first and committed
        return order_changed(connection, order, _link(connection, order), actor)
    except (NotImported, ApplicationError) as exc:
        return Outcome(EventStatus.FAILED, f"{order.name} not imported: {getattr(exc, 'message', exc)}")
    return Outcome(EventStatus.PROCESSED, _created(order, created), ImportAction.CREATED)


def _refusal(connection: Connection, order: PlatformOrder) -> str:
    """Why a shop order not imported yet is not imported at all (cancelled, fulfilled, too old), or ""."""
    shop = connection.get_platform_display()
    if order.cancelled:
        return f"{order.name} was cancelled on {shop} before it was imported; not imported."
    if order.fulfillment_status == "fulfilled":
        return f"{order.name} is already fulfilled on {shop}; not imported."
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
        source=OrderSource(connection.platform),
    )


def _link_row(connection: Connection, order: PlatformOrder) -> OrderLink:
    return OrderLink(
        connection=connection,
        platform_order_id=order.order_id,
        platform_order_name=order.name,
        platform_updated_at=order.updated_at,
        platform_fingerprint=order_fingerprint(order),
        buyer_ref=order.buyer_ref,
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
        raise NotImported(" ".join(p.message for p in problems[:5]))
    warehouse = _warehouse(connection, intake)
    if warehouse is None:
        raise NotImported(" ".join(p.message for p in intake.problems[:5]))
    address = [p.message for p in problems if p.field.startswith("recipient.")]
    if not unmapped and not address and not order.hold_reason:
        raise NotImported(" ".join(p.message for p in problems[:5]))
    if order.hold_reason:  # the shop asks us to wait (a buyer's cancellation request): that comes first
        others = [unmapped_message(mapping, connection.get_platform_display()) for mapping, _u in unmapped]
        code, message = order.hold_reason, " ".join([order.hold_message, *others, *address])
    elif unmapped:
        code = AbnormalReason.UNKNOWN_SKU
        message = " ".join(
            [unmapped_message(mapping, connection.get_platform_display()) for mapping, _u in unmapped] + address
        )
    else:
        code, message = AbnormalReason.INVALID_ADDRESS, " ".join(address)
    return order_create_held(
        actor=actor,
        recipient=order.recipient,
        lines=intake.lines,
        warehouse=warehouse,
        external_ref=order.name,
        source=OrderSource(connection.platform),
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


def orders_in(connection: Connection, orders: list[PlatformOrder], actor) -> list[Outcome]:
    """``order_in`` for a poll's page of orders, in the same order and with the same results, its
    lookups and writes done set-based: one statement each for the links, the item mappings, the
    intake, the orders with their lines and events. The orders the set-based path does not take
    (already linked, refused, waiting for an item, with problems, to be submitted at once, or when a
    webhook claims one of them meanwhile) go through ``order_in`` one by one."""
    results: dict[int, Outcome] = {}
    ids = {order.order_id for order in orders}
    linked = set(
        OrderLink.objects.filter(connection=connection, platform_order_id__in=ids).values_list(
            "platform_order_id", flat=True
        )
    )
    ready, seen = [], set()
    if not connection.submit_automatically:  # order_create submits each order; the bulk path does not
        fresh = [o for o in orders if o.order_id not in linked and not _refusal(connection, o)]
        known = item_lookups(connection, fresh)
        for n, order in enumerate(orders):
            if order.order_id in linked or order.order_id in seen or _refusal(connection, order):
                continue
            seen.add(order.order_id)
            try:
                lines, unmapped = map_lines(connection, order, known)
            except NotImported as exc:
                results[n] = Outcome(EventStatus.FAILED, f"{order.name} not imported: {exc}")
                continue
            if not unmapped and not order.hold_reason:  # a held order goes one by one
                ready.append((n, order, _codes(connection, order, lines)))
    intakes = intake_resolve(customer=connection.customer, orders=[codes for _n, _o, codes in ready]) if ready else []
    taken = [(n, order, intake) for (n, order, _c), intake in zip(ready, intakes, strict=True) if intake.ok]
    # A webhook claimed one meanwhile, took a reference, or another rule said no: those go one by one, below.
    with contextlib.suppress(IntegrityError, ApplicationError):
        results.update(_create_page(connection, taken, actor))
    return [results[n] if n in results else order_in(connection, order, actor) for n, order in enumerate(orders)]


def _create_page(connection: Connection, taken: list[tuple], actor) -> dict[int, Outcome]:
    """The orders that passed the intake, created in Confirming as order_create does, with their
    links, in one transaction."""
    if not taken:
        return {}
    with transaction.atomic():
        links = OrderLink.objects.bulk_create([_link_row(connection, order) for _n, order, _i in taken])
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
            actor=actor, customer=connection.customer, drafts=drafts, source=OrderSource(connection.platform)
        )
        for link, order in zip(links, created, strict=True):
            link.order = order
        OrderLink.objects.bulk_update(links, ["order"])
    done = zip(taken, created, strict=True)
    return {
        n: Outcome(EventStatus.PROCESSED, _created(order, made), ImportAction.CREATED) for (n, order, _i), made in done
    }
