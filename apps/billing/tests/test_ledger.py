"""The wallet ledger (SQLite and PostgreSQL): every posting is one entry with the balance after it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.billing import services
from apps.billing.choices import EntryKind
from apps.billing.errors import InsufficientBalance, InvalidAmount
from apps.billing.models import Wallet, WalletEntry
from apps.billing.money import round_money
from apps.core.tenancy import customer_scope

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def scope(customer_a):
    with customer_scope(customer_a):
        yield customer_a


def wallet(customer) -> Wallet:
    return Wallet.objects.get(customer=customer)


def entries(customer) -> list[WalletEntry]:
    return list(WalletEntry.objects.filter(customer=customer).order_by("id"))


def assert_chain(customer):
    """Each entry's balance_after/held_after = the previous one's + its amount/held_delta; the wallet ends there."""
    balance = held = D("0")
    for entry in entries(customer):
        balance, held = balance + entry.amount, held + entry.held_delta
        assert (entry.balance_after, entry.held_after) == (balance, held), entry.pk
    w = wallet(customer)
    assert (w.balance, w.held) == (balance, held)


def test_credit_charge_hold_release_settle_chain(scope, user_a):
    c = scope
    services.credit(customer=c, amount="100", idempotency_key="t1")
    services.charge(customer=c, amount="12.34", kind=EntryKind.FREIGHT, idempotency_key="c1")
    h = services.hold(customer=c, amount="20", idempotency_key="h1")
    assert (h.amount, h.held_delta, h.balance_after, h.held_after) == (D("0"), D("20"), D("87.66"), D("20"))
    assert wallet(c).available == D("67.66")
    services.release(customer=c, amount="5", idempotency_key="r1")
    assert wallet(c).held == D("15")
    services.hold(customer=c, amount="10", idempotency_key="h2")
    released, charged = services.settle_hold(
        customer=c, held_amount="10", actual_amount="13.50", kind=EntryKind.FULFILMENT_FEE, idempotency_key="order-1"
    )
    assert (released.kind, released.held_delta, released.held_after) == (EntryKind.RELEASE, D("-10"), D("15"))
    assert (charged.kind, charged.amount, charged.balance_after, charged.held_after) == (
        EntryKind.FULFILMENT_FEE,
        D("-13.50"),
        D("74.16"),
        D("15"),
    )
    w = wallet(c)
    assert (w.balance, w.held, w.available) == (D("74.16"), D("15"), D("59.16"))
    assert_chain(c)


def test_settle_higher_than_available_rolls_back_the_release_too(scope):
    c = scope
    services.credit(customer=c, amount="10", idempotency_key="t1")
    services.hold(customer=c, amount="8", idempotency_key="h1")
    with pytest.raises(InsufficientBalance):
        services.settle_hold(
            customer=c, held_amount="8", actual_amount="10.01", kind=EntryKind.FREIGHT, idempotency_key="o1"
        )
    w = wallet(c)
    assert (w.balance, w.held) == (D("10"), D("8"))
    assert len(entries(c)) == 2


def test_available_never_negative_and_nothing_written(scope):
    c = scope
    services.credit(customer=c, amount="10", idempotency_key="t1")
    services.hold(customer=c, amount="4", idempotency_key="h1")
    with pytest.raises(InsufficientBalance) as exc:
        services.charge(customer=c, amount="6.01", kind=EntryKind.FREIGHT, idempotency_key="c1")
    assert "6.00 USD available" in exc.value.message
    with pytest.raises(InsufficientBalance):
        services.hold(customer=c, amount="6.01", idempotency_key="h2")
    with pytest.raises(InvalidAmount, match="Only 4.00 USD is held; cannot release 4.01"):
        services.release(customer=c, amount="4.01", idempotency_key="r1")
    assert len(entries(c)) == 2
    assert (wallet(c).balance, wallet(c).held) == (D("10"), D("4"))
    services.charge(customer=c, amount="6", kind=EntryKind.FREIGHT, idempotency_key="c2")  # exactly available
    assert wallet(c).available == D("0")
    assert_chain(c)


def test_same_idempotency_key_posts_once(scope):
    c = scope
    first = services.credit(customer=c, amount="10", idempotency_key="same")
    second = services.credit(customer=c, amount="10", idempotency_key="same")
    assert first.pk == second.pk
    services.charge(customer=c, amount="3", kind=EntryKind.FREIGHT, idempotency_key="fee")
    services.charge(customer=c, amount="3", kind=EntryKind.FREIGHT, idempotency_key="fee")
    assert len(entries(c)) == 2 and wallet(c).balance == D("7")
    with pytest.raises(ValueError, match="idempotency key"):
        services.credit(customer=c, amount="1", idempotency_key="")


def test_amounts_round_half_up_to_cents(scope):
    c = scope
    assert services.credit(customer=c, amount="0.005", idempotency_key="a").amount == D("0.01")
    assert services.credit(customer=c, amount="1.005", idempotency_key="b").amount == D("1.01")
    assert services.credit(customer=c, amount=2.675, idempotency_key="c").amount == D("2.68")  # float via str
    assert services.charge(customer=c, amount="0.994", kind=EntryKind.FREIGHT, idempotency_key="d").amount == D("-0.99")
    with pytest.raises(InvalidAmount):
        services.credit(customer=c, amount="0.004", idempotency_key="e")  # rounds to 0
    for bad in ("0", "-1", "abc", "nan"):
        with pytest.raises(InvalidAmount):
            services.credit(customer=c, amount=bad, idempotency_key=f"bad-{bad}")
    assert wallet(c).balance == D("2.71")
    assert_chain(c)


def test_zero_decimal_currency_rounds_to_whole_units(scope):
    assert round_money(D("100.5"), "JPY") == D("101")
    assert round_money(D("100.49"), "JPY") == D("100")
    assert round_money(D("0.125"), "USD") == D("0.13")
    c = scope
    w = services.wallet_for(c)
    w.currency = "JPY"
    w.save()
    assert services.credit(customer=c, amount="1000.5", idempotency_key="y1").amount == D("1001")
    assert services.charge(customer=c, amount="0.5", kind=EntryKind.FREIGHT, idempotency_key="y2").amount == D("-1")
    assert wallet(c).balance == D("1000")


def test_adjust_needs_a_reason_and_is_signed(scope, make_staff):
    c = scope
    staff = make_staff("finance")
    with pytest.raises(InvalidAmount) as exc:
        services.adjust(customer=c, amount="5", reason="  ", idempotency_key="adj0", actor=staff)
    assert exc.value.code == "reason_required"
    assert entries(c) == []
    up = services.adjust(customer=c, amount="5", reason="Goodwill", idempotency_key="adj1", actor=staff)
    down = services.adjust(customer=c, amount="-2.50", reason="Correction", idempotency_key="adj2", actor=staff)
    assert (up.amount, up.memo, up.actor_id) == (D("5"), "Goodwill", staff.pk)
    assert (down.amount, down.balance_after, down.kind) == (D("-2.50"), D("2.50"), EntryKind.ADJUSTMENT)
    with pytest.raises(InsufficientBalance):
        services.adjust(customer=c, amount="-2.51", reason="Too much", idempotency_key="adj3", actor=staff)
    assert_chain(c)


def test_kinds_are_checked(scope):
    with pytest.raises(ValueError, match="not a credit"):
        services.credit(customer=scope, amount="1", kind=EntryKind.FREIGHT, idempotency_key="k1")
    with pytest.raises(ValueError, match="not a charge"):
        services.charge(customer=scope, amount="1", kind=EntryKind.TOPUP, idempotency_key="k2")


def test_a_key_reused_for_another_posting_is_refused(scope):
    from apps.core.errors import StateConflict

    c = scope
    services.credit(customer=c, amount="20", idempotency_key="t1")
    services.charge(customer=c, amount="5", kind=EntryKind.FREIGHT, idempotency_key="x")
    with pytest.raises(StateConflict, match="already used for another posting"):
        services.charge(customer=c, amount="7", kind=EntryKind.FREIGHT, idempotency_key="x")
    assert wallet(c).balance == D("15")


def test_fulfilment_fee_follows_the_level_price_list(scope):
    from apps.billing.models import LevelPrice

    LevelPrice.objects.create(
        level=scope.level, fulfilment_fee_per_order=D("2.20"), fulfilment_fee_per_extra_unit=D("0.45")
    )
    assert services.fulfilment_fee(customer=scope, units=1) == D("2.20")
    assert services.fulfilment_fee(customer=scope, units=4) == D("3.55")
