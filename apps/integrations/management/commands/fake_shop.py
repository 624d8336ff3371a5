"""Run the local fake Shopify for demos: `python manage.py fake_shop [--port 8765] [--orders 20]
[--webhook URL --secret S [--every 5]]`. Prints the GraphQL URL (the connection's api base) and
the access token, then serves until interrupted; with --webhook it adds an order and posts a
signed orders/create for it every few seconds, as a shop taking orders would.

`--demo [--base http://127.0.0.1:8000]` is what `make run` starts: the seeded demo shop's
connection gives the webhook URL and secret, and the orders are of that customer's SKUs, so new
Confirming orders from "Shopify" keep arriving in the demo portal."""

import datetime
import time

import httpx
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.tenancy import staff_scope
from apps.integrations.demo import demo_connection
from apps.integrations.models import Connection
from apps.integrations.shopify.fake_server import DEFAULT_DOMAIN, DEFAULT_TOKEN, FakeShopify


class Command(BaseCommand):
    help = "Start a local fake Shopify with demo orders; optionally post signed orders/create webhooks."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765, help="Port on 127.0.0.1 (0: any free one).")
        parser.add_argument("--orders", type=int, default=20, help="How many orders to seed.")
        parser.add_argument("--token", default=DEFAULT_TOKEN, help="The access token the fake accepts.")
        parser.add_argument("--domain", default=DEFAULT_DOMAIN, help="The shop's myshopify domain.")
        parser.add_argument("--webhook", default="", help="URL to post signed orders/create webhooks to.")
        parser.add_argument("--secret", default="", help="The webhook secret to sign with (with --webhook).")
        parser.add_argument("--every", type=float, default=5.0, help="Seconds between webhooks (with --webhook).")
        parser.add_argument("--demo", action="store_true", help="Send to the seeded demo shop's connection.")
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="Where the app serves (with --demo).")

    def handle(self, *args, port, orders, token, domain, webhook, secret, every, demo, base, **options):
        skus = [f"SKU-{n}" for n in range(7)]
        if demo:
            webhook, secret, domain, skus = self.demo_target(base)
        if webhook and not secret:
            raise CommandError("--webhook needs --secret: Shopify signs every delivery.")
        if orders < 0 or every <= 0:
            raise CommandError("--orders must be 0 or more and --every more than 0.")
        fake = FakeShopify(token=token, domain=domain, port=port)
        try:
            fake.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}.") from exc
        self.skus = skus
        if demo:  # the demo shop's "Sync now" and tracking go to this fake, its orders are today's
            with staff_scope():
                Connection.objects.filter(pk=demo_connection().pk).update(api_base=fake.api_base)
            fake.clock = timezone.now() - datetime.timedelta(minutes=orders + 1)
        for number in range(orders):
            fake.add_order(sku=skus[number % len(skus)], quantity=1 + number % 3)
        self.stdout.write(f"Fake Shopify {domain} with {orders} orders")
        self.stdout.write(f"API base: {fake.api_base}")
        self.stdout.write(f"Token:    {token}")
        self.stdout.flush()
        try:
            while True:
                time.sleep(every if webhook else 3600)  # first the app gets time to start
                if webhook:
                    self.post_one(fake, webhook, secret)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            fake.stop()

    def demo_target(self, base: str) -> tuple[str, str, str, list[str]]:
        """(webhook URL, secret, shop domain, SKUs) of the seeded demo shop's connection."""
        with staff_scope():
            connection = demo_connection()
            if connection is None:
                raise CommandError("No demo shop yet: run `python manage.py seed_demo` first.")
            skus = list(
                Product.objects.filter(customer=connection.customer, is_active=True)
                .exclude(weight_g=None)
                .order_by("sku")
                .values_list("sku", flat=True)[:5]
            )
            path = reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk})
            return base.rstrip("/") + path, connection.webhook_secret(), connection.shop_domain, skus or ["SKU-0"]

    def post_one(self, fake: FakeShopify, url: str, secret: str) -> None:
        number = len(fake.orders)
        order = fake.add_order(sku=self.skus[number % len(self.skus)], quantity=1)
        try:
            response = fake.send_webhook(url, "orders/create", fake.webhook_payload(order), secret=secret)
        except httpx.HTTPError as exc:
            self.stderr.write(f"{order['name']}: could not deliver ({type(exc).__name__}): is the app serving {url}?")
            return
        self.stdout.write(f"{order['name']}: orders/create → {response.status_code}")
