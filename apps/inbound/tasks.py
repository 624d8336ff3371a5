from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string

from apps.core.tenancy import in_customer_scope

from .models import InboundOrder

SUBJECTS = {
    "arrived": "Inbound {number} has arrived at {warehouse}",
    "received": "Inbound {number} is received{slip}",
}


@shared_task(name="inbound.notify_customer")
@in_customer_scope
def notify_customer(inbound_id: int, event: str, *, customer) -> int:
    """E-mail the customer's users when goods arrive and when receiving finishes (with the slip)."""
    inbound = InboundOrder.objects.select_related("warehouse").get(pk=inbound_id)
    slip = inbound.slips.filter(kind="normal").prefetch_related("lines__product").first()
    recipients = list(customer.users.filter(is_active=True).values_list("email", flat=True))
    if not recipients or event not in SUBJECTS:
        return 0
    subject = SUBJECTS[event].format(
        number=inbound.number, warehouse=inbound.warehouse.code, slip=" — see the Damage/Gain slip" if slip else ""
    )
    body = render_to_string("inbound/email/status.txt", {"inbound": inbound, "event": event, "slip": slip})
    return send_mail(subject=subject, message=body, from_email=None, recipient_list=recipients)
