"""Run the local fake WooCommerce for demos: `python manage.py fake_woocommerce [--port 8766]
[--orders 10] [--every 30]`. Prints the store's URL and keys, then serves until interrupted.

`--demo [--base http://127.0.0.1:8000]` is what `make run` starts: the seeded demo store's
connection is pointed at this fake (its api base), the fake's order webhooks are made to the
connection's webhook URL with its secret (as connecting does), and a new order of that customer's
SKUs is placed every few seconds — WooCommerce delivers order.created, signed, to the app. Orders
shipped in the demo get their tracking on the fake (Shipment Tracking) and become Completed."""

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from apps.catalog.models import Product
from apps.core.tenancy import staff_scope
from apps.integrations.demo import demo_woo_connection
from apps.integrations.models import Connection
from apps.integrations.platforms import PlatformError
from apps.integrations.woocommerce.adapter import client_of, webhooks_ensure
from apps.integrations.woocommerce.fake_server import DEFAULT_KEY, DEFAULT_SECRET, FakeWooCommerce


class Command(BaseCommand):
    help = "Start a local fake WooCommerce store; with --demo it feeds the seeded demo store's connection."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8766, help="Port on 127.0.0.1 (0: any free one).")
        parser.add_argument("--orders", type=int, default=10, help="How many orders to place at the start.")
        parser.add_argument("--every", type=float, default=30.0, help="Seconds between new orders (0: none).")
        parser.add_argument("--no-extension", action="store_true", help="Without the Shipment Tracking extension.")
        parser.add_argument("--strip-auth", action="store_true", help="Drop Authorization headers, as some hosts do.")
        parser.add_argument("--demo", action="store_true", help="Feed the seeded demo store's connection.")
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="Where the app serves (with --demo).")

    def handle(self, *args, port, orders, every, no_extension, strip_auth, demo, base, **options):
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per delivery otherwise
        if orders < 0 or every < 0:
            raise CommandError("--orders and --every must be 0 or more.")
        fake = FakeWooCommerce(port=port, tracking_extension=not no_extension, strip_authorization=strip_auth)
        try:
            fake.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}.") from exc
        self.skus = [f"SKU-{n}" for n in range(7)]
        if demo:
            self.demo_wire(fake, base)
        for number in range(orders):
            fake.add_order(sku=self.skus[number % len(self.skus)], quantity=1 + number % 3)
        self.stdout.write(f"Fake WooCommerce {fake.name} with {orders} orders at {fake.url}")
        self.stdout.write(f"Consumer key:    {DEFAULT_KEY}")
        self.stdout.write(f"Consumer secret: {DEFAULT_SECRET}")
        self.stdout.flush()
        try:
            while True:
                time.sleep(every or 3600)
                if every:
                    order = fake.add_order(sku=self.skus[len(fake.orders) % len(self.skus)], quantity=1)
                    sent = [d for d in fake.deliveries if d["topic"] == "order.created"][-1:]
                    said = f"order.created → {sent[0]['status'] or 'unreachable'}" if sent else "no active webhook"
                    self.stdout.write(f"#{order['number']} placed ({said})")
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            fake.stop()

    def demo_wire(self, fake: FakeWooCommerce, base: str) -> None:
        """Point the demo connection at the fake, and make the fake's webhooks to the app."""
        with staff_scope():
            connection = demo_woo_connection()
            if connection is None:
                raise CommandError("No demo WooCommerce store yet: run `python manage.py seed_demo` first.")
            path = reverse("integrations:woocommerce-webhook", kwargs={"connection_id": connection.pk})
            url = base.rstrip("/") + path
            skus = list(
                Product.objects.filter(customer=connection.customer, is_active=True)
                .exclude(weight_g=None)
                .order_by("-sku")
                .values_list("sku", flat=True)[:5]
            )
            self.skus = skus or self.skus
            options = {**(connection.options or {}), "webhook_url": url}
            Connection.objects.filter(pk=connection.pk).update(api_base=fake.url, options=options)
            connection.api_base, connection.options = fake.url, options
            try:
                with client_of(connection) as client:  # the app may not serve yet: its pings fail, harmless
                    made = webhooks_ensure(client, delivery_url=url, secret=connection.webhook_secret())
            except PlatformError as exc:
                raise CommandError(f"The fake refused its own webhooks: {exc.message}") from exc
            Connection.objects.filter(pk=connection.pk).update(webhook_subscriptions=made["subscriptions"])
        self.stdout.write(f"Demo store connection {connection.pk} → {url}")
