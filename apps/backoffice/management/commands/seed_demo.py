"""Demo data for every app, so a new user sees a living system. Idempotent; refuses production
settings unless forced (DESIGN §10)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts import demo as accounts_demo
from apps.billing import demo as billing_demo
from apps.catalog import demo as catalog_demo
from apps.core.tenancy import customer_scope, staff_scope
from apps.fulfillment import demo as fulfillment_demo
from apps.integrations import demo as integrations_demo
from apps.inventory import demo as inventory_demo
from apps.orders import demo as orders_demo
from apps.shipping import demo as shipping_demo
from apps.tracking import demo as tracking_demo
from apps.warehouses import demo as warehouses_demo


class Command(BaseCommand):
    help = "Create the demo customers, staff users and their data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with production settings.")
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, force=False, quiet=False, **options):
        if not settings.ALLOW_DEMO_SEED and not force:
            raise CommandError("seed_demo refuses to run with production settings; pass --force if you mean it.")
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            staff = accounts_demo.seed_staff(password)
            owners = accounts_demo.seed_customers(password, staff)
            for owner in owners:
                with customer_scope(owner.customer):
                    catalog_demo.seed_products(owner)
            catalog_demo.seed_measurements(staff["warehouse"])
            warehouses = warehouses_demo.seed_warehouses([owner.customer for owner in owners])
            inventory_demo.seed_stock(warehouses, staff["warehouse"])
            shipping_demo.seed_shipping(warehouses)
            with staff_scope():
                billing_demo.seed_billing(owners)
            orders_demo.seed_orders(owners)
            fulfillment_demo.seed_outbound(owners, staff["warehouse"])
            tracking_demo.seed_tracking()
            integrations_demo.seed_connection(owners[0])
            integrations_demo.seed_woo_connection(owners[0])
            integrations_demo.seed_ebay_connection(owners[0])
        if not quiet:
            self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
            self.stdout.write(f"  password for every demo login: {password}")
            for line in accounts_demo.logins():
                self.stdout.write(line)
