"""Print a new API key for a customer user: the key alone, one line (for scripts)."""

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.accounts.services import api_key_create
from apps.core.errors import ApplicationError
from apps.core.tenancy import customer_scope


class Command(BaseCommand):
    help = "Create an API key for a customer user and print it."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The customer user's e-mail.")
        parser.add_argument("--name", default="Command line", help="A name to recognise the key by.")

    def handle(self, *args, email, name, **options):
        user = User.objects.select_related("customer").filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail {email}.")
        if user.customer_id is None:
            raise CommandError(f"{email} is a staff user; API keys belong to customer users.")
        try:
            with customer_scope(user.customer):
                issued = api_key_create(actor=user, name=name)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(issued.raw_key)
