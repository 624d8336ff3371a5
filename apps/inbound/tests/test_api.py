import pytest
from django_scopes import scopes_disabled

from apps.inbound.models import InboundOrder
from apps.inbound.receiving import inbound_mark_arrived

pytestmark = pytest.mark.django_db
URL = "/api/v1/inbound-orders/"

BODY = {
    "warehouse": "LAX1",
    "lines": [{"sku": "TEE", "quantity": 30}, {"sku": "mug", "quantity": 10}],
    "boxes": [
        {
            "items": [{"sku": "TEE", "quantity": 10}, {"sku": "MUG", "quantity": 10}],
            "length_cm": "40",
            "width_cm": "30",
            "height_cm": "30",
            "weight_kg": "8.5",
        },
        {"items": [{"sku": "TEE", "quantity": 20}], "weight_kg": "5"},
    ],
    "carrier": "DHL",
    "tracking_number": "JD01",
    "transport_mode": "express",
    "ship_date": "2026-11-20",
}


@pytest.fixture
def api(api_client, user_a, warehouse, products):
    api_client.force_login(user_a)
    return api_client


def test_create_submit_patch_and_documents(api, make_staff):
    created = api.post(URL, {**BODY, "submit": True}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    number = body["number"]
    assert body["status"] == "submitted" and [b["box_no"] for b in body["boxes"]] == [1, 2]
    assert {(ln["sku"], ln["quantity"]) for ln in body["lines"]} == {("TEE", 30), ("MUG", 10)}
    assert [e["to_status"] for e in body["events"]] == ["draft", "submitted"]
    assert api.get(URL, {"status": "submitted"}).json()["results"][0]["number"] == number

    patched = api.patch(f"{URL}{number}/", {"tracking_number": "JD02"}, format="json")
    assert patched.status_code == 200 and patched.json()["tracking_number"] == "JD02"
    marks = api.get(f"{URL}{number}/documents/box-marks.pdf/")
    assert marks.status_code == 200 and marks["Content-Type"] == "application/pdf"

    with scopes_disabled():
        inbound_mark_arrived(actor=make_staff("warehouse"), inbound=InboundOrder.objects.get(number=number))
    locked = api.patch(f"{URL}{number}/", {"tracking_number": "JD03"}, format="json")
    assert locked.status_code == 409 and locked.json()["code"] == "inbound_locked"
    cancel = api.post(f"{URL}{number}/cancel/")
    assert cancel.status_code == 409


def test_packing_mismatch_creates_nothing(api):
    body = {**BODY, "boxes": [{"items": [{"sku": "TEE", "quantity": 29}, {"sku": "MUG", "quantity": 10}]}]}
    response = api.post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "packing_mismatch"
    assert response.json()["errors"]["differences"] == {"TEE": -1}
    with scopes_disabled():
        assert not InboundOrder.objects.exists()


def test_unknown_sku_and_foreign_warehouse(api):
    response = api.post(URL, {**BODY, "lines": [{"sku": "NOPE", "quantity": 1}], "boxes": []}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_sku"
    response = api.post(URL, {**BODY, "warehouse": "XYZ"}, format="json")
    assert response.status_code == 400 and "logistics plan" in response.json()["message"]


def test_submit_without_packing_is_refused(api):
    number = api.post(URL, {**BODY, "boxes": []}, format="json").json()["number"]
    response = api.post(f"{URL}{number}/submit/")
    assert response.status_code == 400 and "packing list" in response.json()["message"]
