from celery import shared_task
from django.core.mail import send_mail

from apps.core.tenancy import in_customer_scope, staff_scope
from apps.orders.models import Order

from . import handover


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
