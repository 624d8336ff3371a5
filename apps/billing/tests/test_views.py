"""Portal → Bills: wallet, top-up with voucher, recharge and transaction records, storage fees."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from apps.billing.models import PaymentAccount, StorageFee, TopUp
from apps.billing.services import adjust, credit, wallet_for
from apps.billing.topups import topup_submit
from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.warehouses.models import Warehouse

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def portal(client, user_a):
    client.force_login(user_a)
    return client


@pytest.fixture
def wire_usd(db):
    return PaymentAccount.objects.create(method="wire", currency="USD", details="Fulfillment Hub LLC\nACCT 12345")


def topup_post(**overrides):
    data = {
        "method": "wire",
        "currency": "USD",
        "payer": "Alpha Goods",
        "amount": "250.00",
        "paid_on": timezone.localdate().isoformat(),
        "transaction_ref": "WIRE-778",
        "voucher": SimpleUploadedFile("receipt.png", png_bytes(), content_type="image/png"),
    }
    data.update(overrides)
    return data


def topup_count():
    with scopes_disabled():
        return TopUp.objects.count()


def test_wallet_page_shows_balance_and_payment_help(portal, user_a):
    with customer_scope(user_a.customer):
        credit(customer=user_a.customer, amount="40", idempotency_key="seed")
    body = portal.get(reverse("billing:wallet")).content.decode()
    assert "40.00 USD" in body
    for word in ("Credit cards", "Wire transfers", "PayPal", "Alipay"):
        assert word in body
    for route in ("billing:topup", "billing:recharge-record", "billing:transactions", "billing:storage-fees"):
        assert reverse(route) in body


def test_bills_module_in_portal_nav(portal):
    body = portal.get(reverse("billing:transactions")).content.decode()
    assert f'class="nav-link active" href="{reverse("billing:wallet")}"' in body


def test_topup_step_one_shows_account_or_not_available(portal, wire_usd):
    url = reverse("billing:topup")
    response = portal.get(url, {"method": "wire", "currency": "USD"})
    body = response.content.decode()
    assert "ACCT 12345" in body and "I have completed payment" in body and 'name="voucher"' not in body
    body = portal.get(url, {"method": "wire", "currency": "EUR"}).content.decode()
    assert "not available for EUR" in body and "ACCT 12345" not in body
    body = portal.get(url, {"method": "wire", "currency": "USD", "paid": "1"}).content.decode()
    assert 'name="voucher"' in body and 'name="transaction_ref"' in body


def test_topup_submit_goes_to_recharge_record(portal, wire_usd, user_a):
    response = portal.post(reverse("billing:topup"), topup_post(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("billing:recharge-record")
    body = response.content.decode()
    assert "3–5 business days" in body and "within 1 business day" in body
    with customer_scope(user_a.customer):
        topup = TopUp.objects.get()
    assert topup.amount == Decimal("250.00") and topup.voucher_type == "image/png" and topup.created_by == user_a
    assert topup.number in body and "Submitted" in body
    voucher = portal.get(reverse("billing:topup-voucher", args=[topup.pk]))
    assert voucher.status_code == 200 and voucher["Content-Type"] == "image/png"
    assert b"".join(voucher.streaming_content) == png_bytes()


@pytest.mark.parametrize(
    "overrides, message",
    [
        (
            {"voucher": SimpleUploadedFile("receipt.png", b"just some text, not an image", content_type="image/png")},
            "whatever its name says",
        ),
        ({"amount": "0"}, "must be more than 0"),
        ({"amount": "abc"}, "must be a number"),
        ({"currency": "XYZ"}, "not a currency we take"),
        ({"paid_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "cannot be in the future"),
        ({"payer": ""}, "required"),
    ],
)
def test_bad_topups_are_refused_and_nothing_saved(portal, wire_usd, overrides, message):
    response = portal.post(reverse("billing:topup"), topup_post(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert topup_count() == 0


def test_voucher_over_10_mb_is_refused(portal, wire_usd):
    big = SimpleUploadedFile("receipt.png", png_bytes() + b"\0" * (10 * 1024 * 1024), content_type="image/png")
    response = portal.post(reverse("billing:topup"), topup_post(voucher=big))
    assert response.status_code == 400
    assert "the limit is 10 MB" in response.content.decode()
    assert topup_count() == 0


def test_other_customers_voucher_is_404(client, user_a, user_b):
    with customer_scope(user_b.customer):
        topup = topup_submit(
            actor=user_b,
            method="wire",
            currency="USD",
            amount="5",
            payer="B",
            paid_on=timezone.localdate(),
            transaction_ref="R",
            voucher=png_bytes(),
            voucher_name="b.png",
        )
    client.force_login(user_a)
    assert client.get(reverse("billing:topup-voucher", args=[topup.pk])).status_code == 404
    assert topup.number not in client.get(reverse("billing:recharge-record")).content.decode()


def test_transactions_filter_and_export(portal, user_a):
    customer = user_a.customer
    with customer_scope(customer):
        credit(
            customer=customer,
            amount="100",
            idempotency_key="t1",
            reference_type="topup",
            reference_id="TU1",
            reference="Top-up TU1",
        )
        adjust(
            customer=customer, amount="-5", reason='=HYPERLINK("http://x") label fix', idempotency_key="a1", actor=None
        )
    url = reverse("billing:transactions")
    page = portal.get(url).context["page"]
    assert [e.kind for e in page] == ["adjustment", "topup"]
    assert [e.kind for e in portal.get(url, {"kind": "topup"}).context["page"]] == ["topup"]
    assert [e.kind for e in portal.get(url, {"q": "label fix"}).context["page"]] == ["adjustment"]
    assert [e.kind for e in portal.get(url, {"q": "TU1"}).context["page"]] == ["topup"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert list(portal.get(url, {"date_from": tomorrow}).context["page"]) == []
    assert portal.get(url, {"date_from": "not-a-date"}).status_code == 200

    export = portal.get(url, {"export": "1"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Time", "Type", "Amount") and len(rows) == 3
    memo = rows[1][8]
    assert "label fix" in memo and not memo.startswith("=")
    filtered = openpyxl.load_workbook(io.BytesIO(portal.get(url, {"export": "1", "kind": "topup"}).content)).active
    assert [r[1] for r in filtered.iter_rows(min_row=2, values_only=True)] == ["Top-up"]


def test_transactions_page_by_page(portal, user_a):
    with customer_scope(user_a.customer):
        for i in range(30):
            credit(customer=user_a.customer, amount="1", idempotency_key=f"k{i}")
    url = reverse("billing:transactions")
    assert len(portal.get(url).context["page"]) == 25
    assert len(portal.get(url, {"page": 2}).context["page"]) == 5
    assert portal.get(url, {"page": "zzz"}).status_code == 200


def test_storage_fees_filters_and_export(portal, user_a):
    la = Warehouse.objects.create(code="LAX1", name="LA", address1="1 Rd", city="LA", country="US")
    nj = Warehouse.objects.create(code="NJ1", name="NJ", address1="2 Rd", city="Newark", country="US")
    with customer_scope(user_a.customer):
        mug = product_create(actor=user_a, data={"sku": "MUG", "name": "Mug", "declared_value": "2"})
        cup = product_create(actor=user_a, data={"sku": "CUP", "name": "Cup", "declared_value": "2"})
        today = timezone.localdate()
        for day, wh, product in [(today, la, mug), (today - timedelta(days=3), nj, cup)]:
            StorageFee.objects.create(
                customer=user_a.customer,
                day=day,
                warehouse=wh,
                product=product,
                units=4,
                volume_m3=Decimal("0.120000"),
                rate=Decimal("0.6000"),
                amount=Decimal("0.0720"),
            )
        wallet_for(user_a.customer)
    url = reverse("billing:storage-fees")
    rows = lambda r: [f.product.sku for f in r.context["page"]]  # noqa: E731
    assert rows(portal.get(url)) == ["MUG", "CUP"]
    assert rows(portal.get(url, {"q": "cu"})) == ["CUP"]
    assert rows(portal.get(url, {"warehouse": "LAX1"})) == ["MUG"]
    assert rows(portal.get(url, {"date_to": (today - timedelta(days=1)).isoformat()})) == ["CUP"]
    sheet = openpyxl.load_workbook(io.BytesIO(portal.get(url, {"export": "1", "q": "MUG"}).content)).active
    data = list(sheet.iter_rows(values_only=True))
    assert data[0][2] == "SKU" and [r[2] for r in data[1:]] == ["MUG"] and data[1][1] == "LAX1"


def test_staff_cannot_open_portal_bills(client, make_staff):
    client.force_login(make_staff("finance"))
    assert client.get(reverse("billing:wallet")).status_code == 403


@pytest.mark.parametrize(("typed", "stored"), [("1,08", "1.08"), ("1.250,50", "1250.50"), ("1,250.50", "1250.50")])
def test_a_decimal_comma_is_read_as_people_mean_it(portal, wire_usd, user_a, typed, stored):
    response = portal.post(reverse("billing:topup"), topup_post(amount=typed), follow=True)
    assert response.status_code == 200
    with customer_scope(user_a.customer):
        assert TopUp.objects.get().amount == Decimal(stored)  # "1,08" is not 108


def test_an_amount_we_cannot_read_says_how_to_write_it(portal, wire_usd):
    response = portal.post(reverse("billing:topup"), topup_post(amount="1,0,8"))
    assert response.status_code == 400
    assert "for example 1.08 or 1,08" in response.content.decode()
    assert topup_count() == 0


def test_recharge_record_shows_paid_rate_and_credited(portal, wire_usd, user_a, make_staff):
    from apps.billing.topups import topup_approve

    with customer_scope(user_a.customer):
        eur = topup_submit(
            actor=user_a,
            method="wire",
            currency="EUR",
            amount="100,00",
            payer="Alpha",
            paid_on=timezone.localdate(),
            transaction_ref="W-1",
            voucher=png_bytes(),
            voucher_name="r.png",
        )
        pending = topup_submit(
            actor=user_a,
            method="wire",
            currency="USD",
            amount="20",
            payer="Alpha",
            paid_on=timezone.localdate(),
            transaction_ref="W-2",
            voucher=png_bytes(),
            voucher_name="r.png",
        )
    with scopes_disabled():
        topup_approve(actor=make_staff("finance"), topup=eur, received_amount="99,50", exchange_rate="1,085")
    body = portal.get(reverse("billing:recharge-record")).content.decode()
    rows = {number: body.split(number)[1].split("</tr>")[0] for number in (eur.number, pending.number)}
    assert "100.00 EUR" in rows[eur.number]  # what was paid, in its currency
    assert "99.50 EUR" in rows[eur.number]  # what the bank received
    assert "1 EUR = 1.085 USD" in rows[eur.number]  # the rate
    assert "107.96 USD" in rows[eur.number]  # credited, in the wallet's currency
    assert "20.00 USD" in rows[pending.number] and "when received" in rows[pending.number]
