import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled
from PIL import Image

from apps.billing.models import TopUp
from apps.billing.services import credit
from apps.billing.topups import topup_approve

pytestmark = pytest.mark.django_db


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def api(api_client, user_a):
    api_client.force_login(user_a)
    return api_client


def form(**overrides):
    data = {
        "method": "wire",
        "currency": "USD",
        "amount": "250.00",
        "payer": "Alpha Goods Ltd",
        "paid_on": datetime.date.today().isoformat(),
        "transaction_ref": "WIRE-1",
        "voucher": SimpleUploadedFile("receipt.png", png(), content_type="image/png"),
    }
    data.update(overrides)
    return data


def test_top_up_with_voucher_then_wallet_and_transactions(api, user_a, make_staff):
    response = api.post("/api/v1/billing/top-ups/", form(), format="multipart")
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    assert number.startswith("TU") and response.json()["status"] == "submitted"
    assert api.get(f"/api/v1/billing/top-ups/{number}/").json()["amount"] == "250.00"

    with scopes_disabled():
        topup_approve(actor=make_staff("finance"), topup=TopUp.objects.get(number=number), received_amount="249.50")
    wallet = api.get("/api/v1/billing/wallet/").json()
    assert wallet == {**wallet, "currency": "USD", "balance": "249.50", "held": "0.00", "available": "249.50"}
    entries = api.get("/api/v1/billing/transactions/", {"kind": "topup"}).json()["results"]
    assert [(e["kind"], e["amount"], e["balance_after"], e["reference_id"]) for e in entries] == [
        ("topup", "249.50", "249.50", number)
    ]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {"voucher": SimpleUploadedFile("fake.png", b"not really an image", content_type="image/png")},
            "invalid_voucher",
        ),
        ({"amount": "0"}, "invalid_amount"),
        ({"amount": "-5"}, "invalid_amount"),
        ({"currency": "XYZ"}, "unsupported_currency"),
    ],
)
def test_bad_top_ups_are_refused_and_nothing_is_saved(api, overrides, code):
    response = api.post("/api/v1/billing/top-ups/", form(**overrides), format="multipart")
    assert response.status_code == 400 and response.json()["code"] == code
    with scopes_disabled():
        assert not TopUp.objects.exists()


def test_transactions_filter_by_reference(api, user_a):
    with scopes_disabled():
        credit(
            customer=user_a.customer,
            amount=Decimal("10"),
            kind="refund",
            idempotency_key="r1",
            reference_id="S26112500000421",
            reference="Order S26112500000421",
        )
        credit(customer=user_a.customer, amount=Decimal("5"), kind="refund", idempotency_key="r2", reference_id="X")
    found = api.get("/api/v1/billing/transactions/", {"search": "S2611250"}).json()["results"]
    assert [e["amount"] for e in found] == ["10.00"]
