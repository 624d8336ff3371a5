"""Run the local fake eBay for demos: `python manage.py fake_ebay [--port 8766] [--orders 10]
[--every 60] [--demo] [--base http://127.0.0.1:8000]`. Prints its URL and the fixed token, then
serves until interrupted, adding an order every few seconds as a seller's eBay account would.

`--demo` is what `make run` starts: the seeded demo eBay connection is pointed at it and its orders
are of that customer's SKUs; the consent page sends the seller back to `--base`'s callback. The
portal's "Connect with eBay" needs the app to know the fake's keys: `make run` passes them
(EBAY_CLIENT_ID, EBAY_CLIENT_SECRET, EBAY_RU_NAME, EBAY_API_BASE)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from apps.catalog.models import Product
from apps.core.tenancy import staff_scope
from apps.integrations.demo import demo_ebay_connection
from apps.integrations.ebay.fake_server import DEFAULT_TOKEN, DEMO_PORT, FakeEbay
from apps.integrations.models import Connection


class Command(BaseCommand):
    help = "Start a local fake eBay (Sell Fulfillment API, OAuth consent, notifications) with demo orders."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=DEMO_PORT, help="Port on 127.0.0.1 (0: any free one).")
        parser.add_argument("--orders", type=int, default=10, help="How many orders to seed.")
        parser.add_argument("--every", type=float, default=60.0, help="Seconds between new orders (0: none).")
        parser.add_argument("--demo", action="store_true", help="Serve the seeded demo eBay connection.")
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="Where the app serves.")

    def handle(self, *args, port, orders, every, demo, base, **options):
        if orders < 0 or every < 0:
            raise CommandError("--orders and --every must be 0 or more.")
        accept = base.rstrip("/") + reverse("integrations:ebay-oauth-callback")
        fake = FakeEbay(port=port, accept_url=accept)
        skus = ["SKU-0"]
        try:
            fake.start()
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}.") from exc
        if demo:
            with staff_scope():
                connection = demo_ebay_connection()
                if connection is None:
                    raise CommandError("No demo eBay account yet: run `python manage.py seed_demo` first.")
                Connection.objects.filter(pk=connection.pk).update(api_base=fake.url)
                skus = (
                    list(
                        Product.objects.filter(customer=connection.customer, is_active=True)
                        .exclude(weight_g=None)
                        .order_by("sku")
                        .values_list("sku", flat=True)[:5]
                    )
                    or skus
                )
            fake.clock = timezone.now() - datetime.timedelta(minutes=orders + 1)
        for number in range(orders):
            fake.add_order(sku=skus[number % len(skus)], quantity=1 + number % 2)
        self.stdout.write(f"Fake eBay with {orders} orders at {fake.url} (token {DEFAULT_TOKEN})")
        self.stdout.flush()
        try:
            while True:
                time.sleep(every or 3600)
                if every:
                    order = fake.add_order(sku=skus[len(fake.orders) % len(skus)])
                    self.stdout.write(f"eBay order {order['orderId']} placed")
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        finally:
            fake.stop()
