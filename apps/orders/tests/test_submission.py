"""Submitting a set of orders at once (bulk actions, imports, automatic retries) and what one
submit costs: a fixed number of queries, the earlier orders served first, one ledger row per line
and per order, whichever database writes them."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.billing.models import Wallet, WalletEntry
from apps.billing.services import charge
from apps.core.testing import require_postgresql
from apps.inventory.models import StockBalance, StockMove
from apps.orders.bulk import orders_submit
from apps.orders.choices import AbnormalReason, OrderStatus
from apps.orders.models import OrderEvent
from apps.orders.services import order_create, order_submit
from apps.orders.submission import orders_submit_many


def statements(captured) -> list[str]:
    """The SQL statements sent, without the transaction's own BEGIN and COMMIT."""
    return [q["sql"][:90] for q in captured if q["sql"] not in ("BEGIN", "COMMIT")]


def _orders(world, count, lines=None):
    return [order_create(actor=world.user, data=world.data(lines=lines)) for _ in range(count)]


def test_the_earlier_orders_of_a_set_get_the_stock_first(world):
    mug = world.products["MUG"]  # 1 on hand
    first, second, third = _orders(world, 3, lines=[(mug, 1)])
    outcomes = orders_submit_many(actor=world.user, orders=[third, first, second])  # any order in, pk order out
    assert [o.order.pk for o in outcomes] == [first.pk, second.pk, third.pk]
    assert [(o.order.status, o.order.abnormal_code) for o in outcomes] == [
        (OrderStatus.PENDING_SHIPMENT, ""),
        (OrderStatus.ABNORMAL, AbnormalReason.INSUFFICIENT_STOCK),
        (OrderStatus.ABNORMAL, AbnormalReason.INSUFFICIENT_STOCK),
    ]
    # The sentence counts what the earlier order of the same set took.
    assert outcomes[1].order.abnormal_message == (
        "Only 0 of MUG in LAX1 are available (1 on hand, 1 allocated); cannot allocate 1."
    )
    balance = StockBalance.objects.get(product=mug)
    assert (balance.on_hand, balance.allocated) == (1, 1)
    assert StockMove.objects.filter(product=mug, kind="allocate").count() == 1


def test_money_goes_to_the_earlier_orders_and_a_short_one_says_what_is_missing(world):
    orders = _orders(world, 3)
    cost = order_submit(actor=world.user, order=_orders(world, 1)[0]).estimated_cost  # 6.00 freight + fee
    wallet = Wallet.objects.get(customer=world.customer)
    charge(customer=world.customer, amount=wallet.available - 2 * cost, kind="misc_fee", idempotency_key="drain")
    outcomes = orders_submit_many(actor=world.user, orders=orders)
    assert [o.order.status for o in outcomes] == [OrderStatus.PENDING_SHIPMENT] * 2 + [OrderStatus.ABNORMAL]
    short = outcomes[2].order
    assert short.abnormal_code == AbnormalReason.INSUFFICIENT_BALANCE
    assert short.abnormal_message == (
        f"This order needs {cost} USD (freight 6.00 + fulfilment fee {cost - Decimal('6.00')}). "
        f"The wallet has 0.00 USD available; {cost} USD is needed. Top up first."
    )
    assert short.held_amount == 0 and not short.stock_allocated
    wallet.refresh_from_db()
    assert wallet.available == 0 and wallet.held == 3 * cost
    # One hold per order, a gap-free running balance whichever database wrote them.
    holds = list(WalletEntry.objects.filter(kind="hold").order_by("id"))
    assert [h.reference_id for h in holds[1:]] == [o.order.number for o in outcomes[:2]]
    assert [h.held_after for h in holds] == [cost, 2 * cost, 3 * cost]


def test_a_set_refuses_the_orders_that_cannot_be_submitted_and_submits_the_rest(world):
    done, waiting = _orders(world, 2)
    order_submit(actor=world.user, order=done)
    result = orders_submit(actor=world.user, orders=[done, waiting])
    assert [o.number for o in result.done] == [waiting.number]
    assert result.failed == [
        (
            result.failed[0][0],
            f"Order {done.number} is Pending Shipment; only Confirming and Abnormal orders can be submitted.",
        )
    ]
    with pytest.raises(Exception, match="only Confirming and Abnormal"):
        order_submit(actor=world.user, order=done)


def test_a_retry_that_finds_nothing_new_writes_nothing(world):
    (order,) = _orders(world, 1, lines=[(world.products["MUG"], 5)])
    order_submit(actor=world.user, order=order)
    events = OrderEvent.objects.filter(order=order).count()
    orders_submit_many(actor=None, orders=[order])  # the system retrying: still short, same sentence
    order.refresh_from_db()
    assert order.status == OrderStatus.ABNORMAL
    assert OrderEvent.objects.filter(order=order).count() == events
    orders_submit_many(actor=world.user, orders=[order])  # a person trying again gets a line
    assert OrderEvent.objects.filter(order=order).latest("id").message.startswith("Submitted again, still Abnormal")


@pytest.mark.django_db(transaction=True)
def test_a_submit_runs_ten_queries_and_a_set_of_fifty_as_many(world):
    require_postgresql()
    warm, one, *fifty = _orders(world, 52)
    order_submit(actor=world.user, order=warm)  # the rate tables compiled once per process
    with CaptureQueriesContext(connection) as single:
        order_submit(actor=world.user, order=one)
    assert len(statements(single)) <= 10, statements(single)
    with CaptureQueriesContext(connection) as many:
        outcomes = orders_submit_many(actor=world.user, orders=fifty)
    statuses = {o.order.status for o in outcomes}
    assert statuses == {OrderStatus.PENDING_SHIPMENT, OrderStatus.ABNORMAL}  # 10 TEE: the stock runs out
    assert len(statements(many)) == len(statements(single)), statements(many)
