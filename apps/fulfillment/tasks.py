from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from apps.core.tenancy import in_customer_scope, staff_scope
from apps.orders.models import Order

from . import handover
from .choices import ManifestStatus
from .models import Manifest


@shared_task(name="fulfillment.notify_short_pick")
@in_customer_scope
def notify_short_pick(order_id: int, *, customer) -> int:
    """Tell the customer's users that the warehouse stopped an order for a stock discrepancy."""
    order = Order.objects.get(pk=order_id)
    recipients = list(customer.users.filter(is_active=True).values_list("email", flat=True))
    if not recipients:
        return 0
    return send_mail(
        subject=f"Order {order.number} is Abnormal: stock discrepancy in the warehouse",
        message=(
            f"While picking order {order.number}, the warehouse found less stock than the system shows.\n\n"
            f"{order.abnormal_message}\n\nThe stock and the money held for the order are released. "
            "Open the order in the portal to submit it again or cancel it."
        ),
        from_email=None,
        recipient_list=recipients,
    )


@shared_task(name="fulfillment.manifests_finish")
def manifests_finish() -> int:
    """Finish the hand-overs a dead process left half done (idempotent: nothing ships twice)."""
    with staff_scope():
        return handover.manifests_finish(actor=None)


@shared_task(name="fulfillment.manifest_hand_over")
def manifest_hand_over(manifest_id: int, *, actor_id: int | None = None) -> int:
    """Ship the orders of a manifest being handed over (idempotent: a manifest already closed,
    or delivered twice, ships nothing more). The number of orders shipped now."""
    with staff_scope():
        manifest = Manifest.objects.filter(pk=manifest_id).first()
        if manifest is None or manifest.status == ManifestStatus.CLOSED:
            return 0
        actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
        return handover.manifest_hand_over(actor=actor, manifest=manifest).shipped
