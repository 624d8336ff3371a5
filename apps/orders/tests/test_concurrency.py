"""Order submission under real concurrency (PostgreSQL only): threads with their own connections
competing for the last unit of stock or the last money in the wallet."""

import pytest

from apps.billing.models import Wallet
from apps.billing.services import charge
from apps.core.tenancy import customer_scope
from apps.core.testing import require_postgresql, run_concurrently
from apps.inventory.models import StockBalance
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.services import order_create, order_submit

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
