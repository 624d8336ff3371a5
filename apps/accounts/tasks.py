from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import User
from .services import user_welcome_mark_sent


@shared_task(name="accounts.send_welcome_email", bind=True, max_retries=5, default_retry_delay=60)
def send_welcome_email(self, user_id: int) -> bool:
    """Welcome a newly registered customer. Idempotent: a second run sends nothing."""
    user = User.objects.select_related("customer").filter(pk=user_id).first()
    if user is None or user.welcome_sent_at is not None:
        return False
    body = render_to_string("accounts/email/welcome.txt", {"user": user, "customer": user.customer})
    send_mail(
        subject=f"Welcome to {settings.SITE_NAME} — your customer code is {user.customer.code}",
        message=body,
        from_email=None,
        recipient_list=[user.email],
    )
    # Mark after sending: if the worker dies before this line, the task is redelivered (acks_late)
    # and sends again, which is better for a welcome note than never sending it.
    return user_welcome_mark_sent(user_id=user_id)
