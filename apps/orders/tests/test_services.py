import itertools
from decimal import Decimal

import pytest
from django.db import transaction

from apps.billing.models import Wallet, WalletEntry
from apps.billing.services import charge, credit
from apps.catalog.services import products_set_active
from apps.core.errors import PermissionDenied
from apps.core.identifiers import order_number_problem
from apps.inventory.models import StockBalance
from apps.inventory.services import stock_receive
from apps.orders.bulk import orders_submit
from apps.orders.choices import TRANSITIONS, AbnormalReason, OrderSource, OrderStatus
from apps.orders.errors import OrderInvalid, OrderLocked
from apps.orders.models import Order
from apps.orders.services import (
    order_cancel,
    order_copy,
    order_create,
    order_submit,
    order_update,
)
from apps.orders.transitions import order_transition


def balance(world, sku):
    row = StockBalance.objects.get(product=world.products[sku], warehouse=world.warehouse)
    return row.on_hand, row.allocated


def wallet(world):
    w = Wallet.objects.get(customer=world.customer)
    return w.balance, w.held


# --- The transition table ------------------------------------------------------------------------

ALL = list(OrderStatus)


@pytest.mark.parametrize(("start", "to"), list(itertools.product(ALL, ALL)))
def test_every_transition_is_allowed_or_refused_by_the_table(world, start, to):
    order = order_create(actor=world.user, data=world.data())
    Order.objects.filter(pk=order.pk).update(status=start)
    order.refresh_from_db()
    with transaction.atomic():
        if to in TRANSITIONS[start]:
            order_transition(order=order, to=to, actor=world.user, message="test", code="NO_CHANNEL")
            order.refresh_from_db()
            assert order.status == to
            event = order.events.last()
            assert (event.from_status, event.to_status, event.actor) == (start, to, world.user)
        else:
            with pytest.raises(OrderLocked):
                order_transition(order=order, to=to, actor=world.user)
            order.refresh_from_db()
            assert order.status == start


def test_the_table_matches_design_section_5():
    s = OrderStatus
    assert {
        s.CONFIRMING: {s.PENDING_SHIPMENT, s.ABNORMAL, s.CANCELLED},
        s.ABNORMAL: {s.PENDING_SHIPMENT, s.CONFIRMING, s.CANCELLED},
        s.PENDING_SHIPMENT: {s.SHIPPED, s.ABNORMAL, s.CANCELLED},
        s.SHIPPED: {s.DELIVERED, s.RETURNED},
        s.DELIVERED: {s.RETURNED},
        s.CANCELLED: set(),
        s.RETURNED: set(),
    } == TRANSITIONS


# --- Create ----------------------------------------------------------------------------------------


def test_create_gives_a_luhn_checked_number_lines_and_a_timeline(world):
    order = order_create(actor=world.user, data=world.data(external_ref="#1001", note="gift"))
    assert order.status == OrderStatus.CONFIRMING
    assert order_number_problem(order.number) is None
    assert order.source == OrderSource.MANUAL
    assert order.recipient_phone == "+1 415-555-0142"
    assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [("TEE", 1)]
    assert order.events.get().to_status == OrderStatus.CONFIRMING
    second = order_create(actor=world.user, data=world.data())
    assert second.number != order.number


def test_create_merges_the_same_sku_typed_twice(world):
    tee = world.products["TEE"]
    order = order_create(actor=world.user, data=world.data(lines=[(tee, 1), (tee, 2)]))
    assert order.lines.get().quantity == 3


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"lines": []}, "invalid_lines"),
        ({"lines": "zero"}, "invalid_lines"),
        ({"lines": "inactive"}, "invalid_lines"),
        ({"recipient": {"country": "Atlantis"}}, "invalid_address"),
        ({"recipient": {"postal_code": "ABCDE"}}, "invalid_address"),
        ({"recipient": {"phone": "555-1234"}}, "invalid_address"),
        ({"recipient": {"email": "not-an-email"}}, "invalid_address"),
        ({"warehouse": None}, "unknown_warehouse"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(world, change, code):
    tee = world.products["TEE"]
    if change.get("lines") == "zero":
        change = {"lines": [(tee, 0)]}
    elif change.get("lines") == "inactive":
        products_set_active(actor=world.user, products=[world.products["LAMP"]], active=False)
        world.products["LAMP"].refresh_from_db()
        change = {"lines": [(world.products["LAMP"], 1)]}
    with pytest.raises(OrderInvalid) as exc:
        order_create(actor=world.user, data=world.data(**change))
    assert exc.value.code == code
    assert exc.value.message
    assert not Order.objects.exists()


def test_a_duplicate_external_reference_is_refused(world):
    order_create(actor=world.user, data=world.data(external_ref="#1001"))
    with pytest.raises(OrderInvalid) as exc:
        order_create(actor=world.user, data=world.data(external_ref="#1001"))
    assert exc.value.code == "duplicate_external_ref"
    assert Order.objects.count() == 1


def test_another_customers_sku_is_refused(world, customer_b, user_b):
    from apps.catalog.services import product_create
    from apps.core.tenancy import customer_scope

    with customer_scope(customer_b):
        theirs = product_create(actor=user_b, data={"sku": "TEE", "name": "Their tee", "declared_value": "1"})
    with pytest.raises(OrderInvalid):
        order_create(actor=world.user, data=world.data(lines=[(theirs, 1)]))


def test_only_staff_place_orders_for_a_customer(world, make_staff, django_user_model):
    staff = make_staff("order_group")
    order = order_create(actor=staff, customer=world.customer, data=world.data(), source=OrderSource.STAFF)
    assert order.customer == world.customer
    assert "by staff" in order.events.get().message
    with pytest.raises(PermissionDenied):
        order_create(actor=django_user_model(email="x@example.com"), customer=world.customer, data=world.data())


# --- Submit ----------------------------------------------------------------------------------------


def test_submit_allocates_stock_holds_the_estimate_and_picks_the_cheapest_channel(world):
    order = order_create(actor=world.user, data=world.data(lines=[(world.products["TEE"], 2)]))
    order = order_submit(actor=world.user, order=order)
    assert order.status == OrderStatus.PENDING_SHIPMENT
    assert order.channel == world.ground
    assert order.estimated_freight == Decimal("6.00")
    assert order.estimated_cost == order.estimated_freight + order.estimated_fee
    assert balance(world, "TEE") == (10, 2)
    assert wallet(world) == (Decimal("100.00"), order.estimated_cost)
    assert order.held_amount == order.estimated_cost
    assert order.events.last().to_status == OrderStatus.PENDING_SHIPMENT


def test_submit_uses_the_chosen_channel(world):
    order = order_create(actor=world.user, data=world.data(channel=world.express))
    order = order_submit(actor=world.user, order=order)
    assert (order.channel, order.estimated_freight) == (world.express, Decimal("20.00"))


def _abnormal(world, data, code):
    order = order_submit(actor=world.user, order=order_create(actor=world.user, data=data))
    assert order.status == OrderStatus.ABNORMAL
    assert order.abnormal_code == code
    assert order.abnormal_message
    return order


def test_not_enough_stock_makes_it_abnormal_and_nothing_is_allocated_or_held(world):
    data = world.data(lines=[(world.products["TEE"], 1), (world.products["MUG"], 2)])
    order = _abnormal(world, data, AbnormalReason.INSUFFICIENT_STOCK)
    assert "MUG" in order.abnormal_message
    assert balance(world, "TEE") == (10, 0)  # the TEE allocated first was undone
    assert wallet(world) == (Decimal("100.00"), Decimal("0"))


def test_not_enough_money_makes_it_abnormal_and_the_stock_goes_back(world):
    charge(customer=world.customer, amount="99.00", kind="misc_fee", idempotency_key="drain")
    order = _abnormal(world, world.data(), AbnormalReason.INSUFFICIENT_BALANCE)
    assert "Top up" in order.abnormal_message
    assert balance(world, "TEE") == (10, 0)


def test_an_incomplete_address_is_abnormal_on_submit(world):
    order = _abnormal(world, world.data(recipient={"city": "", "state": ""}), AbnormalReason.INVALID_ADDRESS)
    assert "City is required" in order.abnormal_message


def test_no_channel_that_delivers_there_is_abnormal(world):
    order = _abnormal(
        world,
        world.data(recipient={"country": "FR", "postal_code": "75001", "state": "", "phone": ""}),
        AbnormalReason.NO_CHANNEL,
    )
    assert "FR" in order.abnormal_message


def test_a_parcel_too_heavy_for_the_chosen_channel_is_abnormal(world):
    stock_receive(actor=None, product=world.products["LAMP"], warehouse=world.warehouse, quantity=5)
    _abnormal(world, world.data(lines=[(world.products["LAMP"], 4)], channel=world.express), AbnormalReason.NO_CHANNEL)


def test_a_sku_deactivated_after_saving_is_abnormal(world):
    order = order_create(actor=world.user, data=world.data())
    products_set_active(actor=world.user, products=[world.products["TEE"]], active=False)
    order = order_submit(actor=world.user, order=order)
    assert order.abnormal_code == AbnormalReason.UNKNOWN_SKU


def test_only_confirming_and_abnormal_orders_can_be_submitted(world):
    order = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data()))
    with pytest.raises(OrderLocked):
        order_submit(actor=world.user, order=order)
    assert balance(world, "TEE") == (10, 1)


# These two commit for real, so the outbox publishes after commit as in use (eager Celery here).
@pytest.mark.django_db(transaction=True)
def test_an_abnormal_order_goes_on_by_itself_when_money_arrives(world):
    charge(customer=world.customer, amount="99.00", kind="misc_fee", idempotency_key="drain")
    order = _abnormal(world, world.data(), AbnormalReason.INSUFFICIENT_BALANCE)
    with transaction.atomic():
        credit(customer=world.customer, amount="50", idempotency_key="topup-2")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_SHIPMENT
    assert order.events.last().actor is None  # the system did it


@pytest.mark.django_db(transaction=True)
def test_an_abnormal_order_goes_on_by_itself_when_stock_arrives(world):
    order = _abnormal(world, world.data(lines=[(world.products["MUG"], 3)]), AbnormalReason.INSUFFICIENT_STOCK)
    other = _abnormal(world, world.data(recipient={"city": ""}), AbnormalReason.INVALID_ADDRESS)
    with transaction.atomic():  # one receiving session: two moves, one retry
        stock_receive(actor=None, product=world.products["MUG"], warehouse=world.warehouse, quantity=1)
        stock_receive(actor=None, product=world.products["MUG"], warehouse=world.warehouse, quantity=1)
    order.refresh_from_db()
    other.refresh_from_db()
    assert order.status == OrderStatus.PENDING_SHIPMENT
    assert other.status == OrderStatus.ABNORMAL  # an address does not fix itself


def test_a_retry_that_still_fails_adds_no_noise_to_the_timeline(world):
    from apps.orders.bulk import orders_retry_abnormal

    order = _abnormal(world, world.data(lines=[(world.products["MUG"], 3)]), AbnormalReason.INSUFFICIENT_STOCK)
    events = order.events.count()
    result = orders_retry_abnormal(customer=world.customer, codes=[AbnormalReason.INSUFFICIENT_STOCK])
    assert (len(result.done), len(result.failed)) == (0, 1)
    assert order.events.count() == events


def test_bulk_submit_reports_each_order(world):
    good = order_create(actor=world.user, data=world.data())
    short = order_create(actor=world.user, data=world.data(lines=[(world.products["MUG"], 5)]))
    result = orders_submit(actor=world.user, orders=[good, short])
    assert [o.number for o in result.done] == [good.number]
    assert result.failed[0][0].number == short.number
    assert "1 order submitted" in result.summary("submitted")


# --- Edit, cancel, copy ------------------------------------------------------------------------------


def test_edit_while_confirming_records_what_changed(world):
    order = order_create(actor=world.user, data=world.data())
    order = order_update(
        actor=world.user,
        order=order,
        data=world.data(lines=[(world.products["MUG"], 1)], recipient={"city": "Oakland", "postal_code": "94607"}),
    )
    assert order.city == "Oakland"
    assert [line.product.sku for line in order.lines.all()] == ["MUG"]
    assert "City" in order.events.last().message and "SKUs" in order.events.last().message


def test_fixing_an_abnormal_order_brings_it_back_to_confirming(world):
    order = _abnormal(world, world.data(recipient={"city": ""}), AbnormalReason.INVALID_ADDRESS)
    order = order_update(actor=world.user, order=order, data=world.data())
    assert order.status == OrderStatus.CONFIRMING
    assert order.abnormal_code == ""
    assert order_submit(actor=world.user, order=order).status == OrderStatus.PENDING_SHIPMENT


def test_a_pending_shipment_order_cannot_be_edited(world):
    order = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data()))
    with pytest.raises(OrderLocked) as exc:
        order_update(actor=world.user, order=order, data=world.data(recipient={"city": "Oakland"}))
    assert exc.value.http_status == 409
    order.refresh_from_db()
    assert order.city == "San Francisco"


def test_cancel_releases_the_stock_and_the_hold(world):
    order = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data()))
    order = order_cancel(actor=world.user, order=order, reason="customer changed mind")
    assert order.status == OrderStatus.CANCELLED
    assert balance(world, "TEE") == (10, 0)
    assert wallet(world) == (Decimal("100.00"), Decimal("0"))
    assert (order.held_amount, order.stock_allocated) == (Decimal("0"), False)
    kinds = list(WalletEntry.objects.filter(reference_id=order.number).values_list("kind", flat=True))
    assert sorted(kinds) == ["hold", "release"]
    with pytest.raises(OrderLocked):
        order_cancel(actor=world.user, order=order)


def test_a_packed_order_can_no_longer_be_cancelled(world):
    from django.utils import timezone

    order = order_submit(actor=world.user, order=order_create(actor=world.user, data=world.data()))
    Order.objects.filter(pk=order.pk).update(packed_at=timezone.now())
    with pytest.raises(OrderLocked) as exc:
        order_cancel(actor=world.user, order=order)
    assert exc.value.code == "order_packed"
    assert balance(world, "TEE") == (10, 1)


def test_copy_makes_a_new_confirming_order(world):
    order = order_cancel(actor=world.user, order=order_create(actor=world.user, data=world.data(external_ref="X1")))
    copy = order_copy(actor=world.user, order=order)
    assert copy.status == OrderStatus.CONFIRMING
    assert copy.number != order.number
    assert copy.copied_from == order
    assert copy.external_ref == ""
    assert copy.address1 == order.address1
    assert [(line.product_id, line.quantity) for line in copy.lines.all()] == [
        (line.product_id, line.quantity) for line in order.lines.all()
    ]
