"""Shared by the order benchmarks: a working world built through the services (customers with users,
the bench warehouse in their plan, a priced channel, SKUs with stock, money in the wallets) and many
Confirming orders written by the app's own bulk twin of order_create (orders_bulk_create).

Setup only: nothing here is timed. Import after django.setup()."""

import datetime
import time
from decimal import Decimal

import psycopg2
from django.conf import settings
from django_scopes import scopes_disabled

from apps.accounts.models import User
from apps.accounts.services import customer_create
from apps.billing.services import credit
from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.inventory.services import stock_put_away, stock_receive
from apps.orders.imports import Draft, orders_bulk_create
from apps.orders.models import Order
from apps.orders.services import check_recipient
from apps.shipping.models import Carrier, Channel
from apps.shipping.services import RateRow, rate_card_save, rate_table_replace
from apps.warehouses.models import BinLocation, Warehouse
from apps.warehouses.services import customer_warehouses_set

RECIPIENT = {
    "name": "Jane Doe",
    "phone": "+1 415-555-0142",
    "email": "jane@example.com",
    "address1": "500 Market St",
    "address2": "Apt 4",
    "city": "San Francisco",
    "state": "CA",
    "postal_code": "94105",
    "country": "US",
}


def ensure_database() -> None:
    """Create the bench database named by DATABASE_URL when it is missing (migrate fills it)."""
    db = settings.DATABASES["default"]
    admin = psycopg2.connect(
        dbname="postgres", user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def fast_passwords() -> None:
    """Setup makes many users; hashing their passwords properly is not what a bench measures."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def warehouse() -> Warehouse:
    found, _ = Warehouse.objects.get_or_create(
        code="BENCH1",
        defaults={
            "name": "Bench",
            "address1": "1 Dock Rd",
            "city": "Carson",
            "state": "CA",
            "postal_code": "90810",
            "country": "US",
        },
    )
    return found


def priced_channel(where: Warehouse, price: str = "6.00") -> Channel:
    """A fresh UPS Ground channel of the warehouse with a flat rate card to the US (the local UPS adapter
    numbers its labels)."""
    carrier, _ = Carrier.objects.get_or_create(code="ups", defaults={"name": "UPS"})
    channel = Channel.objects.create(
        code=f"bench-{time.time_ns()}",
        name="Bench UPS Ground",
        carrier=carrier,
        warehouse=where,
        service_level="Ground",
        transit_days_min=3,
        transit_days_max=5,
        max_weight_g=30000,
        max_length_cm=Decimal("120"),
    )
    card = rate_card_save(
        actor=None,
        rate_card=None,
        data={
            "channel": channel,
            "name": "bench",
            "currency": "USD",
            "valid_from": datetime.date.today() - datetime.timedelta(days=1),
        },
    )
    rate_table_replace(actor=None, rate_card=card, rows=[RateRow(2, "US", "US", "", 0, 30000, price, None, None)])
    return channel


class Seller:
    """One customer of the bench: its user (the actor of its submits), SKUs and their stock."""

    def __init__(self, customer, user, products):
        self.customer, self.user, self.products = customer, user, products


def seller(
    where: Warehouse, *, tag: str, skus: int = 2, units: int = 100_000, money: str = "1000000", bins: bool = False
) -> Seller:
    """A customer with a user, ``skus`` SKUs of ``units`` units each in the warehouse (shelved into one bin per
    SKU when ``bins``), ``money`` in the wallet and the warehouse in its plan."""
    stamp = time.time_ns()
    customer = customer_create(
        actor=None, company_name=f"{tag} {stamp}", contact_name="B", contact_email=f"{tag.lower()}{stamp}@b.example"
    )
    user = User(email=f"{tag.lower()}-{stamp}@b.example", customer=customer, customer_role="owner")
    user.set_password("bench-password-123")
    user.save()
    customer_warehouses_set(actor=None, customer=customer, warehouses=[where])
    products = []
    with customer_scope(customer):
        for i in range(skus):
            sku = f"{tag.upper()}-{stamp}-{i}"
            product = product_create(actor=user, data={"sku": sku, "name": sku, "declared_value": "3", "weight_g": 200})
            if bins:
                shelf, _ = BinLocation.objects.get_or_create(warehouse=where, code=f"B-{stamp % 10**6:06d}-{i:02d}")
                stock_receive(actor=None, product=product, warehouse=where, quantity=units)
                stock_put_away(actor=None, product=product, warehouse=where, bin=shelf, quantity=units)
            else:
                stock_receive(actor=None, product=product, warehouse=where, quantity=units)
            products.append(product)
        credit(customer=customer, amount=money, idempotency_key=f"bench-seed-{stamp}")
    return Seller(customer, user, products)


def confirming_orders(owner: Seller, where: Warehouse, channel: Channel, count: int, *, lines: int = 2) -> list[Order]:
    """``count`` Confirming orders of ``lines`` lines (1 unit of each SKU in turn) through orders_bulk_create,
    the bulk twin of order_create (orders, lines and Confirming events)."""
    recipient = check_recipient(RECIPIENT)
    stamp = time.time_ns()
    products = owner.products
    drafts = [
        Draft(
            ref=f"B{stamp}-{n}",
            rows=[n],
            recipient=recipient,
            warehouse=where,
            channel=channel,
            note="",
            lines=[(products[(n + k) % len(products)], 1) for k in range(lines)],
        )
        for n in range(count)
    ]
    with customer_scope(owner.customer):
        return orders_bulk_create(actor=owner.user, customer=owner.customer, drafts=drafts)


def statuses(orders) -> dict[str, int]:
    with scopes_disabled():
        found: dict[str, int] = {}
        for status in Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True):
            found[status] = found.get(status, 0) + 1
    return found
