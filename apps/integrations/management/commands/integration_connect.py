"""Connect a customer's shop and print the new connection's id alone on one line (DESIGN §10)."""

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.tenancy import customer_scope
from apps.integrations.choices import Platform
from apps.integrations.services import connection_create


class Command(BaseCommand):
    help = "Connect a customer user's shop (Shopify for now) and print the connection id."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The customer user's e-mail.")
        parser.add_argument("platform", choices=Platform.values)
        parser.add_argument("--shop", required=True, help="The shop's domain, e.g. demo-store.myshopify.com.")
        parser.add_argument("--webhook-secret", required=True, help="The secret the shop signs webhooks with.")
        parser.add_argument("--api-base", default="", help="Point the adapter at another server (a local fake).")
        parser.add_argument("--token", default="", help="The Admin API access token.")

    def handle(self, *args, email, platform, shop, webhook_secret, api_base, token, **options):
        user = User.objects.select_related("customer").filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail {email}.")
        if user.customer_id is None:
            raise CommandError(f"{email} is a staff user; connections belong to customer users.")
        try:
            with customer_scope(user.customer):
                connection = connection_create(
                    actor=user,
                    platform=platform,
                    shop_domain=shop,
                    webhook_secret=webhook_secret,
                    token=token,
                    api_base=api_base,
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(str(connection.pk))
