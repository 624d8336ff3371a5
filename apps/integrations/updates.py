"""A shop's change to an order already imported: orders/updated (or orders/create again), the
poll finding it changed, orders/cancelled.

An import takes two things from a shop order: its recipient and its items. A change to either is
applied while our order can still be edited (Confirming, Abnormal), through the order service's
own edit, whose timeline entry says what changed. Once the order has left Confirming it is not
changed silently: the timeline says what the shop changed, and the link is flagged for customer
service (``needs_review``), who checks with the seller and clears the flag (``link_review_clear``).
A cancellation is applied while the order can still be cancelled here; after packing it is
flagged the same way.

Each version of a shop order is applied once: one not newer than the version applied
(``updated_at``) or one that changes nothing we take (the fingerprint: tags, payment and notes
change often) is ignored, so repeated webhooks and the poll converge.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.core.errors import ApplicationError
from apps.orders.choices import EDITABLE, SHOP_HOLDS, AbnormalReason, OrderStatus
from apps.orders.rules import LABELS, RECIPIENT, clean_quantity, clean_recipient
from apps.orders.services import (
    OrderData,
    order_cancel,
    order_mark_abnormal,
    order_note_add,
    order_submit,
    order_update,
)
from apps.orders.transitions import order_lock, order_transition

from .choices import EventStatus, ImportAction
from .items import NotImported, map_lines, unmapped_message
from .models import Connection, OrderLink, WaitingLine
from .rules import Outcome, PlatformOrder, order_fingerprint

HOLDABLE = (OrderStatus.CONFIRMING, OrderStatus.ABNORMAL, OrderStatus.PENDING_SHIPMENT)


def order_changed(connection: Connection, order: PlatformOrder, link: OrderLink, actor) -> Outcome:
    """Apply, flag or ignore the shop's version of an imported order (see the module)."""
    link.connection = connection  # the same row: its name goes into the messages, with no query
    ours = link.order
    if ours is None:
        return Outcome(EventStatus.IGNORED, f"{order.name} has no order here; nothing changed.")
    if order.cancelled:
        return order_cancelled(connection, order, link, actor)
    if link.platform_updated_at and order.updated_at and order.updated_at <= link.platform_updated_at:
        return Outcome(
            EventStatus.IGNORED,
            f"{order.name}: this version is not newer than the one applied to order {ours.number}; nothing changed.",
        )
    held = _hold_change(connection, order, link, actor)
    if held is not None:
        return held
    fingerprint = order_fingerprint(order)
    same = Outcome(
        EventStatus.IGNORED,
        f"{order.name} is already order {ours.number}; nothing this order takes from it changed.",
    )
    if fingerprint == link.platform_fingerprint:
        _seen(link, order, fingerprint)
        return same
    if ours.status == OrderStatus.CANCELLED:
        _seen(link, order, fingerprint)
        return Outcome(EventStatus.IGNORED, f"Order {ours.number} is cancelled here; the change is not applied.")
    try:
        lines, unmapped = map_lines(connection, order)
    except NotImported as exc:
        return _flag(link, order, fingerprint, actor, [], f"the change could not be read: {exc}")
    changed = _what_changed(link, order, lines, unmapped)
    if not changed:
        _seen(link, order, fingerprint)
        return same
    if ours.status not in EDITABLE:
        return _flag(link, order, fingerprint, actor, changed, "")
    return _apply(connection, link, order, fingerprint, actor, changed, lines, unmapped)


def _hold_change(connection: Connection, order: PlatformOrder, link: OrderLink, actor) -> Outcome | None:
    """The shop put the order on hold (``order.hold_reason``) or lifted its hold: ours goes to
    Abnormal with that reason (unless packed: then customer service is told), or back to
    Confirming. None when the hold did not change (the rest of the update applies as usual)."""
    ours, shop = link.order, connection.get_platform_display()
    held_here = ours.status == OrderStatus.ABNORMAL and ours.abnormal_code in SHOP_HOLDS
    if order.hold_reason and not held_here and ours.status in HOLDABLE:
        if ours.is_packed:
            return _flag(
                link, order, order_fingerprint(order), actor, [], order.hold_message, headline=f"Held on {shop}"
            )
        ours = order_mark_abnormal(actor=actor, order=ours, code=order.hold_reason, message=order.hold_message)
        _seen(link, order, link.platform_fingerprint)
        return Outcome(
            EventStatus.PROCESSED, f"{order.name} is on hold on {shop}: order {ours.number} is Abnormal until it is "
            "resolved there.", ImportAction.UPDATED,
        )  # fmt: skip
    if not order.hold_reason and held_here:
        with transaction.atomic():
            ours = order_lock(ours)
            if ours.status == OrderStatus.ABNORMAL and ours.abnormal_code in SHOP_HOLDS:
                ours = order_transition(
                    order=ours, to=OrderStatus.CONFIRMING, actor=actor,
                    message=f"The hold on {shop} was lifted without cancelling the order: back to Confirming.",
                )  # fmt: skip
            _seen(link, order, link.platform_fingerprint)
        link.order = ours
        return Outcome(
            EventStatus.PROCESSED, f"{order.name}: the hold on {shop} was lifted; order {ours.number} is Confirming.",
            ImportAction.UPDATED,
        )  # fmt: skip
    return None


def _what_changed(link: OrderLink, order: PlatformOrder, lines, unmapped) -> list[str]:
    """The names of what the shop's version changes in ours: recipient fields, "items"."""
    ours = link.order
    fields, _problems = clean_recipient(order.recipient, complete=True)
    changed = [LABELS[key] for key, (field, _l, _r) in RECIPIENT.items() if getattr(ours, field) != fields[field]]
    theirs: dict = {}
    for product, quantity in lines:
        theirs[("p", product.pk)] = theirs.get(("p", product.pk), 0) + (clean_quantity(quantity) or 0)
    for mapping, units in unmapped:
        theirs[("m", mapping.pk)] = units
    now = {("p", line.product_id): line.quantity for line in ours.lines.all()}
    now.update({("m", w.mapping_id): w.quantity for w in link.waiting_lines.all()})
    if theirs != now:
        changed.append("items")
    return changed


def _apply(connection, link, order, fingerprint, actor, changed, lines, unmapped) -> Outcome:
    ours = link.order
    data = OrderData(
        warehouse=ours.warehouse,
        recipient=order.recipient,
        lines=lines or [(line.product, line.quantity) for line in ours.lines.select_related("product")],
        channel=ours.channel,
        external_ref=ours.external_ref,
        note=ours.note,
    )
    try:
        with transaction.atomic():
            ours = order_update(actor=actor, order=ours, data=data)
            WaitingLine.objects.filter(link=link).delete()
            WaitingLine.objects.bulk_create([WaitingLine(link=link, mapping=m, quantity=u) for m, u in unmapped])
            if unmapped:
                message = " ".join(
                    unmapped_message(mapping, connection.get_platform_display()) for mapping, _u in unmapped
                )
                ours = order_mark_abnormal(actor=actor, order=ours, code=AbnormalReason.UNKNOWN_SKU, message=message)
            _seen(link, order, fingerprint)
    except ApplicationError as exc:
        return _flag(link, order, fingerprint, actor, changed, f"it could not be applied: {exc.message}")
    shop = connection.get_platform_display()
    said = f"{order.name} changed on {shop} ({', '.join(changed)}): order {ours.number} updated"
    if connection.submit_automatically and ours.status == OrderStatus.CONFIRMING:
        try:
            ours = order_submit(actor=actor, order=ours)
        except ApplicationError as exc:
            said += f"; not submitted: {exc.message}"
        else:
            said += f" and submitted ({ours.get_status_display()})"
    return Outcome(EventStatus.PROCESSED, said + ".", ImportAction.UPDATED)


def _flag(link, order, fingerprint, actor, changed, why, *, headline="") -> Outcome:
    """Tell customer service: a timeline entry on the order and the link's review flag."""
    ours = link.order
    headline = headline or f"Changed on {link.connection.get_platform_display()}" + (
        f" ({', '.join(changed)})" if changed else ""
    )
    reason = why or f"the order was already {ours.get_status_display()} here, so it was not changed"
    text = f"{headline} as {order.name}, but {reason.rstrip('.')}. Customer service will check it with you."
    with transaction.atomic():
        link_flag(link, actor=actor, text=text)
        _seen(link, order, fingerprint)
    return Outcome(
        EventStatus.PROCESSED,
        f"{headline} as {order.name}; order {ours.number}: {reason.rstrip('.')}. Flagged for customer service.",
        ImportAction.FLAGGED,
    )


def link_flag(link: OrderLink, *, actor, text: str) -> OrderLink:
    """Flag the shop order for customer service with why, also on its order's timeline."""
    with transaction.atomic():
        if link.order is not None:
            order_note_add(actor=actor, order=link.order, message=text[:500])
        link.needs_review, link.review_reason = True, text[:500]
        link.review_since = link.review_since or timezone.now()
        link.save(update_fields=["needs_review", "review_reason", "review_since"])
    return link


def _seen(link: OrderLink, order: PlatformOrder, fingerprint: str) -> None:
    changes = {"platform_fingerprint": fingerprint} if fingerprint != link.platform_fingerprint else {}
    if order.updated_at and (link.platform_updated_at is None or order.updated_at > link.platform_updated_at):
        changes["platform_updated_at"] = order.updated_at
    if not changes:
        return
    OrderLink.objects.filter(pk=link.pk).update(**changes)
    for name, value in changes.items():
        setattr(link, name, value)


def order_cancelled(connection: Connection, order: PlatformOrder, link: OrderLink | None, actor) -> Outcome:
    """The shop cancelled the order: cancel ours while it still can be; once packed, flag it."""
    if link is None or link.order is None:
        return Outcome(EventStatus.IGNORED, f"{order.name} was never imported here; nothing to cancel.")
    ours = link.order
    if ours.status == OrderStatus.CANCELLED:
        return Outcome(EventStatus.IGNORED, f"Order {ours.number} is already cancelled.")
    shop = connection.get_platform_display()
    try:
        ours = order_cancel(actor=actor, order=ours, reason=f"cancelled on {shop} ({order.name})")
    except ApplicationError as exc:
        why = f"it was not cancelled here: {exc.message.rstrip('.')}"
        return _flag(link, order, order_fingerprint(order), actor, [], why, headline=f"Cancelled on {shop}")
    return Outcome(
        EventStatus.PROCESSED,
        f"{order.name} cancelled on {shop}: order {ours.number} cancelled.",
        ImportAction.CANCELLED,
    )


def link_review_clear(*, actor, link: OrderLink, note: str = "") -> OrderLink:
    """Customer service checked a flagged order: the flag goes, the timeline says who and how."""
    if not link.needs_review:
        return link
    who = getattr(actor, "email", "") or "customer service"
    with transaction.atomic():
        OrderLink.objects.filter(pk=link.pk).update(needs_review=False, review_reason="", review_since=None)
        if link.order is not None:
            text = f"Shop change reviewed by {who}" + (f": {note.strip()}" if (note or "").strip() else ".")
            order_note_add(actor=actor, order=link.order, message=text[:500])
    link.needs_review, link.review_reason, link.review_since = False, "", None
    return link
