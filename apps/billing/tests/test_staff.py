"""Back office → Billing: the top-up queue, wallets and adjustments, misc fees, settings."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from apps.accounts.models import CustomerLevel
from apps.billing.models import LevelPrice, MiscFeeNotice, PaymentAccount, TopUp, Wallet, WalletEntry
from apps.billing.services import credit
from apps.billing.topups import topup_submit
from apps.core.tenancy import customer_scope

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def finance(client, make_staff):
    client.force_login(make_staff("finance"))
    return client


def submit(user, *, amount="100", currency="USD"):
    with customer_scope(user.customer):
        return topup_submit(
            actor=user,
            method="wire",
            currency=currency,
            amount=amount,
            payer="Alpha",
            paid_on=timezone.localdate(),
            transaction_ref="WIRE-1",
            voucher=png_bytes(),
            voucher_name="receipt.png",
        )


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def wallet(customer) -> Wallet:
    with scopes_disabled():
        return Wallet.objects.get(customer=customer)


def entries(customer, **filters):
    with scopes_disabled():
        return list(WalletEntry.objects.filter(customer=customer, **filters))


def test_queue_shows_voucher_inline_and_approve_credits_once(finance, client, user_a):
    topup = submit(user_a)
    queue = finance.get(reverse("backoffice:billing-topup-queue")).content.decode()
    voucher_url = reverse("backoffice:billing-topup-voucher", args=[topup.pk])
    assert topup.number in queue and f'<img src="{voucher_url}"' in queue and 'name="exchange_rate"' not in queue

    voucher = finance.get(voucher_url)
    assert voucher["Content-Type"] == "image/png" and voucher["X-Content-Type-Options"] == "nosniff"
    assert voucher["Content-Disposition"].startswith("inline")

    url = reverse("backoffice:billing-topup-approve", args=[topup.pk])
    response = finance.post(url, {"received_amount": "99.50"})
    assert "approved: 99.50 USD credited" in said(response)
    response = finance.post(url, {"received_amount": "99.50"})
    assert "was already reviewed: it is received" in said(response)
    assert wallet(user_a.customer).balance == Decimal("99.50")
    assert len(entries(user_a.customer, kind="topup")) == 1
    with scopes_disabled():
        topup.refresh_from_db()
    assert topup.status == "received" and topup.reviewed_at is not None
    decided = finance.get(reverse("backoffice:billing-topup-queue"), {"status": "received"}).content.decode()
    assert "Received" in decided and topup.reviewed_by.email in decided

    # the customer sees the credit in the transaction record and its export
    client.force_login(user_a)
    record = client.get(reverse("billing:transactions"))
    assert [e.reference for e in record.context["page"]] == [f"Top-up {topup.number}"]
    export = client.get(reverse("billing:transactions"), {"export": "1"})
    assert export.status_code == 200 and len(export.content) > 100
    assert "Received" in client.get(reverse("billing:recharge-record")).content.decode()


def test_foreign_currency_needs_exchange_rate(finance, user_a):
    topup = submit(user_a, amount="100", currency="EUR")
    assert 'name="exchange_rate"' in finance.get(reverse("backoffice:billing-topup-queue")).content.decode()
    url = reverse("backoffice:billing-topup-approve", args=[topup.pk])
    assert "Give the exchange rate" in said(finance.post(url, {"received_amount": "100"}))
    assert entries(user_a.customer) == []
    assert "110.00 USD credited" in said(finance.post(url, {"received_amount": "100", "exchange_rate": "1.1"}))


def test_bad_approve_input_is_a_message_not_an_error(finance, user_a):
    topup = submit(user_a)
    url = reverse("backoffice:billing-topup-approve", args=[topup.pk])
    for data in ({}, {"received_amount": "abc"}, {"received_amount": "-4"}):
        response = finance.post(url, data)
        assert response.status_code == 302 and said(response)
    assert entries(user_a.customer) == []


def test_reject_shows_reason_to_customer(finance, client, user_a):
    topup = submit(user_a)
    url = reverse("backoffice:billing-topup-reject", args=[topup.pk])
    assert "Give the reason" in said(finance.post(url, {"reason": " "}))
    assert "rejected" in said(finance.post(url, {"reason": "Voucher unreadable, send a clearer photo"}))
    client.force_login(user_a)
    body = client.get(reverse("billing:recharge-record")).content.decode()
    assert "Rejected" in body and "Voucher unreadable, send a clearer photo" in body


def test_customer_cannot_approve(client, user_a):
    topup = submit(user_a)
    client.force_login(user_a)
    for name in ("backoffice:billing-topup-approve", "backoffice:billing-topup-reject"):
        assert client.post(reverse(name, args=[topup.pk]), {"received_amount": "100", "reason": "x"}).status_code == 403
    assert client.get(reverse("backoffice:billing-topup-voucher", args=[topup.pk])).status_code == 403
    with scopes_disabled():
        assert TopUp.objects.get(pk=topup.pk).status == "submitted"
    assert entries(user_a.customer) == []


def test_viewer_role_cannot_approve(client, make_staff, user_a):
    topup = submit(user_a)
    client.force_login(make_staff("customer_service"))
    assert client.get(reverse("backoffice:billing-topup-queue")).status_code == 200
    url = reverse("backoffice:billing-topup-approve", args=[topup.pk])
    assert client.post(url, {"received_amount": "100"}).status_code == 403


def test_misc_fee_waits_then_is_deducted_on_topup(finance, make_staff, client, user_a):
    code = user_a.customer.code
    response = finance.post(
        reverse("backoffice:billing-misc-fees"), {"customer": code, "amount": "30", "reason": "Relabelling 60 units"}
    )
    assert "is waiting" in said(response)
    with scopes_disabled():
        notice = MiscFeeNotice.objects.get()
    assert notice.status == "waiting" and notice.cause == "no balance"
    topup = submit(user_a)
    finance.post(reverse("backoffice:billing-topup-approve", args=[topup.pk]), {"received_amount": "100"})
    with scopes_disabled():
        notice.refresh_from_db()
    assert notice.status == "deducted"
    assert wallet(user_a.customer).balance == Decimal("70.00")
    response = finance.post(
        reverse("backoffice:billing-misc-fees"), {"customer": code, "amount": "5", "reason": "Photos"}
    )
    assert "deducted" in said(response) and wallet(user_a.customer).balance == Decimal("65.00")


def test_misc_fee_bad_input(finance):
    url = reverse("backoffice:billing-misc-fees")
    response = finance.post(url, {"customer": "NOPE", "amount": "5", "reason": "x"})
    assert response.status_code == 400 and "There is no customer NOPE" in response.content.decode()
    response = finance.post(url, {"customer": "", "amount": "0", "reason": "x"})
    assert response.status_code == 400
    with scopes_disabled():
        assert not MiscFeeNotice.objects.exists()


def test_misc_fee_needs_permission(client, make_staff, user_a):
    client.force_login(make_staff("customer_service"))
    url = reverse("backoffice:billing-misc-fees")
    assert client.get(url).status_code == 200
    assert client.post(url, {"customer": user_a.customer.code, "amount": "5", "reason": "x"}).status_code == 403


def test_overdue_filter(finance, make_staff, user_a, user_b):
    staff = make_staff("finance")
    with scopes_disabled():
        old = MiscFeeNotice.objects.create(
            customer=user_a.customer,
            amount=Decimal("9"),
            reason="Old fee",
            created_by=staff,
            noticed_at=timezone.now() - timedelta(hours=73),
        )
        MiscFeeNotice.objects.create(
            customer=user_b.customer,
            amount=Decimal("9"),
            reason="New fee",
            created_by=staff,
            noticed_at=timezone.now() - timedelta(hours=10),
        )
    url = reverse("backoffice:billing-misc-fees")
    response = finance.get(url, {"overdue": "1"})
    assert [n.pk for n in response.context["page"]] == [old.pk]
    assert 'data-overdue="1"' in response.content.decode()
    assert len(finance.get(url).context["page"]) == 2


def test_adjustment_posts_once_for_the_same_key(finance, user_a):
    with customer_scope(user_a.customer):
        credit(customer=user_a.customer, amount="20", idempotency_key="seed")
    detail = finance.get(reverse("backoffice:billing-wallet-detail", args=[user_a.customer.pk]))
    assert 'name="idempotency_key"' in detail.content.decode()
    url = reverse("backoffice:billing-wallet-adjust", args=[user_a.customer.pk])
    data = {"amount": "-7.5", "reason": "Damaged carton refund reversed", "idempotency_key": str(uuid.uuid4())}
    assert "by -7.50" in said(finance.post(url, data))
    assert "already posted" in said(finance.post(url, data))
    assert len(entries(user_a.customer, kind="adjustment")) == 1
    assert wallet(user_a.customer).balance == Decimal("12.50")
    body = finance.get(reverse("backoffice:billing-wallet-detail", args=[user_a.customer.pk])).content.decode()
    assert "Damaged carton refund reversed" in body


@pytest.mark.parametrize(
    "data, message",
    [
        ({"amount": "5", "reason": " "}, "This field is required"),
        ({"amount": "-500", "reason": "too much"}, "available"),
        ({"amount": "zero", "reason": "bad"}, "must be a number"),
    ],
)
def test_bad_adjustments_post_nothing(finance, user_a, data, message):
    url = reverse("backoffice:billing-wallet-adjust", args=[user_a.customer.pk])
    response = finance.post(url, {**data, "idempotency_key": str(uuid.uuid4())})
    assert response.status_code == 400 and message in response.content.decode()
    assert entries(user_a.customer) == []


def test_wallet_list(finance, user_a):
    with customer_scope(user_a.customer):
        credit(customer=user_a.customer, amount="12", idempotency_key="seed")
    body = finance.get(reverse("backoffice:billing-wallets")).content.decode()
    assert user_a.customer.code in body and "12.00" in body
    assert reverse("backoffice:billing-wallet-detail", args=[user_a.customer.pk]) in body


def test_payment_accounts_create_edit_and_duplicate(finance, client, user_a):
    url = reverse("backoffice:billing-payment-accounts")
    data = {"method": "paypal", "currency": "USD", "details": "pay@hub.example", "is_active": "on"}
    assert "added" in said(finance.post(url, data))
    assert finance.post(url, data).status_code == 400
    account = PaymentAccount.objects.get()
    edit = reverse("backoffice:billing-payment-account-edit", args=[account.pk])
    assert finance.get(edit).status_code == 200
    finance.post(edit, {**data, "details": "billing@hub.example"})
    account.refresh_from_db()
    assert account.details == "billing@hub.example"
    client.force_login(user_a)
    body = client.get(reverse("billing:topup"), {"method": "paypal", "currency": "USD"}).content.decode()
    assert "billing@hub.example" in body


def test_level_prices_edit(finance, make_staff, client):
    level = CustomerLevel.objects.first()
    url = reverse("backoffice:billing-level-prices")
    assert level.name in finance.get(url).content.decode()
    prefix = f"l{level.pk}"
    data = {
        "level": level.pk,
        f"{prefix}-fulfilment_fee_per_order": "3.10",
        f"{prefix}-fulfilment_fee_per_extra_unit": "0.40",
        f"{prefix}-storage_rate_per_m3_day": "0.55",
    }
    assert "saved" in said(finance.post(url, data))
    assert LevelPrice.objects.get(level=level).fulfilment_fee_per_order == Decimal("3.10")
    response = finance.post(url, {**data, f"{prefix}-fulfilment_fee_per_order": "-1"})
    assert response.status_code == 400 and "cannot be negative" in response.content.decode()
    assert finance.post(url, {"level": "x"}).status_code == 302
    client.force_login(make_staff("sales"))
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403


def test_finance_notes_why_a_fee_waits(client, make_staff, customer_a):
    from apps.billing.models import MiscFeeNotice
    from apps.billing.topups import misc_fee_notice, misc_fees_collect

    finance = make_staff("finance")
    with scopes_disabled():
        notice = misc_fee_notice(actor=finance, customer=customer_a, amount="50", reason="Relabelling")
    assert notice.cause == "no balance"
    client.force_login(finance)
    response = client.post(
        reverse("backoffice:billing-misc-fee-cause", args=[notice.pk]), {"cause": "customer unreachable"}, follow=True
    )
    assert "customer unreachable" in response.content.decode()
    with scopes_disabled():
        misc_fees_collect(customer=customer_a)  # still short: the noted cause stays
        assert MiscFeeNotice.objects.get(pk=notice.pk).cause == "customer unreachable"
    client.force_login(make_staff("customer_service"))
    refused = client.post(reverse("backoffice:billing-misc-fee-cause", args=[notice.pk]), {"cause": "x"})
    assert refused.status_code == 403


def test_an_exchange_rate_with_a_decimal_comma_is_the_rate_meant(finance, user_a):
    topup = submit(user_a, amount="100", currency="EUR")
    url = reverse("backoffice:billing-topup-approve", args=[topup.pk])
    assert "for example 1.08 or 1,08" in said(finance.post(url, {"received_amount": "100", "exchange_rate": "1;1"}))
    assert entries(user_a.customer) == []
    assert "108.00 USD credited" in said(finance.post(url, {"received_amount": "100", "exchange_rate": "1,08"}))
