"""Delivery exceptions: opened by the tracking news (or its absence), worked by logistics in the
TMS queue, shown to the customer in words. Every opening and every action is a line on the
order's timeline."""

from __future__ import annotations

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.core.task_names import task_send_on_commit
from apps.orders.choices import EventKind
from apps.orders.transitions import order_event

from .choices import ExceptionAction, ExceptionKind, ExceptionStatus
from .errors import TrackingInvalid, TrackingRefused
from .models import DeliveryException
from .selectors import tracking_link

EMAIL_TASK = "tracking.exception_email"

# What each action says on the order's timeline and in the queue.
ACTION_WORDS = {
    ExceptionAction.CONTACT_CARRIER: "Logistics contacted the carrier",
    ExceptionAction.ASK_ADDRESS: "Logistics asked the customer for a new delivery address",
    ExceptionAction.MARK_LOST: "Logistics marked the parcel lost",
    ExceptionAction.RESOLVE: "Logistics resolved the exception",
}


def exception_open(*, order, kind: str, detail: str = "") -> DeliveryException | None:
    """Open an exception of ``kind`` on the order unless one is open already (then None); call
    inside the caller's transaction."""
    if DeliveryException.objects.filter(order=order, kind=kind, status=ExceptionStatus.OPEN).exists():
        return None
    try:
        with transaction.atomic():
            exception = DeliveryException.objects.create(
                customer_id=order.customer_id, order=order, kind=kind, detail=(detail or "")[:300]
            )
    except IntegrityError:  # opened by a concurrent push meanwhile
        return None
    words = ExceptionKind(kind).label
    order_event(
        order,
        actor=None,
        kind=EventKind.ACTION,
        message=f"Delivery exception: {words}" + (f" ({detail})" if detail else ""),
    )
    task_send_on_commit(EMAIL_TASK, exception.pk, customer_id=order.customer_id)
    return exception


def exception_email(*, exception_id: int) -> int:
    """E-mail the customer's users who want it (Notifications) about the exception, once: how many
    were written to. An exception resolved before the e-mail went is not sent."""
    with transaction.atomic():
        exception = (
            DeliveryException.objects.select_for_update(of=("self",))
            .select_related("order__channel__carrier", "customer")
            .filter(pk=exception_id)
            .first()
        )
        if exception is None or exception.emailed_at is not None or exception.status != ExceptionStatus.OPEN:
            return 0
        recipients = list(
            exception.customer.users.filter(is_active=True, email_delivery_exceptions=True).values_list(
                "email", flat=True
            )
        )
        exception.emailed_at = timezone.now()
        exception.save(update_fields=["emailed_at"])
        if not recipients:
            return 0
        order = exception.order
        carrier = order.channel.carrier if order.channel_id else None
        body = render_to_string(
            "tracking/email/exception.txt",
            {"exception": exception, "order": order, "link": tracking_link(carrier, order.tracking_number)},
        )
        subject = f"Order {order.number}: {exception.get_kind_display().lower()}"
        # Sent inside the lock: a second run waits, then finds it sent. A failure rolls back (sent again later).
        return send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)


def exceptions_settle(*, order, kinds, why: str) -> int:
    """Resolve the open exceptions of these kinds (the news made them moot); how many."""
    open_ones = list(DeliveryException.objects.filter(order=order, kind__in=kinds, status=ExceptionStatus.OPEN))
    for exception in open_ones:
        exception.status, exception.resolved_at = ExceptionStatus.RESOLVED, timezone.now()
        exception.last_action = why[:300]
        exception.save(update_fields=["status", "resolved_at", "last_action"])
        order_event(order, actor=None, kind=EventKind.ACTION, message=f"Delivery exception closed: {why}")
    return len(open_ones)


@transaction.atomic
def exception_act(*, actor, exception: DeliveryException, action: str, note: str = "") -> DeliveryException:
    """A logistics action on an open exception, written on the order's timeline; "mark lost"
    turns it into a lost-parcel exception, "resolve" closes it."""
    if action not in ExceptionAction.values:
        raise TrackingInvalid(f"“{action}” is not an action on a delivery exception.", code="unknown_action")
    exception = DeliveryException.objects.select_for_update().select_related("order").get(pk=exception.pk)
    if exception.status != ExceptionStatus.OPEN:
        raise TrackingRefused("This exception is resolved already.", code="exception_resolved")
    note = (note or "").strip()[:200]
    words = ACTION_WORDS[action] + (f": {note}" if note else "")
    exception.last_action = words[:300]
    if action == ExceptionAction.MARK_LOST:
        # A lost exception already open on the order stays the one; this one closes into it.
        lost_open = DeliveryException.objects.filter(
            order=exception.order, kind=ExceptionKind.LOST, status=ExceptionStatus.OPEN
        ).exclude(pk=exception.pk)
        if lost_open.exists():
            exception.status, exception.resolved_at = ExceptionStatus.RESOLVED, timezone.now()
        else:
            exception.kind = ExceptionKind.LOST
    if action == ExceptionAction.RESOLVE:
        exception.status, exception.resolved_at = ExceptionStatus.RESOLVED, timezone.now()
    exception.save()
    order_event(exception.order, actor=actor, kind=EventKind.ACTION, message=f"Delivery exception: {words}")
    return exception
