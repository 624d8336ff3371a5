"""Order submission under real concurrency (PostgreSQL only): threads with their own connections
competing for the last unit of stock or the last money in the wallet."""

import pytest
from django.db import connections

from apps.billing.models import Wallet
from apps.billing.services import charge
from apps.core.tenancy import customer_scope
from apps.core.testing import require_postgresql, run_concurrently
from apps.inventory.models import StockBalance
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.services import OrderData, order_create, order_submit

pytestmark = pytest.mark.django_db(transaction=True)


def submit_all(world, orders):
    feed = iter(orders)

    def one():
        order = next(feed)
        with customer_scope(world.customer):
            submitted = order_submit(actor=world.user, order=order)
            return submitted.status, submitted.abnormal_code

    return sorted(run_concurrently(one, threads=len(orders)))


def test_two_submits_for_the_last_unit_give_one_pending_shipment_and_one_abnormal(world):
    require_postgresql()
    orders = [order_create(actor=world.user, data=world.data(lines=[(world.products["MUG"], 1)])) for _ in range(2)]
    assert submit_all(world, orders) == [
        (OrderStatus.ABNORMAL, AbnormalReason.INSUFFICIENT_STOCK),
        (OrderStatus.PENDING_SHIPMENT, ""),
    ]
    with customer_scope(world.customer):
        balance = StockBalance.objects.get(product=world.products["MUG"])
        assert (balance.on_hand, balance.allocated) == (1, 1)


def test_eight_submits_for_five_units_allocate_exactly_five(world):
    require_postgresql()
    orders = [order_create(actor=world.user, data=world.data(lines=[(world.products["TEE"], 2)])) for _ in range(8)]
    results = submit_all(world, orders)
    assert results.count((OrderStatus.PENDING_SHIPMENT, "")) == 5
    assert results.count((OrderStatus.ABNORMAL, AbnormalReason.INSUFFICIENT_STOCK)) == 3
    with customer_scope(world.customer):
        assert StockBalance.objects.get(product=world.products["TEE"]).allocated == 10


def test_the_last_money_goes_to_one_order_only(world):
    require_postgresql()
    orders = [order_create(actor=world.user, data=world.data()) for _ in range(2)]
    with customer_scope(world.customer):
        cost = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data())).estimated_cost
        wallet = Wallet.objects.get(customer=world.customer)
        charge(customer=world.customer, amount=wallet.available - cost, kind="misc_fee", idempotency_key="drain")
    results = submit_all(world, orders)
    assert results == [(OrderStatus.ABNORMAL, AbnormalReason.INSUFFICIENT_BALANCE), (OrderStatus.PENDING_SHIPMENT, "")]
    with customer_scope(world.customer):
        assert Wallet.objects.get(customer=world.customer).available == 0
        assert StockBalance.objects.get(product=world.products["TEE"]).allocated == 2  # the loser's unit went back


IMPORT_SCRIPT = """
import django; django.setup()
from apps.accounts.models import Customer, User
from apps.core.tenancy import customer_scope
from apps.documents.toolkit.xlsx import write_xlsx
from apps.orders.batch_files import REGULAR_COLUMNS, read_order_file
from apps.orders.imports import import_orders
from apps.orders.tests.conftest import RECIPIENT

customer, user = Customer.objects.get(pk={customer}), User.objects.get(pk={user})
keys = [column.key for column in REGULAR_COLUMNS]
rows = [[{{**RECIPIENT, "order_ref": f"IMP-{{n:05d}}", "sku": "TEE", "quantity": 1}}.get(key, "") for key in keys]
        for n in range(50_000)]
parsed = read_order_file(write_xlsx(REGULAR_COLUMNS, rows), "regular")
print("parsed", flush=True)
with customer_scope(customer):
    check, created = import_orders(actor=user, customer=customer, parsed=parsed, warehouse_code="{warehouse}")
print("created", len(created), check.problems[:2], flush=True)
"""


def test_a_50000_row_import_never_stalls_another_customers_single_orders(world, customer_b, user_b):
    """The import (in its own process, as in a Celery worker) holds its transaction for seconds;
    numbers come from their own short transaction, so orders created meanwhile for another
    customer answer at their usual speed."""
    require_postgresql()
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from apps.catalog.services import product_create
    from apps.orders.tests.conftest import RECIPIENT
    from apps.warehouses.services import customer_warehouses_set

    customer_warehouses_set(actor=None, customer=customer_b, warehouses=[world.warehouse])
    with customer_scope(customer_b):
        mine = product_create(
            actor=user_b, data={"sku": "B-TEE", "name": "B tee", "declared_value": "3", "weight_g": 200}
        )
    database = connections["default"].settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
    }
    env.pop("REDIS_URL", None)
    script = IMPORT_SCRIPT.format(customer=world.customer.pk, user=world.user.pk, warehouse=world.warehouse.code)
    importer = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert importer.stdout.readline().strip() == "parsed"  # from here on it checks and inserts
    took = []
    with customer_scope(customer_b):
        data = OrderData(warehouse=world.warehouse, recipient=RECIPIENT, lines=[(mine, 1)])
        while importer.poll() is None or len(took) < 50:
            started = time.perf_counter()
            order_create(actor=user_b, data=data)
            took.append(time.perf_counter() - started)
            time.sleep(0.05)
    output = importer.stdout.read()
    assert importer.wait() == 0
    assert output.startswith("created 50000 []"), output
    assert len(took) >= 50
    # Waiting behind the import's locks would last as long as its transactions (seconds); the
    # scheduler on a loaded 2-core machine alone has cost one create 0.6 s.
    assert max(took) < 2.0, sorted(took)[-5:]
