"""Connect a customer's shop and print the new connection's id alone on one line (DESIGN §10).

Shopify: ``--shop <domain> --webhook-secret <secret> [--token T] [--api-base URL]``.
WooCommerce: ``--shop <store URL> --key ck_… --secret cs_… [--base URL] [--api-base URL]``: the keys
are checked with the store, and with ``--base`` (where this site is served) the order webhooks are
made on it; without, orders come by the poll.
eBay: ``integration_connect <email> ebay --token <user access token> [--refresh-token <token>]
[--expires-in 7200] [--api-base URL]`` — the account is the one the token belongs to (eBay's
getUser); --shop and --webhook-secret are not needed. Without --token it says where the seller
consents instead (the portal's Connect with eBay)."""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.tenancy import customer_scope
from apps.integrations.choices import Platform
from apps.integrations.connect import ConnectOptions
from apps.integrations.connect_ebay import ebay_connect_tokens
from apps.integrations.connect_woocommerce import woo_connect
from apps.integrations.services import connection_create


class Command(BaseCommand):
    help = "Connect a customer user's shop (Shopify, WooCommerce, or eBay from its tokens) and print the connection id."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The customer user's e-mail.")
        parser.add_argument("platform", choices=Platform.values)
        parser.add_argument("--shop", default="", help="The shop's domain, or the WooCommerce store's URL (not eBay).")
        parser.add_argument("--webhook-secret", default="", help="Shopify: the secret the shop signs webhooks with.")
        parser.add_argument("--api-base", default="", help="Point the adapter at another server (a local fake).")
        parser.add_argument("--token", default="", help="Shopify: the Admin API access token (eBay: the user token).")
        parser.add_argument("--key", default="", help="WooCommerce: the REST API consumer key (ck_…).")
        parser.add_argument("--secret", default="", help="WooCommerce: the REST API consumer secret (cs_…).")
        parser.add_argument("--base", default="", help="WooCommerce: where this site is served, for the webhooks.")
        parser.add_argument("--refresh-token", default="", help="eBay: the refresh token, so the token renews itself.")
        parser.add_argument("--expires-in", type=int, default=None, help="eBay: the access token's seconds left.")

    def handle(self, *args, email, platform, shop, webhook_secret, api_base, token, key, secret, base, **options):
        user = User.objects.select_related("customer").filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the e-mail {email}.")
        if user.customer_id is None:
            raise CommandError(f"{email} is a staff user; connections belong to customer users.")
        if platform == Platform.EBAY:
            self.stdout.write(str(self._ebay(user, token, api_base, options)))
            return
        if not shop:
            raise CommandError("Give --shop: the shop's domain, or the WooCommerce store's URL.")
        if platform == Platform.SHOPIFY and not webhook_secret:
            raise CommandError("Shopify connections need --webhook-secret.")
        try:
            with customer_scope(user.customer):
                if platform == Platform.WOOCOMMERCE:
                    connection = woo_connect(
                        actor=user,
                        store_url=shop,
                        consumer_key=key,
                        consumer_secret=secret,
                        options=ConnectOptions(api_base=api_base),
                        webhook_url=lambda c: (
                            base.rstrip("/") + reverse("integrations:woocommerce-webhook", args=[c.pk]) if base else ""
                        ),
                    ).connection
                else:
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

    def _ebay(self, user, token, api_base, options) -> int:
        if not token:
            raise CommandError(
                "Give --token (and --refresh-token) of the eBay account, or let the seller connect through eBay's "
                f"consent in the portal: {reverse('integrations:connect-ebay')} (Integration › Shops › Connect with "
                "eBay)."
            )
        try:
            with customer_scope(user.customer):
                result = ebay_connect_tokens(
                    actor=user,
                    access_token=token,
                    refresh_token=options.get("refresh_token") or "",
                    expires_in=options.get("expires_in"),
                    options=ConnectOptions(api_base=api_base),
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        return result.connection.pk
