"""Run the local fake Shopify for demos: `python manage.py fake_shop [--port 8765] [--orders 20]
[--webhook URL --secret S [--every 5]]`. Prints the GraphQL URL (the connection's api base) and
the access token, then serves until interrupted; with --webhook it adds an order and posts a
signed orders/create for it every few seconds, as a shop taking orders would."""

import time

import httpx
from django.core.management.base import BaseCommand, CommandError

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

    def handle(self, *args, port, orders, token, domain, webhook, secret, every, **options):
        if webhook and not secret:
            raise CommandError("--webhook needs --secret: Shopify signs every delivery.")
        if orders < 0 or every <= 0:
            raise CommandError("--orders must be 0 or more and --every more than 0.")
        fake = FakeShopify(token=token, domain=domain, port=port)
        try:
            fake.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}.") from exc
        for number in range(orders):
            fake.add_order(sku=f"SKU-{number % 7}", quantity=1 + number % 3)
        self.stdout.write(f"Fake Shopify {domain} with {orders} orders")
        self.stdout.write(f"API base: {fake.api_base}")
        self.stdout.write(f"Token:    {token}")
        self.stdout.flush()
        try:
            while True:
                if webhook:
                    self.post_one(fake, webhook, secret)
                time.sleep(every if webhook else 3600)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            fake.stop()

    def post_one(self, fake: FakeShopify, url: str, secret: str) -> None:
        order = fake.add_order()
        try:
            response = fake.send_webhook(url, "orders/create", fake.webhook_payload(order), secret=secret)
        except httpx.HTTPError as exc:
            self.stderr.write(f"{order['name']}: could not deliver ({type(exc).__name__}); the poll will find it.")
            return
        self.stdout.write(f"{order['name']}: orders/create → {response.status_code}")
